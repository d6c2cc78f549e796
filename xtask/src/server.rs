//! Bolt servers for the integration suite and for people: where one is, how tests
//! learn about it (environment variables), `cargo xtask server start|stop|status`.
//!
//! Tests find their server through the environment:
//! - `NEO4J_URI`, `NEO4J_USER`, `NEO4J_PASSWORD`: where and who;
//! - `QUIVER_SERVER_KIND`: `arcadedb` (embedded), `neo4j` (docker) or whatever the
//!   caller set (`external` when unknown), so a test can name a server's known gap;
//! - `QUIVER_EMBEDDED=1` for the embedded server;
//! - `QUIVER_SERVER_LOG`: the server's log file, when xtask started it.
//!
//! A program that needs a server of its own (the quickstart) runs
//! `cargo xtask server start` in the workspace root, reads the `KEY=VALUE` lines it
//! prints on stdout (a failure explains itself on stderr and exits non-zero), and at
//! the end runs `cargo xtask server stop` unless the output had `QUIVER_SERVER_REUSED=1`
//! (a server someone else started).

use std::collections::BTreeMap;
use std::env;
use std::fs;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use crate::arcadedb::{self, Mode};
use crate::docker;
use crate::flags::{Neo4jChoice, ServerAction};
use crate::probe;
use crate::project::Result;

/// The password of every server xtask starts (embedded root user, docker `neo4j`).
pub const TEST_PASSWORD: &str = "quiver-test-password";

/// Where a Bolt server is and how to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `bolt://127.0.0.1:PORT` (or the caller's `NEO4J_URI`).
    pub uri: String,
    /// User name.
    pub user: String,
    /// Password.
    pub password: String,
    /// `arcadedb`, `neo4j`, `external`, ...
    pub kind: String,
    /// The embedded default server.
    pub embedded: bool,
    /// Its log, when xtask started it.
    pub log: Option<PathBuf>,
}

impl Endpoint {
    /// The environment that tells tests (and the quickstart) about this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("NEO4J_URI", self.uri.clone()),
            ("NEO4J_USER", self.user.clone()),
            ("NEO4J_PASSWORD", self.password.clone()),
            ("QUIVER_SERVER_KIND", self.kind.clone()),
        ];
        if self.embedded {
            env.push(("QUIVER_EMBEDDED", "1".into()));
        }
        if let Some(log) = &self.log {
            env.push(("QUIVER_SERVER_LOG", log.display().to_string()));
        }
        env
    }

    /// The server named by `NEO4J_URI` (and friends) in this process's environment.
    pub fn from_env() -> Option<Endpoint> {
        let uri = env::var("NEO4J_URI").ok().filter(|u| !u.is_empty())?;
        Some(Endpoint {
            uri,
            user: env::var("NEO4J_USER").unwrap_or_else(|_| "neo4j".into()),
            password: env::var("NEO4J_PASSWORD").unwrap_or_default(),
            kind: env::var("QUIVER_SERVER_KIND")
                .ok()
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| "external".into()),
            embedded: env::var("QUIVER_EMBEDDED").is_ok_and(|v| v == "1"),
            log: env::var_os("QUIVER_SERVER_LOG").map(PathBuf::from),
        })
    }
}

/// A server for one test run; stops the server it started when dropped.
#[derive(Debug)]
pub enum TestServer {
    /// The caller's server (`NEO4J_URI`): nothing to stop.
    External(Endpoint),
    /// The embedded server, started for this run.
    Embedded(arcadedb::Server),
    /// A `neo4j` container, started for this run.
    Docker(docker::Container),
}

impl TestServer {
    /// Picks and starts the server `choice` asks for.
    pub fn start(choice: &Neo4jChoice) -> Result<TestServer> {
        match choice {
            Neo4jChoice::Auto => match Endpoint::from_env() {
                Some(endpoint) => {
                    eprintln!(
                        "xtask: NEO4J_URI is set: testing against {} ({}), starting no server",
                        endpoint.uri, endpoint.kind
                    );
                    wait_until_reachable(&endpoint.uri, EXTERNAL_TIMEOUT)?;
                    Ok(TestServer::External(endpoint))
                }
                None => Self::start(&Neo4jChoice::Embedded),
            },
            Neo4jChoice::Embedded => Ok(TestServer::Embedded(arcadedb::start(
                "test",
                Mode::Attached,
                &|_| Ok(()),
            )?)),
            Neo4jChoice::Docker { tag } => Ok(TestServer::Docker(docker::Container::start(tag)?)),
        }
    }

    /// Where it is.
    pub fn endpoint(&self) -> &Endpoint {
        match self {
            TestServer::External(e) => e,
            TestServer::Embedded(s) => &s.endpoint,
            TestServer::Docker(c) => &c.endpoint,
        }
    }

    /// Prints the end of the server's log (after a failed test run).
    pub fn show_log(&self) {
        match self {
            TestServer::External(_) => {}
            TestServer::Embedded(s) => {
                if let Some(log) = &s.endpoint.log {
                    eprintln!(
                        "xtask: the end of the embedded server's log ({}):\n{}",
                        log.display(),
                        crate::project::tail(log, 40)
                    );
                }
            }
            TestServer::Docker(c) => c.show_log(),
        }
    }
}

/// How long to wait for a server named by `NEO4J_URI` (a CI service container may
/// still be starting).
const EXTERNAL_TIMEOUT: Duration = Duration::from_secs(180);

/// The `host:port` of a Bolt URI and whether it uses TLS.
fn bolt_address(uri: &str) -> Option<(String, bool)> {
    let (scheme, rest) = uri.split_once("://")?;
    let tls = match scheme {
        "bolt" | "neo4j" => false,
        "bolt+s" | "bolt+ssc" | "neo4j+s" | "neo4j+ssc" => true,
        _ => return None,
    };
    let authority = rest.split(['/', '?']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_port.is_empty() {
        return None;
    }
    let has_port = match host_port.rsplit_once(':') {
        Some((host, port)) => !host.ends_with(':') && port.parse::<u16>().is_ok(),
        None => false,
    };
    Some(if has_port {
        (host_port.to_string(), tls)
    } else {
        (format!("{host_port}:7687"), tls)
    })
}

/// Waits until the server at `uri` answers (a Bolt handshake; a TCP connect for TLS).
fn wait_until_reachable(uri: &str, timeout: Duration) -> Result<()> {
    let Some((host_port, tls)) = bolt_address(uri) else {
        eprintln!("xtask: cannot read an address from NEO4J_URI={uri}; not waiting for it");
        return Ok(());
    };
    let started = Instant::now();
    let mut said = false;
    loop {
        let addrs: Vec<SocketAddr> = host_port
            .to_socket_addrs()
            .map(|a| a.collect())
            .unwrap_or_default();
        let up = addrs.iter().any(|&addr| {
            if tls {
                TcpStream::connect_timeout(&addr, Duration::from_secs(3)).is_ok()
            } else {
                matches!(probe::bolt_handshake(addr), Ok(Some(_)))
            }
        });
        if up {
            return Ok(());
        }
        if started.elapsed() > timeout {
            return Err(format!(
                "NEO4J_URI={uri} did not answer within {}s",
                timeout.as_secs()
            )
            .into());
        }
        if !said {
            eprintln!("xtask: waiting for {host_port} to answer");
            said = true;
        }
        thread::sleep(Duration::from_millis(500));
    }
}

// ---- `cargo xtask server start|stop|status` ----

const STATE_FILE: &str = "server.env";

fn state_path() -> PathBuf {
    arcadedb::base_dir().join("server").join(STATE_FILE)
}

/// `cargo xtask server ACTION`.
pub fn command(action: ServerAction) -> Result<ExitCode> {
    match action {
        ServerAction::Start => start().map(|()| ExitCode::SUCCESS),
        ServerAction::Stop => stop().map(|()| ExitCode::SUCCESS),
        ServerAction::Status => status(),
        ServerAction::Help => {
            eprintln!("{}", SERVER_HELP.trim());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Help for `cargo xtask server`.
pub const SERVER_HELP: &str = "
usage: cargo xtask server start|stop|status

  start   install the embedded Bolt server on first use (ArcadeDB, from PyPI, into
          target/quiver-server/venv), start it on 127.0.0.1 with a fresh database, wait
          until it is ready, and print its environment (NEO4J_URI=..., one per line;
          `set -a; eval \"$(cargo xtask server start)\"; set +a` exports it). A server
          already running is reused, and then the output ends with QUIVER_SERVER_REUSED=1
          (a program that started the server stops it only when that line is absent).
  stop    stop it (by pid and process group) and wait until it is gone
  status  say whether it runs (exit 0) or not (exit 1), and print its environment

State: target/quiver-server/server/server.env; log: target/quiver-server/server/server.log.
The user is `root`, the databases are `neo4j` (default) and `otherdb`.";

/// What `start` leaves behind for `stop` and `status`.
#[derive(Debug, PartialEq, Eq)]
struct State {
    pid: u32,
    http: SocketAddr,
    endpoint: Endpoint,
}

impl State {
    fn render(&self) -> String {
        let mut out = String::new();
        for (key, value) in self.endpoint.env() {
            out.push_str(&format!("{key}={value}\n"));
        }
        out.push_str(&format!("QUIVER_SERVER_PID={}\n", self.pid));
        out.push_str(&format!("QUIVER_SERVER_HTTP={}\n", self.http));
        out
    }

    fn parse(text: &str) -> Option<State> {
        let vars: BTreeMap<&str, &str> = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect();
        let get = |k: &str| vars.get(k).map(|v| v.to_string());
        Some(State {
            pid: vars.get("QUIVER_SERVER_PID")?.parse().ok()?,
            http: vars.get("QUIVER_SERVER_HTTP")?.parse().ok()?,
            endpoint: Endpoint {
                uri: get("NEO4J_URI")?,
                user: get("NEO4J_USER")?,
                password: get("NEO4J_PASSWORD")?,
                kind: get("QUIVER_SERVER_KIND")?,
                embedded: vars.get("QUIVER_EMBEDDED") == Some(&"1"),
                log: get("QUIVER_SERVER_LOG").map(PathBuf::from),
            },
        })
    }

    fn of(server: &arcadedb::Server) -> State {
        State {
            pid: server.pid(),
            http: server.http,
            endpoint: server.endpoint.clone(),
        }
    }

    fn load(path: &Path) -> Option<State> {
        State::parse(&fs::read_to_string(path).ok()?)
    }

    fn running(&self) -> bool {
        arcadedb::alive(self.pid) && arcadedb::is_arcadedb(self.pid)
    }

    fn ready(&self) -> bool {
        matches!(probe::http_status(self.http, "/api/v1/ready"), Ok(204))
    }
}

fn start() -> Result<()> {
    let path = state_path();
    if let Some(state) = State::load(&path) {
        if state.running() && state.ready() {
            eprintln!(
                "xtask: the embedded server is already running (pid {}, {})",
                state.pid, state.endpoint.uri
            );
            println!("{}QUIVER_SERVER_REUSED=1", state.render());
            return Ok(());
        }
        if state.running() {
            arcadedb::stop_detached(state.pid)?;
        }
        let _ = fs::remove_file(&path);
    }
    let record = |server: &arcadedb::Server| -> Result<()> {
        let state = State::of(server);
        fs::write(&path, state.render())
            .map_err(|e| format!("cannot write {}: {e}", path.display()).into())
    };
    let server = match arcadedb::start("server", Mode::Detached, &record) {
        Ok(server) => server,
        Err(e) => {
            // The failed start stopped its process already.
            let _ = fs::remove_file(&path);
            return Err(e);
        }
    };
    let state = State::of(&server);
    server.detach();
    print!("{}", state.render());
    Ok(())
}

fn stop() -> Result<()> {
    let path = state_path();
    let Some(state) = State::load(&path) else {
        eprintln!(
            "xtask: the embedded server is not running (no {})",
            path.display()
        );
        return Ok(());
    };
    if state.running() {
        arcadedb::stop_detached(state.pid)?;
        eprintln!("xtask: stopped the embedded server (pid {})", state.pid);
    } else {
        eprintln!(
            "xtask: the embedded server (pid {}) had already stopped",
            state.pid
        );
    }
    fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
    Ok(())
}

fn status() -> Result<ExitCode> {
    let path = state_path();
    let Some(state) = State::load(&path) else {
        eprintln!("xtask: the embedded server is not running");
        return Ok(ExitCode::FAILURE);
    };
    if !state.running() {
        eprintln!(
            "xtask: the embedded server (pid {}) is not running any more; \
             `cargo xtask server stop` clears its state",
            state.pid
        );
        return Ok(ExitCode::FAILURE);
    }
    let bolt = state
        .endpoint
        .uri
        .rsplit_once("://")
        .and_then(|(_, addr)| addr.parse::<SocketAddr>().ok())
        .map(probe::bolt_handshake);
    let bolt = match bolt {
        Some(Ok(Some((major, minor)))) => format!("Bolt {major}.{minor}"),
        Some(Ok(None)) => "Bolt: no common version".into(),
        Some(Err(e)) => format!("Bolt: {e}"),
        None => "Bolt: unknown address".into(),
    };
    let ready = if state.ready() { "ready" } else { "NOT ready" };
    eprintln!(
        "xtask: the embedded server is running: pid {}, {}, {ready}, {bolt}",
        state.pid, state.endpoint.uri
    );
    print!("{}", state.render());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> State {
        State {
            pid: 4242,
            http: "127.0.0.1:9000".parse().expect("addr"),
            endpoint: Endpoint {
                uri: "bolt://127.0.0.1:9001".into(),
                user: "root".into(),
                password: TEST_PASSWORD.into(),
                kind: "arcadedb".into(),
                embedded: true,
                log: Some(PathBuf::from("/t/server.log")),
            },
        }
    }

    #[test]
    fn state_round_trips_through_its_file_format() {
        let state = sample();
        let text = state.render();
        assert!(text.starts_with("NEO4J_URI=bolt://127.0.0.1:9001\n"));
        assert!(text.contains("QUIVER_EMBEDDED=1\n"));
        assert_eq!(State::parse(&text), Some(state));
    }

    #[test]
    fn incomplete_state_is_no_state() {
        assert_eq!(State::parse(""), None);
        assert_eq!(State::parse("QUIVER_SERVER_PID=x\n"), None);
    }

    #[test]
    fn bolt_addresses() {
        assert_eq!(
            bolt_address("bolt://localhost:7687"),
            Some(("localhost:7687".into(), false))
        );
        assert_eq!(
            bolt_address("neo4j+s://db.example.com/x?policy=a"),
            Some(("db.example.com:7687".into(), true))
        );
        assert_eq!(
            bolt_address("bolt://u:p@127.0.0.1:9"),
            Some(("127.0.0.1:9".into(), false))
        );
        assert_eq!(
            bolt_address("bolt://[::1]:7000"),
            Some(("[::1]:7000".into(), false))
        );
        assert_eq!(bolt_address("http://x:1"), None);
        assert_eq!(bolt_address("bolt://"), None);
    }

    #[test]
    fn endpoint_env_names() {
        let mut endpoint = sample().endpoint;
        let names: Vec<_> = endpoint.env().into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            names,
            [
                "NEO4J_URI",
                "NEO4J_USER",
                "NEO4J_PASSWORD",
                "QUIVER_SERVER_KIND",
                "QUIVER_EMBEDDED",
                "QUIVER_SERVER_LOG"
            ]
        );
        endpoint.embedded = false;
        endpoint.log = None;
        assert_eq!(endpoint.env().len(), 4);
    }
}
