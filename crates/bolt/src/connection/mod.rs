//! One Bolt connection: transport, handshake, pipelined requests and replies, state.

mod helpers;
mod open;

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::task::Poll;
use std::time::{Duration, Instant};

use bytes::{BufMut, BytesMut};
use quiver_packstream::{Map, Options, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::codec::Decoder;
use tracing::{debug, trace};

use crate::address::Address;
use crate::auth::AuthToken;
use crate::codec::ChunkCodec;
use crate::error::Error;
use crate::message::{Request, Response, Success};
use crate::state::{RequestKind, ServerState, StateMachine};
use crate::transport::Stream;
use crate::version::Version;

/// Read at least this much free space before each read syscall.
const MIN_READ_SPACE: usize = 8 * 1024;
/// What a new connection's read buffer holds until a read fills it: a
/// connection that only ever carries small replies stays this small (a
/// pool of many such connections, W7 in the bench).
pub(crate) const INITIAL_READ_BUFFER: usize = 8 * 1024;

/// One open Bolt connection.
///
/// Low level use (what the pool and the facade do): [`send`](Self::send) requests
/// into the write buffer, [`flush`](Self::flush) them in one write, then
/// [`recv`](Self::recv) the replies one at a time. The tracked [`ServerState`] moves
/// with each reply. An auto-commit query is one round trip:
///
/// ```no_run
/// use quiver_bolt::{Address, Connection, ConnectionConfig, Pull, Request, Response, Run};
///
/// # async fn demo() -> Result<(), quiver_bolt::Error> {
/// let config = ConnectionConfig::builder().build()?;
/// let mut conn = Connection::connect(&"localhost:7687".parse::<Address>()?, &config).await?;
/// conn.send(&Request::Run(Run::new("UNWIND range(1, 3) AS x RETURN x")))?;
/// conn.send(&Request::Pull(Pull::ALL))?;
/// conn.flush().await?;
/// let fields = conn.recv().await?.into_success()?.fields();
/// loop {
///     match conn.recv().await? {
///         Response::Record(r) => println!("{:?}", r.values(conn.options())?),
///         other => { other.into_success()?; break; }
///     }
/// }
/// # let _ = fields;
/// # Ok(()) }
/// ```
///
/// `recv` is cancel safe (a dropped call loses no bytes); so is `flush` (unwritten
/// bytes stay in the buffer). Any IO error, protocol violation or undecodable message
/// makes the connection defunct: every later call fails with [`Error::Defunct`].
pub struct Connection {
    stream: Stream,
    rbuf: BytesMut,
    wbuf: BytesMut,
    codec: ChunkCodec,
    read_buffer_size: usize,
    /// How much room each read asks for: [`INITIAL_READ_BUFFER`] until a
    /// read fills the space it had, `read_buffer_size` from then on.
    read_size: usize,
    version: Version,
    opts: Options,
    sm: StateMachine,
    pending: VecDeque<RequestKind>,
    address: Address,
    peer: SocketAddr,
    server_agent: String,
    connection_id: String,
    hints: Map,
    recv_timeout: Option<Duration>,
    telemetry_allowed: bool,
    auth: AuthToken,
    created_at: Instant,
    last_used: Instant,
    close_signal: crate::CloseSignal,
    /// The close signal, not the server or the wire, ended the connection:
    /// nothing half-written is on the wire, so GOODBYE can still go out.
    ended_by_close: bool,
    /// Set while a RESET runs: the close signal waits for it.
    close_exempt: bool,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("address", &self.address)
            .field("peer", &self.peer)
            .field("version", &self.version)
            .field("state", &self.sm.state())
            .field("connection_id", &self.connection_id)
            .field("server_agent", &self.server_agent)
            .field("pending", &self.pending.len())
            .field("tls", &self.stream.is_tls())
            .finish()
    }
}

impl Connection {
    // ---------------------------------------------------------------- pipelining

    /// Encodes a request into the write buffer (nothing is sent until [`flush`](Self::flush)).
    ///
    /// Fails without touching the buffer if the negotiated version can't carry the
    /// request ([`Error::Unsupported`]) or the connection is defunct.
    pub fn send(&mut self, request: &Request<'_>) -> Result<(), Error> {
        if self.sm.state() == ServerState::Defunct {
            return Err(Error::Defunct);
        }
        let kind = request.kind();
        if kind == RequestKind::Hello && self.sm.state() != ServerState::Connected {
            return Err(Error::InvalidState {
                request: kind.name(),
                state: self.sm.state(),
            });
        }
        self.encode(request)?;
        if kind == RequestKind::Reset {
            self.sm.on_reset_sent(!self.pending.is_empty());
        }
        if kind.expects_reply() {
            self.pending.push_back(kind);
        }
        Ok(())
    }

    /// Encodes `request` into the write buffer, whatever the state.
    pub(crate) fn encode(&mut self, request: &Request<'_>) -> Result<(), Error> {
        let (version, opts) = (self.version, self.opts);
        ChunkCodec::encode_with(&mut self.wbuf, |buf| {
            request.write(&mut buf.writer(), version, &opts)
        })
        .map_err(|e| match e {
            Error::PackStream(e) => Error::Encode(e),
            other => other,
        })?;
        crate::message::log::request(request);
        Ok(())
    }

    /// Appends a keep-alive (empty) chunk to the write buffer.
    pub fn send_noop(&mut self) {
        ChunkCodec::encode_noop(&mut self.wbuf);
    }

    /// Writes everything buffered to the socket and flushes it.
    pub async fn flush(&mut self) -> Result<(), Error> {
        if self.sm.state() == ServerState::Defunct {
            return Err(Error::Defunct);
        }
        if self.close_signal.is_closed() && !self.close_exempt {
            return Err(self.end_by_close());
        }
        self.write_out().await
    }

    /// Writes everything buffered and flushes, whatever the close signal
    /// says: GOODBYE still leaves a connection the closing driver ends.
    pub(crate) async fn write_out(&mut self) -> Result<(), Error> {
        while !self.wbuf.is_empty() {
            match self.stream.write_buf(&mut self.wbuf).await {
                Ok(0) => return Err(self.fail(Error::ConnectionClosed)),
                Ok(_) => {}
                Err(e) => return Err(self.fail(Error::Io(e))),
            }
        }
        if let Err(e) = self.stream.flush().await {
            return Err(self.fail(Error::Io(e)));
        }
        self.last_used = Instant::now();
        Ok(())
    }

    /// Reads the next reply to the oldest outstanding request and applies it to the
    /// state machine. RECORDs answer a PULL; the PULL's summary follows them.
    ///
    /// A FAILURE comes back as `Ok(Response::Failure(..))`: the connection stays
    /// usable after a RESET. `Err` means the connection broke (or nothing was pending).
    /// Requests still in the write buffer are flushed first.
    pub async fn recv(&mut self) -> Result<Response, Error> {
        if self.sm.state() == ServerState::Defunct {
            return Err(Error::Defunct);
        }
        let Some(&req) = self.pending.front() else {
            return Err(Error::NothingPending);
        };
        if !self.wbuf.is_empty() {
            // Requests still buffered: their replies can't come before they are sent.
            self.flush().await?;
        }
        loop {
            match self.codec.decode(&mut self.rbuf) {
                Ok(Some(body)) => return self.handle(body, req),
                Ok(None) => {}
                Err(e) => return Err(self.fail(e)),
            }
            self.fill().await?;
        }
    }

    /// The next reply if a whole one is already in the read buffer: no IO,
    /// no await. `None` when the caller must [`recv`](Self::recv) instead
    /// (nothing buffered, nothing pending, requests not yet flushed, or the
    /// connection is defunct). A batch of records read in one syscall is
    /// handed out by this loop without an await per record.
    pub fn try_recv(&mut self) -> Option<Result<Response, Error>> {
        if self.sm.state() == ServerState::Defunct || !self.wbuf.is_empty() {
            return None;
        }
        let &req = self.pending.front()?;
        match self.codec.decode(&mut self.rbuf) {
            Ok(Some(body)) => Some(self.handle(body, req)),
            Ok(None) => None,
            Err(e) => Some(Err(self.fail(e))),
        }
    }

    fn handle(&mut self, body: bytes::Bytes, req: RequestKind) -> Result<Response, Error> {
        let resp = match Response::decode(body, self.version, &self.opts) {
            Ok(r) => r,
            Err(e) => return Err(self.fail(e)),
        };
        let applied = match &resp {
            Response::Record(_) => {
                return self
                    .sm
                    .on_record(req)
                    .map(|()| resp)
                    .map_err(|e| self.fail(e))
            }
            Response::Success(s) => {
                let has_more =
                    matches!(req, RequestKind::Pull | RequestKind::Discard) && s.has_more();
                crate::message::log::success(req.name(), has_more, s);
                self.sm.on_success(req, has_more)
            }
            Response::Ignored => {
                trace!(request = req.name(), "S: IGNORED");
                self.sm.on_ignored(req)
            }
            Response::Failure(f) => {
                debug!(request = req.name(), code = %f.code, "S: FAILURE");
                self.sm.on_failure(req)
            }
        };
        if let Err(e) = applied {
            return Err(self.fail(e));
        }
        self.pending.pop_front();
        self.last_used = Instant::now();
        if self.pending.is_empty() && self.unsolicited_buffered() {
            // Every reply is in, yet the server sent more: whatever it is, the
            // connection's replies can no longer be matched to requests. The
            // reply itself is good; the connection is not reused.
            let n = self.rbuf.len();
            self.fail(Error::Protocol(format!(
                "{n} unsolicited bytes from the server after its last reply"
            )));
        }
        Ok(resp)
    }

    /// Whether bytes other than keep-alive (NOOP) chunks are buffered with no
    /// reply outstanding; NOOPs are dropped on the way.
    fn unsolicited_buffered(&mut self) -> bool {
        while self.rbuf.starts_with(&[0, 0]) {
            bytes::Buf::advance(&mut self.rbuf, 2);
        }
        // (A lone zero may be the first half of a NOOP.)
        !self.rbuf.is_empty() && self.rbuf[..] != [0]
    }

    /// One read syscall into the read buffer, bounded by the read timeout
    /// (see [`recv_timeout`](Self::recv_timeout)) and ended by the close
    /// signal.
    async fn fill(&mut self) -> Result<(), Error> {
        if self.rbuf.capacity() - self.rbuf.len() < MIN_READ_SPACE {
            self.rbuf.reserve(self.read_size);
        }
        let room = self.rbuf.capacity() - self.rbuf.len();
        // The read, unless the close signal comes first (`None`).
        let read = self.stream.read_buf(&mut self.rbuf);
        let exempt = self.close_exempt;
        let closing = async {
            if exempt {
                std::future::pending::<()>().await;
            }
            self.close_signal.closed().await;
        };
        let read = async {
            let mut read = std::pin::pin!(read);
            let mut closing = std::pin::pin!(closing);
            std::future::poll_fn(|cx| {
                if let Poll::Ready(r) = read.as_mut().poll(cx) {
                    return Poll::Ready(Some(r));
                }
                closing.as_mut().poll(cx).map(|()| None)
            })
            .await
        };
        let n = match self.recv_timeout {
            Some(t) => match tokio::time::timeout(t, read).await {
                Ok(r) => r,
                Err(_) => return Err(self.fail(Error::ReadTimeout(t))),
            },
            None => read.await,
        };
        match n {
            None => Err(self.end_by_close()),
            Some(Ok(0)) => Err(self.fail(Error::ConnectionClosed)),
            Some(Ok(n)) => {
                if n == room {
                    // More was waiting: replies come in bulk (records), so
                    // later reads get the full buffer.
                    self.read_size = self.read_buffer_size;
                }
                Ok(())
            }
            Some(Err(e)) => Err(self.fail(Error::Io(e))),
        }
    }

    /// The driver is closing: the connection ends, the wire still sound.
    fn end_by_close(&mut self) -> Error {
        self.ended_by_close = true;
        self.fail(Error::Closed)
    }

    fn fail(&mut self, e: Error) -> Error {
        if e.is_fatal() {
            debug!(address = %self.address, error = %e, "connection defunct");
            self.sm.set_defunct();
        }
        e
    }

    /// Reads replies until none is outstanding, returning the first failure (as an
    /// error) if any request failed. Records are dropped.
    pub async fn drain(&mut self) -> Result<(), Error> {
        let mut first_failure = None;
        while !self.pending.is_empty() {
            if let Response::Failure(f) = self.recv().await? {
                first_failure.get_or_insert(f);
            }
        }
        match first_failure {
            Some(f) => Err(Error::Server(f)),
            None => Ok(()),
        }
    }

    /// Sends one request, flushes and waits for its summary (no replies may be pending).
    async fn round_trip(&mut self, request: &Request<'_>) -> Result<Success, Error> {
        if !self.pending.is_empty() {
            return Err(Error::InvalidState {
                request: request.kind().name(),
                state: self.sm.state(),
            });
        }
        self.send(request)?;
        self.flush().await?;
        loop {
            match self.recv().await? {
                Response::Record(_) => continue,
                other => return other.into_success(),
            }
        }
    }

    // ---------------------------------------------------------------- accessors

    /// The negotiated protocol version.
    pub fn version(&self) -> Version {
        self.version
    }
    /// The PackStream options for this connection (decode records with them).
    pub fn options(&self) -> &Options {
        &self.opts
    }
    /// The server's agent string, e.g. `Neo4j/5.20.0`.
    pub fn server_agent(&self) -> &str {
        &self.server_agent
    }
    /// The server's id for this connection, e.g. `bolt-42`.
    pub fn connection_id(&self) -> &str {
        &self.connection_id
    }
    /// The address as given to [`connect`](Self::connect).
    pub fn address(&self) -> &Address {
        &self.address
    }
    /// The socket address actually connected to.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }
    /// The hints the server sent in the HELLO reply.
    pub fn hints(&self) -> &Map {
        &self.hints
    }
    /// The read timeout in force: the server's `connection.recv_timeout_seconds`
    /// hint or the configured [read timeout](crate::ConnectionConfigBuilder::read_timeout),
    /// the smaller of the two when both are there.
    pub fn recv_timeout(&self) -> Option<Duration> {
        self.recv_timeout
    }
    /// Whether the server routes for the client (`ssr.enabled` hint, 5.8+).
    pub fn ssr_enabled(&self) -> bool {
        // [bolt-version-bump] server-side routing hint.
        self.version >= Version::V5_8
            && matches!(self.hints.get("ssr.enabled"), Some(Value::Boolean(true)))
    }
    /// Whether TELEMETRY will be sent.
    pub fn telemetry_allowed(&self) -> bool {
        self.telemetry_allowed
    }
    /// The auth token the connection is logged on with.
    pub fn auth(&self) -> &AuthToken {
        &self.auth
    }
    /// The tracked server state.
    pub fn state(&self) -> ServerState {
        self.sm.state()
    }
    /// Whether the connection is broken and must be dropped.
    pub fn is_defunct(&self) -> bool {
        self.sm.state() == ServerState::Defunct
    }
    /// Whether the connection is READY with nothing outstanding and nothing
    /// unread (fit for the pool).
    pub fn is_idle(&self) -> bool {
        self.sm.state() == ServerState::Ready
            && self.pending.is_empty()
            && self.wbuf.is_empty()
            && self.rbuf.is_empty()
    }
    /// Whether the server is READY (replies may still be outstanding).
    pub fn is_ready(&self) -> bool {
        self.sm.state() == ServerState::Ready
    }
    /// How many replies are outstanding.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }
    /// Whether the stream is encrypted.
    pub fn is_encrypted(&self) -> bool {
        self.stream.is_tls()
    }
    /// When the connection was opened.
    pub fn created_at(&self) -> Instant {
        self.created_at
    }
    /// When the connection last sent or received a message.
    pub fn last_used(&self) -> Instant {
        self.last_used
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConnectionConfig;

    fn assert_send<T: Send>(_: &T) {}

    /// The pool moves connections and their futures between tasks.
    #[allow(dead_code, unreachable_code, clippy::diverging_sub_expression)]
    fn futures_are_send(c: &mut Connection, a: &Address, cfg: &ConnectionConfig) {
        assert_send(&Connection::connect(a, cfg));
        assert_send(&c.recv());
        assert_send(&c.flush());
        assert_send(&c.reset());
        assert_send(&c.goodbye());
        assert_send(&c.check_idle());
        assert_send(c);
    }

    /// A connection starts with a small read buffer and keeps it while
    /// replies are small; a read that fills it moves it to the configured
    /// size.
    #[tokio::test]
    async fn the_read_buffer_grows_only_when_a_read_fills_it() {
        use crate::message::{Pull, Run};
        let big = "x".repeat(3 * INITIAL_READ_BUFFER);
        let (server, mut c) = logged_on(
            &format!(
                r#"C: RUN "RETURN 1" {{}} {{}}
   PULL {{"n": -1}}
S: SUCCESS {{"fields": ["x"]}}
   RECORD [1]
   SUCCESS {{}}
C: RUN "RETURN big" {{}} {{}}
   PULL {{"n": -1}}
S: SUCCESS {{"fields": ["x"]}}
   RECORD ["{big}"]
   SUCCESS {{}}
C: GOODBYE
S: <EXIT>
"#
            ),
            None,
        )
        .await;
        let mut replies = 0;
        for query in ["RETURN 1", "RETURN big"] {
            c.send(&Request::Run(Run::new(query))).unwrap();
            c.send(&Request::Pull(Pull::ALL)).unwrap();
            c.flush().await.unwrap();
            for _ in 0..3 {
                c.recv().await.unwrap();
                replies += 1;
            }
            if query == "RETURN 1" {
                assert_eq!(c.read_size, INITIAL_READ_BUFFER, "small replies");
                assert!(c.rbuf.capacity() <= INITIAL_READ_BUFFER);
            }
        }
        assert_eq!(replies, 6);
        assert_eq!(c.read_size, 64 * 1024, "a read filled the buffer");
        c.goodbye().await;
        server.finish().await.unwrap();
    }

    /// Replies already read come from `try_recv` without IO; it says `None`
    /// (and loses nothing) when the next one needs a read or a flush first.
    #[tokio::test]
    async fn try_recv_hands_out_what_is_buffered_and_nothing_else() {
        use crate::message::{Pull, Run};
        let (server, mut c) = logged_on(
            r#"C: RUN "RETURN 1" {} {}
   PULL {"n": -1}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"bookmark": "bm1"}
C: GOODBYE
S: <EXIT>
"#,
            None,
        )
        .await;
        assert!(c.try_recv().is_none(), "nothing pending");
        c.send(&Request::Run(Run::new("RETURN 1"))).unwrap();
        c.send(&Request::Pull(Pull::ALL)).unwrap();
        assert!(c.try_recv().is_none(), "requests not flushed yet");
        let run = c.recv().await.unwrap().into_success().unwrap();
        assert_eq!(run.try_fields(), Some(vec!["x".to_owned()]));
        // The stub sends the rest in one go; wait until all of it is read.
        let mut records = Vec::new();
        let summary = loop {
            let reply = match c.try_recv() {
                Some(r) => r.unwrap(),
                None => c.recv().await.unwrap(),
            };
            match reply {
                Response::Record(r) => records.push(r.into_raw()),
                other => break other.into_success().unwrap(),
            }
        };
        assert_eq!(records.len(), 2);
        assert_eq!(&records[1][..], &[0x91, 0x02]);
        assert_eq!(summary.bookmark(), Some("bm1"));
        assert!(c.try_recv().is_none(), "nothing pending after the summary");
        assert_eq!(c.pending(), 0);
        c.goodbye().await;
        server.finish().await.unwrap();
    }

    /// A connection to a stub server playing `rest` after the logon, with a
    /// close signal of its own.
    async fn with_close_signal(
        rest: &str,
    ) -> (
        quiver_test_support::stub::StubServer,
        Connection,
        crate::CloseSignal,
    ) {
        let signal = crate::CloseSignal::new();
        let (server, c) = logged_on(rest, Some(signal.clone())).await;
        (server, c, signal)
    }

    /// A connection logged on to a stub (Bolt 5.8) that plays `rest` after
    /// HELLO and LOGON.
    async fn logged_on(
        rest: &str,
        signal: Option<crate::CloseSignal>,
    ) -> (quiver_test_support::stub::StubServer, Connection) {
        use quiver_test_support::stub::{Script, StubServer};
        const LOGGED_ON: &str = r#"!: BOLT 5.8
C: HELLO {"user_agent": "*", "bolt_agent": {"product": "*", "...": ""}}
   LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pass"}
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-7"}
   SUCCESS {}
"#;
        let text = format!("{LOGGED_ON}{rest}");
        let server = StubServer::start(Script::parse(&text).unwrap())
            .await
            .unwrap();
        let mut config = ConnectionConfig::builder().auth(crate::AuthToken::basic("neo4j", "pass"));
        if let Some(signal) = signal {
            config = config.close_signal(signal);
        }
        let c = Connection::connect(&Address::from(server.addr()), &config.build().unwrap())
            .await
            .unwrap();
        (server, c)
    }

    /// A closing driver's signal ends waits for the server, but the
    /// connections it then closes still say GOODBYE (TestKit's stub servers
    /// and real servers expect it).
    #[tokio::test]
    async fn goodbye_is_sent_after_the_close_signal() {
        let (server, mut c, signal) = with_close_signal("C: GOODBYE\nS: <EXIT>\n").await;
        signal.close();
        c.goodbye().await;
        server.finish().await.expect("the stub saw GOODBYE");
    }

    /// A RESET under way when the close signal fires finishes (its reply is
    /// read, so the socket closes cleanly) and GOODBYE follows: what a
    /// closing driver does with a connection coming back from a failed query.
    #[tokio::test]
    async fn a_reset_outlasts_the_close_signal_and_goodbye_follows() {
        let (server, mut c, signal) =
            with_close_signal("C: RESET\nS: <SLEEP 1>\n   SUCCESS {}\nC: GOODBYE\nS: <EXIT>\n")
                .await;
        let closer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            signal.close();
        });
        c.reset().await.expect("the reset finishes");
        closer.await.unwrap();
        assert!(
            matches!(c.flush().await, Err(Error::Closed)),
            "other work is refused"
        );
        c.goodbye().await;
        server.finish().await.expect("the stub saw GOODBYE");
    }
}
