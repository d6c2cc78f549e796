//! `cargo xtask`: the project's task runner.
//!
//! `cargo xtask test` runs every suite; `cargo xtask test --suite NAME` runs one.

use std::process::{Command, ExitCode};
use std::time::Instant;

/// One named step of `cargo xtask test`.
struct Suite {
    name: &'static str,
    what: &'static str,
    args: &'static [&'static str],
}

const SUITES: &[Suite] = &[
    Suite {
        name: "fmt",
        what: "rustfmt check",
        args: &["fmt", "--all", "--", "--check"],
    },
    Suite {
        name: "clippy",
        what: "clippy, warnings denied",
        args: &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
    },
    Suite {
        name: "unit",
        what: "unit and stub-server tests",
        args: &["test", "--workspace", "--all-targets"],
    },
    Suite {
        name: "doc",
        what: "doc tests",
        args: &["test", "--workspace", "--doc"],
    },
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask test [--suite NAME]");
            eprintln!("suites: {}", suite_names().join(", "));
            ExitCode::from(2)
        }
    }
}

fn suite_names() -> Vec<&'static str> {
    SUITES.iter().map(|s| s.name).collect()
}

fn test(args: &[String]) -> ExitCode {
    let only = match args {
        [] => None,
        [flag, name] if flag == "--suite" => {
            if !suite_names().contains(&name.as_str()) {
                eprintln!("unknown suite {name:?}; suites: {}", suite_names().join(", "));
                return ExitCode::from(2);
            }
            Some(name.as_str())
        }
        _ => {
            eprintln!("usage: cargo xtask test [--suite NAME]");
            return ExitCode::from(2);
        }
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut results = Vec::new();
    for suite in SUITES.iter().filter(|s| only.is_none_or(|o| o == s.name)) {
        eprintln!("==> {} ({})", suite.name, suite.what);
        let started = Instant::now();
        let ok = Command::new(&cargo)
            .args(suite.args)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        results.push((suite.name, ok, started.elapsed()));
    }
    eprintln!();
    let mut failed = 0;
    for (name, ok, took) in &results {
        if !ok {
            failed += 1;
        }
        let verdict = if *ok { "ok" } else { "FAILED" };
        eprintln!("suite {name:<10} {verdict:<6} {:>7.1}s", took.as_secs_f64());
    }
    println!("xtask: {} passed, {} failed", results.len() - failed, failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
