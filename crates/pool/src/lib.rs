//! Connection pooling and cluster routing for Quiver.
#![warn(missing_docs)]
