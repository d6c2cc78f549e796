use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::*;

/// An upstream that echoes everything back.
async fn echo() -> SocketAddr {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                while let Ok(n) = s.read(&mut buf).await {
                    if n == 0 || s.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    addr
}

async fn roundtrip(s: &mut TcpStream, data: &[u8]) -> std::io::Result<Vec<u8>> {
    s.write_all(data).await?;
    let mut out = vec![0u8; data.len()];
    s.read_exact(&mut out).await?;
    Ok(out)
}

const SHORT: Duration = Duration::from_millis(200);

/// A proxy in front of [`echo`] and a client connected through it.
async fn proxied_echo() -> (FaultProxy, TcpStream) {
    let proxy = FaultProxy::start(echo().await).await.unwrap();
    let s = TcpStream::connect(proxy.addr()).await.unwrap();
    (proxy, s)
}

/// `buf` does not fill within [`SHORT`].
async fn assert_nothing_arrives(s: &mut TcpStream, buf: &mut [u8]) {
    assert!(tokio::time::timeout(SHORT, s.read_exact(buf))
        .await
        .is_err());
}

/// `buf` fills within five seconds.
async fn read_soon(s: &mut TcpStream, buf: &mut [u8]) {
    tokio::time::timeout(Duration::from_secs(5), s.read_exact(buf))
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn forwards_and_counts() {
    let (proxy, mut s) = proxied_echo().await;
    assert_eq!(roundtrip(&mut s, b"hello").await.unwrap(), b"hello");
    let stats = proxy.stats();
    assert_eq!(stats.connections, 1);
    assert_eq!(stats.open, 1);
    assert_eq!(stats.bytes_to_server, 5);
    assert_eq!(stats.bytes_to_client, 5);
    assert!(proxy.uri().starts_with("bolt://127.0.0.1:"));
}

#[tokio::test]
async fn a_trigger_closes_after_n_bytes_once() {
    let (proxy, mut s) = proxied_echo().await;
    proxy.arm(Direction::ToClient, 3, Action::Close);
    s.write_all(b"abcdef").await.unwrap();
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut got)).await;
    assert!(read.is_ok(), "the connection was not closed");
    assert_eq!(got, b"abc");
    assert!(!proxy.armed());
    assert_eq!(proxy.stats().killed, 1);
    // One-shot: a new connection works.
    let mut s = TcpStream::connect(proxy.addr()).await.unwrap();
    assert_eq!(roundtrip(&mut s, b"xyz").await.unwrap(), b"xyz");
}

#[tokio::test]
async fn a_reset_trigger_resets() {
    let (proxy, mut s) = proxied_echo().await;
    proxy.arm(Direction::ToServer, 0, Action::Reset);
    s.write_all(b"abc").await.unwrap();
    let mut buf = [0u8; 8];
    let r = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
        .await
        .unwrap();
    match r {
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset),
        Ok(n) => panic!("read {n} bytes instead of a reset"),
    }
    assert_eq!(proxy.stats().bytes_to_server, 0);
}

#[tokio::test]
async fn stall_black_holes_until_restore() {
    let (proxy, mut s) = proxied_echo().await;
    proxy.stall();
    s.write_all(b"abc").await.unwrap();
    let mut buf = [0u8; 3];
    assert_nothing_arrives(&mut s, &mut buf).await;
    proxy.restore();
    read_soon(&mut s, &mut buf).await;
    assert_eq!(&buf, b"abc");
}

#[tokio::test]
async fn a_stall_trigger_holds_the_rest_of_the_read() {
    let (proxy, mut s) = proxied_echo().await;
    proxy.arm(Direction::ToServer, 2, Action::Stall);
    s.write_all(b"abcd").await.unwrap();
    let mut buf = [0u8; 4];
    assert_nothing_arrives(&mut s, &mut buf).await;
    assert_eq!(proxy.stats().bytes_to_server, 2);
    proxy.restore();
    let mut buf = [0u8; 4];
    read_soon(&mut s, &mut buf).await;
    assert_eq!(&buf, b"abcd");
}

#[tokio::test]
async fn delay_slows_each_read() {
    let (proxy, mut s) = proxied_echo().await;
    proxy.delay(Duration::from_millis(100));
    let start = Instant::now();
    roundtrip(&mut s, b"a").await.unwrap();
    // Each direction waits once.
    assert!(start.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn refuse_resets_new_connections_and_reset_all_the_open_ones() {
    let proxy = FaultProxy::start(echo().await).await.unwrap();
    let mut open = TcpStream::connect(proxy.addr()).await.unwrap();
    roundtrip(&mut open, b"a").await.unwrap();
    proxy.refuse();
    let mut s = TcpStream::connect(proxy.addr()).await.unwrap();
    assert!(roundtrip(&mut s, b"a").await.is_err());
    assert_eq!(proxy.stats().refused, 1);
    // The open connection is not affected by refuse, but by reset_all.
    roundtrip(&mut open, b"b").await.unwrap();
    proxy.reset_all();
    let r = tokio::time::timeout(Duration::from_secs(5), roundtrip(&mut open, b"c"))
        .await
        .unwrap();
    assert!(r.is_err());
    proxy.restore();
    let mut s = TcpStream::connect(proxy.addr()).await.unwrap();
    assert_eq!(roundtrip(&mut s, b"ok").await.unwrap(), b"ok");
}

#[tokio::test]
async fn corrupt_changes_bytes_reproducibly_until_restore() {
    let proxy = FaultProxy::start(echo().await).await.unwrap();
    let data = [0u8; 256];
    let mut runs = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(proxy.addr()).await.unwrap();
        proxy.corrupt(Direction::ToClient, 8, 42);
        runs.push(roundtrip(&mut s, &data).await.unwrap());
        proxy.restore();
    }
    assert_ne!(runs[0], data.to_vec());
    assert_eq!(runs[0], runs[1], "the same seed changes the same bytes");
    assert!(proxy.stats().corrupted > 0);
    let mut s = TcpStream::connect(proxy.addr()).await.unwrap();
    assert_eq!(roundtrip(&mut s, &data).await.unwrap(), data.to_vec());
}
