//! One Bolt connection to Neo4j.
#![warn(missing_docs)]
