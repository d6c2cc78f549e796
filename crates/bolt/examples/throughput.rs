//! Rows per second through one connection against a local fake server that streams
//! pre-encoded records: measures the client's read, dechunk and decode path.
//!
//! `cargo run --release -p quiver-bolt --example throughput [rows]`, or
//! `... --example throughput queries [n]` for auto-commit queries per second (each
//! RUN+PULL in one write, answered with SUCCESS, one RECORD and a summary).

use std::time::Instant;

use quiver_bolt::{Address, Connection, ConnectionConfig, Pull, Request, Response, Run, Version};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn chunked(body: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&[0, 0]);
}

async fn serve(listener: TcpListener, rows: usize) {
    let records = encode_records(rows);
    let (mut s, _) = listener.accept().await.unwrap();
    let mut hs = [0u8; 20];
    s.read_exact(&mut hs).await.unwrap();
    s.write_all(&[0, 0, 4, 5]).await.unwrap();
    let mut buf = vec![0u8; 65536];
    // HELLO + LOGON
    let _ = s.read(&mut buf).await.unwrap();
    let mut out = Vec::new();
    chunked(&[0xB1, 0x70, 0xA0], &mut out);
    chunked(&[0xB1, 0x70, 0xA0], &mut out);
    s.write_all(&out).await.unwrap();
    // RUN + PULL
    let _ = s.read(&mut buf).await.unwrap();
    s.write_all(&records).await.unwrap();
    let _ = s.read(&mut buf).await;
}

/// RUN's SUCCESS, the records and PULL's SUCCESS, chunked.
fn encode_records(rows: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows * 24 + 64);
    chunked(
        &[
            0xB1, 0x70, 0xA1, 0x86, b'f', b'i', b'e', b'l', b'd', b's', 0x93, 0x81, b'a', 0x81,
            b'b', 0x81, b'c',
        ],
        &mut out,
    );
    for i in 0..rows {
        let mut rec = vec![0xB1, 0x71, 0x93, 0xCA];
        rec.extend_from_slice(&(i as i32).to_be_bytes());
        rec.extend_from_slice(&[0x85, b'h', b'e', b'l', b'l', b'o', 0xC1]);
        rec.extend_from_slice(&2.5f64.to_be_bytes());
        chunked(&rec, &mut out);
    }
    chunked(&[0xB1, 0x70, 0xA0], &mut out);
    out
}

/// Counts whole messages in `buf[..]`, keeping partial state in `state`
/// (`(remaining bytes of the current chunk, in_message)`).
fn count_messages(buf: &[u8], pending: &mut Vec<u8>) -> usize {
    pending.extend_from_slice(buf);
    let mut n = 0;
    let mut pos = 0;
    let mut in_msg = false;
    let mut last_end = 0;
    while pos + 2 <= pending.len() {
        let len = u16::from_be_bytes([pending[pos], pending[pos + 1]]) as usize;
        if len == 0 {
            pos += 2;
            if in_msg {
                n += 1;
                in_msg = false;
                last_end = pos;
            }
            continue;
        }
        if pos + 2 + len > pending.len() {
            break;
        }
        pos += 2 + len;
        in_msg = true;
    }
    pending.drain(..last_end);
    n
}

async fn serve_queries(listener: TcpListener) {
    let (mut s, _) = listener.accept().await.unwrap();
    let mut hs = [0u8; 20];
    s.read_exact(&mut hs).await.unwrap();
    s.write_all(&[0, 0, 4, 5]).await.unwrap();
    let mut reply = Vec::new();
    chunked(
        &[
            0xB1, 0x70, 0xA1, 0x86, b'f', b'i', b'e', b'l', b'd', b's', 0x91, 0x81, b'x',
        ],
        &mut reply,
    );
    chunked(&[0xB1, 0x71, 0x91, 0x01], &mut reply);
    let mut summary = vec![0xB1, 0x70, 0xA3, 0x88];
    summary.extend_from_slice(b"bookmark");
    summary.extend_from_slice(&[0x8B]);
    summary.extend_from_slice(b"FB:kcwQ1234");
    summary.extend_from_slice(&[0x84]);
    summary.extend_from_slice(b"type");
    summary.extend_from_slice(&[0x81, b'r', 0x82, b'd', b'b', 0x85]);
    summary.extend_from_slice(b"neo4j");
    chunked(&summary, &mut reply);
    let mut ok = Vec::new();
    chunked(&[0xB1, 0x70, 0xA0], &mut ok);
    let mut buf = vec![0u8; 65536];
    let mut pending = Vec::new();
    let mut seen = 0usize;
    loop {
        let Ok(n) = s.read(&mut buf).await else {
            return;
        };
        if n == 0 {
            return;
        }
        let msgs = count_messages(&buf[..n], &mut pending);
        let mut out = Vec::new();
        for _ in 0..msgs {
            seen += 1;
            // HELLO and LOGON get SUCCESS {}; afterwards every second message (PULL)
            // completes a query.
            if seen <= 2 {
                out.extend_from_slice(&ok);
            } else if seen % 2 == 0 {
                out.extend_from_slice(&reply);
            }
        }
        if s.write_all(&out).await.is_err() {
            return;
        }
    }
}

fn queries(n: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(serve_queries(listener));
        let config = ConnectionConfig::builder()
            .versions(&[Version::V5_4])
            .build()
            .unwrap();
        let mut c = Connection::connect(&Address::from(addr), &config)
            .await
            .unwrap();
        let start = Instant::now();
        let mut sum = 0i64;
        for _ in 0..n {
            c.send(&Request::Run(Run::new("RETURN 1 AS x"))).unwrap();
            c.send(&Request::Pull(Pull::ALL)).unwrap();
            c.flush().await.unwrap();
            c.recv().await.unwrap().into_success().unwrap();
            loop {
                match c.recv().await.unwrap() {
                    Response::Record(r) => {
                        let (x,): (i64,) = r.decode(c.options()).unwrap();
                        sum += x;
                    }
                    other => {
                        let s = other.into_success().unwrap();
                        assert!(s.bookmark().is_some());
                        break;
                    }
                }
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{n} queries in {secs:.3} s: {:.0} queries/s (checksum {sum})",
            n as f64 / secs
        );
        c.goodbye().await;
        drop(c);
        let _ = server.await;
    });
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("queries") {
        let n = std::env::args()
            .nth(2)
            .and_then(|a| a.parse().ok())
            .unwrap_or(100_000);
        return queries(n);
    }
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(serve(listener, rows));
        let config = ConnectionConfig::builder()
            .versions(&[Version::V5_4])
            .build()
            .unwrap();
        let mut c = Connection::connect(&Address::from(addr), &config)
            .await
            .unwrap();
        let start = Instant::now();
        c.send(&Request::Run(Run::new("RETURN 1"))).unwrap();
        c.send(&Request::Pull(Pull::ALL)).unwrap();
        c.flush().await.unwrap();
        c.recv().await.unwrap().into_success().unwrap();
        let mut n = 0usize;
        let mut sum = 0i64;
        loop {
            match c.recv().await.unwrap() {
                Response::Record(r) => {
                    let (a, b, _f): (i64, &str, f64) = r.decode(c.options()).unwrap();
                    sum += a + b.len() as i64;
                    n += 1;
                }
                other => {
                    other.into_success().unwrap();
                    break;
                }
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{n} rows in {secs:.3} s: {:.0} rows/s (checksum {sum})",
            n as f64 / secs
        );
        c.goodbye().await;
        let _ = server.await;
    });
}
