//! The Neo4j testkit backend for Quiver.
fn main() {}
