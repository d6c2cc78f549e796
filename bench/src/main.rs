//! `quiver-bench`: Quiver against the other Rust Neo4j drivers on the
//! project's bench server.
//!
//! ```text
//! cargo run --release --manifest-path bench/Cargo.toml -- [--reps 5] [--workload W3[,W4]] [--driver quiver[,neo4rs]]
//! ```
//!
//! The runner starts the bench server in its own process and runs every
//! (driver, workload) measurement as a separate client process (this same
//! binary, `client DRIVER WORKLOAD ADDRESS`), drivers interleaved round
//! robin, so each client's peak RSS is its own. `server [HOST:PORT]` runs
//! the bench server alone (to profile one client by hand).

mod clients;
mod runner;
mod workload;

use clients::Read;
use quiver_test_support::bench_server::BenchServer;
use workload::Workload;

/// The clients measured.
pub const DRIVERS: [&str; 8] = [
    "quiver",
    "quiver-arrow",
    "quiver-fetch-all",
    "quiver-blocking",
    "quiver-serde",
    "quiver-value",
    "neo4rs",
    "neo4j",
];

/// Peers: the drivers Quiver's ratios are against.
pub const PEERS: [&str; 2] = ["neo4rs", "neo4j"];

/// Whether `driver` runs `workload` (the record-reading variants matter
/// only where there are many records).
pub fn runs(driver: &str, workload: Workload) -> bool {
    // W9 is Arrow export against Quiver's own plain loop: peers skip it.
    if workload == Workload::W9 {
        return matches!(driver, "quiver" | "quiver-arrow");
    }
    match driver {
        "quiver-arrow" => false,
        "quiver-serde" => matches!(
            workload,
            Workload::W2 | Workload::W3 | Workload::W4 | Workload::W6
        ),
        "quiver-value" | "quiver-fetch-all" => {
            matches!(workload, Workload::W2 | Workload::W3 | Workload::W4)
        }
        _ => true,
    }
}

fn client(driver: &str, workload: Workload, addr: &str) -> Result<workload::Outcome, String> {
    let mut outcome = match driver {
        "quiver" => clients::quiver_async::run(addr, workload, Read::Native, false),
        "quiver-fetch-all" => clients::quiver_async::run(addr, workload, Read::Native, true),
        "quiver-serde" => clients::quiver_async::run(addr, workload, Read::Serde, false),
        "quiver-value" => clients::quiver_async::run(addr, workload, Read::Value, false),
        "quiver-arrow" => clients::quiver_async::run(addr, workload, Read::Arrow, false),
        "quiver-blocking" => clients::quiver_blocking::run(addr, workload),
        "neo4rs" => clients::neo4rs_async::run(addr, workload),
        "neo4j" => clients::neo4j_sync::run(addr, workload),
        other => Err(format!("unknown driver {other}")),
    }?;
    outcome.rss_kb = workload::peak_rss_kb();
    Ok(outcome)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("server") {
        // A bench server alone, for profiling one client by hand.
        let addr = args.get(1).map_or("127.0.0.1:0", String::as_str);
        return match addr.parse().map(BenchServer::start_on) {
            Ok(Ok(server)) => {
                for w in workload::ALL {
                    server.prepare(w.query());
                }
                println!("listening on {}", server.addr());
                loop {
                    std::thread::park();
                }
            }
            Ok(Err(e)) => {
                eprintln!("bench server: {e}");
                std::process::ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("bench server: {addr}: {e}");
                std::process::ExitCode::from(2)
            }
        };
    }
    if args.first().map(String::as_str) == Some("client") {
        let [_, driver, workload, addr] = &args[..] else {
            eprintln!("usage: quiver-bench client DRIVER WORKLOAD ADDRESS");
            return std::process::ExitCode::from(2);
        };
        let Some(workload) = Workload::parse(workload) else {
            eprintln!("unknown workload {workload}");
            return std::process::ExitCode::from(2);
        };
        return match client(driver, workload, addr) {
            Ok(outcome) => {
                println!("{}", outcome.to_line());
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{driver} {}: {e}", workload.name());
                std::process::ExitCode::FAILURE
            }
        };
    }
    match runner::main(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quiver-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
