//! The command line: `cargo xtask COMMAND [FLAGS]`, parsed into plain data.
//!
//! Parsing is pure (no environment, no IO) so it is tested below.

use std::fmt;

/// One invocation of `cargo xtask`.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// `cargo xtask help`, `--help` or no command at all.
    Help,
    /// `cargo xtask test`: run suites.
    Test(TestArgs),
    /// `cargo xtask server start|stop|status`.
    Server(ServerAction),
    /// `cargo xtask fuzz [--secs N] [TARGET...]`.
    Fuzz(FuzzArgs),
    /// `cargo xtask bench [NAME...] [-- ARGS]`.
    Bench(BenchArgs),
    /// `cargo xtask soak [--secs N] [--seed S] [--neo4j ...]`.
    Soak(SoakArgs),
    /// `cargo xtask testkit-backend [ARGS]`: build and start the testkit backend;
    /// the arguments (`--host`, `--port`) go to the backend.
    TestkitBackend(Vec<String>),
}

/// Flags of `cargo xtask test`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TestArgs {
    /// Suites named with `--suite` (empty: all of them).
    pub suites: Vec<String>,
    /// Which server the integration suite runs against.
    pub neo4j: Neo4jChoice,
    /// Seconds per fuzz target in the `fuzz` suite (`--fuzz-secs`).
    pub fuzz_secs: Option<u64>,
    /// `--help`: print the suites instead of running them.
    pub help: bool,
}

/// Which Bolt server the integration suite uses (`--neo4j`).
#[derive(Debug, Default, PartialEq, Eq, Clone)]
pub enum Neo4jChoice {
    /// `NEO4J_URI` when it is set, the embedded server otherwise.
    #[default]
    Auto,
    /// `--neo4j embedded`: the embedded server even when `NEO4J_URI` is set.
    Embedded,
    /// `--neo4j docker[:TAG]`: the official `neo4j` image.
    Docker { tag: String },
}

/// The default tag of `--neo4j docker`.
pub const DEFAULT_DOCKER_TAG: &str = "5";

/// `cargo xtask server ACTION`.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum ServerAction {
    /// Install on first use, start, wait until ready, print the environment.
    Start,
    /// Stop the server `start` left running.
    Stop,
    /// Say whether it runs, and where.
    Status,
    /// `cargo xtask server --help`.
    Help,
}

/// Flags of `cargo xtask fuzz`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FuzzArgs {
    /// Seconds per target (`--secs`).
    pub secs: Option<u64>,
    /// Targets to run (empty: every target in `fuzz/Cargo.toml`).
    pub targets: Vec<String>,
    /// `--help`.
    pub help: bool,
}

/// Flags of `cargo xtask soak`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SoakArgs {
    /// How long to soak (`--secs`).
    pub secs: Option<u64>,
    /// The random seed (`--seed`; default: from the process id).
    pub seed: Option<u64>,
    /// Which server (`--neo4j`, as for `test`).
    pub neo4j: Neo4jChoice,
    /// `--help`.
    pub help: bool,
}

/// Flags of `cargo xtask bench`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BenchArgs {
    /// Benchmarks to run (empty: all of them).
    pub names: Vec<String>,
    /// Arguments after `--`, passed to the benchmark binaries.
    pub extra: Vec<String>,
    /// `--help`.
    pub help: bool,
}

/// A command line that does not parse.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn usage(msg: impl Into<String>) -> UsageError {
    UsageError(msg.into())
}

/// Parses the arguments after `cargo xtask`.
pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<Command, UsageError> {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let Some((&cmd, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    match cmd {
        "help" | "--help" | "-h" => Ok(Command::Help),
        "test" => parse_test(rest).map(Command::Test),
        "server" => parse_server(rest).map(Command::Server),
        "fuzz" => parse_fuzz(rest).map(Command::Fuzz),
        "bench" => parse_bench(rest).map(Command::Bench),
        "soak" => parse_soak(rest).map(Command::Soak),
        "testkit-backend" => Ok(Command::TestkitBackend(
            rest.iter().map(|a| a.to_string()).collect(),
        )),
        other => Err(usage(format!("unknown command {other:?}"))),
    }
}

/// Takes the value of a flag: `--flag VALUE` or `--flag=VALUE`.
fn value<'a>(
    flag: &str,
    arg: &'a str,
    iter: &mut impl Iterator<Item = &'a str>,
) -> Result<Option<&'a str>, UsageError> {
    if arg == flag {
        return iter
            .next()
            .map(Some)
            .ok_or_else(|| usage(format!("{flag} needs a value")));
    }
    Ok(arg
        .strip_prefix(flag)
        .and_then(|rest| rest.strip_prefix('=')))
}

fn secs(flag: &str, v: &str) -> Result<u64, UsageError> {
    match v.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(usage(format!(
            "{flag} wants a positive number of seconds, not {v:?}"
        ))),
    }
}

fn parse_soak(args: &[&str]) -> Result<SoakArgs, UsageError> {
    let mut out = SoakArgs::default();
    let mut iter = args.iter().copied();
    while let Some(arg) = iter.next() {
        if arg == "--help" || arg == "-h" {
            out.help = true;
        } else if let Some(v) = value("--secs", arg, &mut iter)? {
            out.secs = Some(secs("--secs", v)?);
        } else if let Some(v) = value("--seed", arg, &mut iter)? {
            out.seed = Some(
                v.parse()
                    .map_err(|_| usage(format!("--seed wants a number, not {v:?}")))?,
            );
        } else if let Some(v) = value("--neo4j", arg, &mut iter)? {
            out.neo4j = parse_neo4j(v)?;
        } else {
            return Err(usage(format!("soak: unknown argument {arg:?}")));
        }
    }
    Ok(out)
}

fn parse_test(args: &[&str]) -> Result<TestArgs, UsageError> {
    let mut out = TestArgs::default();
    let mut iter = args.iter().copied();
    while let Some(arg) = iter.next() {
        if arg == "--help" || arg == "-h" {
            out.help = true;
        } else if let Some(v) = value("--suite", arg, &mut iter)? {
            out.suites
                .extend(v.split(',').filter(|s| !s.is_empty()).map(String::from));
        } else if let Some(v) = value("--neo4j", arg, &mut iter)? {
            out.neo4j = parse_neo4j(v)?;
        } else if let Some(v) = value("--fuzz-secs", arg, &mut iter)? {
            out.fuzz_secs = Some(secs("--fuzz-secs", v)?);
        } else {
            return Err(usage(format!("unexpected argument {arg:?} to `test`")));
        }
    }
    Ok(out)
}

fn parse_neo4j(v: &str) -> Result<Neo4jChoice, UsageError> {
    match v {
        "auto" => Ok(Neo4jChoice::Auto),
        "embedded" => Ok(Neo4jChoice::Embedded),
        "docker" => Ok(Neo4jChoice::Docker {
            tag: DEFAULT_DOCKER_TAG.to_string(),
        }),
        _ => match v.strip_prefix("docker:") {
            Some(tag) if !tag.is_empty() && !tag.contains(char::is_whitespace) => {
                Ok(Neo4jChoice::Docker {
                    tag: tag.to_string(),
                })
            }
            _ => Err(usage(format!(
                "--neo4j wants auto, embedded, docker or docker:TAG, not {v:?}"
            ))),
        },
    }
}

fn parse_server(args: &[&str]) -> Result<ServerAction, UsageError> {
    match args {
        ["start"] => Ok(ServerAction::Start),
        ["stop"] => Ok(ServerAction::Stop),
        ["status"] => Ok(ServerAction::Status),
        [] | ["--help" | "-h" | "help", ..] | [_, "--help" | "-h"] => Ok(ServerAction::Help),
        _ => Err(usage(format!(
            "`server` wants start, stop or status, not {:?}",
            args.join(" ")
        ))),
    }
}

fn parse_fuzz(args: &[&str]) -> Result<FuzzArgs, UsageError> {
    let mut out = FuzzArgs::default();
    let mut iter = args.iter().copied();
    while let Some(arg) = iter.next() {
        if arg == "--help" || arg == "-h" {
            out.help = true;
        } else if let Some(v) = value("--secs", arg, &mut iter)? {
            out.secs = Some(secs("--secs", v)?);
        } else if arg.starts_with('-') {
            return Err(usage(format!("unexpected flag {arg:?} to `fuzz`")));
        } else {
            out.targets.push(arg.to_string());
        }
    }
    Ok(out)
}

fn parse_bench(args: &[&str]) -> Result<BenchArgs, UsageError> {
    let mut out = BenchArgs::default();
    let mut iter = args.iter().copied();
    while let Some(arg) = iter.next() {
        if arg == "--" {
            out.extra.extend(iter.by_ref().map(String::from));
        } else if arg == "--help" || arg == "-h" {
            out.help = true;
        } else if arg.starts_with('-') {
            return Err(usage(format!(
                "unexpected flag {arg:?} to `bench` (pass benchmark flags after --)"
            )));
        } else {
            out.names.push(arg.to_string());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_command_is_help() {
        assert_eq!(parse::<&str>(&[]), Ok(Command::Help));
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
    }

    #[test]
    fn unknown_command_is_an_error() {
        assert!(parse(&["frobnicate"]).is_err());
    }

    #[test]
    fn test_without_flags_runs_everything() {
        assert_eq!(parse(&["test"]), Ok(Command::Test(TestArgs::default())));
    }

    #[test]
    fn test_suite_flag_in_both_spellings_and_lists() {
        let Ok(Command::Test(t)) = parse(&["test", "--suite", "unit", "--suite=doc,fmt"]) else {
            panic!("did not parse");
        };
        assert_eq!(t.suites, ["unit", "doc", "fmt"]);
    }

    #[test]
    fn test_suite_flag_needs_a_value() {
        assert!(parse(&["test", "--suite"]).is_err());
    }

    #[test]
    fn test_neo4j_choices() {
        let neo4j = |v: &str| match parse(&["test", "--neo4j", v]) {
            Ok(Command::Test(t)) => Ok(t.neo4j),
            Ok(other) => panic!("parsed as {other:?}"),
            Err(e) => Err(e),
        };
        assert_eq!(neo4j("embedded"), Ok(Neo4jChoice::Embedded));
        assert_eq!(neo4j("auto"), Ok(Neo4jChoice::Auto));
        assert_eq!(
            neo4j("docker"),
            Ok(Neo4jChoice::Docker {
                tag: DEFAULT_DOCKER_TAG.into()
            })
        );
        assert_eq!(
            neo4j("docker:2025.10"),
            Ok(Neo4jChoice::Docker {
                tag: "2025.10".into()
            })
        );
        assert!(neo4j("docker:").is_err());
        assert!(neo4j("podman").is_err());
    }

    #[test]
    fn test_fuzz_secs_must_be_positive() {
        assert!(parse(&["test", "--fuzz-secs", "0"]).is_err());
        assert!(parse(&["test", "--fuzz-secs", "x"]).is_err());
        let Ok(Command::Test(t)) = parse(&["test", "--fuzz-secs=7"]) else {
            panic!("did not parse");
        };
        assert_eq!(t.fuzz_secs, Some(7));
    }

    #[test]
    fn test_rejects_stray_arguments() {
        assert!(parse(&["test", "unit"]).is_err());
        assert!(parse(&["test", "--suitex=unit"]).is_err());
    }

    #[test]
    fn server_actions() {
        assert_eq!(
            parse(&["server", "start"]),
            Ok(Command::Server(ServerAction::Start))
        );
        assert_eq!(
            parse(&["server", "stop"]),
            Ok(Command::Server(ServerAction::Stop))
        );
        assert_eq!(
            parse(&["server", "status"]),
            Ok(Command::Server(ServerAction::Status))
        );
        assert_eq!(parse(&["server"]), Ok(Command::Server(ServerAction::Help)));
        assert!(parse(&["server", "restart"]).is_err());
        assert!(parse(&["server", "start", "now"]).is_err());
    }

    #[test]
    fn fuzz_flags_and_targets() {
        assert_eq!(
            parse(&["fuzz", "--secs", "30", "packstream_decode"]),
            Ok(Command::Fuzz(FuzzArgs {
                secs: Some(30),
                targets: vec!["packstream_decode".into()],
                help: false,
            }))
        );
        assert!(parse(&["fuzz", "--jobs", "2"]).is_err());
    }

    #[test]
    fn testkit_backend_passes_its_arguments_on() {
        assert_eq!(
            parse(&["testkit-backend", "--port", "9999"]),
            Ok(Command::TestkitBackend(vec![
                "--port".into(),
                "9999".into()
            ]))
        );
    }

    #[test]
    fn bench_names_and_passthrough() {
        assert_eq!(
            parse(&["bench", "packstream", "--", "--quick", "x"]),
            Ok(Command::Bench(BenchArgs {
                names: vec!["packstream".into()],
                extra: vec!["--quick".into(), "x".into()],
                help: false,
            }))
        );
        assert!(parse(&["bench", "--quick"]).is_err());
    }

    #[test]
    fn soak_flags() {
        assert_eq!(parse(&["soak"]), Ok(Command::Soak(SoakArgs::default())));
        assert_eq!(
            parse(&["soak", "--secs", "600", "--seed=7", "--neo4j", "embedded"]),
            Ok(Command::Soak(SoakArgs {
                secs: Some(600),
                seed: Some(7),
                neo4j: Neo4jChoice::Embedded,
                help: false,
            }))
        );
        assert!(parse(&["soak", "--secs", "0"]).is_err());
        assert!(parse(&["soak", "--seed", "x"]).is_err());
        assert!(parse(&["soak", "--forever"]).is_err());
    }
}
