//! `cargo xtask soak [--secs N] [--seed S] [--neo4j ...]`: the fault soak.
//!
//! Starts the server (`NEO4J_URI` when set, else the embedded one, as
//! `cargo xtask test` does), then runs the ignored `soak` test of
//! `crates/quiver/tests/faults_soak.rs` in release mode: 16 tasks doing
//! random reads, writes and transactions through the fault proxy with random
//! faults for N seconds, checking that every write reported committed is in
//! the database, none reported failed is, and nothing leaked. The test
//! prints its figures (operations, faults, retries, losses).

use std::process::ExitCode;

use crate::flags::{Neo4jChoice, SoakArgs};
use crate::project::{self, Result};
use crate::server::TestServer;

/// Seconds when `--secs` is not given.
pub const DEFAULT_SECS: u64 = 60;

/// The `cargo test` arguments that run the soak.
pub fn test_args() -> Vec<&'static str> {
    vec![
        "test",
        "--release",
        "-p",
        "quiver-neo4j",
        "--test",
        "faults_soak",
        "--",
        "--ignored",
        "--nocapture",
    ]
}

/// Runs the soak; the exit code says whether it held.
pub fn run(args: &SoakArgs) -> Result<ExitCode> {
    let secs = args.secs.unwrap_or(DEFAULT_SECS);
    Ok(if soak(secs, args.seed, &args.neo4j)? {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Soaks for `secs` seconds against the chosen server; `Ok(true)` when it held.
/// The `soak` suite of `cargo xtask test` calls this too.
pub fn soak(secs: u64, seed: Option<u64>, neo4j: &Neo4jChoice) -> Result<bool> {
    // Stopped when it drops: after the soak, whatever its outcome.
    let server = TestServer::start(neo4j)?;
    let mut cmd = project::cargo();
    cmd.args(test_args());
    for var in ["QUIVER_EMBEDDED", "QUIVER_SERVER_LOG"] {
        cmd.env_remove(var);
    }
    for (key, value) in server.endpoint().env() {
        cmd.env(key, value);
    }
    cmd.env("QUIVER_SOAK_SECS", secs.to_string());
    if let Some(seed) = seed {
        cmd.env("QUIVER_SOAK_SEED", seed.to_string());
    }
    eprintln!("xtask: soak for {secs} s");
    let ok = project::run(&mut cmd)?;
    if !ok {
        server.show_log();
    }
    drop(server);
    Ok(ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_the_ignored_soak_test_in_release() {
        let args = test_args();
        assert!(args.contains(&"--release"));
        assert!(args.contains(&"faults_soak"));
        assert!(args.contains(&"--ignored"));
    }
}
