//! Cross-crate integration tests for Quiver live in `tests/tests/`.
