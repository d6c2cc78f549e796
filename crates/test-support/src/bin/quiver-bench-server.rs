//! `quiver-bench-server [ADDRESS]`: the bench server on `ADDRESS`
//! (default `127.0.0.1:0`, an OS-assigned port). It prints
//! `listening on HOST:PORT` and serves until killed.

use std::io::Write;
use std::net::SocketAddr;

use quiver_test_support::bench_server::BenchServer;

fn main() -> std::process::ExitCode {
    let arg = std::env::args().nth(1);
    let addr: SocketAddr = match arg.as_deref().unwrap_or("127.0.0.1:0").parse() {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("usage: quiver-bench-server [HOST:PORT] ({e})");
            return std::process::ExitCode::from(2);
        }
    };
    let server = match BenchServer::start_on(addr) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("quiver-bench-server: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "listening on {}", server.addr());
    let _ = stdout.flush();
    loop {
        std::thread::park();
    }
}
