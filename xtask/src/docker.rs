//! `--neo4j docker[:TAG]`: the official `neo4j` image, where a Docker engine runs.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::probe;
use crate::project::{self, Result};
use crate::server::{Endpoint, TEST_PASSWORD};

/// Neo4j in a container takes 10 to 30 s to open Bolt (plus the image pull).
const READY_TIMEOUT: Duration = Duration::from_secs(180);

/// A running `neo4j` container; stopped (and so removed) on drop.
#[derive(Debug)]
pub struct Container {
    id: String,
    /// Where to reach it.
    pub endpoint: Endpoint,
}

fn docker() -> Command {
    let mut cmd = Command::new("docker");
    cmd.stdin(Stdio::null());
    cmd
}

/// Runs docker and returns its trimmed stdout, or an error with its stderr.
fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", project::display(cmd)))?;
    if !out.status.success() {
        return Err(format!(
            "{} failed: {}",
            project::display(cmd),
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Why Docker cannot be used here, if it cannot.
fn unavailable() -> Option<String> {
    match docker()
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output()
    {
        Err(e) => Some(format!("the docker command is not available ({e})")),
        Ok(out) if !out.status.success() => Some(format!(
            "no Docker engine answers ({})",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("docker info failed")
                .trim()
        )),
        Ok(_) => None,
    }
}

/// The host port Docker published for the container's 7687 (`docker port` prints
/// one `HOST:PORT` per line).
fn parse_port(text: &str) -> Option<SocketAddr> {
    text.lines().find_map(|l| l.trim().parse().ok())
}

impl Container {
    /// Starts `neo4j:TAG` with `NEO4J_AUTH` set and waits until Bolt answers.
    pub fn start(tag: &str) -> Result<Container> {
        if let Some(why) = unavailable() {
            return Err(format!(
                "--neo4j docker:{tag} needs a running Docker engine, and {why}. Use the \
                 embedded server (the default), or point NEO4J_URI, NEO4J_USER and \
                 NEO4J_PASSWORD at a Neo4j server you have."
            )
            .into());
        }
        let image = format!("neo4j:{tag}");
        eprintln!("xtask: starting {image} with Docker");
        let started = Instant::now();
        let id = output(docker().args([
            "run",
            "--detach",
            "--rm",
            "--env",
            &format!("NEO4J_AUTH=neo4j/{TEST_PASSWORD}"),
            "--publish",
            "127.0.0.1::7687",
            &image,
        ]))?;
        let mut container = Container {
            id,
            endpoint: Endpoint {
                uri: String::new(),
                user: "neo4j".into(),
                password: TEST_PASSWORD.into(),
                kind: "neo4j".into(),
                embedded: false,
                log: None,
            },
        };
        let port = output(docker().args(["port", &container.id, "7687/tcp"]))?;
        let addr = parse_port(&port)
            .ok_or_else(|| format!("cannot read the published Bolt port from {port:?}"))?;
        container.endpoint.uri = format!("bolt://{addr}");
        loop {
            if let Ok(Some((major, minor))) = probe::bolt_handshake(addr) {
                eprintln!(
                    "xtask: {image} ready in {:.1}s at {} (Bolt {major}.{minor})",
                    started.elapsed().as_secs_f64(),
                    container.endpoint.uri
                );
                return Ok(container);
            }
            if started.elapsed() > READY_TIMEOUT {
                container.show_log();
                return Err(format!(
                    "{image} did not answer a Bolt handshake on {addr} within {}s",
                    READY_TIMEOUT.as_secs()
                )
                .into());
            }
            thread::sleep(Duration::from_millis(500));
        }
    }

    /// Prints the end of the container's log.
    pub fn show_log(&self) {
        let _ = project::run(docker().args(["logs", "--tail", "40", &self.id]));
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        eprintln!("xtask: stopping container {}", self.id);
        let _ = docker()
            .args(["stop", "--time", "10", &self.id])
            .stdout(Stdio::null())
            .status();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_ports() {
        assert_eq!(
            parse_port("127.0.0.1:49153\n"),
            Some("127.0.0.1:49153".parse().expect("addr"))
        );
        assert_eq!(
            parse_port("[::1]:5\n127.0.0.1:6"),
            Some("[::1]:5".parse().expect("addr"))
        );
        assert_eq!(parse_port("nothing"), None);
    }
}
