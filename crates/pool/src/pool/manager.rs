//! What the pool needs from a kind of connection.

use std::future::Future;

use crate::Address;

/// The state a connection is in when it comes back to the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionHealth {
    /// Idle and clean: may be handed to the next user as is.
    Ready,
    /// Usable after a reset (a result left half-read, an exchange cut short).
    NeedsReset,
    /// Dead or in an unknown state: must be discarded.
    Broken,
}

/// Opens, resets, checks and closes one kind of connection. The pool is
/// generic over it so tests can use fake connections; the Bolt
/// implementation is [`BoltManager`](crate::BoltManager).
pub trait Manager: Send + Sync + 'static {
    /// The connection type.
    type Connection: Send + 'static;
    /// The connection's error type.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Opens a connection to `address`, ready for work (handshake and
    /// authentication done).
    fn connect(
        &self,
        address: &Address,
    ) -> impl Future<Output = Result<Self::Connection, Self::Error>> + Send;

    /// Brings a connection back to a ready state (Bolt: RESET), also used as
    /// the liveness check.
    fn reset(
        &self,
        connection: &mut Self::Connection,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// The connection's state, without IO.
    fn health(&self, connection: &Self::Connection) -> ConnectionHealth;

    /// Checks, without waiting and without blocking, that an idle connection
    /// about to be handed out is still sound (Bolt: the server has not
    /// closed it, nor sent anything unasked); `false` disposes of it. Every
    /// connection taken from the idle stack passes here. The default trusts
    /// [`health`](Self::health).
    fn check_idle(&self, connection: &mut Self::Connection) -> bool {
        let _ = connection;
        true
    }

    /// Closes a connection politely (Bolt: GOODBYE) where possible.
    fn close(&self, connection: Self::Connection) -> impl Future<Output = ()> + Send;
}
