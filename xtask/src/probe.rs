//! Small network probes on 127.0.0.1: free ports, an HTTP status, a Bolt handshake.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

const IO_TIMEOUT: Duration = Duration::from_secs(3);

/// `n` distinct ports on 127.0.0.1 that the OS says are free right now.
///
/// All listeners are held until every port is chosen, so the ports differ; they are
/// free again (and could be taken by someone else) once this returns.
pub fn free_ports(n: usize) -> io::Result<Vec<u16>> {
    let listeners = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<io::Result<Vec<_>>>()?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect()
}

fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    Ok(stream)
}

/// The status code of `GET path` on `addr` (HTTP/1.0, no body read).
pub fn http_status(addr: SocketAddr, path: &str) -> io::Result<u16> {
    let mut stream = connect(addr)?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut head = [0u8; 64];
    let mut len = 0;
    while len < head.len() {
        let n = stream.read(&mut head[len..])?;
        if n == 0 {
            break;
        }
        len += n;
        if head[..len].contains(&b'\n') {
            break;
        }
    }
    parse_status_line(&head[..len]).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "not an HTTP status line: {:?}",
                String::from_utf8_lossy(&head[..len])
            ),
        )
    })
}

fn parse_status_line(head: &[u8]) -> Option<u16> {
    let line = head.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split_whitespace();
    if !parts.next()?.starts_with("HTTP/") {
        return None;
    }
    parts.next()?.parse().ok()
}

/// The Bolt version a server at `addr` agrees to, as (major, minor).
///
/// Offers 5.8 down to 5.0, then 4.4 and 4.3, the classic way; `Ok(None)` when the
/// server accepts none of them.
pub fn bolt_handshake(addr: SocketAddr) -> io::Result<Option<(u8, u8)>> {
    let mut stream = connect(addr)?;
    stream.write_all(&handshake_request())?;
    let mut answer = [0u8; 4];
    stream.read_exact(&mut answer)?;
    Ok(parse_handshake_answer(answer))
}

fn handshake_request() -> [u8; 20] {
    [
        0x60, 0x60, 0xB0, 0x17, // magic preamble
        0x00, 0x08, 0x08, 0x05, // 5.8 and the 8 minors below it
        0x00, 0x01, 0x04, 0x04, // 4.4 and 4.3
        0x00, 0x00, 0x00, 0x00, // (nothing)
        0x00, 0x00, 0x00, 0x00, // (nothing)
    ]
}

fn parse_handshake_answer(answer: [u8; 4]) -> Option<(u8, u8)> {
    match answer {
        [0, 0, 0, 0] => None,
        [_, _, minor, major] => Some((major, minor)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    #[test]
    fn free_ports_are_distinct_and_bindable() {
        let ports = free_ports(3).expect("ports");
        assert_eq!(ports.len(), 3);
        assert!(ports[0] != ports[1] && ports[1] != ports[2] && ports[0] != ports[2]);
        TcpListener::bind(("127.0.0.1", ports[0])).expect("free again");
    }

    #[test]
    fn status_lines() {
        assert_eq!(parse_status_line(b"HTTP/1.1 204 No Content\r\n"), Some(204));
        assert_eq!(parse_status_line(b"HTTP/1.0 503\r\n"), Some(503));
        assert_eq!(parse_status_line(b"SSH-2.0-x\r\n"), None);
        assert_eq!(parse_status_line(b""), None);
    }

    #[test]
    fn handshake_answers() {
        assert_eq!(parse_handshake_answer([0, 0, 4, 5]), Some((5, 4)));
        assert_eq!(parse_handshake_answer([0, 0, 4, 4]), Some((4, 4)));
        assert_eq!(parse_handshake_answer([0, 0, 0, 0]), None);
    }

    #[test]
    fn http_status_against_a_local_listener() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = thread::spawn(move || {
            let (mut s, _) = listener.accept().expect("accept");
            let mut request = Vec::new();
            let mut buf = [0u8; 256];
            while !request.ends_with(b"\r\n\r\n") {
                let n = s.read(&mut buf).expect("read");
                assert!(n > 0, "request cut short: {request:?}");
                request.extend_from_slice(&buf[..n]);
            }
            assert!(request.starts_with(b"GET /api/v1/ready HTTP/1.0\r\n"));
            s.write_all(b"HTTP/1.1 204 No Content\r\n\r\n")
                .expect("write");
        });
        assert_eq!(http_status(addr, "/api/v1/ready").expect("status"), 204);
        server.join().expect("server thread");
    }

    #[test]
    fn bolt_handshake_against_a_local_listener() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = thread::spawn(move || {
            let (mut s, _) = listener.accept().expect("accept");
            let mut request = [0u8; 20];
            s.read_exact(&mut request).expect("read");
            assert_eq!(request, handshake_request());
            s.write_all(&[0, 0, 4, 5]).expect("write");
        });
        assert_eq!(bolt_handshake(addr).expect("handshake"), Some((5, 4)));
        server.join().expect("server thread");
    }
}
