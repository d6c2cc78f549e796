//! One bench connection: read every whole message the client sent, answer
//! them all into one buffer, write it once (record slices of more than a
//! few kilobytes go straight from the shared encoded buffer).

use std::sync::Arc;

use quiver_packstream::{write, Deserializer, Kind, Result as PsResult};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::handshake;
use super::shapes::{Cache, Encoded, Shape};

const HELLO: u8 = 0x01;
const GOODBYE: u8 = 0x02;
const RESET: u8 = 0x0F;
const RUN: u8 = 0x10;
const BEGIN: u8 = 0x11;
const COMMIT: u8 = 0x12;
const ROLLBACK: u8 = 0x13;
const DISCARD: u8 = 0x2F;
const PULL: u8 = 0x3F;
const TELEMETRY: u8 = 0x54;
const ROUTE: u8 = 0x66;
const LOGON: u8 = 0x6A;
const LOGOFF: u8 = 0x6B;

const SUCCESS: u8 = 0x70;
const IGNORED: u8 = 0x7E;
const FAILURE: u8 = 0x7F;

/// Record bytes longer than this are written straight, not copied.
const DIRECT_WRITE: usize = 16 * 1024;
/// A client message longer than this ends the connection.
const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// An open result.
struct Stream {
    qid: i64,
    encoded: Arc<Encoded>,
    next: usize,
    total: usize,
    /// A bulk write's row count (its summary reports them created).
    created: Option<u64>,
}

struct State<'a> {
    bolt5: bool,
    id: u64,
    advertised: &'a str,
    cache: &'a Cache,
    failed: bool,
    in_tx: bool,
    next_qid: i64,
    streams: Vec<Stream>,
    /// The stream whose PULL or DISCARD summary is still to be written.
    pending: Option<usize>,
    out: Vec<u8>,
    body: Vec<u8>,
}

/// What a message asks of the connection loop.
enum Next {
    Continue,
    /// Write `out`, then these records, then go on.
    Records(Arc<Encoded>, usize, usize),
    Close,
}

/// Serves one connection until the client leaves.
pub(crate) async fn run(
    mut stream: TcpStream,
    id: u64,
    advertised: &str,
    cache: &Cache,
) -> Result<(), String> {
    let _ = stream.set_nodelay(true);
    let (major, _) = handshake::serve(&mut stream).await?;
    let mut state = State {
        bolt5: major >= 5,
        id,
        advertised,
        cache,
        failed: false,
        in_tx: false,
        next_qid: 0,
        streams: Vec::new(),
        pending: None,
        out: Vec::with_capacity(16 * 1024),
        body: Vec::with_capacity(256),
    };
    let mut input: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut message: Vec<u8> = Vec::with_capacity(256);
    let io = |e: std::io::Error| e.to_string();
    loop {
        let mut start = 0;
        // Answer every whole message received.
        while let Some(used) = next_message(&input[start..], &mut message)? {
            start += used;
            if message.is_empty() {
                continue; // keep-alive
            }
            match state.handle(&message)? {
                Next::Continue => {}
                Next::Records(encoded, from, to) => {
                    let bytes = encoded.slice(from, to);
                    if bytes.len() > DIRECT_WRITE {
                        stream.write_all(&state.out).await.map_err(io)?;
                        state.out.clear();
                        stream.write_all(bytes).await.map_err(io)?;
                    } else {
                        state.out.extend_from_slice(bytes);
                    }
                    state.finish_pull();
                }
                Next::Close => {
                    stream.write_all(&state.out).await.map_err(io)?;
                    return Ok(());
                }
            }
        }
        input.drain(..start);
        if !state.out.is_empty() {
            stream.write_all(&state.out).await.map_err(io)?;
            state.out.clear();
        }
        if input.len() > MAX_MESSAGE {
            return Err("client message too large".into());
        }
        input.reserve(8 * 1024);
        if stream.read_buf(&mut input).await.map_err(io)? == 0 {
            return Ok(());
        }
    }
}

/// Assembles the next message of `input` into `message`: the bytes it
/// spans, or `None` when it is not all there. An empty message is a
/// keep-alive.
fn next_message(input: &[u8], message: &mut Vec<u8>) -> Result<Option<usize>, String> {
    message.clear();
    let mut pos = 0usize;
    loop {
        let Some(header) = input.get(pos..pos + 2) else {
            return Ok(None);
        };
        let size = usize::from(u16::from_be_bytes([header[0], header[1]]));
        pos += 2;
        if size == 0 {
            return Ok(Some(pos));
        }
        let Some(body) = input.get(pos..pos + size) else {
            return Ok(None);
        };
        message.extend_from_slice(body);
        pos += size;
    }
}

impl State<'_> {
    fn handle(&mut self, message: &[u8]) -> Result<Next, String> {
        let text = |e: quiver_packstream::Error| e.to_string();
        let mut de = Deserializer::new(message);
        let (tag, _) = de.read_struct_header().map_err(text)?;
        if self.failed && !matches!(tag, RESET | GOODBYE) {
            self.reply(IGNORED, |_| Ok(()));
            return Ok(Next::Continue);
        }
        match tag {
            HELLO => {
                let id = self.id;
                self.success(|b| {
                    write::write_map_header(b, 3)?;
                    entry_str(b, "server", "Neo4j/5.26.0")?;
                    entry_str(b, "connection_id", &format!("bolt-{id}"))?;
                    write::write_string(b, "hints")?;
                    write::write_map_header(b, 0)
                });
            }
            GOODBYE => return Ok(Next::Close),
            RESET => {
                self.failed = false;
                self.in_tx = false;
                self.streams.clear();
                self.success_empty();
            }
            LOGON | LOGOFF | TELEMETRY => self.success_empty(),
            BEGIN => {
                self.in_tx = true;
                self.next_qid = 0;
                self.streams.clear();
                self.success_empty();
            }
            COMMIT => {
                self.in_tx = false;
                self.streams.clear();
                self.success(|b| {
                    write::write_map_header(b, 1)?;
                    entry_str(b, "bookmark", "bench:1")
                });
            }
            ROLLBACK => {
                self.in_tx = false;
                self.streams.clear();
                self.success_empty();
            }
            ROUTE => self.route(),
            RUN => {
                let query = de.read_string().map_err(text)?;
                if query.starts_with(WRITE_PREFIX) {
                    match count_rows(&mut de) {
                        Ok(rows) => self.write(rows),
                        Err(e) => self.fail("Neo.ClientError.Statement.ParameterMissing", &e),
                    }
                } else {
                    self.run(query);
                }
            }
            PULL | DISCARD => {
                let (n, qid) = read_pull(&mut de).map_err(text)?;
                return Ok(self.pull(n, qid, tag == PULL));
            }
            other => self.fail(
                "Neo.ClientError.Request.Invalid",
                &format!("message 0x{other:02X} is not served"),
            ),
        }
        Ok(Next::Continue)
    }

    /// A bulk write of `rows` (`UNWIND $rows ...`): no records, a summary
    /// with the counters a server would give.
    fn write(&mut self, rows: u64) {
        self.streams.clear();
        let qid = if self.in_tx {
            let qid = self.next_qid;
            self.next_qid += 1;
            qid
        } else {
            -1
        };
        let encoded = self.cache.get(Shape::Return1, self.bolt5, 0);
        self.streams.push(Stream {
            qid,
            encoded,
            next: 0,
            total: 0,
            created: Some(rows),
        });
        let in_tx = self.in_tx;
        self.success(|b| {
            write::write_map_header(b, if in_tx { 3 } else { 2 })?;
            write::write_string(b, "fields")?;
            write::write_list_header(b, 0)?;
            write::write_string(b, "t_first")?;
            write::write_int(b, 0)?;
            if in_tx {
                write::write_string(b, "qid")?;
                write::write_int(b, qid)?;
            }
            Ok(())
        });
    }

    fn run(&mut self, query: &str) {
        let Some((shape, count)) = Shape::parse(query) else {
            return self.fail(
                "Neo.ClientError.Statement.SyntaxError",
                "the bench server knows RETURN 1, INTS n, ROWS n, NODES n and TABLE n",
            );
        };
        let total = usize::try_from(count).unwrap_or(usize::MAX);
        let qid = if self.in_tx {
            let qid = self.next_qid;
            self.next_qid += 1;
            qid
        } else {
            self.streams.clear();
            -1
        };
        let encoded = self.cache.get(shape, self.bolt5, total);
        self.streams.push(Stream {
            qid,
            encoded,
            next: 0,
            total,
            created: None,
        });
        let in_tx = self.in_tx;
        self.success(|b| {
            write::write_map_header(b, if in_tx { 3 } else { 2 })?;
            write::write_string(b, "fields")?;
            let fields = shape.fields();
            write::write_list_header(b, fields.len())?;
            for field in fields {
                write::write_string(b, field)?;
            }
            write::write_string(b, "t_first")?;
            write::write_int(b, 0)?;
            if in_tx {
                write::write_string(b, "qid")?;
                write::write_int(b, qid)?;
            }
            Ok(())
        });
    }

    fn pull(&mut self, n: i64, qid: i64, records: bool) -> Next {
        let found = if qid == -1 {
            self.streams.len().checked_sub(1)
        } else {
            self.streams.iter().position(|s| s.qid == qid)
        };
        let Some(index) = found else {
            self.fail("Neo.ClientError.Request.Invalid", "no such result");
            return Next::Continue;
        };
        let stream = &mut self.streams[index];
        let left = stream.total - stream.next;
        let take = if n < 0 {
            left
        } else {
            left.min(usize::try_from(n).unwrap_or(usize::MAX))
        };
        let from = stream.next;
        stream.next += take;
        if !records {
            stream.next = if n < 0 { stream.total } else { stream.next };
        }
        self.pending = Some(index);
        if records && take > 0 {
            Next::Records(Arc::clone(&stream.encoded), from, from + take)
        } else {
            self.finish_pull();
            Next::Continue
        }
    }

    /// The summary of the PULL or DISCARD just answered.
    fn finish_pull(&mut self) {
        let Some(index) = self.pending.take() else {
            return;
        };
        let Some(stream) = self.streams.get(index) else {
            return;
        };
        if stream.next < stream.total {
            self.success(|b| {
                write::write_map_header(b, 1)?;
                write::write_string(b, "has_more")?;
                write::write_bool(b, true)
            });
            return;
        }
        let created = self.streams.remove(index).created;
        let auto_commit = !self.in_tx;
        self.success(|b| {
            write::write_map_header(
                b,
                if auto_commit { 4 } else { 3 } + usize::from(created.is_some()),
            )?;
            if let Some(rows) = created {
                let rows = i64::try_from(rows).unwrap_or(i64::MAX);
                write::write_string(b, "stats")?;
                write::write_map_header(b, 3)?;
                write::write_string(b, "nodes-created")?;
                write::write_int(b, rows)?;
                write::write_string(b, "labels-added")?;
                write::write_int(b, rows)?;
                write::write_string(b, "properties-set")?;
                write::write_int(b, rows.saturating_mul(6))?;
            }
            entry_str(b, "type", if created.is_some() { "w" } else { "r" })?;
            entry_str(b, "db", "neo4j")?;
            write::write_string(b, "t_last")?;
            write::write_int(b, 0)?;
            if auto_commit {
                entry_str(b, "bookmark", "bench:1")?;
            }
            Ok(())
        });
    }

    fn route(&mut self) {
        let address = self.advertised;
        self.success(|b| {
            write::write_map_header(b, 1)?;
            write::write_string(b, "rt")?;
            write::write_map_header(b, 3)?;
            write::write_string(b, "ttl")?;
            write::write_int(b, 300)?;
            entry_str(b, "db", "neo4j")?;
            write::write_string(b, "servers")?;
            write::write_list_header(b, 3)?;
            for role in ["WRITE", "READ", "ROUTE"] {
                write::write_map_header(b, 2)?;
                write::write_string(b, "addresses")?;
                write::write_list_header(b, 1)?;
                write::write_string(b, address)?;
                entry_str(b, "role", role)?;
            }
            Ok(())
        });
    }

    fn fail(&mut self, code: &str, message: &str) {
        self.failed = true;
        self.streams.clear();
        self.reply(FAILURE, |b| {
            write::write_map_header(b, 2)?;
            entry_str(b, "code", code)?;
            entry_str(b, "message", message)
        });
    }

    fn success_empty(&mut self) {
        self.success(|b| write::write_map_header(b, 0));
    }

    fn success(&mut self, metadata: impl FnOnce(&mut Vec<u8>) -> PsResult<()>) {
        self.reply(SUCCESS, metadata);
    }

    /// Appends a reply of one field (or none, for IGNORED) to `out`.
    fn reply(&mut self, tag: u8, fields: impl FnOnce(&mut Vec<u8>) -> PsResult<()>) {
        let body = &mut self.body;
        body.clear();
        body.push(if tag == IGNORED { 0xB0 } else { 0xB1 });
        body.push(tag);
        // Writing to a Vec fails only for what PackStream cannot hold.
        if fields(body).is_err() {
            body.truncate(2);
        }
        for piece in body.chunks(0xFFFF) {
            let size = u16::try_from(piece.len()).unwrap_or(u16::MAX);
            self.out.extend_from_slice(&size.to_be_bytes());
            self.out.extend_from_slice(piece);
        }
        self.out.extend_from_slice(&[0, 0]);
    }
}

fn entry_str(b: &mut Vec<u8>, key: &str, value: &str) -> PsResult<()> {
    write::write_string(b, key)?;
    write::write_string(b, value)
}

/// Queries starting so are bulk writes of their `$rows` parameter.
const WRITE_PREFIX: &str = "UNWIND $rows";

/// Reads RUN's parameters (every row is walked, as a server decodes them)
/// and counts the entries of the `rows` list.
fn count_rows(de: &mut Deserializer<'_>) -> Result<u64, String> {
    let text = |e: quiver_packstream::Error| e.to_string();
    let mut rows = None;
    let len = de.read_map_header().map_err(text)?;
    for _ in 0..len {
        let key = de.read_string().map_err(text)?;
        if key == "rows" && de.peek_kind().map_err(text)? == Kind::List {
            let n = de.read_list_header().map_err(text)?;
            for _ in 0..n {
                de.skip_value().map_err(text)?;
            }
            rows = Some(n as u64);
        } else {
            de.skip_value().map_err(text)?;
        }
    }
    rows.ok_or_else(|| "expected a list parameter `rows`".to_owned())
}

/// PULL's and DISCARD's `n` and `qid` (-1 when absent, as the protocol says).
fn read_pull(de: &mut Deserializer<'_>) -> PsResult<(i64, i64)> {
    let (mut n, mut qid) = (-1, -1);
    if de.is_end() {
        return Ok((n, qid)); // Bolt 3's PULL_ALL shape
    }
    let len = de.read_map_header()?;
    for _ in 0..len {
        let key = de.read_string()?;
        match (key, de.peek_kind()?) {
            ("n", Kind::Integer) => n = de.read_int()?,
            ("qid", Kind::Integer) => qid = de.read_int()?,
            _ => de.skip_value()?,
        }
    }
    Ok((n, qid))
}
