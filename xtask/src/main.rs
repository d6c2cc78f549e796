//! `cargo xtask`: the project's task runner (std only).
//!
//! - `cargo xtask test [--suite NAME]`: every suite, see `suites.rs`;
//! - `cargo xtask server start|stop|status`: the embedded Bolt server, see `server.rs`;
//! - `cargo xtask fuzz [--secs N] [TARGET...]`: cargo-fuzz targets, see `fuzz.rs`;
//! - `cargo xtask bench [NAME...]`: benchmarks, see `bench.rs`;
//! - `cargo xtask soak [--secs N]`: the fault soak, see `soak.rs`;
//! - `cargo xtask testkit-backend [--host H] [--port P]`: build and start the testkit backend.

mod arcadedb;
mod bench;
mod docker;
mod flags;
mod fuzz;
mod probe;
mod project;
mod server;
mod soak;
mod suites;

use std::process::ExitCode;

use flags::Command;

const HELP: &str = "
usage: cargo xtask COMMAND

commands:
  test [--suite NAME] [--neo4j auto|embedded|docker[:TAG]] [--fuzz-secs N]
                          run every test suite (or one); `cargo xtask test --help`
  server start|stop|status
                          the embedded Bolt test server (ArcadeDB from PyPI)
  fuzz [--secs N] [TARGET...]
                          run the cargo-fuzz targets under fuzz/ (default 60 s each)
  bench [NAME...] [-- ARGS]
                          run benchmarks (`cargo xtask bench --help` lists them)
  soak [--secs N] [--seed S] [--neo4j ...]
                          16 tasks of random work through a fault proxy (default 60 s)
  testkit-backend [--host H] [--port P]
                          build and start the testkit backend (default 127.0.0.1:9876)
  help                    this text";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match flags::parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("xtask: {e}");
            eprintln!("{}", HELP.trim_start());
            return ExitCode::from(2);
        }
    };
    let result = match command {
        Command::Help => {
            println!("{}", HELP.trim_start());
            Ok(ExitCode::SUCCESS)
        }
        Command::Test(args) => Ok(suites::test(&args)),
        Command::Server(action) => server::command(action),
        Command::Fuzz(args) if args.help => {
            println!(
                "usage: cargo xtask fuzz [--secs N] [TARGET...]\n\n\
                 Runs each cargo-fuzz target of fuzz/ (or the named ones) for N seconds \
                 (default {}),\nwith `cargo +nightly fuzz run TARGET -- -max_total_time=N`, \
                 and prints executions and\ncrashes per target. Installs cargo-fuzz into \
                 target/tools when it is missing.",
                fuzz::DEFAULT_SECS
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Fuzz(args) => fuzz::run(
            &args.targets,
            fuzz::Budget::Seconds(args.secs.unwrap_or(fuzz::DEFAULT_SECS)),
        )
        .map(exit_code),
        Command::Bench(args) if args.help => {
            print!("{}", bench::help());
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(args) => bench::run(&args.names, &args.extra).map(exit_code),
        Command::Soak(args) if args.help => {
            println!(
                "usage: cargo xtask soak [--secs N] [--seed S] [--neo4j auto|embedded|docker[:TAG]]\n\n\
                 Runs 16 tasks of random reads, writes and transactions through a fault proxy \
                 with\nrandom faults for N seconds (default {}) against NEO4J_URI or the embedded \
                 server,\nthen checks every write reported committed is there, none reported \
                 failed is,\nand nothing leaked (crates/quiver/tests/faults_soak.rs).",
                soak::DEFAULT_SECS
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Soak(args) => soak::run(&args),
        Command::TestkitBackend(args) => testkit_backend(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the backend in release mode and runs it in the foreground until it is stopped.
fn testkit_backend(args: &[String]) -> project::Result<ExitCode> {
    let status = project::cargo()
        .args(["run", "--release", "-p", "testkit-backend", "--"])
        .args(args)
        .status()?;
    Ok(exit_code(status.success()))
}

fn exit_code(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
