//! The connection state one unit of work (an auto-commit query or a
//! transaction) shares with its results.
//!
//! Results are owned handles on an `Arc<tokio::sync::Mutex<Conn>>`; a handle
//! locks it once per batch of records, never per record. Only the latest
//! result of a transaction streams from the connection: starting a new query
//! first buffers what is left of the previous one.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use quiver_bolt::{
    AccessMode as BoltMode, Begin, Connection, Error as BoltError, Pull, Request, Response, Run,
    Success, TxExtra,
};
use quiver_pool::Pooled;

use crate::bookmarks::{BookmarkManager, Bookmarks};
use crate::driver::DriverInner;
use crate::error::{Error, ErrorKind, Result};
use crate::manager::DriverManager;
use crate::record::Record;
use crate::summary::{PendingSummary, Query, ServerInfo, StreamShape};
use crate::Map;

pub(crate) type Shared = Arc<tokio::sync::Mutex<Conn>>;

/// What BEGIN (or an auto-commit RUN) carries besides the query.
#[derive(Debug, Clone, Default)]
pub(crate) struct TxParams {
    pub(crate) bookmarks: Vec<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) metadata: Map,
    pub(crate) read: bool,
    pub(crate) db: Option<String>,
    pub(crate) imp_user: Option<String>,
    pub(crate) notifications: Option<quiver_bolt::NotificationFilter>,
}

impl TxParams {
    fn extra(&self) -> TxExtra<'_> {
        TxExtra {
            bookmarks: &self.bookmarks,
            tx_timeout: self.timeout,
            tx_metadata: Some(&self.metadata),
            mode: if self.read {
                BoltMode::Read
            } else {
                BoltMode::Write
            },
            db: self.db.as_deref(),
            imp_user: self.imp_user.as_deref(),
            notifications: self.notifications.as_ref(),
        }
    }
}

/// Where an auto-commit query's bookmark goes once its result ends.
pub(crate) struct BookmarkSink {
    pub(crate) manager: Arc<dyn BookmarkManager>,
    pub(crate) previous: Bookmarks,
}

/// A failure that ended the unit of work, kept to answer later calls.
#[derive(Debug, Clone)]
struct Failure {
    kind: ErrorKind,
    message: String,
    retryable: bool,
    /// The server's failure, kept whole: later use of the transaction reports the same code
    /// and message, as the official drivers do.
    server: Option<crate::error::ServerError>,
}

impl Failure {
    fn of(e: &Error) -> Self {
        Failure {
            kind: e.kind(),
            message: e.to_string(),
            retryable: e.is_retryable(),
            server: e.as_server_error().cloned(),
        }
    }

    fn to_error(&self) -> Error {
        match &self.server {
            Some(server) => Error::server(server.clone()),
            None => Error::new(
                self.kind,
                format!("the transaction failed earlier ({})", self.message),
            ),
        }
        .with_retryable(self.retryable)
    }
}

/// The result currently streaming from the connection.
struct Streaming {
    id: u64,
    keys: Arc<[String]>,
    query: Query,
    run_meta: Success,
    /// A PULL or DISCARD was sent whose summary is not read yet.
    in_flight: bool,
    /// The request in flight asked for every remaining record.
    in_flight_all: bool,
    had_record: bool,
    /// Batches in a row that ended with `has_more` but brought no record.
    empty_batches: u32,
    /// Whether the batch being read has brought a record yet.
    batch_had_record: bool,
    /// The server's id for the result inside its transaction (`-1`: none given).
    qid: i64,
    /// Records of a batch read while the result was set aside for a later query.
    stash: VecDeque<Record>,
}

/// A result fails after this many batches in a row that bring no record yet
/// say there are more: a server stuck that way would otherwise be asked for
/// records for ever. Real servers send at least one record per batch with
/// `has_more`.
const MAX_EMPTY_BATCHES: u32 = 1000;

/// A result buffered because a later query needed the connection.
struct Buffered {
    records: VecDeque<Record>,
    end: Result<PendingSummary>,
    /// The session consumed it (closing, or starting other work): records
    /// are gone, only the summary is left.
    discarded: bool,
}

/// One unit of work's connection and the state of its results.
pub(crate) struct Conn {
    pooled: Option<Pooled<DriverManager>>,
    driver: Arc<DriverInner>,
    database: Option<String>,
    server: ServerInfo,
    auto_commit: bool,
    auth_managed: bool,
    streaming: Option<Streaming>,
    /// Results of an explicit transaction set aside, open on the server, while a later query
    /// of the same transaction runs; pulled again by their `qid`.
    suspended: Vec<Streaming>,
    /// The `qid` of the transaction's last RUN (PULL and DISCARD leave it out for that one).
    last_qid: i64,
    buffered: Vec<(u64, Buffered)>,
    next_id: u64,
    begin_pending: bool,
    telemetry_pending: bool,
    /// The server answered this unit of work's TELEMETRY.
    telemetry_answered: bool,
    /// LOGOFF + LOGON were queued ahead of the work (a user switch).
    reauth_pending: bool,
    /// A multi-step exchange is under way; still set when a new one starts
    /// means the last one's future was dropped midway.
    busy: bool,
    committing: bool,
    closed: bool,
    failure: Option<Failure>,
    bookmark: Option<String>,
    bookmark_sink: Option<BookmarkSink>,
    reported_db: Option<String>,
    open: Arc<AtomicBool>,
}

fn out_of_scope() -> Error {
    Error::new(
        ErrorKind::ResultOutOfScope,
        "its transaction ended (committed, rolled back or closed) before it was read; \
         read results inside their transaction",
    )
}

fn protocol(message: &'static str) -> Error {
    Error::new(ErrorKind::Protocol, message)
}

impl Conn {
    pub(crate) fn new(
        pooled: Pooled<DriverManager>,
        driver: Arc<DriverInner>,
        database: Option<String>,
        auto_commit: bool,
        auth_managed: bool,
    ) -> Self {
        let v = pooled.version();
        let server = ServerInfo::new(
            pooled.address().clone(),
            pooled.server_agent(),
            (v.major, v.minor),
        );
        Conn {
            pooled: Some(pooled),
            driver,
            database,
            server,
            auto_commit,
            auth_managed,
            streaming: None,
            suspended: Vec::new(),
            last_qid: -1,
            buffered: Vec::new(),
            next_id: 0,
            begin_pending: false,
            telemetry_pending: false,
            telemetry_answered: false,
            reauth_pending: false,
            busy: false,
            committing: false,
            closed: false,
            failure: None,
            bookmark: None,
            bookmark_sink: None,
            reported_db: None,
            open: Arc::new(AtomicBool::new(true)),
        }
    }

    pub(crate) fn into_shared(self) -> Shared {
        Arc::new(tokio::sync::Mutex::new(self))
    }

    /// Cleared when the unit of work ends; results read it for `is_open`.
    pub(crate) fn open_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.open)
    }

    /// LOGOFF + LOGON were queued on the connection: their replies come
    /// first.
    pub(crate) fn set_reauth_pending(&mut self, pending: bool) {
        self.reauth_pending = pending;
    }

    pub(crate) fn set_bookmark_sink(&mut self, sink: Option<BookmarkSink>) {
        self.bookmark_sink = sink;
    }

    /// The bookmark of the last commit (or finished auto-commit query), once.
    pub(crate) fn take_bookmark(&mut self) -> Option<String> {
        self.bookmark.take()
    }

    /// The database a Bolt 5.8+ server said it used.
    pub(crate) fn reported_db(&self) -> Option<&str> {
        self.reported_db.as_deref()
    }

    fn connection(&mut self) -> Result<&mut Connection> {
        match self.pooled.as_deref_mut() {
            Some(c) => Ok(c),
            None => Err(Error::new(
                ErrorKind::Closed,
                "the transaction's connection was already given back",
            )),
        }
    }

    /// Whether the unit of work can still run queries: not ended, and not
    /// failed.
    pub(crate) fn is_usable(&self) -> bool {
        self.failure.is_none() && !self.closed
    }

    fn check_usable(&self) -> Result<()> {
        if let Some(f) = &self.failure {
            return Err(f.to_error());
        }
        if self.closed {
            return Err(Error::new(
                ErrorKind::Closed,
                "the transaction is already closed",
            ));
        }
        Ok(())
    }

    /// The error for new work (a query, a commit) in an explicit transaction the server
    /// terminated with a failure: the transaction is closed, as the official drivers say.
    fn terminated(&self, what: &str) -> Option<Error> {
        if self.auto_commit {
            return None;
        }
        let f = self.failure.as_ref().filter(|f| f.server.is_some())?;
        Some(Error::new(
            ErrorKind::Closed,
            format!(
                "the transaction was closed by an earlier failure, so nothing more can be {what} in it ({})",
                f.message
            ),
        ))
    }

    fn release(&mut self) {
        self.pooled = None;
    }

    fn end_scope(&mut self) {
        self.closed = true;
        self.streaming = None;
        self.suspended.clear();
        self.buffered.clear();
        self.open.store(false, Ordering::Release);
    }

    /// Ends the unit of work without a word to the server: the pool resets
    /// the connection (which rolls back an open transaction).
    pub(crate) fn abandon(&mut self) {
        self.end_scope();
        self.release();
    }

    /// Turns a connection error into the driver's, tells the pool and
    /// records the failure.
    async fn fail_bolt(&mut self, e: BoltError) -> Error {
        let lost = e.is_connection_error() || matches!(e, BoltError::Defunct);
        let encode = matches!(e, BoltError::Encode(_));
        self.driver
            .pools
            .on_error(self.server.address(), self.database.as_deref(), &e);
        let auth = self.pooled.as_ref().map(|p| p.auth().clone());
        let mut err = if lost && self.committing {
            Error::commit_unknown(e)
        } else if lost && self.driver.pools.is_routing() {
            Error::new(
                ErrorKind::SessionExpired,
                format!("the connection to {} was lost", self.server.address()),
            )
            .with_source(e)
        } else {
            Error::from_bolt(e)
        };
        if self.auth_managed && err.is_security_error() {
            if let Some(auth) = auth {
                if let Ok(true) = self.driver.auth.handle_security_error(&auth, &err).await {
                    err = err.with_retryable(true);
                }
            }
        }
        if err.code() == Some(crate::error::AUTHORIZATION_EXPIRED) {
            // The authorization of every connection to this server is stale. This one is
            // not reused (the retry gets another). The others log on again before their
            // next use where the protocol allows (Bolt 5.1+); older ones can't, and are
            // closed (idle ones now, ones in use when given back).
            let can_log_on_again = self
                .pooled
                .as_ref()
                .is_some_and(|p| p.version().has_logon());
            if let Some(p) = self.pooled.as_mut() {
                p.discard();
            }
            if can_log_on_again {
                self.driver.pools.expire_auth(self.server.address());
            } else {
                self.driver.pools.clear_connections(self.server.address());
            }
        }
        if !encode {
            self.streaming = None;
            self.failure = Some(Failure::of(&err));
            if lost || self.auto_commit {
                self.release();
            }
        }
        err
    }

    fn fail_local(&mut self, err: Error) -> Error {
        self.streaming = None;
        self.failure = Some(Failure::of(&err));
        if let Some(p) = self.pooled.as_mut() {
            p.discard();
        }
        self.release();
        err
    }

    async fn send(&mut self, request: &Request<'_>) -> Result<()> {
        let sent = self.connection()?.send(request);
        match sent {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail_bolt(e).await),
        }
    }

    async fn flush(&mut self) -> Result<()> {
        let flushed = self.connection()?.flush().await;
        match flushed {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail_bolt(e).await),
        }
    }

    async fn recv(&mut self) -> Result<Response> {
        let received = self.connection()?.recv().await;
        match received {
            Ok(r) => Ok(r),
            Err(e) => Err(self.fail_bolt(e).await),
        }
    }

    /// Reads one summary reply (BEGIN, RUN, COMMIT, ROLLBACK).
    async fn recv_summary(&mut self) -> Result<Success> {
        let reply = self.recv().await?;
        self.summary_of(reply).await
    }

    /// A reply that must be a summary, as [`recv_summary`](Self::recv_summary)
    /// takes it.
    async fn summary_of(&mut self, reply: Response) -> Result<Success> {
        match reply {
            Response::Success(s) => Ok(s),
            Response::Failure(f) => Err(self.fail_bolt(BoltError::Server(f)).await),
            Response::Ignored => Err(self.ignored()),
            _ => Err(self.fail_local(protocol("the server sent a record out of place"))),
        }
    }

    fn ignored(&mut self) -> Error {
        match &self.failure {
            Some(f) => f.to_error(),
            None => self.fail_local(protocol("the server ignored a request without a failure")),
        }
    }

    fn note_db(&mut self, meta: &Success) {
        if let Some(db) = meta.db() {
            if self.reported_db.as_deref() != Some(db) {
                self.reported_db = Some(db.to_owned());
            }
        }
    }

    /// Marks the start of an exchange; fails (and gives the connection up)
    /// if an earlier one was abandoned midway, since its replies would be
    /// taken for the new request's.
    fn enter(&mut self) -> Result<()> {
        if self.busy {
            self.busy = false;
            return Err(self.fail_local(Error::new(
                ErrorKind::Closed,
                "the transaction can't go on: an earlier call on it was cancelled midway",
            )));
        }
        self.busy = true;
        Ok(())
    }

    /// RUN and PULL in one round trip. `auto` carries an auto-commit query's
    /// transaction parameters. Returns the result's id and keys.
    pub(crate) async fn run(
        &mut self,
        query: Query,
        fetch_n: i64,
        auto: Option<&TxParams>,
    ) -> Result<(u64, Arc<[String]>)> {
        self.enter()?;
        let out = self.run_step(query, fetch_n, auto).await;
        self.busy = false;
        out
    }

    /// The next batch of result `id`: up to `n` records (-1: all) into
    /// `out`. `Ok(Some(summary))` once the result is complete.
    pub(crate) async fn fetch(
        &mut self,
        id: u64,
        n: i64,
        out: &mut VecDeque<Record>,
    ) -> Result<Option<PendingSummary>> {
        self.enter()?;
        let res = self.fetch_step(id, n, out).await;
        self.busy = false;
        res
    }

    /// Drops what is left of result `id` and returns its summary.
    pub(crate) async fn discard(&mut self, id: u64) -> Result<PendingSummary> {
        self.enter()?;
        let res = self.discard_step(id).await;
        self.busy = false;
        res
    }

    /// COMMIT; returns the new bookmark.
    pub(crate) async fn commit(&mut self) -> Result<Option<String>> {
        self.enter()?;
        let res = self.commit_step().await;
        self.busy = false;
        res
    }

    /// ROLLBACK.
    pub(crate) async fn rollback(&mut self) -> Result<()> {
        if self.busy {
            // An abandoned exchange: the pool's RESET rolls back.
            self.busy = false;
            self.abandon();
            return Ok(());
        }
        self.busy = true;
        let res = self.rollback_step().await;
        self.busy = false;
        res
    }

    /// Buffers an auto-commit result's rest so the connection goes back.
    pub(crate) async fn finish_auto(&mut self) {
        if self.enter().is_ok() {
            self.finish_auto_step().await;
            self.busy = false;
        }
    }

    /// Consumes an auto-commit result's rest so the connection goes back.
    pub(crate) async fn consume_auto(&mut self) {
        if self.enter().is_ok() {
            self.consume_auto_step().await;
            self.busy = false;
        }
    }

    /// Queues TELEMETRY (which API the work comes from) when the server
    /// asked for it; it leaves with the next request.
    pub(crate) fn telemetry(&mut self, api: quiver_bolt::TelemetryApi) {
        if let Some(conn) = self.pooled.as_deref_mut() {
            if let Ok(true) = conn.send_telemetry(api) {
                self.telemetry_pending = true;
            }
        }
    }

    /// Whether the server answered the TELEMETRY queued by
    /// [`telemetry`](Self::telemetry) (with SUCCESS or FAILURE: either way
    /// it arrived, and is not sent again).
    pub(crate) fn telemetry_answered(&self) -> bool {
        self.telemetry_answered
    }

    /// Reads the replies to what was queued ahead of a query or a commit:
    /// LOGOFF and LOGON, TELEMETRY, then BEGIN.
    async fn read_preamble(&mut self) -> Result<()> {
        if self.reauth_pending {
            self.reauth_pending = false;
            for _ in 0..2 {
                if let Err(e) = self.recv_summary().await {
                    // The connection's credentials are unknown now: close it.
                    if let Some(p) = self.pooled.as_mut() {
                        p.discard();
                    }
                    self.release();
                    return Err(e);
                }
            }
        }
        if self.telemetry_pending {
            // A connection lost before the reply leaves it unanswered: the
            // next attempt of a retried unit of work sends it again.
            let reply = self.recv().await?;
            self.telemetry_pending = false;
            self.telemetry_answered = true;
            self.summary_of(reply).await?;
        }
        if self.begin_pending {
            self.read_begin().await?;
        }
        Ok(())
    }

    /// BEGIN, sent at once (with whatever was queued ahead of it: LOGOFF and LOGON,
    /// TELEMETRY) and its reply read: a transaction the server refuses fails here, before
    /// any query or transaction function runs, as the official drivers do.
    pub(crate) async fn begin(&mut self, params: &TxParams) -> Result<()> {
        self.enter()?;
        let out = self.begin_step(params).await;
        self.busy = false;
        out
    }

    /// BEGIN queued to leave with the first query (its reply is read there): for work the
    /// driver runs itself (`execute_query`), whose first query follows at once.
    pub(crate) async fn begin_pipelined(&mut self, params: &TxParams) -> Result<()> {
        self.send(&Request::Begin(Begin {
            extra: params.extra(),
        }))
        .await?;
        self.begin_pending = true;
        Ok(())
    }

    async fn begin_step(&mut self, params: &TxParams) -> Result<()> {
        self.send(&Request::Begin(Begin {
            extra: params.extra(),
        }))
        .await?;
        self.begin_pending = true;
        self.flush().await?;
        self.read_preamble().await
    }

    async fn read_begin(&mut self) -> Result<()> {
        let meta = self.recv_summary().await?;
        self.begin_pending = false;
        self.note_db(&meta);
        Ok(())
    }

    /// RUN and PULL in one round trip. `auto` carries an auto-commit query's
    /// transaction parameters. Returns the result's id and keys.
    async fn run_step(
        &mut self,
        query: Query,
        fetch_n: i64,
        auto: Option<&TxParams>,
    ) -> Result<(u64, Arc<[String]>)> {
        if let Some(e) = self.terminated("run") {
            return Err(e);
        }
        self.check_usable()?;
        if self.auto_commit {
            self.buffer_streaming().await;
        } else {
            self.set_streaming_aside().await;
        }
        self.check_usable()?;
        {
            let run = Run {
                query: query.text(),
                params: query.wire_params(),
                extra: auto.map(TxParams::extra).unwrap_or_default(),
            };
            let conn = self.connection()?;
            let sent = conn
                .send(&Request::Run(run))
                .and_then(|()| conn.send(&Request::Pull(Pull::n(fetch_n))));
            if let Err(e) = sent {
                return Err(self.fail_bolt(e).await);
            }
        }
        self.flush().await?;
        self.read_preamble().await?;
        let meta = self.recv_summary().await?;
        self.note_db(&meta);
        let keys: Arc<[String]> = match meta.try_fields() {
            Some(keys) => Arc::from(keys),
            None => {
                let err = Error::new(
                    ErrorKind::Protocol,
                    "the server's RUN reply has `fields` that are not a list of strings",
                );
                return Err(self.fail_local(err));
            }
        };
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        let qid = meta.qid().unwrap_or(-1);
        self.last_qid = qid;
        self.streaming = Some(Streaming {
            id,
            keys: Arc::clone(&keys),
            query,
            run_meta: meta,
            in_flight: true,
            in_flight_all: fetch_n < 0,
            had_record: false,
            empty_batches: 0,
            batch_had_record: false,
            qid,
            stash: VecDeque::new(),
        });
        Ok((id, keys))
    }

    /// Reads the replies of the PULL/DISCARD in flight: records into `out`,
    /// then its summary. `Ok(None)`: more records wait on the server.
    ///
    /// With `partial`, it returns (`Ok(None)`, the request still in flight)
    /// as soon as it has records and the next reply needs another read, so
    /// a large batch streams to the caller instead of piling up here.
    async fn read_pull(
        &mut self,
        out: &mut VecDeque<Record>,
        partial: bool,
    ) -> Result<Option<PendingSummary>> {
        let depth = self
            .pooled
            .as_deref()
            .map_or(quiver_packstream::DEFAULT_MAX_DEPTH, |c| {
                c.options().depth_limit()
            });
        loop {
            // Whole replies already read come without an await each.
            let buffered = match self.pooled.as_deref_mut() {
                Some(c) => c.try_recv(),
                None => None,
            };
            let resp = match buffered {
                Some(Ok(r)) => r,
                Some(Err(e)) => return Err(self.fail_bolt(e).await),
                None if partial && !out.is_empty() => return Ok(None),
                None => self.recv().await?,
            };
            let Some(s) = self.streaming.as_mut() else {
                return Err(self.fail_local(protocol("a reply came for no open result")));
            };
            match resp {
                Response::Record(r) => {
                    s.had_record = true;
                    s.batch_had_record = true;
                    match Record::with_depth(Arc::clone(&s.keys), r.into_raw(), depth) {
                        Ok(record) => out.push_back(record),
                        Err(e) => return Err(self.fail_local(e)),
                    }
                }
                Response::Success(summary) => {
                    s.in_flight = false;
                    if summary.has_more() {
                        if std::mem::take(&mut s.batch_had_record) {
                            s.empty_batches = 0;
                        } else {
                            s.empty_batches += 1;
                            if s.empty_batches >= MAX_EMPTY_BATCHES {
                                let err = Error::new(
                                    ErrorKind::Protocol,
                                    format!(
                                        "the server answered {MAX_EMPTY_BATCHES} requests for records \
                                         in a row with none, while saying it has more"
                                    ),
                                );
                                return Err(self.fail_local(err));
                            }
                            // Let other tasks run between such round trips.
                            tokio::task::yield_now().await;
                        }
                        return Ok(None);
                    }
                    return Ok(Some(self.finish_streaming(summary).await));
                }
                Response::Failure(f) => return Err(self.fail_bolt(BoltError::Server(f)).await),
                _ => return Err(self.ignored()),
            }
        }
    }

    async fn finish_streaming(&mut self, end: Success) -> PendingSummary {
        let Some(s) = self.streaming.take() else {
            // Callers hold a streaming result; keep the types honest anyway.
            return PendingSummary {
                query: Query::default(),
                server: self.server.clone(),
                run: Success::default(),
                end,
                shape: StreamShape {
                    had_keys: false,
                    had_record: false,
                },
            };
        };
        let shape = StreamShape {
            had_keys: !s.keys.is_empty(),
            had_record: s.had_record,
        };
        if self.auto_commit {
            if let Some(bm) = end.bookmark() {
                self.bookmark = Some(bm.to_owned());
                if let Some(sink) = self.bookmark_sink.take() {
                    let new = Bookmarks::from_raw_values([bm]);
                    if let Err(e) = sink.manager.update_bookmarks(&sink.previous, &new).await {
                        tracing::warn!(error = %e, "the bookmark manager failed to take new bookmarks");
                    }
                }
            }
            // The result itself stays readable from its buffer.
            self.closed = true;
            self.release();
        }
        PendingSummary {
            query: s.query,
            server: self.server.clone(),
            run: s.run_meta,
            end,
            shape,
        }
    }

    /// Moves what is left of the streaming result into the buffer, so the
    /// connection is free for the next request.
    async fn buffer_streaming(&mut self) {
        let Some(id) = self.streaming.as_ref().map(|s| s.id) else {
            return;
        };
        let mut records = VecDeque::new();
        let end = self.pull_rest(&mut records).await;
        self.buffered.push((
            id,
            Buffered {
                records,
                end,
                discarded: false,
            },
        ));
    }

    /// PULL or DISCARD of `n` records of the streaming result: its `qid` goes along unless it
    /// is the transaction's last query.
    fn pull_of_streaming(&self, n: i64) -> Pull {
        match &self.streaming {
            Some(s) if s.qid >= 0 && s.qid != self.last_qid => Pull { n, qid: s.qid },
            _ => Pull::n(n),
        }
    }

    /// Sets the streaming result of an explicit transaction aside (open on the server) so a
    /// later query can run; a batch in flight is read first, into the result's stash. A
    /// result the server gave no `qid` is buffered instead.
    async fn set_streaming_aside(&mut self) {
        let Some((id, qid, in_flight)) =
            self.streaming.as_ref().map(|s| (s.id, s.qid, s.in_flight))
        else {
            return;
        };
        if qid < 0 {
            self.buffer_streaming().await;
            return;
        }
        let mut stash = VecDeque::new();
        if in_flight {
            match self.read_pull(&mut stash, false).await {
                Ok(None) => {}
                Ok(Some(summary)) => {
                    self.buffered.push((
                        id,
                        Buffered {
                            records: stash,
                            end: Ok(summary),
                            discarded: false,
                        },
                    ));
                    return;
                }
                Err(e) => {
                    self.buffered.push((
                        id,
                        Buffered {
                            records: stash,
                            end: Err(e),
                            discarded: false,
                        },
                    ));
                    return;
                }
            }
        }
        if let Some(mut s) = self.streaming.take() {
            s.stash.extend(stash);
            self.suspended.push(s);
        }
    }

    /// Makes set-aside result `id` the streaming one again (setting the current one aside).
    /// `false` when `id` was not set aside.
    async fn resume(&mut self, id: u64) -> Result<bool> {
        if !self.suspended.iter().any(|s| s.id == id) {
            return Ok(false);
        }
        self.check_usable()?;
        self.set_streaming_aside().await;
        self.check_usable()?;
        let Some(pos) = self.suspended.iter().position(|s| s.id == id) else {
            return Ok(false);
        };
        self.streaming = Some(self.suspended.remove(pos));
        Ok(true)
    }

    async fn pull_rest(&mut self, out: &mut VecDeque<Record>) -> Result<PendingSummary> {
        loop {
            let in_flight = match &self.streaming {
                Some(s) => s.in_flight,
                None => return Err(out_of_scope()),
            };
            if !in_flight {
                self.send(&Request::Pull(self.pull_of_streaming(-1)))
                    .await?;
                self.flush().await?;
                if let Some(s) = self.streaming.as_mut() {
                    s.in_flight = true;
                    s.in_flight_all = true;
                }
            }
            if let Some(summary) = self.read_pull(out, false).await? {
                return Ok(summary);
            }
        }
    }

    /// The next batch of result `id`: up to `n` records (-1: all) into
    /// `out`. `Ok(Some(summary))` once the result is complete.
    async fn fetch_step(
        &mut self,
        id: u64,
        n: i64,
        out: &mut VecDeque<Record>,
    ) -> Result<Option<PendingSummary>> {
        if let Some(pos) = self.buffered.iter().position(|(i, _)| *i == id) {
            if self.buffered.get(pos).is_some_and(|(_, b)| b.discarded) {
                return Err(Error::new(
                    ErrorKind::ResultConsumed,
                    "the session consumed it before starting other work or closing",
                ));
            }
            let (_, b) = self.buffered.swap_remove(pos);
            if out.is_empty() {
                *out = b.records;
            } else {
                out.extend(b.records);
            }
            return b.end.map(Some);
        }
        if self.streaming.as_ref().is_none_or(|s| s.id != id) && !self.resume(id).await? {
            return Err(self.gone());
        }
        if let Some(s) = self.streaming.as_mut().filter(|s| !s.stash.is_empty()) {
            out.extend(s.stash.drain(..));
            return Ok(None);
        }
        let in_flight = match &self.streaming {
            Some(s) if s.id == id => s.in_flight,
            _ => return Err(self.gone()),
        };
        if !in_flight {
            self.send(&Request::Pull(self.pull_of_streaming(n))).await?;
            self.flush().await?;
            if let Some(s) = self.streaming.as_mut() {
                s.in_flight = true;
                s.in_flight_all = n < 0;
            }
        }
        self.read_pull(out, true).await
    }

    /// Drops what is left of result `id` (DISCARD when records still wait on
    /// the server) and returns its summary.
    async fn discard_step(&mut self, id: u64) -> Result<PendingSummary> {
        if let Some(pos) = self.buffered.iter().position(|(i, _)| *i == id) {
            let (_, b) = self.buffered.swap_remove(pos);
            return b.end;
        }
        if self.streaming.as_ref().is_none_or(|s| s.id != id) && !self.resume(id).await? {
            return Err(self.gone());
        }
        match self.streaming.as_mut() {
            Some(s) if s.id == id => s.stash.clear(),
            _ => return Err(self.gone()),
        }
        let mut scratch = VecDeque::new();
        loop {
            let in_flight = self.streaming.as_ref().is_some_and(|s| s.in_flight);
            if !in_flight {
                self.send(&Request::Discard(self.pull_of_streaming(-1)))
                    .await?;
                self.flush().await?;
                if let Some(s) = self.streaming.as_mut() {
                    s.in_flight = true;
                    s.in_flight_all = true;
                }
            }
            if let Some(summary) = self.read_pull(&mut scratch, false).await? {
                return Ok(summary);
            }
            scratch.clear();
        }
    }

    fn gone(&self) -> Error {
        match &self.failure {
            Some(f) => f.to_error(),
            None => out_of_scope(),
        }
    }

    /// Ends the streaming result ahead of COMMIT/ROLLBACK, queuing `end`
    /// right behind the last PULL (or a DISCARD) so it shares its round trip.
    async fn close_streaming_then(&mut self, end: Request<'static>) -> Result<()> {
        self.buffered.clear();
        if matches!(end, Request::Commit) {
            // Results set aside are discarded before COMMIT, oldest first.
            while let Some(id) = self.suspended.first().map(|s| s.id) {
                self.discard_step(id).await?;
            }
        } else {
            // ROLLBACK ends them on the server.
            self.suspended.clear();
        }
        let Some((in_flight, all)) = self
            .streaming
            .as_ref()
            .map(|s| (s.in_flight, s.in_flight_all))
        else {
            self.committing = matches!(end, Request::Commit);
            self.send(&end).await?;
            return self.flush().await;
        };
        let mut scratch = VecDeque::new();
        if !(in_flight && all) {
            if in_flight && self.read_pull(&mut scratch, false).await?.is_some() {
                self.committing = matches!(end, Request::Commit);
                self.send(&end).await?;
                return self.flush().await;
            }
            self.send(&Request::Discard(self.pull_of_streaming(-1)))
                .await?;
            if let Some(s) = self.streaming.as_mut() {
                s.in_flight = true;
                s.in_flight_all = true;
            }
        }
        self.committing = matches!(end, Request::Commit);
        self.send(&end).await?;
        self.flush().await?;
        scratch.clear();
        while self.streaming.is_some() {
            if self.read_pull(&mut scratch, false).await?.is_some() {
                break;
            }
            scratch.clear();
        }
        Ok(())
    }

    /// COMMIT (pipelined behind the last PULL where possible); returns the
    /// new bookmark.
    async fn commit_step(&mut self) -> Result<Option<String>> {
        if let Some(e) = self.terminated("committed") {
            self.abandon();
            return Err(e);
        }
        if let Err(e) = self.check_usable() {
            self.abandon();
            return Err(e);
        }
        let outcome = self.commit_inner().await;
        self.end_scope();
        self.release();
        outcome
    }

    async fn commit_inner(&mut self) -> Result<Option<String>> {
        self.close_streaming_then(Request::Commit).await?;
        self.read_preamble().await?;
        let meta = self.recv_summary().await?;
        self.committing = false;
        Ok(meta.bookmark().map(str::to_owned))
    }

    /// ROLLBACK; a failed transaction is only given back (the pool's RESET
    /// ends it on the server).
    async fn rollback_step(&mut self) -> Result<()> {
        if self.closed {
            return Err(Error::new(
                ErrorKind::Closed,
                "the transaction is already closed",
            ));
        }
        if self.failure.is_some() {
            // The server ended the transaction already; a RESET now (rather than the
            // pool's, in the background) gives the connection back ready for the next
            // unit of work.
            if let Some(p) = self.pooled.as_mut() {
                if !p.is_defunct() && p.reset().await.is_err() {
                    p.discard();
                }
            }
            self.abandon();
            return Ok(());
        }
        let outcome = self.rollback_inner().await;
        self.end_scope();
        self.release();
        outcome
    }

    async fn rollback_inner(&mut self) -> Result<()> {
        self.close_streaming_then(Request::Rollback).await?;
        self.read_preamble().await?;
        self.recv_summary().await?;
        Ok(())
    }

    /// Finishes an auto-commit result so its bookmark is known and the
    /// connection goes back to the pool: what is left is buffered.
    /// Consumes an auto-commit result (DISCARD of what the server still
    /// holds) so its bookmark is known and the connection goes back; the
    /// result's handle then reports it consumed.
    async fn consume_auto_step(&mut self) {
        let Some(id) = self.streaming.as_ref().map(|s| s.id) else {
            return;
        };
        let end = self.discard_step(id).await;
        self.buffered.push((
            id,
            Buffered {
                records: VecDeque::new(),
                end,
                discarded: true,
            },
        ));
    }

    async fn finish_auto_step(&mut self) {
        if self.streaming.is_some() {
            self.buffer_streaming().await;
        }
    }
}
