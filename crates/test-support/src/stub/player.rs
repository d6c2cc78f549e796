//! Plays one script on one accepted connection.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;

use super::chunk::{self, Dechunker, Frame};
use super::data::{Data, Message};
use super::error::Failure;
use super::handshake::{self, HANDSHAKE_TIMEOUT};
use super::report::{ConnectionReport, Event, EventKind};
use super::script::{ClientStep, Op, Script, ServerStep};
use super::wire;

const GOODBYE: u8 = 0x02;
const SUCCESS: u8 = 0x70;
const FAILURE: u8 = 0x7F;

/// The code of the FAILURE the stub sends when the client strays from the
/// script.
pub(crate) const MISMATCH_CODE: &str = "Neo.ClientError.Stub.ScriptMismatch";

/// Timing settings shared by all connections of a server.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    /// How long a required client message may take.
    pub(crate) client_timeout: Duration,
    /// After `finish()`, how long a waiting connection still waits.
    pub(crate) finish_grace: Duration,
}

/// What one connection produced.
pub(crate) struct Outcome {
    pub(crate) report: ConnectionReport,
    pub(crate) failures: Vec<Failure>,
}

enum Incoming {
    Message(Vec<u8>),
    Eof,
    TimedOut,
    Finished,
    Broken(String),
}

enum Flow {
    Continue,
    Stop,
}

pub(crate) struct Player {
    script: Arc<Script>,
    index: usize,
    stream: Option<TcpStream>,
    dechunker: Dechunker,
    reads: u64,
    start: Instant,
    out: Vec<u8>,
    finishing: watch::Receiver<bool>,
    finish_deadline: Option<Instant>,
    timing: Timing,
    report: ConnectionReport,
    failures: Vec<Failure>,
    /// The server's list, so a failing test can show them before `finish()`.
    shared: Arc<Mutex<Vec<Failure>>>,
}

impl Player {
    pub(crate) fn new(
        script: Arc<Script>,
        index: usize,
        stream: TcpStream,
        finishing: watch::Receiver<bool>,
        timing: Timing,
        shared: Arc<Mutex<Vec<Failure>>>,
    ) -> Player {
        let report = ConnectionReport {
            script: script.name().to_owned(),
            ..ConnectionReport::default()
        };
        Player {
            script,
            index,
            stream: Some(stream),
            dechunker: Dechunker::default(),
            reads: 0,
            start: Instant::now(),
            out: Vec::new(),
            finishing,
            finish_deadline: None,
            timing,
            report,
            failures: Vec::new(),
            shared,
        }
    }

    fn fail(&mut self, line: Option<usize>, message: String) {
        tracing::debug!(connection = self.index, %message, "stub: failure");
        let failure = Failure {
            connection: Some(self.index),
            script: self.script.name().to_owned(),
            line,
            message,
        };
        if let Ok(mut shared) = self.shared.lock() {
            shared.push(failure.clone());
        }
        self.failures.push(failure);
    }

    /// Fails `line`, tells the client with a FAILURE message (so the
    /// client's error shows the script line), and closes.
    async fn abort(&mut self, line: Option<usize>, message: String) {
        let failure = Message {
            tag: FAILURE,
            fields: vec![Data::Map(vec![
                ("code".into(), Data::String(MISMATCH_CODE.into())),
                (
                    "message".into(),
                    Data::String(format!("stub server, {}: {message}", self.script.name())),
                ),
            ])],
        };
        self.fail(line, message);
        self.send_message(&failure);
        self.close(true).await;
    }

    fn event(&mut self, line: Option<usize>, kind: EventKind) {
        tracing::trace!(connection = self.index, ?line, ?kind, "stub: event");
        self.report.events.push(Event {
            at: self.start.elapsed(),
            line,
            kind,
        });
        if let Some(line) = line {
            self.report.played.push(line);
        }
    }

    pub(crate) async fn run(mut self) -> Outcome {
        let script = Arc::clone(&self.script);
        if let Some(stream) = self.stream.as_mut() {
            let handshake =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake::serve(stream, &script.config));
            let finished = finished_after_grace(self.finishing.clone(), self.timing.finish_grace);
            let outcome = tokio::select! {
                outcome = handshake => outcome,
                () = finished => Ok(Err("finished before the client completed it".into())),
            };
            match outcome {
                Ok(Ok(record)) => {
                    // A forced `!: HANDSHAKE` reply other than 00 00 00 00
                    // goes on with the script, whatever it says.
                    let forced_on = script
                        .config
                        .handshake_reply
                        .as_ref()
                        .is_some_and(|reply| reply.iter().any(|&b| b != 0));
                    let go_on = record.agreed.is_some() || forced_on;
                    self.report.handshake = record;
                    if go_on {
                        self.play(&script).await;
                    } else {
                        self.close(false).await;
                    }
                }
                Ok(Err(message)) => {
                    self.fail(None, format!("handshake: {message}"));
                    self.close(false).await;
                }
                Err(_) => self.fail(None, "handshake: timed out".into()),
            }
        }
        Outcome {
            report: self.report,
            failures: self.failures,
        }
    }

    async fn play(&mut self, script: &Script) {
        let program = &script.program;
        let mut pc = 0;
        loop {
            let candidates = program.closure(pc);
            if let [only] = candidates[..] {
                if let Op::Server { line, step } = program.op(only) {
                    match self.serve(*line, step).await {
                        Flow::Continue => {
                            pc = only + 1;
                            continue;
                        }
                        Flow::Stop => return,
                    }
                }
            }
            // The end of the script, or an `S: <EXIT>` the client may
            // reach by closing.
            let can_end = candidates.iter().any(|&i| {
                matches!(
                    program.op(i),
                    Op::End
                        | Op::Server {
                            step: ServerStep::Exit,
                            ..
                        }
                )
            });
            // (op index, line, step) of every client line that may come next.
            let expected: Vec<(usize, usize, &ClientStep)> = candidates
                .iter()
                .filter_map(|&i| match program.op(i) {
                    Op::Client { line, step } => Some((i, *line, step)),
                    _ => None,
                })
                .collect();
            if expected.is_empty() {
                // The script is over.
                self.close(true).await;
                return;
            }
            if let Err(e) = self.flush().await {
                self.fail(None, format!("writing to the client: {e}"));
                return;
            }
            let describe = |script: &Script| -> String {
                let lines: Vec<String> = expected
                    .iter()
                    .map(|(_, line, _)| script.describe_line(*line))
                    .collect();
                lines.join(" or ")
            };
            match self.next_message(can_end).await {
                Incoming::Message(bytes) => {
                    let message = match wire::decode_message(&bytes) {
                        Ok(m) => m,
                        Err(e) => {
                            let msg = format!(
                                "the client sent an undecodable message ({e}) where the script expects {}",
                                describe(script)
                            );
                            let line = expected.first().map(|(_, l, _)| *l);
                            self.abort(line, msg).await;
                            return;
                        }
                    };
                    let mut reasons = Vec::new();
                    let mut matched = None;
                    for &(op, line, step) in &expected {
                        match step {
                            ClientStep::Message(pattern) => match pattern.check(&message) {
                                Ok(()) => {
                                    matched = Some((op, line));
                                    break;
                                }
                                Err(why) => reasons.push((line, why)),
                            },
                            ClientStep::Eof => {
                                reasons.push((line, "expected the client to close".into()))
                            }
                        }
                    }
                    if let Some((op, line)) = matched {
                        self.event(
                            Some(line),
                            EventKind::Received {
                                message: message.to_string(),
                                read: self.reads,
                                bytes: bytes.clone(),
                            },
                        );
                        pc = op + 1;
                        continue;
                    }
                    if script.config.auto.contains(&message.tag) {
                        self.event(
                            None,
                            EventKind::Auto {
                                message: message.to_string(),
                            },
                        );
                        if message.tag == GOODBYE {
                            self.close(true).await;
                            return;
                        }
                        self.send_message(&Message {
                            tag: SUCCESS,
                            fields: vec![Data::Map(Vec::new())],
                        });
                        continue;
                    }
                    let detail = match &reasons[..] {
                        [(line, why)] => {
                            format!("{}: {why}", script.describe_line(*line))
                        }
                        many => many
                            .iter()
                            .map(|(line, why)| format!("{} ({why})", script.describe_line(*line)))
                            .collect::<Vec<_>>()
                            .join("; "),
                    };
                    let line = expected.first().map(|(_, l, _)| *l);
                    let msg = format!("the client sent `{message}`, which does not match {detail}");
                    self.abort(line, msg).await;
                    return;
                }
                Incoming::Eof => {
                    self.event(None, EventKind::ClientClosed);
                    if let Some(&(op, line, _)) = expected
                        .iter()
                        .find(|(_, _, s)| matches!(s, ClientStep::Eof))
                    {
                        self.report.played.push(line);
                        pc = op + 1;
                        // Nothing more can be read; play what follows
                        // only while it needs no client.
                        self.finish_after_eof(script, pc).await;
                        return;
                    }
                    if !can_end {
                        let msg = format!(
                            "the client closed the connection where the script expects {}",
                            describe(script)
                        );
                        let line = expected.first().map(|(_, l, _)| *l);
                        self.fail(line, msg);
                    }
                    return;
                }
                Incoming::TimedOut => {
                    let msg = format!(
                        "the client sent nothing for {:?} where the script expects {} \
                         (is it waiting for a reply the script only sends after this line?)",
                        self.timing.client_timeout,
                        describe(script)
                    );
                    let line = expected.first().map(|(_, l, _)| *l);
                    self.abort(line, msg).await;
                    return;
                }
                Incoming::Finished => {
                    if !can_end {
                        let msg = format!(
                            "finished while the script still expects {} (never played)",
                            describe(script)
                        );
                        let line = expected.first().map(|(_, l, _)| *l);
                        self.fail(line, msg);
                    }
                    self.close(true).await;
                    return;
                }
                Incoming::Broken(why) => {
                    let msg = format!("{why}, where the script expects {}", describe(script));
                    let line = expected.first().map(|(_, l, _)| *l);
                    self.fail(line, msg);
                    self.close(false).await;
                    return;
                }
            }
        }
    }

    /// After `C: <EOF>`: the rest of the script may only end or close.
    async fn finish_after_eof(&mut self, script: &Script, pc: usize) {
        let candidates = script.program.closure(pc);
        let ends = candidates.iter().any(|&i| {
            matches!(
                script.program.op(i),
                Op::End
                    | Op::Server {
                        step: ServerStep::Exit | ServerStep::Kill,
                        ..
                    }
            )
        });
        if !ends {
            if let Some(line) = candidates.iter().find_map(|&i| match script.program.op(i) {
                Op::Client { line, .. } | Op::Server { line, .. } => Some(*line),
                _ => None,
            }) {
                self.fail(
                    Some(line),
                    format!(
                        "the client closed the connection, so {} is never played",
                        script.describe_line(line)
                    ),
                );
            }
        }
        self.close(false).await;
    }

    /// Plays one server step.
    async fn serve(&mut self, line: usize, step: &ServerStep) -> Flow {
        match step {
            ServerStep::Message(message) => {
                self.send_message(message);
                self.event(
                    Some(line),
                    EventKind::Sent {
                        message: message.to_string(),
                    },
                );
            }
            ServerStep::Raw(bytes) => {
                self.out.extend_from_slice(bytes);
                self.event(
                    Some(line),
                    EventKind::Sent {
                        message: format!("<RAW> {} bytes", bytes.len()),
                    },
                );
            }
            ServerStep::Noop => {
                self.out.extend_from_slice(&[0, 0]);
                self.event(
                    Some(line),
                    EventKind::Sent {
                        message: "<NOOP>".into(),
                    },
                );
            }
            ServerStep::Sleep(duration) => {
                if let Err(e) = self.flush().await {
                    self.fail(Some(line), format!("writing before line {line}: {e}"));
                    return Flow::Stop;
                }
                tokio::time::sleep(*duration).await;
                self.event(Some(line), EventKind::Slept(*duration));
            }
            ServerStep::Exit => {
                self.event(Some(line), EventKind::Closed);
                self.close(true).await;
                return Flow::Stop;
            }
            ServerStep::Kill => {
                // Whatever was queued goes out first, then the reset.
                let _ = self.flush().await;
                self.event(Some(line), EventKind::Killed);
                if let Some(stream) = self.stream.take() {
                    let _ = stream.set_zero_linger();
                    drop(stream);
                }
                return Flow::Stop;
            }
        }
        Flow::Continue
    }

    fn send_message(&mut self, message: &Message) {
        let body = wire::encode_message(message);
        chunk::encode(&body, &mut self.out);
        tracing::trace!(connection = self.index, "stub: S: {message}");
    }

    async fn flush(&mut self) -> std::io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let Some(stream) = self.stream.as_mut() else {
            return Ok(());
        };
        let result = stream.write_all(&self.out).await;
        self.out.clear();
        result?;
        stream.flush().await
    }

    /// Sends what is queued and closes: cleanly (FIN) or not.
    async fn close(&mut self, clean: bool) {
        if clean {
            let _ = self.flush().await;
        }
        if let Some(mut stream) = self.stream.take() {
            let _ = stream.shutdown().await;
        }
    }

    async fn next_message(&mut self, can_end: bool) -> Incoming {
        let waiting_since = Instant::now();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match self.dechunker.next_frame() {
                Ok(Some(Frame::Message(body))) => return Incoming::Message(body),
                Ok(Some(Frame::Noop)) => {
                    self.event(None, EventKind::ClientNoop);
                    continue;
                }
                Ok(None) => {}
                Err(e) => return Incoming::Broken(format!("the client sent bad chunks: {e}")),
            }
            if self.finish_deadline.is_none() && *self.finishing.borrow() {
                let now = Instant::now();
                self.finish_deadline =
                    Some(now.checked_add(self.timing.finish_grace).unwrap_or(now));
            }
            let deadline = match self.finish_deadline {
                Some(d) => Some(d),
                None if !can_end => waiting_since.checked_add(self.timing.client_timeout),
                None => None,
            };
            let Some(stream) = self.stream.as_mut() else {
                return Incoming::Eof;
            };
            let finishing = self.finish_deadline.is_some();
            tokio::select! {
                read = stream.read(&mut buf) => match read {
                    Ok(0) | Err(_) if self.dechunker.pending() == 0 => return Incoming::Eof,
                    Ok(0) => return Incoming::Broken(format!(
                        "the client closed the connection in the middle of a message ({} bytes pending)",
                        self.dechunker.pending()
                    )),
                    Err(e) => return Incoming::Broken(format!("reading from the client: {e}")),
                    Ok(n) => {
                        self.reads += 1;
                        self.dechunker.push(buf.get(..n).unwrap_or_default());
                    }
                },
                () = sleep_until(deadline) => {
                    return if finishing { Incoming::Finished } else { Incoming::TimedOut };
                }
                changed = self.finishing.changed(), if !finishing => {
                    if changed.is_err() {
                        // The server handle is gone: finish now.
                        self.finish_deadline = Some(Instant::now());
                    }
                }
            }
        }
    }
}

/// Resolves `grace` after `finish()` was called (or the server dropped).
async fn finished_after_grace(mut finishing: watch::Receiver<bool>, grace: Duration) {
    while !*finishing.borrow_and_update() {
        if finishing.changed().await.is_err() {
            break;
        }
    }
    tokio::time::sleep(grace).await;
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
