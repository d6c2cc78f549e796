//! The `testkit-backend` binary: listens for TestKit on `127.0.0.1:9876` unless
//! `TEST_BACKEND_HOST`/`TEST_BACKEND_PORT` or `--host`/`--port` say otherwise (flags win).
//! `--port 0` binds a free port; the first line on stdout always says where it listens:
//! `Listening on 127.0.0.1:PORT`. With `RUST_LOG` set, the driver's logs go to stderr.

use std::io::Write as _;
use std::process::ExitCode;

use testkit_backend::{connection, DEFAULT_HOST, DEFAULT_PORT};

const USAGE: &str = "usage: testkit-backend [--host HOST] [--port PORT]\n\
    env: TEST_BACKEND_HOST, TEST_BACKEND_PORT (flags take precedence)";

fn parse_args() -> Result<(String, u16), String> {
    let mut host = std::env::var("TEST_BACKEND_HOST").unwrap_or_else(|_| DEFAULT_HOST.to_owned());
    let mut port = match std::env::var("TEST_BACKEND_PORT") {
        Ok(p) => p
            .parse()
            .map_err(|_| format!("TEST_BACKEND_PORT is not a port: {p:?}"))?,
        Err(_) => DEFAULT_PORT,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--host" => host = args.next().ok_or("--host needs a value")?,
            "--port" => {
                let p = args.next().ok_or("--port needs a value")?;
                port = p
                    .parse()
                    .map_err(|_| format!("--port is not a port: {p:?}"))?;
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok((host, port))
}

fn main() -> ExitCode {
    // The driver's logs on stderr when RUST_LOG asks for them (e.g. RUST_LOG=quiver=debug).
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .try_init();
    }
    let (host, port) = match parse_args() {
        Ok(v) => v,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(&host, port)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("testkit-backend: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(host: &str, port: u16) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind((host, port)).await?;
    let addr = listener.local_addr()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "Listening on {addr}")?;
        out.flush()?;
    }
    loop {
        let (stream, peer) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        eprintln!("testkit-backend: connection from {peer}");
        if let Err(e) = connection::serve_connection(stream).await {
            eprintln!("testkit-backend: connection from {peer} ended: {e}");
        }
    }
}
