//! What happened on each connection, for tests that look closer than
//! "every line was played".

use std::time::Duration;

use super::handshake::Handshake;
use super::script::Script;

/// The record of a finished stub server, returned by
/// [`StubServer::finish`](super::StubServer::finish).
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub(crate) connections: Vec<ConnectionReport>,
}

impl Report {
    /// Every connection, in the order accepted.
    pub fn connections(&self) -> &[ConnectionReport] {
        &self.connections
    }

    /// The `C:`/`S:` lines of `script` that no connection playing it
    /// played, with their text: lines inside blocks that were always
    /// skipped, for a test that wants every line used. (Connections are
    /// matched to the script by name: give scripts distinct names with
    /// [`Script::with_name`] when several share a server.)
    pub fn never_played(&self, script: &Script) -> Vec<(usize, String)> {
        let played: Vec<usize> = self
            .connections
            .iter()
            .filter(|c| c.script == script.name())
            .flat_map(|c| c.played.iter().copied())
            .collect();
        script
            .step_lines()
            .into_iter()
            .filter(|line| !played.contains(line))
            .map(|line| (line, script.line_text(line).to_owned()))
            .collect()
    }

    /// One connection (0-based, in the order accepted).
    pub fn connection(&self, index: usize) -> Option<&ConnectionReport> {
        self.connections.get(index)
    }
}

/// The record of one connection.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ConnectionReport {
    /// The name of the script it played.
    pub script: String,
    /// The connection used TLS.
    pub tls: bool,
    /// The handshake.
    pub handshake: Handshake,
    /// Everything that happened after the handshake, in order.
    pub events: Vec<Event>,
    /// The script lines played (`C:` lines matched, `S:` lines sent).
    pub played: Vec<usize>,
}

impl ConnectionReport {
    /// The messages the client sent, in the script notation (`RUN "..." {} {}`).
    pub fn received(&self) -> Vec<&str> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Received { message, .. } | EventKind::Auto { message } => {
                    Some(message.as_str())
                }
                _ => None,
            })
            .collect()
    }

    /// `true` when the client sent all of `names` (message names such as
    /// `"RUN"`, in this order, one after the other) before the server sent
    /// anything after the first of them: the client pipelined them rather
    /// than waiting for a reply.
    pub fn pipelined(&self, names: &[&str]) -> bool {
        let mut events = self.events.iter().peekable();
        'start: while let Some(event) = events.next() {
            let EventKind::Received { message, .. } = &event.kind else {
                continue;
            };
            let Some((first, rest)) = names.split_first() else {
                return true;
            };
            if !is_named(message, first) {
                continue;
            }
            let mut ahead = events.clone();
            for name in rest {
                match ahead.next().map(|e| &e.kind) {
                    Some(EventKind::Received { message, .. }) if is_named(message, name) => {}
                    _ => continue 'start,
                }
            }
            return true;
        }
        false
    }

    /// `true` when the client's messages `names` (in this order, one after
    /// the other) were completed by the same socket read: the client wrote
    /// them together, in one flush, rather than one per round trip.
    pub fn arrived_together(&self, names: &[&str]) -> bool {
        let received: Vec<(&str, u64)> = self
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Received { message, read, .. } => Some((message.as_str(), *read)),
                _ => None,
            })
            .collect();
        if names.is_empty() {
            return true;
        }
        received.windows(names.len()).any(|window| {
            window
                .iter()
                .zip(names)
                .all(|((message, _), name)| is_named(message, name))
                && window
                    .iter()
                    .all(|(_, read)| Some(read) == window.first().map(|(_, r)| r))
        })
    }
}

fn is_named(message: &str, name: &str) -> bool {
    message.split(' ').next() == Some(name)
}

/// One thing that happened on a connection.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Event {
    /// Time since the connection was accepted.
    pub at: Duration,
    /// The script line, if the event played one.
    pub line: Option<usize>,
    /// What happened.
    pub kind: EventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventKind {
    /// The client sent a message that matched a `C:` line.
    Received {
        /// The message in the script notation.
        message: String,
        /// The number of the socket read that completed it (messages
        /// completed by the same read arrived together).
        read: u64,
        /// The message's PackStream bytes (dechunked).
        bytes: Vec<u8>,
    },
    /// The client sent a message answered by an `!: AUTO` directive.
    Auto {
        /// The message in the script notation.
        message: String,
    },
    /// The client sent a zero-size keep-alive chunk.
    ClientNoop,
    /// The server sent a message (or raw bytes, or a NOOP).
    Sent {
        /// The message in the script notation.
        message: String,
    },
    /// The server slept.
    Slept(Duration),
    /// The client closed the connection.
    ClientClosed,
    /// The server closed the connection cleanly.
    Closed,
    /// The server dropped the connection abruptly.
    Killed,
}
