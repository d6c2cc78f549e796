//! The embedded default server: ArcadeDB's Bolt server from the PyPI package
//! `arcadedb-embedded` (pinned in `xtask/embedded-server.txt`), run with the Java
//! runtime and jars inside the wheel. Nothing else is downloaded.
//!
//! Layout under the target directory:
//! - `quiver-server/venv/`: the virtualenv (installed on first use, kept);
//! - `quiver-server/<name>/root/`: a fresh server root (databases, config) per start;
//! - `quiver-server/<name>/server.log`: the server's output.

use std::fs;
use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::probe;
use crate::project::{self, Result};
use crate::server::{Endpoint, TEST_PASSWORD};

/// The pinned requirement, installed with `pip --no-deps`.
pub const REQUIREMENTS: &str = include_str!("../embedded-server.txt");
/// The server's main class.
const MAIN_CLASS: &str = "com.arcadedb.server.ArcadeDBServer";
/// How long a start may take before we give up (JVM start plus database creation
/// takes 3 to 5 s on an idle machine; a busy 2-core CI box is slower).
const READY_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a stop may take before the process is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);
const USER: &str = "root";

/// `target/quiver-server`.
pub fn base_dir() -> PathBuf {
    project::target_dir().join("quiver-server")
}

/// The installed wheel: its Java runtime and its jars.
#[derive(Debug)]
pub struct Install {
    java: PathBuf,
    jars: PathBuf,
}

/// Installs the pinned package into `target/quiver-server/venv` unless it is there.
pub fn install() -> Result<Install> {
    let venv = base_dir().join("venv");
    let marker = venv.join(".quiver-installed");
    if fs::read_to_string(&marker).is_ok_and(|m| m == REQUIREMENTS) {
        if let Ok(found) = locate(&venv) {
            return Ok(found);
        }
    }
    let started = Instant::now();
    eprintln!(
        "xtask: installing the embedded server ({}) into {}",
        pinned_version(),
        venv.display()
    );
    match fs::remove_dir_all(&venv) {
        Err(e) if e.kind() != ErrorKind::NotFound => {
            return Err(format!("cannot remove the old {}: {e}", venv.display()).into())
        }
        _ => {}
    }
    fs::create_dir_all(base_dir())?;
    let python = std::env::var("QUIVER_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut venv_cmd = Command::new(&python);
    venv_cmd.arg("-m").arg("venv").arg(&venv);
    let created = project::run(&mut venv_cmd).map_err(|e| {
        format!(
            "{e}\nThe embedded test server installs from PyPI with Python 3 (3.10 to 3.13, \
             with venv and pip; on Debian: apt-get install python3-venv). Set QUIVER_PYTHON \
             to use another interpreter, or point NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD \
             at a Neo4j server you have."
        )
    })?;
    if !created {
        return Err(
            format!("`{python} -m venv` failed (on Debian: apt-get install python3-venv)").into(),
        );
    }
    let requirements = project::root().join("xtask/embedded-server.txt");
    let mut pip = Command::new(venv.join("bin/python"));
    pip.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
        "--no-deps",
        "--only-binary",
        ":all:",
        "-r",
    ])
    .arg(&requirements);
    if !project::run(&mut pip)? {
        return Err(format!(
            "pip could not install {} (the wheels are built for Linux x86_64 and \
             CPython 3.10 to 3.13)",
            pinned_version()
        )
        .into());
    }
    let found = locate(&venv)?;
    fs::write(&marker, REQUIREMENTS)?;
    eprintln!(
        "xtask: installed the embedded server in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(found)
}

/// `arcadedb-embedded==X` from the requirements file.
pub fn pinned_version() -> &'static str {
    REQUIREMENTS
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("arcadedb-embedded")
}

fn locate(venv: &Path) -> Result<Install> {
    let lib = venv.join("lib");
    let entries = fs::read_dir(&lib).map_err(|e| format!("cannot read {}: {e}", lib.display()))?;
    for entry in entries.flatten() {
        let pkg = entry.path().join("site-packages/arcadedb_embedded");
        let java = pkg.join("jre/bin/java");
        if java.is_file() {
            return Ok(Install {
                java,
                jars: pkg.join("jars"),
            });
        }
    }
    Err(format!(
        "no arcadedb_embedded/jre/bin/java under {}: the install is incomplete",
        lib.display()
    )
    .into())
}

/// A server this process started; stopped on drop.
#[derive(Debug)]
pub struct Server {
    child: Option<Child>,
    pid: u32,
    /// Where to reach it.
    pub endpoint: Endpoint,
    /// Its HTTP address (readiness, admin).
    pub http: SocketAddr,
}

/// How the server process relates to xtask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Outlives xtask (`cargo xtask server start`): its own process group.
    Detached,
    /// Lives as long as xtask (a test run): xtask's process group, so a Ctrl-C in the
    /// terminal reaches it too, and `Drop` stops it.
    Attached,
}

/// Starts a server with a fresh root under `target/quiver-server/<name>` and waits
/// until it is ready. `spawned` sees the server as soon as its process exists (so
/// `cargo xtask server start` can record the pid before waiting: an interrupted start
/// leaves nothing that `stop` cannot find).
pub fn start(name: &str, mode: Mode, spawned: &dyn Fn(&Server) -> Result<()>) -> Result<Server> {
    let install = install()?;
    let dir = base_dir().join(name);
    let mut last_error = None;
    // A free port can be taken between our probe and the server's bind: try again.
    for _attempt in 0..3 {
        match start_once(&install, &dir, mode, spawned) {
            Ok(server) => return Ok(server),
            Err(Failure::PortTaken(msg)) => last_error = Some(msg),
            Err(Failure::Other(e)) => return Err(e),
        }
    }
    Err(last_error
        .unwrap_or_else(|| "could not start the embedded server".into())
        .into())
}

enum Failure {
    PortTaken(String),
    Other(project::Error),
}

impl<E: Into<project::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Other(e.into())
    }
}

fn start_once(
    install: &Install,
    dir: &Path,
    mode: Mode,
    spawned: &dyn Fn(&Server) -> Result<()>,
) -> Result<Server, Failure> {
    let root = dir.join("root");
    match fs::remove_dir_all(&root) {
        Err(e) if e.kind() != ErrorKind::NotFound => {
            return Err(format!("cannot clear {}: {e}", root.display()).into())
        }
        _ => {}
    }
    fs::create_dir_all(&root)?;
    let log_path = dir.join("server.log");
    let log = fs::File::create(&log_path)?;
    let ports = probe::free_ports(2)?;
    let (http_port, bolt_port) = (ports[0], ports[1]);

    let mut cmd = Command::new(&install.java);
    cmd.args(java_args(&install.jars, &root, http_port, bolt_port))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    #[cfg(unix)]
    if mode == Mode::Detached {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let started = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", install.java.display()))?;
    let pid = child.id();
    let mut server = Server {
        child: Some(child),
        pid,
        endpoint: Endpoint {
            uri: format!("bolt://127.0.0.1:{bolt_port}"),
            user: USER.into(),
            password: TEST_PASSWORD.into(),
            kind: "arcadedb".into(),
            embedded: true,
            log: Some(log_path.clone()),
        },
        http: SocketAddr::from((Ipv4Addr::LOCALHOST, http_port)),
    };
    spawned(&server).map_err(Failure::Other)?;
    loop {
        if let Some(child) = server.child.as_mut() {
            if let Ok(Some(status)) = child.try_wait() {
                server.child = None;
                let tail = project::tail(&log_path, 30);
                let msg = format!(
                    "the embedded server exited during start-up ({status}); the end of {}:\n{tail}",
                    log_path.display()
                );
                return Err(
                    if tail.contains("BindException") || tail.contains("Address already in use") {
                        Failure::PortTaken(msg)
                    } else {
                        Failure::Other(msg.into())
                    },
                );
            }
        }
        if matches!(probe::http_status(server.http, "/api/v1/ready"), Ok(204)) {
            eprintln!(
                "xtask: embedded server ready in {:.1}s (pid {pid}, {}, log {})",
                started.elapsed().as_secs_f64(),
                server.endpoint.uri,
                log_path.display()
            );
            return Ok(server);
        }
        if started.elapsed() > READY_TIMEOUT {
            // `server` is dropped here, which stops the process.
            return Err(format!(
                "the embedded server was not ready after {}s (GET /api/v1/ready on {} never \
                 answered 204); the end of {}:\n{}",
                READY_TIMEOUT.as_secs(),
                server.http,
                log_path.display(),
                project::tail(&log_path, 30)
            )
            .into());
        }
        thread::sleep(Duration::from_millis(100));
    }
}

/// The JVM's arguments (see /work/shared/SERVERS.md for what each property does).
fn java_args(jars: &Path, root: &Path, http_port: u16, bolt_port: u16) -> Vec<String> {
    let root = root.display();
    let mut args = vec![
        "-Xmx2g".to_string(),
        "-Djava.awt.headless=true".to_string(),
        "-cp".to_string(),
        format!("{}/*", jars.display()),
    ];
    let props = [
        ("arcadedb.server.rootPath", format!("{root}")),
        (
            "arcadedb.server.databaseDirectory",
            format!("{root}/databases"),
        ),
        ("arcadedb.server.rootPassword", TEST_PASSWORD.to_string()),
        ("arcadedb.server.mode", "development".into()),
        ("arcadedb.server.httpIncomingHost", "127.0.0.1".into()),
        ("arcadedb.server.httpIncomingPort", http_port.to_string()),
        (
            "arcadedb.server.plugins",
            "Bolt:com.arcadedb.bolt.BoltProtocolPlugin".into(),
        ),
        ("arcadedb.bolt.host", "127.0.0.1".into()),
        ("arcadedb.bolt.port", bolt_port.to_string()),
        ("arcadedb.bolt.defaultDatabase", "neo4j".into()),
        (
            "arcadedb.server.defaultDatabases",
            "neo4j[root];otherdb[root]".into(),
        ),
    ];
    args.extend(props.iter().map(|(k, v)| format!("-D{k}={v}")));
    args.push(MAIN_CLASS.into());
    args
}

impl Server {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Lets the server outlive this value (for `cargo xtask server start`).
    pub fn detach(mut self) {
        self.child = None;
        self.pid = 0;
    }

    /// Stops the server: SIGTERM, then SIGKILL after a grace period.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal("TERM", self.pid, false);
            let deadline = Instant::now() + STOP_TIMEOUT;
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                thread::sleep(Duration::from_millis(50));
            }
            eprintln!(
                "xtask: the embedded server (pid {}) ignored SIGTERM; killing it",
                self.pid
            );
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sends a signal with `kill(1)`; `group` addresses the process group `pid` leads.
fn signal(name: &str, pid: u32, group: bool) -> bool {
    let target = if group {
        format!("-{pid}")
    } else {
        pid.to_string()
    };
    Command::new("kill")
        .args([&format!("-{name}"), "--", &target])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether `pid` is a live process (a zombie counts as gone).
pub fn alive(pid: u32) -> bool {
    let proc_dir = Path::new("/proc");
    if proc_dir.is_dir() {
        return match fs::read_to_string(proc_dir.join(pid.to_string()).join("stat")) {
            Ok(stat) => !matches!(proc_state(&stat), Some('Z' | 'X')),
            Err(_) => false,
        };
    }
    signal("0", pid, false)
}

/// The state letter of a `/proc/PID/stat` line (after the command in parentheses).
fn proc_state(stat: &str) -> Option<char> {
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// Whether `pid` runs the ArcadeDB server (so a reused pid is never killed).
pub fn is_arcadedb(pid: u32) -> bool {
    match fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(cmdline) => String::from_utf8_lossy(&cmdline).contains(MAIN_CLASS),
        // Without /proc we cannot tell; trust the state file.
        Err(_) => !Path::new("/proc").is_dir() && alive(pid),
    }
}

/// Stops a detached server by pid and process group; waits until it is gone.
pub fn stop_detached(pid: u32) -> Result<()> {
    if !alive(pid) {
        return Ok(());
    }
    if !is_arcadedb(pid) {
        return Err(
            format!("pid {pid} is not the embedded server any more; not touching it").into(),
        );
    }
    signal("TERM", pid, true);
    let deadline = Instant::now() + STOP_TIMEOUT;
    while Instant::now() < deadline {
        if !alive(pid) {
            return Ok(());
        }
        thread::sleep(Duration::from_millis(50));
    }
    eprintln!("xtask: pid {pid} ignored SIGTERM; killing its process group");
    signal("KILL", pid, true);
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if !alive(pid) {
            return Ok(());
        }
        thread::sleep(Duration::from_millis(50));
    }
    Err(format!("pid {pid} is still alive after SIGKILL").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pin_is_exact() {
        let pin = pinned_version();
        let (name, version) = pin.split_once("==").expect("an exact pin");
        assert_eq!(name, "arcadedb-embedded");
        assert!(version.starts_with(|c: char| c.is_ascii_digit()));
    }

    #[test]
    fn java_args_bind_loopback_and_name_both_databases() {
        let args = java_args(Path::new("/j"), Path::new("/r"), 1000, 2000);
        assert_eq!(args.last().map(String::as_str), Some(MAIN_CLASS));
        for want in [
            "/j/*",
            "-Darcadedb.server.httpIncomingHost=127.0.0.1",
            "-Darcadedb.server.httpIncomingPort=1000",
            "-Darcadedb.bolt.host=127.0.0.1",
            "-Darcadedb.bolt.port=2000",
            "-Darcadedb.server.rootPath=/r",
            "-Darcadedb.server.databaseDirectory=/r/databases",
            "-Darcadedb.server.defaultDatabases=neo4j[root];otherdb[root]",
            "-Darcadedb.bolt.defaultDatabase=neo4j",
        ] {
            assert!(args.iter().any(|a| a == want), "missing {want} in {args:?}");
        }
    }

    #[test]
    fn proc_states() {
        assert_eq!(proc_state("12 (java) S 1 2 3"), Some('S'));
        assert_eq!(proc_state("12 (a) b) Z 1"), Some('Z'));
        assert_eq!(proc_state("garbage"), None);
    }

    #[test]
    fn this_process_is_alive_and_not_arcadedb() {
        let me = std::process::id();
        assert!(alive(me));
        assert!(!is_arcadedb(me));
    }
}
