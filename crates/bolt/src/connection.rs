//! One Bolt connection: transport, handshake, pipelined requests and replies, state.

use std::collections::VecDeque;
use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::{BufMut, BytesMut};
use quiver_packstream::{Map, Options, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio_util::codec::Decoder;
use tracing::{debug, trace};

use crate::address::Address;
use crate::auth::AuthToken;
use crate::codec::ChunkCodec;
use crate::config::ConnectionConfig;
use crate::error::Error;
use crate::handshake::{self, ServerReply};
use crate::message::{options_for, Hello, Pull, Request, Response, Route, Success, TelemetryApi};
use crate::state::{RequestKind, ServerState, StateMachine};
use crate::transport::{self, Stream};
use crate::version::Version;

/// Read at least this much free space before each read syscall.
const MIN_READ_SPACE: usize = 8 * 1024;

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
    /// Opens a connection: TCP (each resolved address in turn), TLS if configured, the
    /// handshake, then HELLO (and LOGON from 5.1 on, pipelined with it). All within the
    /// configured connect timeout.
    pub async fn connect(
        address: &Address,
        config: &ConnectionConfig,
    ) -> Result<Connection, Error> {
        let fut = Self::connect_inner(address, config);
        match config.connect_timeout {
            Some(t) => tokio::time::timeout(t, fut)
                .await
                .map_err(|_| Error::ConnectTimeout(t))?,
            None => fut.await,
        }
    }

    async fn connect_inner(
        address: &Address,
        config: &ConnectionConfig,
    ) -> Result<Connection, Error> {
        let addrs = transport::resolve(address).await?;
        let mut last_err = None;
        for addr in addrs {
            match Self::open(address, addr, config).await {
                Ok(c) => return Ok(c),
                Err(e) => {
                    debug!(%address, %addr, error = %e, "connect failed");
                    // Only connection problems make trying the next address worthwhile.
                    if !e.is_connection_error() {
                        return Err(e);
                    }
                    last_err = Some(e);
                }
            }
        }
        Err(last_err.unwrap_or(Error::Address {
            address: address.to_string(),
            reason: "resolved to no address".into(),
        }))
    }

    async fn open(
        address: &Address,
        addr: SocketAddr,
        config: &ConnectionConfig,
    ) -> Result<Connection, Error> {
        let tcp = transport::connect_tcp(addr, config.keep_alive).await?;
        let mut stream = match &config.tls {
            Some(tls) => transport::connect_tls(tcp, tls.clone(), address.host()).await?,
            None => Stream::Tcp(tcp),
        };
        let mut rbuf = BytesMut::with_capacity(config.read_buffer_size);
        let version = negotiate(&mut stream, &mut rbuf, config).await?;
        debug!(%address, %version, "handshake done");
        let now = Instant::now();
        let mut conn = Connection {
            stream,
            rbuf,
            wbuf: BytesMut::with_capacity(8 * 1024),
            codec: ChunkCodec::with_max_message_size(config.max_message_size),
            read_buffer_size: config.read_buffer_size,
            version,
            opts: options_for(version, false),
            sm: StateMachine::new(version),
            pending: VecDeque::with_capacity(8),
            address: address.clone(),
            peer: addr,
            server_agent: String::new(),
            connection_id: String::new(),
            hints: Map::new(),
            recv_timeout: None,
            telemetry_allowed: false,
            auth: config.auth.clone(),
            created_at: now,
            last_used: now,
        };
        conn.hello(config).await?;
        Ok(conn)
    }

    async fn hello(&mut self, config: &ConnectionConfig) -> Result<(), Error> {
        let hello = Hello {
            user_agent: &config.user_agent,
            bolt_agent: &config.bolt_agent,
            auth: Some(&config.auth),
            routing: config.routing.as_ref(),
            notifications: &config.notifications,
        };
        debug!(version = %self.version, user_agent = %config.user_agent, auth = ?config.auth, "C: HELLO");
        self.send(&Request::Hello(hello))?;
        // [bolt-version-bump] LOGON is pipelined behind HELLO from 5.1 on.
        if self.version.has_logon() {
            debug!(auth = ?config.auth, "C: LOGON");
            self.send(&Request::Logon(&config.auth))?;
        }
        self.flush().await?;
        let meta = self
            .recv()
            .await?
            .into_success()
            .inspect_err(|_| self.sm.set_defunct())?;
        self.apply_hello_metadata(meta, config);
        if self.version.has_logon() {
            self.recv()
                .await?
                .into_success()
                .inspect_err(|_| self.sm.set_defunct())?;
        }
        Ok(())
    }

    fn apply_hello_metadata(&mut self, meta: Success, config: &ConnectionConfig) {
        let mut meta = meta.metadata;
        if let Some(Value::String(s)) = meta.remove("server") {
            self.server_agent = s;
        }
        if let Some(Value::String(s)) = meta.remove("connection_id") {
            self.connection_id = s;
        }
        // [bolt-version-bump] 4.4 servers confirm the UTC patch.
        if self.version.needs_utc_patch() {
            if let Some(Value::List(patches)) = meta.get("patch_bolt") {
                if patches
                    .iter()
                    .any(|p| matches!(p, Value::String(s) if s == "utc"))
                {
                    self.opts = options_for(self.version, true);
                }
            }
        }
        if let Some(Value::Map(hints)) = meta.remove("hints") {
            match hints.get("connection.recv_timeout_seconds") {
                Some(Value::Integer(s)) if *s > 0 => {
                    self.recv_timeout = Some(Duration::from_secs(*s as u64));
                }
                Some(other) => {
                    debug!(value = ?other, "ignoring invalid connection.recv_timeout_seconds hint");
                }
                None => {}
            }
            self.telemetry_allowed = config.telemetry
                && self.version.has_telemetry()
                && matches!(hints.get("telemetry.enabled"), Some(Value::Boolean(true)));
            self.hints = hints;
        }
        debug!(server = %self.server_agent, connection_id = %self.connection_id, "S: SUCCESS (HELLO)");
    }

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
        let (version, opts) = (self.version, self.opts);
        ChunkCodec::encode_with(&mut self.wbuf, |buf| {
            request.write(&mut buf.writer(), version, &opts)
        })
        .map_err(|e| match e {
            Error::PackStream(e) => Error::Encode(e),
            other => other,
        })?;
        trace!(request = kind.name(), "C: queued");
        if kind == RequestKind::Reset {
            self.sm.on_reset_sent(!self.pending.is_empty());
        }
        if kind.expects_reply() {
            self.pending.push_back(kind);
        }
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
                trace!(request = req.name(), has_more, "S: SUCCESS");
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
        Ok(resp)
    }

    /// One read syscall into the read buffer (honouring the recv timeout hint).
    async fn fill(&mut self) -> Result<(), Error> {
        if self.rbuf.capacity() - self.rbuf.len() < MIN_READ_SPACE {
            self.rbuf.reserve(self.read_buffer_size);
        }
        let read = self.stream.read_buf(&mut self.rbuf);
        let n = match self.recv_timeout {
            Some(t) => match tokio::time::timeout(t, read).await {
                Ok(r) => r,
                Err(_) => return Err(self.fail(Error::ReadTimeout(t))),
            },
            None => read.await,
        };
        match n {
            Ok(0) => Err(self.fail(Error::ConnectionClosed)),
            Ok(_) => Ok(()),
            Err(e) => Err(self.fail(Error::Io(e))),
        }
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

    // ---------------------------------------------------------------- helpers

    /// RESET: drains every outstanding reply and brings the server back to READY
    /// (after a failure, or to abandon a result or transaction).
    pub async fn reset(&mut self) -> Result<(), Error> {
        self.send(&Request::Reset)?;
        self.flush().await?;
        while let Some(&req) = self.pending.front() {
            let resp = self.recv().await?;
            if req == RequestKind::Reset && self.pending.is_empty() {
                return match resp {
                    Response::Success(_) => Ok(()),
                    other => Err(self.fail(match other.into_success() {
                        Err(Error::Server(f)) => Error::Server(f),
                        _ => Error::Protocol("RESET was not answered with SUCCESS".into()),
                    })),
                };
            }
        }
        Ok(())
    }

    /// GOODBYE: tells the server the client is leaving and closes the socket. The
    /// connection is defunct afterwards. Errors are ignored (the peer may be gone).
    pub async fn goodbye(&mut self) {
        if self.sm.state() != ServerState::Defunct {
            if self.send(&Request::Goodbye).is_ok() {
                let _ = self.flush().await;
            }
            let _ = self.stream.shutdown().await;
        }
        self.sm.set_defunct();
        self.pending.clear();
    }

    /// ROUTE: fetches the routing table for `db` (`None`: the home database). Returns
    /// the `rt` map (`servers`, `ttl`, `db`).
    pub async fn route(
        &mut self,
        routing_context: &Map,
        bookmarks: &[String],
        db: Option<&str>,
        impersonated_user: Option<&str>,
    ) -> Result<Map, Error> {
        let s = self
            .round_trip(&Request::Route(Route {
                routing: routing_context,
                bookmarks,
                db,
                imp_user: impersonated_user,
            }))
            .await?;
        match s.metadata.get("rt") {
            Some(Value::Map(rt)) => Ok(rt.clone()),
            _ => Err(self.fail(Error::Protocol(
                "ROUTE reply without a routing table".into(),
            ))),
        }
    }

    /// Queues TELEMETRY if the version, the configuration and the server allow it;
    /// returns whether it was queued (its reply then comes like any other).
    pub fn send_telemetry(&mut self, api: TelemetryApi) -> Result<bool, Error> {
        if !self.telemetry_allowed {
            return Ok(false);
        }
        self.send(&Request::Telemetry(api))?;
        Ok(true)
    }

    /// TELEMETRY as a round trip; `Ok(false)` when not sent (not allowed).
    pub async fn telemetry(&mut self, api: TelemetryApi) -> Result<bool, Error> {
        if !self.telemetry_allowed {
            return Ok(false);
        }
        self.round_trip(&Request::Telemetry(api)).await?;
        Ok(true)
    }

    /// Re-authenticates with LOGOFF + LOGON (5.1+, pipelined, one round trip).
    pub async fn reauth(&mut self, auth: &AuthToken) -> Result<(), Error> {
        if !self.version.has_logon() {
            return Err(Error::Unsupported {
                feature: "re-authentication",
                version: self.version,
            });
        }
        if !self.pending.is_empty() {
            return Err(Error::InvalidState {
                request: "LOGOFF",
                state: self.sm.state(),
            });
        }
        debug!(auth = ?auth, "C: LOGOFF, LOGON");
        self.send(&Request::Logoff)?;
        self.send(&Request::Logon(auth))?;
        self.flush().await?;
        self.recv().await?.into_success()?;
        self.recv().await?.into_success()?;
        self.auth = auth.clone();
        Ok(())
    }

    /// Runs `PULL`/`DISCARD` for all remaining records of the open result and returns
    /// its summary, dropping records (helper for abandoning a result).
    pub async fn discard_all(&mut self) -> Result<Success, Error> {
        self.round_trip(&Request::Discard(Pull::ALL)).await
    }

    /// Checks, without waiting, that an idle connection is still open: `false` (and
    /// defunct) if the server closed it or sent something unasked (e.g. a FAILURE
    /// before closing an idle connection). For pools, before handing a connection out.
    pub async fn check_idle(&mut self) -> bool {
        if self.is_defunct() {
            return false;
        }
        if !self.pending.is_empty() || !self.rbuf.is_empty() {
            return !self.is_defunct();
        }
        let mut probe = [0u8; 64];
        let stream = &mut self.stream;
        let outcome = std::future::poll_fn(|cx| {
            let mut buf = tokio::io::ReadBuf::new(&mut probe);
            match std::pin::Pin::new(&mut *stream).poll_read(cx, &mut buf) {
                std::task::Poll::Pending => std::task::Poll::Ready(Ok(None)),
                std::task::Poll::Ready(Ok(())) => {
                    std::task::Poll::Ready(Ok(Some(buf.filled().len())))
                }
                std::task::Poll::Ready(Err(e)) => std::task::Poll::Ready(Err(e)),
            }
        })
        .await;
        match outcome {
            Ok(None) => true,
            Ok(Some(0)) => {
                self.fail(Error::ConnectionClosed);
                false
            }
            Ok(Some(n)) => {
                self.fail(Error::Protocol(format!(
                    "{n} unsolicited bytes from the server"
                )));
                false
            }
            Err(e) => {
                self.fail(Error::Io(e));
                false
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
    /// The read timeout from the server's `connection.recv_timeout_seconds` hint.
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
    /// Whether the connection is READY with nothing outstanding (fit for the pool).
    pub fn is_idle(&self) -> bool {
        self.sm.state() == ServerState::Ready && self.pending.is_empty() && self.wbuf.is_empty()
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

/// Runs the handshake on a fresh stream; bytes read past it stay in `rbuf`.
async fn negotiate(
    stream: &mut Stream,
    rbuf: &mut BytesMut,
    config: &ConnectionConfig,
) -> Result<Version, Error> {
    let hello = handshake::client_hello(&config.versions, config.manifest_handshake);
    trace!(bytes = ?&hello[..], "C: handshake");
    stream.write_all(&hello).await?;
    stream.flush().await?;
    let (reply, used) = loop {
        if let Some(r) = handshake::parse_server_reply(rbuf)? {
            break r;
        }
        if rbuf.len() > 4096 {
            return Err(Error::Protocol("handshake reply too long".into()));
        }
        if stream.read_buf(rbuf).await? == 0 {
            return Err(Error::ConnectionClosed);
        }
    };
    let _ = rbuf.split_to(used);
    let version = match reply {
        ServerReply::Version(v) => v,
        ServerReply::Manifest {
            offers,
            capabilities,
        } => {
            trace!(?offers, capabilities, "S: handshake manifest");
            let Some(v) = handshake::choose_from_manifest(&offers, &config.versions) else {
                // Tell the server no version fits, then give up.
                let _ = stream.write_all(&[0, 0, 0, 0, 0]).await;
                return Err(Error::NoCommonVersion);
            };
            stream.write_all(&handshake::manifest_choice(v)).await?;
            v
        }
    };
    if !config.versions.contains(&version) || !version.is_supported() {
        return Err(Error::Protocol(format!(
            "server chose Bolt {version}, which was not offered"
        )));
    }
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
