//! A signal that ends every connection opened with one configuration: a
//! driver closing stops work still reading from or writing to its servers.

use std::future::Future;

use tokio_util::sync::CancellationToken;

/// Shared by every connection opened with a
/// [`ConnectionConfig`](crate::ConnectionConfig) (clones are the same
/// signal). Once [`close`](Self::close)d, a connection waiting on its server
/// fails at once with [`Error::Closed`](crate::Error::Closed) and is defunct;
/// connections not waiting fail on their next read or write.
///
/// ```
/// use quiver_bolt::{CloseSignal, ConnectionConfig};
///
/// let signal = CloseSignal::new();
/// let config = ConnectionConfig::builder().close_signal(signal.clone()).build()?;
/// assert!(!config.close_signal().is_closed());
/// signal.close();
/// assert!(config.close_signal().is_closed());
/// # Ok::<(), quiver_bolt::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct CloseSignal(CancellationToken);

impl CloseSignal {
    /// A signal not yet given.
    pub fn new() -> Self {
        Self::default()
    }

    /// Gives the signal (for good).
    pub fn close(&self) {
        self.0.cancel();
    }

    /// Whether it was given.
    pub fn is_closed(&self) -> bool {
        self.0.is_cancelled()
    }

    /// Completes once the signal is given.
    pub(crate) fn closed(&self) -> impl Future<Output = ()> + Send + '_ {
        self.0.cancelled()
    }
}
