//! One module per driver; each reads every column into a native value.

pub mod neo4j_sync;
pub mod neo4rs_async;
pub mod quiver_async;
pub mod quiver_blocking;

/// The bench server accepts any credentials.
pub const USER: &str = "neo4j";
pub const PASSWORD: &str = "bench";

/// How a Quiver client reads records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// Column by column (`get_at::<T>`).
    Native,
    /// The whole record into a user struct (`record.to::<Row>()`).
    Serde,
    /// The record as `Value`s, then into natives.
    Value,
    /// Into Arrow record batches (`record_batches`, W9).
    Arrow,
}
