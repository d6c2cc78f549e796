//! Quiver: a Neo4j driver for Rust.
#![warn(missing_docs)]
