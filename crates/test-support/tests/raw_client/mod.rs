//! A tiny Bolt client written by hand, so the stub is tested without
//! quiver-bolt: manual handshake, chunking and a few PackStream encoders.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const MAGIC: [u8; 4] = [0x60, 0x60, 0xB0, 0x17];
pub const MANIFEST_V1: [u8; 4] = [0, 0, 1, 0xFF];

pub struct RawClient {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

/// What the client read.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    Message(Vec<u8>),
    Noop,
    Closed,
}

impl RawClient {
    pub async fn connect(addr: SocketAddr) -> RawClient {
        let stream = TcpStream::connect(addr).await.expect("connect to the stub");
        RawClient {
            stream,
            buf: Vec::new(),
        }
    }

    /// Connects and does a classic handshake, returning the server's answer.
    pub async fn connect_classic(
        addr: SocketAddr,
        proposals: [[u8; 4]; 4],
    ) -> (RawClient, [u8; 4]) {
        let mut client = RawClient::connect(addr).await;
        let mut hello = MAGIC.to_vec();
        for p in proposals {
            hello.extend_from_slice(&p);
        }
        client.stream.write_all(&hello).await.unwrap();
        let mut answer = [0u8; 4];
        client.stream.read_exact(&mut answer).await.unwrap();
        (client, answer)
    }

    /// Classic handshake proposing 5.4 down to 5.0 and 4.4.
    pub async fn connect_5_4(addr: SocketAddr) -> RawClient {
        let (client, answer) =
            RawClient::connect_classic(addr, [[0, 4, 4, 5], [0, 0, 4, 4], [0; 4], [0; 4]]).await;
        assert_eq!(answer, [0, 0, 4, 5]);
        client
    }

    pub async fn send(&mut self, body: &[u8]) {
        self.send_all(&[body]).await;
    }

    /// Several messages in one write: pipelining.
    pub async fn send_all(&mut self, bodies: &[&[u8]]) {
        let mut out = Vec::new();
        for body in bodies {
            for piece in body.chunks(0xFFFF) {
                out.extend_from_slice(&(piece.len() as u16).to_be_bytes());
                out.extend_from_slice(piece);
            }
            out.extend_from_slice(&[0, 0]);
        }
        self.stream.write_all(&out).await.unwrap();
    }

    /// The next frame, with a timeout so a broken test fails instead of hanging.
    pub async fn recv(&mut self) -> Frame {
        tokio::time::timeout(Duration::from_secs(10), self.recv_inner())
            .await
            .expect("the stub answered within 10 s")
    }

    async fn recv_inner(&mut self) -> Frame {
        let mut message = Vec::new();
        loop {
            while self.buf.len() >= 2 {
                let size = usize::from(u16::from_be_bytes([self.buf[0], self.buf[1]]));
                if size == 0 {
                    self.buf.drain(..2);
                    if message.is_empty() {
                        return Frame::Noop;
                    }
                    return Frame::Message(message);
                }
                if self.buf.len() < 2 + size {
                    break;
                }
                message.extend_from_slice(&self.buf[2..2 + size]);
                self.buf.drain(..2 + size);
            }
            let mut tmp = [0u8; 4096];
            match self.stream.read(&mut tmp).await {
                Ok(0) | Err(_) => return Frame::Closed,
                Ok(n) => self.buf.extend_from_slice(&tmp[..n]),
            }
        }
    }

    /// The next message; panics on anything else.
    pub async fn recv_message(&mut self) -> Vec<u8> {
        match self.recv().await {
            Frame::Message(m) => m,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// Reads exactly `n` raw bytes.
    pub async fn recv_raw(&mut self, n: usize) -> Vec<u8> {
        while self.buf.len() < n {
            let mut tmp = [0u8; 4096];
            let read = self.stream.read(&mut tmp).await.unwrap();
            assert!(read > 0, "closed before {n} bytes");
            self.buf.extend_from_slice(&tmp[..read]);
        }
        self.buf.drain(..n).collect()
    }

    /// Reads until the stub closes; returns the error kind if it reset.
    pub async fn read_to_close(&mut self) -> Result<usize, std::io::ErrorKind> {
        let mut rest = Vec::new();
        match tokio::time::timeout(Duration::from_secs(10), self.stream.read_to_end(&mut rest))
            .await
            .expect("the stub closed within 10 s")
        {
            Ok(n) => Ok(n),
            Err(e) => Err(e.kind()),
        }
    }
}

// --- PackStream by hand ------------------------------------------------

pub fn null() -> Vec<u8> {
    vec![0xC0]
}

pub fn int(v: i64) -> Vec<u8> {
    if (-16..128).contains(&v) {
        vec![v as u8]
    } else {
        let mut out = vec![0xCB];
        out.extend_from_slice(&v.to_be_bytes());
        out
    }
}

pub fn string(s: &str) -> Vec<u8> {
    let mut out = if s.len() < 16 {
        vec![0x80 | s.len() as u8]
    } else {
        vec![0xD0, s.len() as u8]
    };
    out.extend_from_slice(s.as_bytes());
    out
}

pub fn list(items: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0x90 | items.len() as u8];
    for item in items {
        out.extend_from_slice(item);
    }
    out
}

pub fn map(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = vec![0xA0 | entries.len() as u8];
    for (k, v) in entries {
        out.extend_from_slice(&string(k));
        out.extend_from_slice(v);
    }
    out
}

pub fn message(tag: u8, fields: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0xB0 | fields.len() as u8, tag];
    for f in fields {
        out.extend_from_slice(f);
    }
    out
}

pub const HELLO: u8 = 0x01;
pub const GOODBYE: u8 = 0x02;
pub const RESET: u8 = 0x0F;
pub const RUN: u8 = 0x10;
pub const PULL: u8 = 0x3F;
pub const SUCCESS: u8 = 0x70;
pub const RECORD: u8 = 0x71;

pub fn hello() -> Vec<u8> {
    message(HELLO, &[map(&[("user_agent", string("raw/1.0"))])])
}

pub fn run(query: &str) -> Vec<u8> {
    message(RUN, &[string(query), map(&[]), map(&[])])
}

pub fn pull(n: i64) -> Vec<u8> {
    message(PULL, &[map(&[("n", int(n))])])
}

pub fn reset() -> Vec<u8> {
    message(RESET, &[])
}

pub fn goodbye() -> Vec<u8> {
    message(GOODBYE, &[])
}

/// `SUCCESS {}`.
pub fn success_empty() -> Vec<u8> {
    message(SUCCESS, &[map(&[])])
}

/// `SUCCESS` with these metadata entries.
pub fn success(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    message(SUCCESS, &[map(entries)])
}
