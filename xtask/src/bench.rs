//! `cargo xtask bench [NAME...] [-- ARGS]`: the project's benchmarks, by name.
//!
//! A benchmark is an entry in [`BENCHES`]: a name, a line of help, and a function
//! that runs it. The driver comparison (issue 8) adds its own entry here.

use std::process::Command;

use crate::project::{self, Result};

/// One named benchmark.
pub struct Bench {
    /// What `cargo xtask bench NAME` calls it.
    pub name: &'static str,
    /// One line for `--help`.
    pub what: &'static str,
    /// Builds the command that runs it; `extra` goes to the benchmark binary.
    pub command: fn(extra: &[String]) -> Command,
}

/// Every benchmark, in the order `cargo xtask bench` runs them.
pub const BENCHES: &[Bench] = &[
    Bench {
        name: "packstream",
        what: "PackStream encode and decode throughput (crates/packstream/benches)",
        command: packstream,
    },
    Bench {
        name: "drivers",
        what: "Quiver against neo4rs and neo4j on the bench server, W1 to W9 (bench/)",
        command: drivers,
    },
];

/// The driver comparison lives outside the workspace (bench/), so its peers
/// are never built by `cargo xtask test`.
fn drivers(extra: &[String]) -> Command {
    let mut cmd = project::cargo();
    cmd.args(["run", "--release", "--manifest-path"])
        .arg(project::root().join("bench").join("Cargo.toml"));
    if !extra.is_empty() {
        cmd.arg("--").args(extra);
    }
    cmd
}

fn packstream(extra: &[String]) -> Command {
    let mut cmd = project::cargo();
    cmd.args(["bench", "-p", "quiver-packstream"]);
    if !extra.is_empty() {
        cmd.arg("--").args(extra);
    }
    cmd
}

/// Help for `cargo xtask bench`.
pub fn help() -> String {
    let mut out = String::from(
        "usage: cargo xtask bench [NAME...] [-- ARGS]\n\n\
         Runs the named benchmarks (all when none is named) in release mode; ARGS go to\n\
         the benchmark binaries.\n\nbenchmarks:\n",
    );
    for b in BENCHES {
        out.push_str(&format!("  {:<12} {}\n", b.name, b.what));
    }
    out
}

/// Runs benchmarks by name; `Ok(true)` when all succeeded.
pub fn run(names: &[String], extra: &[String]) -> Result<bool> {
    for name in names {
        if !BENCHES.iter().any(|b| b.name == name) {
            let known: Vec<_> = BENCHES.iter().map(|b| b.name).collect();
            return Err(format!("no benchmark {name:?}; benchmarks: {}", known.join(", ")).into());
        }
    }
    let mut ok = true;
    for bench in BENCHES
        .iter()
        .filter(|b| names.is_empty() || names.iter().any(|n| n == b.name))
    {
        eprintln!("==> bench {} ({})", bench.name, bench.what);
        ok &= project::run(&mut (bench.command)(extra))?;
    }
    Ok(ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_listed_in_help() {
        let help = help();
        for (i, b) in BENCHES.iter().enumerate() {
            assert!(help.contains(b.name));
            assert!(BENCHES[i + 1..].iter().all(|o| o.name != b.name));
        }
    }

    #[test]
    fn packstream_passes_extra_arguments_after_a_separator() {
        let cmd = packstream(&["--quick".into()]);
        let args: Vec<_> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(args, ["bench", "-p", "quiver-packstream", "--", "--quick"]);
    }

    #[test]
    fn unknown_names_are_refused() {
        assert!(run(&["nope".into()], &[]).is_err());
    }
}
