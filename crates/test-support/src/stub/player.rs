//! Plays one script on one accepted connection: follows the compiled
//! program, matches what the client sends, and records what happened.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;

use super::conn::{finished_after_grace, Conn, Incoming};
use super::data::{Data, Message};
use super::error::Failure;
use super::handshake::{self, HANDSHAKE_TIMEOUT};
use super::report::{ConnectionReport, Event, EventKind};
use super::script::{ClientStep, Op, Script, ServerStep};
use super::stream::Stream;
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
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) report: ConnectionReport,
    pub(crate) failures: Vec<Failure>,
}

/// After a step: go on at this program counter, or the connection is over.
enum Next {
    At(usize),
    Stop,
}

/// A client line that may come next: its op index, line and step.
type Expected<'s> = (usize, usize, &'s ClientStep);

/// Plays `script` on an accepted connection, after a TLS handshake when
/// `tls` is given.
pub(crate) async fn serve_connection(
    script: Arc<Script>,
    index: usize,
    tcp: TcpStream,
    tls: Option<tokio_rustls::TlsAcceptor>,
    finishing: watch::Receiver<bool>,
    timing: Timing,
    shared: Arc<Mutex<Vec<Failure>>>,
) -> Outcome {
    let stream = match tls {
        None => Stream::Plain(tcp),
        Some(acceptor) => {
            let accept = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp));
            let finished = finished_after_grace(finishing.clone(), timing.finish_grace);
            let result = tokio::select! {
                result = accept => match result {
                    Ok(Ok(tls)) => Ok(tls),
                    Ok(Err(e)) => Err(format!("TLS handshake failed: {e}")),
                    Err(_) => Err("TLS handshake timed out".to_owned()),
                },
                () = finished => Err("finished before the client completed the TLS handshake".to_owned()),
            };
            match result {
                Ok(tls) => Stream::Tls(Box::new(tls)),
                Err(message) => {
                    let failure = Failure {
                        connection: Some(index),
                        script: script.name().to_owned(),
                        line: None,
                        message,
                    };
                    if let Ok(mut shared) = shared.lock() {
                        shared.push(failure.clone());
                    }
                    let report = ConnectionReport {
                        script: script.name().to_owned(),
                        ..ConnectionReport::default()
                    };
                    return Outcome {
                        report,
                        failures: vec![failure],
                    };
                }
            }
        }
    };
    let tls = matches!(stream, Stream::Tls(_));
    let mut player = Player::new(script, index, stream, finishing, timing, shared);
    player.report.tls = tls;
    player.run().await
}

pub(crate) struct Player {
    script: Arc<Script>,
    index: usize,
    conn: Conn,
    start: Instant,
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
        stream: Stream,
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
            conn: Conn::new(stream, finishing, timing.finish_grace),
            start: Instant::now(),
            timing,
            report,
            failures: Vec::new(),
            shared,
        }
    }

    pub(crate) async fn run(mut self) -> Outcome {
        let script = Arc::clone(&self.script);
        let finished = self.conn.finished();
        if let Some(stream) = self.conn.stream() {
            let handshake =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake::serve(stream, &script.config));
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
                        self.conn.close(false).await;
                    }
                }
                Ok(Err(message)) => {
                    self.fail(None, format!("handshake: {message}"));
                    self.conn.close(false).await;
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
                    match self.serve(only, *line, step).await {
                        Next::At(next) => {
                            pc = next;
                            continue;
                        }
                        Next::Stop => return,
                    }
                }
            }
            // The end of the script, or an `S: <EXIT>` the client may reach
            // by closing.
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
            let expected: Vec<Expected<'_>> = candidates
                .iter()
                .filter_map(|&i| match program.op(i) {
                    Op::Client { line, step } => Some((i, *line, step)),
                    _ => None,
                })
                .collect();
            if expected.is_empty() {
                // The script is over.
                self.conn.close(true).await;
                return;
            }
            if let Err(e) = self.conn.flush().await {
                self.client_gone(script, pc, &e);
                return;
            }
            let timeout = (!can_end).then_some(self.timing.client_timeout);
            let next = match self.conn.next(timeout).await {
                Incoming::Message(bytes) => self.on_message(script, pc, &expected, bytes).await,
                Incoming::Noop => {
                    self.event(None, EventKind::ClientNoop);
                    Next::At(pc)
                }
                Incoming::Eof => self.on_eof(script, &expected, can_end).await,
                Incoming::TimedOut => {
                    let msg = format!(
                        "the client sent nothing for {:?} where the script expects {} \
                         (is it waiting for a reply the script only sends after this line?)",
                        self.timing.client_timeout,
                        describe(script, &expected)
                    );
                    self.abort(first_line(&expected), msg).await;
                    Next::Stop
                }
                Incoming::Finished => {
                    if !can_end {
                        let msg = format!(
                            "finished while the script still expects {} (never played)",
                            describe(script, &expected)
                        );
                        self.fail(first_line(&expected), msg);
                    }
                    self.conn.close(true).await;
                    Next::Stop
                }
                Incoming::Broken(why) => {
                    let msg = format!(
                        "{why}, where the script expects {}",
                        describe(script, &expected)
                    );
                    self.fail(first_line(&expected), msg);
                    self.conn.close(false).await;
                    Next::Stop
                }
            };
            match next {
                Next::At(next) => pc = next,
                Next::Stop => return,
            }
        }
    }

    /// A client message: the first expected line it matches, else an
    /// `!: AUTO` answer, else a mismatch.
    async fn on_message(
        &mut self,
        script: &Script,
        pc: usize,
        expected: &[Expected<'_>],
        bytes: Vec<u8>,
    ) -> Next {
        let message = match wire::decode_message(&bytes) {
            Ok(m) => m,
            Err(e) => {
                let msg = format!(
                    "the client sent an undecodable message ({e}) where the script expects {}",
                    describe(script, expected)
                );
                self.abort(first_line(expected), msg).await;
                return Next::Stop;
            }
        };
        let mut reasons = Vec::new();
        for &(op, line, step) in expected {
            let why = match step {
                ClientStep::Message(pattern) => match pattern.check(&message) {
                    Ok(()) => {
                        self.event(
                            Some(line),
                            EventKind::Received {
                                message: message.to_string(),
                                read: self.conn.reads(),
                                bytes,
                            },
                        );
                        return Next::At(op + 1);
                    }
                    Err(why) => why,
                },
                ClientStep::Eof => "expected the client to close".into(),
            };
            reasons.push((line, why));
        }
        if script.config.auto.contains(&message.tag) {
            self.event(
                None,
                EventKind::Auto {
                    message: message.to_string(),
                },
            );
            if message.tag == GOODBYE {
                self.conn.close(true).await;
                return Next::Stop;
            }
            self.conn.queue_message(&Message {
                tag: SUCCESS,
                fields: vec![Data::Map(Vec::new())],
            });
            // Still waiting for the same lines.
            return Next::At(pc);
        }
        let detail = match &reasons[..] {
            [(line, why)] => format!("{}: {why}", script.describe_line(*line)),
            many => many
                .iter()
                .map(|(line, why)| format!("{} ({why})", script.describe_line(*line)))
                .collect::<Vec<_>>()
                .join("; "),
        };
        let msg = format!("the client sent `{message}`, which does not match {detail}");
        self.abort(first_line(expected), msg).await;
        Next::Stop
    }

    /// The client closed: expected (`C: <EOF>`), allowed (the script may end
    /// here), or a failure.
    async fn on_eof(&mut self, script: &Script, expected: &[Expected<'_>], can_end: bool) -> Next {
        self.event(None, EventKind::ClientClosed);
        if let Some(&(op, line, _)) = expected
            .iter()
            .find(|(_, _, s)| matches!(s, ClientStep::Eof))
        {
            self.report.played.push(line);
            // Nothing more can be read: what follows may only end.
            let after = script.program.closure(op + 1);
            let ends = after.iter().any(|&i| {
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
                if let Some(line) = after.iter().find_map(|&i| match script.program.op(i) {
                    Op::Client { line, .. } | Op::Server { line, .. } => Some(*line),
                    _ => None,
                }) {
                    let msg = format!(
                        "the client closed the connection, so {} is never played",
                        script.describe_line(line)
                    );
                    self.fail(Some(line), msg);
                }
            }
        } else if !can_end {
            let msg = format!(
                "the client closed the connection where the script expects {}",
                describe(script, expected)
            );
            self.fail(first_line(expected), msg);
        }
        self.conn.close(false).await;
        Next::Stop
    }

    /// Plays one server step at op `op`.
    async fn serve(&mut self, op: usize, line: usize, step: &ServerStep) -> Next {
        let sent = |message: String| EventKind::Sent { message };
        match step {
            ServerStep::Message(message) => {
                self.conn.queue_message(message);
                self.event(Some(line), sent(message.to_string()));
            }
            ServerStep::Raw(bytes) => {
                self.conn.queue_raw(bytes);
                self.event(Some(line), sent(format!("<RAW> {} bytes", bytes.len())));
            }
            ServerStep::Noop => {
                self.conn.queue_raw(&[0, 0]);
                self.event(Some(line), sent("<NOOP>".into()));
            }
            ServerStep::Sleep(duration) => {
                if let Err(e) = self.conn.flush().await {
                    self.client_gone(&Arc::clone(&self.script), op, &e);
                    return Next::Stop;
                }
                tokio::time::sleep(*duration).await;
                self.event(Some(line), EventKind::Slept(*duration));
            }
            ServerStep::Exit => {
                self.event(Some(line), EventKind::Closed);
                self.conn.close(true).await;
                return Next::Stop;
            }
            ServerStep::Kill => {
                self.event(Some(line), EventKind::Killed);
                self.conn.kill().await;
                return Next::Stop;
            }
        }
        Next::At(op + 1)
    }

    /// Writing failed: the client is gone. That is fine where the script
    /// can end without it (a client that gave up waiting, say), else the
    /// line it would have had to send fails.
    fn client_gone(&mut self, script: &Script, pc: usize, error: &std::io::Error) {
        self.event(None, EventKind::ClientClosed);
        if let Some(line) = script.program.client_line_required(pc) {
            let msg = format!(
                "the client went away ({error}) before {}",
                script.describe_line(line)
            );
            self.fail(Some(line), msg);
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
        self.conn.queue_message(&failure);
        self.conn.close(true).await;
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
}

fn first_line(expected: &[Expected<'_>]) -> Option<usize> {
    expected.first().map(|&(_, line, _)| line)
}

/// `line 4 \`C: RUN *\` or line 7 \`C: RESET\``.
fn describe(script: &Script, expected: &[Expected<'_>]) -> String {
    expected
        .iter()
        .map(|&(_, line, _)| script.describe_line(line))
        .collect::<Vec<_>>()
        .join(" or ")
}
