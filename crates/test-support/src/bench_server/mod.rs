//! The bench server: a Bolt server that costs almost nothing, so that a
//! benchmark measures the client.
//!
//! It speaks Bolt 4.4 and 5.0 to 5.8 (classic and manifest handshakes;
//! also 4.1 to 4.3, for older clients),
//! accepts any credentials, answers BEGIN, COMMIT, ROLLBACK, RESET,
//! TELEMETRY, LOGON, LOGOFF and ROUTE (a routing table naming itself for
//! every role), and answers RUN and PULL from records encoded once and kept
//! as wire bytes: a PULL of `n` rows is one slice of a buffer.
//!
//! The query text picks the result ([`Shape`]):
//!
//! | query | rows |
//! |---|---|
//! | `RETURN 1` | one row, one int |
//! | `INTS n` | `n` rows of one int |
//! | `ROWS n` | `n` rows: int, float, 20-character string, list of 5 ints, map of 3 ints |
//! | `TABLE n` | `n` rows: int, float, 20-character string, date (`id`, `score`, `name`, `day`) |
//! | `NODES n` | `n` rows of one node: a label, 3 properties, an element id |
//! | `UNWIND $rows ...` | none: a bulk write; the `rows` list parameter is walked and its length reported as nodes created |
//!
//! PULL and DISCARD honour `n`, `qid` and `has_more`; any other query text
//! fails with a syntax error.
//!
//! ```no_run
//! let server = quiver_test_support::bench_server::BenchServer::start()?;
//! server.prepare("ROWS 200000");
//! println!("bolt://{}", server.addr());
//! # Ok::<(), std::io::Error>(())
//! ```

mod conn;
mod handshake;
mod shapes;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use shapes::Shape;

use shapes::Cache;

/// Serves every connection `listener` accepts, a task each, until the
/// listener fails.
///
/// # Errors
/// When accepting fails.
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    serve_with(listener, Arc::default()).await
}

async fn serve_with(listener: TcpListener, cache: Arc<Cache>) -> std::io::Result<()> {
    let advertised = listener.local_addr()?.to_string();
    let advertised: Arc<str> = Arc::from(advertised);
    let mut id: u64 = 0;
    loop {
        let (stream, _) = listener.accept().await?;
        id = id.wrapping_add(1);
        let cache = Arc::clone(&cache);
        let advertised = Arc::clone(&advertised);
        tokio::spawn(async move {
            if let Err(e) = conn::run(stream, id, &advertised, &cache).await {
                tracing::debug!("bench server: connection {id}: {e}");
            }
        });
    }
}

/// A bench server on `127.0.0.1`, an OS-assigned port, served by a thread
/// of its own; stopped when dropped.
#[derive(Debug)]
pub struct BenchServer {
    addr: SocketAddr,
    cache: Arc<Cache>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BenchServer {
    /// Binds `127.0.0.1:0` and starts serving.
    ///
    /// # Errors
    /// When the runtime cannot start or the port cannot be bound.
    pub fn start() -> std::io::Result<BenchServer> {
        BenchServer::start_on("127.0.0.1:0".parse().map_err(std::io::Error::other)?)
    }

    /// Binds `addr` and starts serving.
    ///
    /// # Errors
    /// When the runtime cannot start or the address cannot be bound.
    pub fn start_on(addr: SocketAddr) -> std::io::Result<BenchServer> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()?;
        let std_listener = std::net::TcpListener::bind(addr)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let cache: Arc<Cache> = Arc::default();
        let (stop, stopped) = oneshot::channel::<()>();
        let served = Arc::clone(&cache);
        let thread = std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match TcpListener::from_std(std_listener) {
                        Ok(listener) => listener,
                        Err(e) => {
                            tracing::warn!("bench server: {e}");
                            return;
                        }
                    };
                    tokio::select! {
                        result = serve_with(listener, served) => {
                            if let Err(e) = result {
                                tracing::warn!("bench server: {e}");
                            }
                        }
                        _ = stopped => {}
                    }
                });
            })?;
        Ok(BenchServer {
            addr,
            cache,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Encodes the records `query` returns now rather than on its first run.
    /// Unknown queries are ignored.
    pub fn prepare(&self, query: &str) {
        if let Some((shape, count)) = Shape::parse(query) {
            let count = usize::try_from(count).unwrap_or(usize::MAX);
            for bolt5 in [true, false] {
                self.cache.get(shape, bolt5, count);
            }
        }
    }
}

impl Drop for BenchServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
