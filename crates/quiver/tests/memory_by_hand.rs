//! By hand (issue 15, item 4): what one large message costs in memory. A
//! fake server streams a RECORD holding one string of N MB (chunked, from a
//! 64 KiB buffer, so the server holds nothing) and the process's resident
//! set is read from /proc/self/status before, at the peak (VmHWM) and once
//! the connection is idle in the pool. Run one at a time (VmHWM is the
//! process's):
//!
//! `cargo test -p quiver-neo4j --test memory_by_hand -- --ignored --nocapture --test-threads 1 NAME`

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use quiver::{AuthToken, Config, Driver, SessionConfig};

/// `VmRSS` and `VmHWM` of this process, in MiB.
fn rss_mb() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .unwrap_or(0)
            / 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Reads one chunked message; its tag (`None`: the client is gone).
fn read_message(s: &mut TcpStream) -> Option<u8> {
    let mut body = Vec::new();
    loop {
        let mut h = [0u8; 2];
        s.read_exact(&mut h).ok()?;
        let len = usize::from(u16::from_be_bytes(h));
        if len == 0 {
            if body.is_empty() {
                continue;
            }
            return body.get(1).copied();
        }
        let mut chunk = vec![0; len];
        s.read_exact(&mut chunk).ok()?;
        body.extend_from_slice(&chunk);
    }
}

fn send(s: &mut TcpStream, body: &[u8]) {
    let mut out = u16::try_from(body.len()).unwrap().to_be_bytes().to_vec();
    out.extend_from_slice(body);
    out.extend_from_slice(&[0, 0]);
    s.write_all(&out).unwrap();
}

/// RECORD [a string of `n` bytes 'a'], chunked as it is written.
fn send_big_record(s: &mut TcpStream, n: usize) {
    let mut prefix = vec![0xB1, 0x71, 0x91, 0xD2];
    prefix.extend_from_slice(&u32::try_from(n).unwrap().to_be_bytes());
    let fill = vec![b'a'; 65_535];
    let mut left = prefix.len() + n;
    let mut first = true;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, s);
    while left > 0 {
        let len = left.min(65_535);
        w.write_all(&(len as u16).to_be_bytes()).unwrap();
        if first {
            w.write_all(&prefix).unwrap();
            w.write_all(&fill[..len - prefix.len()]).unwrap();
            first = false;
        } else {
            w.write_all(&fill[..len]).unwrap();
        }
        left -= len;
    }
    w.write_all(&[0, 0]).unwrap();
    w.flush().unwrap();
}

/// A Bolt 5.4 server for one connection: HELLO, LOGON, then every RUN is
/// answered with one RECORD of a string of `n` bytes.
fn serve(listener: TcpListener, n: usize) {
    let (mut s, _) = listener.accept().unwrap();
    let mut hello = [0u8; 20];
    s.read_exact(&mut hello).unwrap();
    s.write_all(&[0, 0, 4, 5]).unwrap();
    let agent = b"\xB1\x70\xA2\x86server\x8CNeo4j/5.20.0\x8Dconnection_id\x86bolt-1";
    while let Some(tag) = read_message(&mut s) {
        match tag {
            0x01 => send(&mut s, agent),
            0x10 => send(&mut s, b"\xB1\x70\xA1\x86fields\x91\x81x"),
            0x3F => {
                send_big_record(&mut s, n);
                send(&mut s, b"\xB1\x70\xA0");
            }
            0x02 => return,
            _ => send(&mut s, b"\xB1\x70\xA0"),
        }
    }
}

fn start(n: usize) -> Driver {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || serve(listener, n));
    let config = Config::builder()
        .max_connection_pool_size(1)
        .build()
        .unwrap();
    Driver::builder(&format!("bolt://127.0.0.1:{port}"))
        .auth(AuthToken::basic("neo4j", "pass"))
        .config(config)
        .build()
        .unwrap()
}

/// Runs the query and reads the string, borrowed (`&str`) or owned.
async fn read_once(driver: &Driver, n: usize, owned: bool) {
    let mut session = driver.session(SessionConfig::default());
    let mut result = session.run("RETURN $big AS x").await.unwrap();
    let record = result.next().await.unwrap().unwrap();
    if owned {
        let s: String = record.get("x").unwrap();
        assert_eq!(s.len(), n);
    } else {
        let s: &str = record.get("x").unwrap();
        assert_eq!(s.len(), n);
    }
    drop(record);
    result.consume().await.unwrap();
    session.close().await.unwrap();
}

async fn measure(mb: usize, owned: bool) {
    let n = mb * 1_000_000;
    let driver = start(n);
    let (before, _) = rss_mb();
    read_once(&driver, n, owned).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (idle, peak) = rss_mb();
    let m = driver.metrics();
    println!(
        "{mb} MB message, read {}: RSS before {before} MiB, peak {peak} MiB, \
         idle after {idle} MiB (pool: {m:?})",
        if owned { "as String" } else { "as &str" }
    );
    driver.close().await;
}

#[tokio::test]
#[ignore = "a measurement, run by hand"]
async fn a_100_mb_message_read_borrowed_by_hand() {
    measure(100, false).await;
}

#[tokio::test]
#[ignore = "a measurement, run by hand"]
async fn a_100_mb_message_read_owned_by_hand() {
    measure(100, true).await;
}

#[tokio::test]
#[ignore = "a measurement, run by hand"]
async fn a_300_mb_message_then_idle_by_hand() {
    measure(300, false).await;
}
