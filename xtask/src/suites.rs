//! `cargo xtask test`: every suite in order, a line per suite, one closing line.
//!
//! The suites share one build where they can: clippy, test and doc all run on the
//! dev/test profile with the same flags, so nothing is built twice in incompatible
//! ways (xtask never sets RUSTFLAGS).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::flags::TestArgs;
use crate::fuzz;
use crate::project::{self, Result};
use crate::server::TestServer;

/// Inputs per fuzz target in the `fuzz` suite, after the regression corpus
/// (`--fuzz-secs N` makes it an open-ended run of N seconds instead).
const TEST_FUZZ_RUNS: u64 = 1_000_000;
/// The `fuzz` suite's fixed libFuzzer seed.
const TEST_FUZZ_SEED: u64 = 1;

/// How a suite ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It ran and passed.
    Passed,
    /// It ran and failed (or could not run when it should have).
    Failed,
    /// It could not run here, for the reason given; counted apart.
    Skipped(String),
}

/// One named step of `cargo xtask test`.
pub struct Suite {
    /// What `--suite` calls it.
    pub name: &'static str,
    /// One line for `--help`.
    pub what: &'static str,
    run: fn(&TestArgs) -> Result<Verdict>,
}

/// Every suite, in the order `cargo xtask test` runs them: quick checks first.
pub const SUITES: &[Suite] = &[
    Suite {
        name: "fmt",
        what: "cargo fmt --all -- --check",
        run: fmt,
    },
    Suite {
        name: "clippy",
        what: "clippy on every target, warnings denied; again for quiver-neo4j with --features arrow",
        run: clippy,
    },
    Suite {
        name: "unit",
        what: "each crate's tests on all targets, stub-server suites included; quiver-neo4j's again with --features arrow",
        run: unit,
    },
    Suite {
        name: "doc",
        what: "doc tests (quiver-neo4j's with --features arrow)",
        run: doc,
    },
    Suite {
        name: "docs",
        what: "cargo doc --workspace --no-deps --features quiver-neo4j/arrow, rustdoc warnings denied",
        run: docs,
    },
    Suite {
        name: "polars",
        what: "quiver-neo4j with --features polars: clippy, the polars tests, the dataframe example built, the polars doc tests",
        run: polars,
    },
    Suite {
        name: "testkit",
        what: "cargo test -p testkit-backend",
        run: testkit,
    },
    Suite {
        name: "fuzz",
        what: "each cargo-fuzz target: the committed regression inputs, then 1,000,000 from a fixed seed (needs nightly; skipped without)",
        run: fuzz_suite,
    },
    Suite {
        name: "integration",
        what: "cargo test -p quiver-tests against a real Bolt server (below)",
        run: integration,
    },
    Suite {
        name: "soak",
        what: "cargo xtask soak for 60 s: random faults, no write lost, nothing leaked",
        run: soak_suite,
    },
];

fn cargo_ok(args: &[&str]) -> Result<Verdict> {
    let ok = project::run(project::cargo().args(args))?;
    Ok(if ok { Verdict::Passed } else { Verdict::Failed })
}

fn fmt(_: &TestArgs) -> Result<Verdict> {
    cargo_ok(&["fmt", "--all", "--", "--check"])
}

/// Runs each command in turn; passes when all pass (stops at the first failure).
fn cargo_all(commands: &[&[&str]]) -> Result<Verdict> {
    for args in commands {
        if cargo_ok(args)? == Verdict::Failed {
            return Ok(Verdict::Failed);
        }
    }
    Ok(Verdict::Passed)
}

fn clippy(_: &TestArgs) -> Result<Verdict> {
    // The default features, then the optional `arrow` feature (only
    // quiver-neo4j and the three arrow-rs crates are checked again).
    cargo_all(&[
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[
            "clippy",
            "-p",
            "quiver-neo4j",
            "--all-targets",
            "--features",
            "arrow",
            "--",
            "-D",
            "warnings",
        ],
    ])
}

fn unit(_: &TestArgs) -> Result<Verdict> {
    cargo_all(&[
        &[
            "test",
            "--workspace",
            "--all-targets",
            "--exclude",
            "quiver-tests",
            "--exclude",
            "testkit-backend",
        ],
        &[
            "test",
            "-p",
            "quiver-neo4j",
            "--all-targets",
            "--features",
            "arrow",
        ],
    ])
}

fn doc(_: &TestArgs) -> Result<Verdict> {
    cargo_all(&[
        &["test", "--workspace", "--doc"],
        &["test", "-p", "quiver-neo4j", "--doc", "--features", "arrow"],
    ])
}

fn docs(_: &TestArgs) -> Result<Verdict> {
    let flags = match std::env::var("RUSTDOCFLAGS") {
        Ok(f) if !f.trim().is_empty() => format!("{f} -D warnings"),
        _ => "-D warnings".to_string(),
    };
    let ok = project::run(
        project::cargo()
            .args([
                "doc",
                "--workspace",
                "--no-deps",
                "--features",
                "quiver-neo4j/arrow",
            ])
            .env("RUSTDOCFLAGS", flags),
    )?;
    Ok(if ok { Verdict::Passed } else { Verdict::Failed })
}

fn polars(_: &TestArgs) -> Result<Verdict> {
    // Polars is by far the largest build: its own suite (about 17 min from a
    // cold cache on 2 cores, see README.md), in the default run since that
    // stays under 45 minutes cold.
    cargo_all(&[
        &[
            "clippy",
            "-p",
            "quiver-neo4j",
            "--all-targets",
            "--features",
            "polars",
            "--",
            "-D",
            "warnings",
        ],
        &[
            "test",
            "-p",
            "quiver-neo4j",
            "--features",
            "polars",
            "--test",
            "polars",
            "--example",
            "dataframe",
        ],
        &[
            "test",
            "-p",
            "quiver-neo4j",
            "--features",
            "polars",
            "--doc",
            "polars",
        ],
    ])
}

fn testkit(_: &TestArgs) -> Result<Verdict> {
    cargo_ok(&["test", "-p", "testkit-backend"])
}

fn fuzz_suite(args: &TestArgs) -> Result<Verdict> {
    if let Some(why) = fuzz::unavailable() {
        return Ok(Verdict::Skipped(why));
    }
    // Deterministic unless asked otherwise: a random 20 s run could turn a test
    // run red on work that never touched the codec.
    let budget = match args.fuzz_secs {
        Some(secs) => fuzz::Budget::Seconds(secs),
        None => fuzz::Budget::Replay {
            runs: TEST_FUZZ_RUNS,
            seed: TEST_FUZZ_SEED,
        },
    };
    Ok(if fuzz::run(&[], budget)? {
        Verdict::Passed
    } else {
        Verdict::Failed
    })
}

fn integration(args: &TestArgs) -> Result<Verdict> {
    // Started before the tests, stopped when `server` drops: after the tests, whether
    // they pass, fail or cannot even build.
    let server = TestServer::start(&args.neo4j)?;
    let endpoint = server.endpoint();
    let mut cmd = project::cargo();
    cmd.args(["test", "-p", "quiver-tests"]);
    for var in ["QUIVER_EMBEDDED", "QUIVER_SERVER_LOG"] {
        cmd.env_remove(var);
    }
    for (key, value) in endpoint.env() {
        cmd.env(key, value);
    }
    let ok = project::run(&mut cmd)?;
    if !ok {
        server.show_log();
    }
    drop(server);
    Ok(if ok { Verdict::Passed } else { Verdict::Failed })
}

fn soak_suite(args: &TestArgs) -> Result<Verdict> {
    let ok = crate::soak::soak(crate::soak::DEFAULT_SECS, None, &args.neo4j)?;
    Ok(if ok { Verdict::Passed } else { Verdict::Failed })
}

/// Help for `cargo xtask test`.
pub fn help() -> String {
    let mut out = String::from(
        "usage: cargo xtask test [--suite NAME[,NAME...]] [--neo4j auto|embedded|docker[:TAG]]\n\
         \x20                       [--fuzz-secs N]\n\n\
         Runs every suite (or the named ones) in this order and ends with\n\
         `xtask: N passed, M failed`; exits non-zero if any failed.\n\nsuites:\n",
    );
    for s in SUITES {
        out.push_str(&format!("  {:<12} {}\n", s.name, s.what));
    }
    out.push_str(
        "\n`unit` leaves out quiver-tests and testkit-backend, which have suites of their own.\n\
         \nThe integration suite runs against NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD when\n\
         NEO4J_URI is set; otherwise xtask starts the embedded server (ArcadeDB's Bolt\n\
         server, installed from PyPI into target/quiver-server on first use) and stops it\n\
         afterwards. --neo4j embedded forces the embedded server; --neo4j docker[:TAG]\n\
         runs the official neo4j image (tag 5 by default) where a Docker engine runs.\n\
         Tests see NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, QUIVER_SERVER_KIND\n\
         (arcadedb, neo4j or external) and, for the embedded server, QUIVER_EMBEDDED=1\n\
         and QUIVER_SERVER_LOG.\n",
    );
    out
}

/// The names `--suite` accepts.
pub fn names() -> Vec<&'static str> {
    SUITES.iter().map(|s| s.name).collect()
}

/// Picks the suites to run, in their fixed order.
pub fn select(wanted: &[String]) -> Result<Vec<&'static Suite>, String> {
    if let Some(unknown) = wanted.iter().find(|w| !names().contains(&w.as_str())) {
        return Err(format!(
            "unknown suite {unknown:?}; suites: {}",
            names().join(", ")
        ));
    }
    Ok(SUITES
        .iter()
        .filter(|s| wanted.is_empty() || wanted.iter().any(|w| w == s.name))
        .collect())
}

/// `cargo xtask test`.
pub fn test(args: &TestArgs) -> ExitCode {
    if args.help {
        print!("{}", help());
        return ExitCode::SUCCESS;
    }
    let suites = match select(&args.suites) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("xtask: {e}");
            return ExitCode::from(2);
        }
    };
    let mut results: Vec<(&str, Verdict, Duration)> = Vec::new();
    for suite in suites {
        eprintln!("==> {} ({})", suite.name, suite.what);
        let started = Instant::now();
        let verdict = match (suite.run)(args) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("xtask: suite {}: {e}", suite.name);
                Verdict::Failed
            }
        };
        let took = started.elapsed();
        eprintln!("{}", summary_line(suite.name, &verdict, took));
        results.push((suite.name, verdict, took));
    }
    eprintln!();
    for (name, verdict, took) in &results {
        eprintln!("{}", summary_line(name, verdict, *took));
    }
    let (passed, failed, skipped) = count(&results);
    println!("{}", closing_line(passed, failed, skipped));
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn summary_line(name: &str, verdict: &Verdict, took: Duration) -> String {
    let (word, why) = match verdict {
        Verdict::Passed => ("ok", String::new()),
        Verdict::Failed => ("FAILED", String::new()),
        Verdict::Skipped(why) => ("skipped", format!("  ({why})")),
    };
    format!(
        "suite {name:<12} {word:<8} {:>7.1}s{why}",
        took.as_secs_f64()
    )
}

fn count(results: &[(&str, Verdict, Duration)]) -> (usize, usize, usize) {
    let mut counts = (0, 0, 0);
    for (_, verdict, _) in results {
        match verdict {
            Verdict::Passed => counts.0 += 1,
            Verdict::Failed => counts.1 += 1,
            Verdict::Skipped(_) => counts.2 += 1,
        }
    }
    counts
}

/// `xtask: N passed, M failed` (CI reads this line), `, K skipped` when some were.
fn closing_line(passed: usize, failed: usize, skipped: usize) -> String {
    let mut line = format!("xtask: {passed} passed, {failed} failed");
    if skipped > 0 {
        line.push_str(&format!(", {skipped} skipped"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suites_run_in_the_documented_order() {
        assert_eq!(
            names(),
            [
                "fmt",
                "clippy",
                "unit",
                "doc",
                "docs",
                "polars",
                "testkit",
                "fuzz",
                "integration",
                "soak"
            ]
        );
    }

    #[test]
    fn select_keeps_the_fixed_order_and_refuses_unknown_names() {
        let picked: Vec<_> = select(&["integration".into(), "fmt".into()])
            .expect("known")
            .iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(picked, ["fmt", "integration"]);
        assert_eq!(select(&[]).expect("all").len(), SUITES.len());
        assert!(select(&["stubs".into()]).is_err());
    }

    #[test]
    fn closing_line_shape() {
        assert_eq!(closing_line(8, 0, 0), "xtask: 8 passed, 0 failed");
        assert_eq!(
            closing_line(6, 1, 1),
            "xtask: 6 passed, 1 failed, 1 skipped"
        );
    }

    #[test]
    fn counts_and_summary_lines() {
        let results = [
            ("a", Verdict::Passed, Duration::from_millis(1500)),
            ("b", Verdict::Failed, Duration::ZERO),
            ("c", Verdict::Skipped("no nightly".into()), Duration::ZERO),
        ];
        assert_eq!(count(&results), (1, 1, 1));
        assert_eq!(
            summary_line("a", &results[0].1, results[0].2),
            "suite a            ok           1.5s"
        );
        assert!(summary_line("c", &results[2].1, results[2].2).ends_with("(no nightly)"));
    }

    #[test]
    fn help_names_every_suite() {
        let help = help();
        for name in names() {
            assert!(help.contains(name));
        }
    }
}
