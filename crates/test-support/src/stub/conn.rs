//! One accepted connection's IO: chunked reads with deadlines, queued
//! writes, clean and abrupt closes. The script logic lives in `player.rs`.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;
use tokio::time::Instant;

use super::chunk::{self, Dechunker, Frame};
use super::data::Message;
use super::stream::Stream;
use super::wire;

/// What waiting for the client gave.
pub(crate) enum Incoming {
    /// A whole message body.
    Message(Vec<u8>),
    /// A zero-size chunk between messages.
    Noop,
    /// The client closed (or reset) the connection between messages.
    Eof,
    /// The client timeout passed.
    TimedOut,
    /// `finish()` was called and its grace passed.
    Finished,
    /// Bad chunks, or a close in the middle of a message.
    Broken(String),
}

pub(crate) struct Conn {
    stream: Option<Stream>,
    dechunker: Dechunker,
    /// Socket reads so far: messages completed by the same read arrived
    /// together.
    reads: u64,
    out: Vec<u8>,
    finishing: watch::Receiver<bool>,
    finish_deadline: Option<Instant>,
    grace: Duration,
}

impl Conn {
    pub(crate) fn new(stream: Stream, finishing: watch::Receiver<bool>, grace: Duration) -> Conn {
        Conn {
            stream: Some(stream),
            dechunker: Dechunker::default(),
            reads: 0,
            out: Vec::new(),
            finishing,
            finish_deadline: None,
            grace,
        }
    }

    /// The raw stream, for the handshake (which reads exactly what it needs).
    pub(crate) fn stream(&mut self) -> Option<&mut Stream> {
        self.stream.as_mut()
    }

    pub(crate) fn reads(&self) -> u64 {
        self.reads
    }

    /// Resolves once `finish()` was called (or the server dropped) and the
    /// grace passed.
    pub(crate) fn finished(&self) -> impl std::future::Future<Output = ()> + 'static {
        finished_after_grace(self.finishing.clone(), self.grace)
    }

    /// Queues a message, chunked.
    pub(crate) fn queue_message(&mut self, message: &Message) {
        chunk::encode(&wire::encode_message(message), &mut self.out);
    }

    /// Queues raw bytes.
    pub(crate) fn queue_raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    /// Sends what is queued.
    pub(crate) async fn flush(&mut self) -> std::io::Result<()> {
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

    /// Closes with a FIN; `clean` sends what is queued first.
    pub(crate) async fn close(&mut self, clean: bool) {
        if clean {
            let _ = self.flush().await;
        }
        if let Some(mut stream) = self.stream.take() {
            let _ = stream.shutdown().await;
        }
    }

    /// Sends what is queued, then drops the connection with a reset.
    pub(crate) async fn kill(&mut self) {
        let _ = self.flush().await;
        if let Some(stream) = self.stream.take() {
            let _ = stream.set_zero_linger();
            drop(stream);
        }
    }

    /// Waits for the next frame. `timeout` bounds the wait unless `finish()`
    /// was called, which bounds it by the grace instead.
    pub(crate) async fn next(&mut self, timeout: Option<Duration>) -> Incoming {
        let waiting_since = Instant::now();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match self.dechunker.next_frame() {
                Ok(Some(Frame::Message(body))) => return Incoming::Message(body),
                Ok(Some(Frame::Noop)) => return Incoming::Noop,
                Ok(None) => {}
                Err(e) => return Incoming::Broken(format!("the client sent bad chunks: {e}")),
            }
            if self.finish_deadline.is_none() && *self.finishing.borrow() {
                let now = Instant::now();
                self.finish_deadline = Some(now.checked_add(self.grace).unwrap_or(now));
            }
            let finishing = self.finish_deadline.is_some();
            let deadline = self
                .finish_deadline
                .or_else(|| timeout.and_then(|t| waiting_since.checked_add(t)));
            let Some(stream) = self.stream.as_mut() else {
                return Incoming::Eof;
            };
            tokio::select! {
                read = stream.read(&mut buf) => match read {
                    Ok(0) | Err(_) if self.dechunker.pending() == 0 => return Incoming::Eof,
                    Ok(0) => return Incoming::Broken(format!(
                        "the client closed the connection in the middle of a message \
                         ({} bytes pending)",
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
pub(crate) async fn finished_after_grace(mut finishing: watch::Receiver<bool>, grace: Duration) {
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
