//! The stub server for tests without an async runtime (the blocking API).

use std::net::SocketAddr;

use tokio::runtime::Runtime;

use super::error::StubError;
use super::report::Report;
use super::script::Script;
use super::server::{StubServer, StubServerBuilder};

/// A [`StubServer`] with its own runtime on a background thread, for plain
/// `#[test]` functions. Do not create or finish it inside an async runtime.
///
/// ```no_run
/// use quiver_test_support::stub::{BlockingStubServer, Script};
///
/// let server = BlockingStubServer::start(Script::parse("!: BOLT 5.4\nC: RESET\nS: SUCCESS {}\n")?)?;
/// let addr = server.addr(); // drive a blocking client here
/// # let _ = addr;
/// server.finish()?;
/// # Ok::<(), quiver_test_support::stub::StubError>(())
/// ```
#[derive(Debug)]
pub struct BlockingStubServer {
    server: StubServer,
    runtime: Runtime,
}

impl BlockingStubServer {
    /// Starts a server playing one script.
    ///
    /// # Errors
    /// [`StubError::Io`] when the runtime cannot start or binding fails.
    pub fn start(script: Script) -> Result<BlockingStubServer, StubError> {
        BlockingStubServer::start_with(StubServer::builder().script(script))
    }

    /// Starts a server from a builder (several scripts, timeouts).
    ///
    /// # Errors
    /// [`StubError::Io`] when the runtime cannot start or binding fails.
    pub fn start_with(builder: StubServerBuilder) -> Result<BlockingStubServer, StubError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("quiver-stub")
            .enable_all()
            .build()
            .map_err(|source| StubError::Io {
                context: "starting the stub's runtime".into(),
                source,
            })?;
        let server = runtime.block_on(builder.start())?;
        Ok(BlockingStubServer { server, runtime })
    }

    /// The address to connect to.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// `bolt://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// As [`StubServer::finish`], blocking.
    ///
    /// # Errors
    /// [`StubError::Failed`] listing every failure.
    pub fn finish(self) -> Result<Report, StubError> {
        let BlockingStubServer { server, runtime } = self;
        runtime.block_on(server.finish())
    }
}
