//! Test support for Quiver: the scripted Bolt stub server.
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod bench_server;
pub mod proxy;
pub mod stub;
pub mod tls;
