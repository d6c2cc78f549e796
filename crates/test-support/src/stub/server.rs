//! The listener: accepts connections and hands each a script to play.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::error::{Failure, StubError};
use super::player::{serve_connection, Outcome, Timing};
use super::report::Report;
use super::script::{Connections, Script};

/// A scripted Bolt server on `127.0.0.1`, on a port the OS picks.
///
/// Each accepted connection plays a script: the first script with
/// connections left (a script serves one connection unless it says
/// `!: CONNECTIONS n` or `!: CONNECTIONS ANY`). Call [`finish`](Self::finish)
/// at the end of the test: it fails when a client message did not match,
/// a required line was never played, or a script served the wrong number of
/// connections.
///
/// ```no_run
/// use quiver_test_support::stub::{Script, StubServer};
///
/// # async fn example() -> Result<(), quiver_test_support::stub::StubError> {
/// let server = StubServer::start(Script::parse(r#"
/// !: BOLT 5.4
/// C: HELLO *
/// S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
/// "#)?).await?;
/// let addr = server.addr(); // connect the client under test here
/// # let _ = addr;
/// server.finish().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct StubServer {
    addr: SocketAddr,
    finishing: watch::Sender<bool>,
    accept: Option<JoinHandle<Accepted>>,
    connections: Arc<Mutex<Vec<JoinHandle<Outcome>>>>,
    /// Failures as they happen, shown if the test panics before `finish()`.
    failures: Arc<Mutex<Vec<Failure>>>,
    finished: bool,
}

/// Builds a [`StubServer`] with settings.
///
/// ```no_run
/// use std::time::Duration;
/// use quiver_test_support::stub::{Script, StubServer};
///
/// # async fn example(router: Script, reader: Script) -> Result<(), quiver_test_support::stub::StubError> {
/// let server = StubServer::builder()
///     .script(router)
///     .script(reader)
///     .client_timeout(Duration::from_secs(2))
///     .start()
///     .await?;
/// # server.finish().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct StubServerBuilder {
    scripts: Vec<Script>,
    timing: Timing,
    tls: Option<std::sync::Arc<rustls::ServerConfig>>,
}

/// What the accept loop hands back.
#[derive(Debug, Default)]
struct Accepted {
    failures: Vec<Failure>,
    used: Vec<usize>,
}

impl Default for StubServerBuilder {
    fn default() -> Self {
        StubServerBuilder {
            tls: None,
            scripts: Vec::new(),
            timing: Timing {
                client_timeout: Duration::from_secs(10),
                finish_grace: Duration::from_millis(100),
            },
        }
    }
}

impl StubServerBuilder {
    /// Adds a script. Connections are handed to the scripts in the order
    /// added.
    #[must_use]
    pub fn script(mut self, script: Script) -> Self {
        self.scripts.push(script);
        self
    }

    /// Adds several scripts.
    #[must_use]
    pub fn scripts(mut self, scripts: impl IntoIterator<Item = Script>) -> Self {
        self.scripts.extend(scripts);
        self
    }

    /// How long the server waits for a client message the script requires
    /// before it fails the line and closes the connection (default 10 s; a
    /// script's `!: CLIENT_TIMEOUT` wins). A client that waits for a reply
    /// where the script expects it to pipeline fails this way.
    #[must_use]
    pub fn client_timeout(mut self, timeout: Duration) -> Self {
        self.timing.client_timeout = timeout;
        self
    }

    /// After [`StubServer::finish`] is called, how long a connection that
    /// waits for the client still waits before it is judged where it stands
    /// (default 100 ms).
    #[must_use]
    pub fn finish_grace(mut self, grace: Duration) -> Self {
        self.timing.finish_grace = grace;
        self
    }

    /// Serves TLS: each connection starts with a TLS handshake with this
    /// configuration (a certificate made with `rcgen`, say), then plays its
    /// script inside it. A failed TLS handshake is a failure of the
    /// connection.
    #[must_use]
    pub fn tls(mut self, config: std::sync::Arc<rustls::ServerConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    /// Binds `127.0.0.1:0` and starts serving.
    ///
    /// # Errors
    /// [`StubError::Io`] when binding fails.
    pub async fn start(self) -> Result<StubServer, StubError> {
        let listener = StubServer::bind().await?;
        Ok(self.start_on(listener))
    }

    /// Starts serving on a listener bound before the scripts were written
    /// (for a script that names its own address, e.g. a routing table).
    pub fn start_on(self, listener: StubListener) -> StubServer {
        let StubListener { listener, addr } = listener;
        let (finishing, finish_rx) = watch::channel(false);
        let connections = Arc::new(Mutex::new(Vec::new()));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let scripts: Vec<Arc<Script>> = self.scripts.into_iter().map(Arc::new).collect();
        let accept = tokio::spawn(accept_loop(
            listener,
            scripts,
            self.tls.map(tokio_rustls::TlsAcceptor::from),
            self.timing,
            finish_rx,
            Arc::clone(&connections),
            Arc::clone(&failures),
        ));
        tracing::debug!(%addr, "stub: listening");
        StubServer {
            addr,
            finishing,
            accept: Some(accept),
            connections,
            failures,
            finished: false,
        }
    }
}

/// A bound, not yet serving, stub address: its scripts can name it.
///
/// ```no_run
/// use quiver_test_support::stub::{Script, StubServer};
///
/// # async fn example() -> Result<(), quiver_test_support::stub::StubError> {
/// let listener = StubServer::bind().await?;
/// let me = listener.addr().to_string();
/// let script = Script::parse_with_vars(
///     r##"
/// !: BOLT 5.4
/// C: ROUTE *
/// S: SUCCESS {"rt": {"ttl": 300, "servers": [{"addresses": ["#ME#"], "role": "ROUTE"}]}}
/// "##,
///     &[("ME", me.as_str())],
/// )?;
/// let server = listener.start(script);
/// # server.finish().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct StubListener {
    listener: TcpListener,
    addr: SocketAddr,
}

impl StubListener {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Starts serving one script.
    pub fn start(self, script: Script) -> StubServer {
        StubServer::builder().script(script).start_on(self)
    }

    /// Starts serving several scripts, one per connection in order.
    pub fn start_many(self, scripts: Vec<Script>) -> StubServer {
        StubServer::builder().scripts(scripts).start_on(self)
    }
}

impl StubServer {
    /// A builder, for several scripts or other timeouts.
    pub fn builder() -> StubServerBuilder {
        StubServerBuilder::default()
    }

    /// Binds `127.0.0.1:0` without serving yet: see [`StubListener`].
    ///
    /// # Errors
    /// [`StubError::Io`] when binding fails.
    pub async fn bind() -> Result<StubListener, StubError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|source| StubError::Io {
                context: "binding 127.0.0.1:0".into(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StubError::Io {
            context: "reading the bound address".into(),
            source,
        })?;
        Ok(StubListener { listener, addr })
    }

    /// Starts a server playing one script.
    ///
    /// # Errors
    /// [`StubError::Io`] when binding fails.
    pub async fn start(script: Script) -> Result<StubServer, StubError> {
        StubServer::builder().script(script).start().await
    }

    /// Starts a server playing a script file.
    ///
    /// # Errors
    /// [`StubError::Io`] or [`StubError::Parse`] for the file,
    /// [`StubError::Io`] when binding fails.
    pub async fn start_file(path: impl AsRef<Path>) -> Result<StubServer, StubError> {
        StubServer::start(Script::from_file(path)?).await
    }

    /// Starts a server where the first connection plays the first script,
    /// the second the second, and so on.
    ///
    /// # Errors
    /// [`StubError::Io`] when binding fails.
    pub async fn start_many(scripts: Vec<Script>) -> Result<StubServer, StubError> {
        StubServer::builder().scripts(scripts).start().await
    }

    /// The address to connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `bolt://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        format!("bolt://{}", self.addr)
    }

    /// Stops accepting, lets each connection end, and tells whether every
    /// script was played through.
    ///
    /// Connections waiting for the client get a short grace (see
    /// [`StubServerBuilder::finish_grace`]); one that still waits for a line
    /// it requires fails, naming that line.
    ///
    /// # Errors
    /// [`StubError::Failed`] listing every failure.
    pub async fn finish(mut self) -> Result<Report, StubError> {
        self.finished = true;
        let _ = self.finishing.send(true);
        let mut failures = Vec::new();
        let accepted = match self.accept.take() {
            Some(handle) => match handle.await {
                Ok(accepted) => accepted,
                Err(e) => {
                    failures.push(server_failure(format!("the accept loop failed: {e}")));
                    Accepted::default()
                }
            },
            None => Accepted::default(),
        };
        failures.extend(accepted.failures);
        let handles: Vec<_> = match self.connections.lock() {
            Ok(mut list) => list.drain(..).collect(),
            Err(_) => Vec::new(),
        };
        let mut report = Report::default();
        for handle in handles {
            match handle.await {
                Ok(outcome) => {
                    failures.extend(outcome.failures);
                    report.connections.push(outcome.report);
                }
                Err(e) => failures.push(server_failure(format!("a connection task failed: {e}"))),
            }
        }
        failures.sort_by_key(|f| f.connection.map_or(usize::MAX, |c| c));
        if failures.is_empty() {
            Ok(report)
        } else {
            Err(StubError::Failed { failures })
        }
    }
}

impl Drop for StubServer {
    fn drop(&mut self) {
        // A test that panics before `finish()` (often because the stub
        // closed the connection on a mismatch) would lose the reason: show
        // it next to the panic, in the test's captured output.
        if !self.finished && std::thread::panicking() {
            if let Ok(failures) = self.failures.lock() {
                if !failures.is_empty() {
                    let list = StubError::Failed {
                        failures: failures.clone(),
                    };
                    tracing::error!("{list}");
                    eprintln!("{list}");
                }
            }
        }
        if let Some(accept) = self.accept.take() {
            accept.abort();
        }
        if let Ok(list) = self.connections.lock() {
            for handle in list.iter() {
                handle.abort();
            }
        }
    }
}

fn server_failure(message: String) -> Failure {
    Failure {
        connection: None,
        script: "stub server".into(),
        line: None,
        message,
    }
}

async fn accept_loop(
    listener: TcpListener,
    scripts: Vec<Arc<Script>>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    timing: Timing,
    mut finishing: watch::Receiver<bool>,
    connections: Arc<Mutex<Vec<JoinHandle<Outcome>>>>,
    shared: Arc<Mutex<Vec<Failure>>>,
) -> Accepted {
    let mut accepted = Accepted {
        failures: Vec::new(),
        used: vec![0; scripts.len()],
    };
    let mut index = 0;
    loop {
        if *finishing.borrow() {
            break;
        }
        let stream = tokio::select! {
            result = listener.accept() => match result {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::debug!("stub: accept failed: {e}");
                    continue;
                }
            },
            changed = finishing.changed() => {
                if changed.is_err() {
                    break;
                }
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let slot =
            scripts
                .iter()
                .enumerate()
                .position(|(i, script)| match script.config.connections {
                    Connections::Any => true,
                    Connections::Exactly(n) => accepted.used.get(i).is_some_and(|&used| used < n),
                });
        let Some(slot) = slot else {
            let failure = Failure {
                connection: Some(index),
                script: "stub server".into(),
                line: None,
                message: format!(
                    "an unexpected connection: the scripts serve {} connection(s)",
                    accepted.used.iter().sum::<usize>()
                ),
            };
            if let Ok(mut shared) = shared.lock() {
                shared.push(failure.clone());
            }
            accepted.failures.push(failure);
            index += 1;
            drop(stream);
            continue;
        };
        if let Some(used) = accepted.used.get_mut(slot) {
            *used += 1;
        }
        let Some(script) = scripts.get(slot) else {
            continue;
        };
        let mut timing = timing;
        if let Some(t) = script.config.client_timeout {
            timing.client_timeout = t;
        }
        tracing::debug!(connection = index, script = script.name(), "stub: accepted");
        let handle = tokio::spawn(serve_connection(
            Arc::clone(script),
            index,
            stream,
            tls.clone(),
            finishing.clone(),
            timing,
            Arc::clone(&shared),
        ));
        if let Ok(mut list) = connections.lock() {
            list.push(handle);
        }
        index += 1;
    }
    for (script, used) in scripts.iter().zip(&accepted.used) {
        if let Connections::Exactly(n) = script.config.connections {
            if *used < n {
                accepted.failures.push(Failure {
                    connection: None,
                    script: script.name().to_owned(),
                    line: None,
                    message: format!("expected {n} connection(s), got {used}"),
                });
            }
        }
    }
    accepted
}
