//! `cargo xtask fuzz`: each cargo-fuzz target under `fuzz/` for a bounded time.
//!
//! Needs a nightly toolchain (libFuzzer's sanitizer flags) and cargo-fuzz; cargo-fuzz
//! is installed into `target/tools` on first use (about 45 s on 2 cores).

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::project::{self, Result};

/// The cargo-fuzz release xtask installs when none is on `PATH`.
const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// Seconds per target when `--secs` is not given.
pub const DEFAULT_SECS: u64 = 60;

/// `fuzz/`.
pub fn fuzz_dir() -> PathBuf {
    project::root().join("fuzz")
}

/// The fuzz targets: the `[[bin]]` names in `fuzz/Cargo.toml`.
pub fn targets() -> Result<Vec<String>> {
    let manifest = fuzz_dir().join("Cargo.toml");
    let text = fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    Ok(bin_names(&text))
}

/// The `name` of every `[[bin]]` table of a Cargo manifest.
pub fn bin_names(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_bin = false;
    for line in manifest.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
            continue;
        }
        if !in_bin {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            if key.trim() == "name" {
                let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
                if !value.is_empty() {
                    names.push(value.to_string());
                }
            }
        }
    }
    names
}

/// Why fuzzing cannot run here, if it cannot (a reason to skip, not a failure).
pub fn unavailable() -> Option<String> {
    if !fuzz_dir().join("Cargo.toml").is_file() {
        return Some("there is no fuzz/Cargo.toml yet".into());
    }
    if !project::answers(project::cargo_toolchain("nightly").arg("--version")) {
        return Some(
            "no nightly toolchain (cargo-fuzz needs one: `rustup toolchain install nightly`)"
                .into(),
        );
    }
    None
}

fn tools_dir() -> PathBuf {
    project::target_dir().join("tools")
}

/// A `cargo +nightly fuzz` command, installing cargo-fuzz first if it is missing.
fn cargo_fuzz() -> Result<Command> {
    let tools_bin = tools_dir().join("bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.insert(0, tools_bin.clone());
    let path = std::env::join_paths(dirs)?;
    let command = || {
        let mut cmd = project::cargo_toolchain("nightly");
        cmd.env("PATH", &path).arg("fuzz");
        cmd
    };
    if project::answers(command().arg("--version")) {
        return Ok(command());
    }
    eprintln!(
        "xtask: installing cargo-fuzz {CARGO_FUZZ_VERSION} into {}",
        tools_dir().display()
    );
    let started = Instant::now();
    let mut install = project::cargo();
    install
        .args([
            "install",
            "cargo-fuzz",
            "--locked",
            "--version",
            CARGO_FUZZ_VERSION,
        ])
        .arg("--root")
        .arg(tools_dir())
        .arg("--target-dir")
        .arg(tools_dir().join("build"));
    if !project::run(&mut install)? {
        return Err("cargo install cargo-fuzz failed".into());
    }
    eprintln!(
        "xtask: installed cargo-fuzz in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    Ok(command())
}

/// What one target's run found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Inputs executed (libFuzzer's own count).
    pub executions: Option<u64>,
    /// Inputs that crashed (or leaked, timed out, ran out of memory) and were saved.
    pub crashes: u64,
    /// Where the first one was saved.
    pub artifact: Option<String>,
    /// Whether the run itself succeeded (built and ended without a finding).
    pub ok: bool,
}

/// How long each target runs, and on what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// Open-ended: a random seed for this many seconds, growing `fuzz/corpus/<target>`
    /// from it and from the committed regression inputs.
    Seconds(u64),
    /// Deterministic, as CI runs it: the committed regression inputs
    /// (`fuzz/regressions/<target>`), then this many inputs from a fixed seed,
    /// in a scratch corpus that is thrown away. The same tree gives the same run.
    Replay {
        /// Inputs to run after the regression corpus.
        runs: u64,
        /// libFuzzer's `-seed`.
        seed: u64,
    },
}

/// `fuzz/regressions/<target>`: inputs fuzzing once found, committed, replayed by
/// every run (and by `quiver-packstream`'s `fuzz_regressions` test on stable).
pub fn regressions_dir(target: &str) -> PathBuf {
    fuzz_dir().join("regressions").join(target)
}

/// The corpus directories and libFuzzer flags for one target's run.
fn run_args(target: &str, budget: Budget) -> Result<Vec<String>> {
    let regressions = regressions_dir(target);
    fs::create_dir_all(&regressions)?;
    let (corpus, flags) = match budget {
        Budget::Seconds(secs) => (
            fuzz_dir().join("corpus").join(target),
            vec![format!("-max_total_time={secs}")],
        ),
        Budget::Replay { runs, seed } => {
            // libFuzzer writes what it finds into the first directory: a scratch
            // one, emptied first, so the run depends on the committed tree only.
            let scratch = project::target_dir().join("fuzz-replay").join(target);
            let _ = fs::remove_dir_all(&scratch);
            (
                scratch,
                vec![format!("-runs={runs}"), format!("-seed={seed}")],
            )
        }
    };
    fs::create_dir_all(&corpus)?;
    let mut args = vec![
        "run".to_string(),
        target.to_string(),
        corpus.display().to_string(),
        regressions.display().to_string(),
        "--".to_string(),
    ];
    args.extend(flags);
    args.push("-print_final_stats=1".into());
    Ok(args)
}

/// Runs every named target (all of them when `names` is empty) within `budget` and
/// prints a line per target; `Ok(true)` when nothing was found and all ran.
pub fn run(names: &[String], budget: Budget) -> Result<bool> {
    if let Some(why) = unavailable() {
        return Err(format!("cannot fuzz: {why}").into());
    }
    let all = targets()?;
    if all.is_empty() {
        return Err("fuzz/Cargo.toml names no [[bin]] targets".into());
    }
    for name in names {
        if !all.contains(name) {
            return Err(format!("no fuzz target {name:?}; targets: {}", all.join(", ")).into());
        }
    }
    let chosen: Vec<&String> = if names.is_empty() {
        all.iter().collect()
    } else {
        names.iter().collect()
    };
    let mut results = Vec::new();
    for target in chosen {
        let mut cmd = cargo_fuzz()?;
        cmd.args(run_args(target, budget)?);
        results.push((target, run_one(&mut cmd)?));
    }
    eprintln!();
    let mut ok = true;
    for (target, outcome) in &results {
        ok &= outcome.ok && outcome.crashes == 0;
        let executions = outcome
            .executions
            .map_or_else(|| "?".to_string(), |n| n.to_string());
        eprintln!(
            "fuzz {target:<24} {:<6} executions: {executions:>10}, crashes: {}{}",
            if outcome.ok && outcome.crashes == 0 {
                "ok"
            } else {
                "FAILED"
            },
            outcome.crashes,
            outcome
                .artifact
                .as_ref()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default()
        );
    }
    Ok(ok)
}

/// Runs one `cargo fuzz run`, echoing libFuzzer's output and reading its figures.
fn run_one(cmd: &mut Command) -> Result<Outcome> {
    eprintln!("$ {}", project::display(cmd));
    let mut child = cmd
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
    let mut outcome = Outcome::default();
    if let Some(stderr) = child.stderr.take() {
        let mut echo = std::io::stderr();
        for line in BufReader::new(stderr).lines() {
            let line = line?;
            let _ = writeln!(echo, "{line}");
            read_line(&line, &mut outcome);
        }
    }
    outcome.ok = child.wait()?.success();
    Ok(outcome)
}

/// Takes what a libFuzzer output line says into `outcome`.
fn read_line(line: &str, outcome: &mut Outcome) {
    let line = line.trim();
    if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
        outcome.executions = n.trim().parse().ok();
    } else if let Some(rest) = line.strip_prefix("Done ") {
        // "Done 123456 runs in 10 second(s)"
        if let Some(n) = rest.split_whitespace().next().and_then(|n| n.parse().ok()) {
            outcome.executions.get_or_insert(n);
        }
    } else if let Some((_, path)) = line.split_once("Test unit written to ") {
        outcome.crashes += 1;
        outcome
            .artifact
            .get_or_insert_with(|| path.trim().to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bin_names_of_a_cargo_fuzz_manifest() {
        let manifest = r#"
[package]
name = "quiver-fuzz"   # not a target

[dependencies]
libfuzzer-sys = "0.4"

[[bin]]
name = "packstream_decode"
path = "fuzz_targets/packstream_decode.rs"
test = false

[[bin]]
path = "fuzz_targets/packstream_roundtrip.rs"
name='packstream_roundtrip'

[workspace]
members = ["."]
"#;
        assert_eq!(
            bin_names(manifest),
            ["packstream_decode", "packstream_roundtrip"]
        );
        assert!(bin_names("[package]\nname = \"x\"\n").is_empty());
    }

    #[test]
    fn libfuzzer_figures() {
        let mut outcome = Outcome::default();
        for line in [
            "#1024\tpulse  cov: 312 ft: 500 corp: 40/1Kb exec/s: 512 rss: 40Mb",
            "Done 98765 runs in 11 second(s)",
            "stat::number_of_executed_units: 98766",
        ] {
            read_line(line, &mut outcome);
        }
        assert_eq!(outcome.executions, Some(98766));
        assert_eq!(outcome.crashes, 0);

        let mut crashed = Outcome::default();
        read_line(
            "artifact_prefix='/w/fuzz/artifacts/x/'; Test unit written to /w/fuzz/artifacts/x/crash-ab12",
            &mut crashed,
        );
        assert_eq!(crashed.crashes, 1);
        assert_eq!(
            crashed.artifact.as_deref(),
            Some("/w/fuzz/artifacts/x/crash-ab12")
        );
    }
}
