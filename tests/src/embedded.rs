//! Starting and stopping the embedded server from a program (the quickstart)
//! through `cargo xtask server start|stop`.
//!
//! xtask installs the server on first use, starts it, waits until it is
//! ready and prints `KEY=VALUE` lines (`NEO4J_URI=...`); it explains any
//! failure on stderr, which is passed through. A server that was already
//! running is reused (`QUIVER_SERVER_REUSED=1`) and left running.

use std::collections::BTreeMap;
use std::env;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The embedded server as `cargo xtask server start` reported it. Dropping it
/// stops the server, unless it was running before.
#[derive(Debug)]
pub struct Embedded {
    /// `bolt://127.0.0.1:PORT`.
    pub uri: String,
    /// The user (`root`).
    pub user: String,
    /// Its password.
    pub password: String,
    /// Someone else started it: leave it running.
    pub reused: bool,
    /// The server's log file.
    pub log: Option<PathBuf>,
    cargo: OsString,
    root: PathBuf,
    stopped: bool,
}

/// Why the embedded server could not be started.
#[derive(Debug)]
pub struct StartError(String);

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

/// The workspace root (where `cargo xtask` works).
fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

/// The cargo that runs us (`CARGO`, set by `cargo run`), else `cargo`.
fn cargo() -> OsString {
    env::var_os("CARGO")
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "cargo".into())
}

/// Runs `cargo xtask server start` and reads where the server is.
pub fn start() -> Result<Embedded, StartError> {
    let cargo = cargo();
    let root = workspace_root();
    let output = Command::new(&cargo)
        .args(["xtask", "server", "start"])
        .current_dir(&root)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| {
            StartError(format!(
                "cannot run `{} xtask server start` in {}: {e}",
                cargo.to_string_lossy(),
                root.display()
            ))
        })?;
    if !output.status.success() {
        return Err(StartError(format!(
            "`cargo xtask server start` failed ({}); its messages are above",
            output.status
        )));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let vars: BTreeMap<&str, &str> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    let get = |key: &str| -> Result<String, StartError> {
        vars.get(key).map(|v| (*v).to_owned()).ok_or_else(|| {
            StartError(format!(
                "`cargo xtask server start` did not print {key}; it printed:\n{text}"
            ))
        })
    };
    let mut server = Embedded {
        uri: String::new(),
        user: String::new(),
        password: String::new(),
        reused: vars.get("QUIVER_SERVER_REUSED") == Some(&"1"),
        log: vars.get("QUIVER_SERVER_LOG").map(PathBuf::from),
        cargo,
        root,
        stopped: false,
    };
    // From here on, dropping `server` stops what we started.
    server.uri = get("NEO4J_URI")?;
    server.user = get("NEO4J_USER")?;
    server.password = get("NEO4J_PASSWORD")?;
    Ok(server)
}

impl Embedded {
    /// Stops the server unless it was running before [`start`]; reports a
    /// failure to stop it.
    pub fn stop(mut self) -> Result<(), StartError> {
        self.stop_now()
    }

    fn stop_now(&mut self) -> Result<(), StartError> {
        if self.reused || self.stopped {
            return Ok(());
        }
        self.stopped = true;
        let status = Command::new(&self.cargo)
            .args(["xtask", "server", "stop"])
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .status()
            .map_err(|e| StartError(format!("cannot run `cargo xtask server stop`: {e}")))?;
        if status.success() {
            Ok(())
        } else {
            Err(StartError(format!(
                "`cargo xtask server stop` failed ({status}); stop it by hand"
            )))
        }
    }
}

impl Drop for Embedded {
    fn drop(&mut self) {
        if let Err(e) = self.stop_now() {
            let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("{e}\n").as_bytes());
        }
    }
}
