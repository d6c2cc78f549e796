//! PackStream, the binary format of the Neo4j Bolt protocol, as a serde data format.
#![warn(missing_docs)]
