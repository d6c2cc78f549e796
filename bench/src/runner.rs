//! The runner: bench server, client processes round robin, the table.

use std::collections::HashMap;
use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use quiver_test_support::bench_server::BenchServer;

use crate::workload::{w6_batch_kb, Outcome, Workload, ALL, W8_RUNS};
use crate::{runs, DRIVERS, PEERS};

/// A client process that takes longer than this is killed.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(300);

/// How many times more often the short workloads run.
const SHORT_FACTOR: usize = 3;

fn is_short(workload: Workload) -> bool {
    matches!(workload, Workload::W1 | Workload::W5 | Workload::W7)
}

/// How many repetitions a workload gets.
fn reps_of(workload: Workload, reps: usize) -> usize {
    match workload {
        // One process start is one sample: a fixed number of them.
        Workload::W8 => W8_RUNS,
        w if is_short(w) => reps * SHORT_FACTOR,
        _ => reps,
    }
}

struct Options {
    reps: usize,
    workloads: Vec<Workload>,
    drivers: Vec<String>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        reps: 5,
        workloads: ALL.to_vec(),
        drivers: DRIVERS.iter().map(|d| d.to_string()).collect(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--reps" => options.reps = value()?.parse().map_err(|e| format!("--reps: {e}"))?,
            "--workload" => {
                options.workloads = value()?
                    .split(',')
                    .map(|w| Workload::parse(w).ok_or(format!("unknown workload {w}")))
                    .collect::<Result<_, _>>()?
            }
            "--driver" => {
                let drivers: Vec<String> = value()?.split(',').map(str::to_owned).collect();
                if let Some(bad) = drivers.iter().find(|d| !DRIVERS.contains(&d.as_str())) {
                    return Err(format!(
                        "unknown driver {bad} (known: {})",
                        DRIVERS.join(", ")
                    ));
                }
                options.drivers = drivers;
            }
            "-h" | "--help" => {
                return Err(format!(
                    "usage: quiver-bench [--reps N] [--workload W1,..,W9] [--driver {}]",
                    DRIVERS.join(",")
                ))
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if options.reps == 0 {
        return Err("--reps must be at least 1".into());
    }
    Ok(options)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// Runs one client process.
fn measure(driver: &str, workload: Workload, addr: &str) -> Result<Outcome, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = Command::new(exe)
        .args(["client", driver, workload.name(), addr])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > CLIENT_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("timed out after {CLIENT_TIMEOUT:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut stdout);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut stderr);
    }
    if !status.success() {
        return Err(format!("{status}: {}", stderr.trim()));
    }
    let outcome = stdout
        .lines()
        .find_map(Outcome::from_line)
        .ok_or_else(|| format!("no RESULT line in {stdout:?}"))?;
    if outcome.checksum != workload.expected_checksum() {
        return Err(format!(
            "checksum {} (expected {}): the client read something else",
            outcome.checksum,
            workload.expected_checksum()
        ));
    }
    Ok(outcome)
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The `q` quantile of `values` (nearest rank).
fn percentile(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => 0.0,
        n => v[((n as f64 - 1.0) * q).round() as usize],
    }
}

fn human(rate: f64) -> String {
    if rate >= 1e6 {
        format!("{:.2}M", rate / 1e6)
    } else if rate >= 1e3 {
        format!("{:.1}k", rate / 1e3)
    } else {
        format!("{rate:.0}")
    }
}

pub fn main(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    let server = BenchServer::start().map_err(|e| format!("bench server: {e}"))?;
    for workload in &options.workloads {
        server.prepare(workload.query());
    }
    let addr = server.addr().to_string();
    let load_before = loadavg();
    let started = Instant::now();
    eprintln!(
        "bench server on {addr}; {} reps; load before: {load_before}",
        options.reps
    );

    let mut results: HashMap<(String, Workload), Vec<Outcome>> = HashMap::new();
    let mut failures: Vec<String> = Vec::new();
    // The short workloads (about a second each) are run three times as
    // often: a burst of load elsewhere on the machine flips one of them.
    let most = options
        .workloads
        .iter()
        .map(|&w| reps_of(w, options.reps))
        .max()
        .unwrap_or(0);
    for rep in 0..most {
        for &workload in &options.workloads {
            if rep >= reps_of(workload, options.reps) {
                continue;
            }
            let drivers: Vec<&String> = options
                .drivers
                .iter()
                .filter(|d| runs(d, workload))
                .collect();
            if drivers.is_empty() {
                continue;
            }
            // Round robin: each repetition starts with the next driver.
            for k in 0..drivers.len() {
                let driver = drivers[(k + rep) % drivers.len()];
                match measure(driver, workload, &addr) {
                    Ok(outcome) => {
                        eprintln!(
                            "rep {} {} {driver}: {}/s rss {} kB",
                            rep + 1,
                            workload.name(),
                            human(outcome.rate),
                            outcome.rss_kb
                        );
                        results
                            .entry((driver.clone(), workload))
                            .or_default()
                            .push(outcome);
                    }
                    Err(e) => {
                        eprintln!("rep {} {} {driver}: FAILED {e}", rep + 1, workload.name());
                        failures.push(format!("{} {driver}: {e}", workload.name()));
                    }
                }
            }
        }
    }
    let load_after = loadavg();
    drop(server);

    println!(
        "quiver-bench: {} reps ({} for W1, W5 and W7, {W8_RUNS} processes for W8), {:.0} s, load (1/5/15 min) before {load_before}, after {load_after}, {} cores",
        options.reps,
        options.reps * SHORT_FACTOR,
        started.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    println!(
        "| workload | driver | median | spread | p50 µs | p99 µs | fairness | peak RSS MB | vs fastest peer |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut verdicts = Vec::new();
    for &workload in &options.workloads {
        let stat = |driver: &str| {
            results.get(&(driver.to_owned(), workload)).map(|v| {
                let rates: Vec<f64> = v.iter().map(|o| o.rate).collect();
                let rss: Vec<f64> = v.iter().map(|o| o.rss_kb as f64).collect();
                let p50: Vec<f64> = v.iter().map(|o| o.p50_us).collect();
                let p99: Vec<f64> = v.iter().map(|o| o.p99_us).collect();
                let fair: Vec<f64> = v.iter().map(|o| o.fairness).collect();
                let cost: Vec<f64> = v
                    .iter()
                    .map(|o| o.rss_kb.saturating_sub(o.base_kb) as f64)
                    .collect();
                // W8: each process is one sample; its percentiles are over processes.
                let (p50, p99) = if workload == Workload::W8 {
                    (median(&p50), percentile(&p50, 0.99))
                } else {
                    (median(&p50), median(&p99))
                };
                let m = median(&rates);
                let lo = rates.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = rates.iter().copied().fold(0.0, f64::max);
                let spread = if m > 0.0 { (hi - lo) / m * 100.0 } else { 0.0 };
                (
                    m,
                    spread,
                    p50,
                    p99,
                    median(&rss) / 1024.0,
                    median(&fair),
                    median(&cost) / 1024.0,
                )
            })
        };
        let best_peer = PEERS
            .iter()
            .filter_map(|p| stat(p).map(|s| (*p, s)))
            .max_by(|a, b| a.1 .0.total_cmp(&b.1 .0));
        let lowest_peer_rss = PEERS
            .iter()
            .filter_map(|p| stat(p).map(|s| s.4))
            .fold(f64::INFINITY, f64::min);
        let lowest_peer_p99 = PEERS
            .iter()
            .filter_map(|p| stat(p).map(|s| s.3))
            .fold(f64::INFINITY, f64::min);
        for driver in &options.drivers {
            let Some((m, spread, p50, p99, rss, fair, _)) = stat(driver) else {
                continue;
            };
            let ratio = match best_peer {
                Some((_, peer)) if peer.0 > 0.0 && !PEERS.contains(&driver.as_str()) => {
                    format!("{:.2}x", m / peer.0)
                }
                _ => String::new(),
            };
            let timed = matches!(workload, Workload::W1 | Workload::W7 | Workload::W8);
            let latency = |v: f64| {
                if timed {
                    format!("{v:.0}")
                } else {
                    String::new()
                }
            };
            let fairness = if workload == Workload::W7 {
                format!("{fair:.2}")
            } else {
                String::new()
            };
            println!(
                "| {} | {driver} | {}/s | ±{:.0}% | {} | {} | {fairness} | {rss:.1} | {ratio} |",
                workload.name(),
                human(m),
                spread / 2.0,
                latency(p50),
                latency(p99)
            );
        }
        // W6's targets are for the write from the application's structs
        // (`params_from`): the rate, and peak RSS over the rows already made
        // against one encoded batch. The write from maps is shown beside it.
        if let (Workload::W6, Some((peer, p)), Some(q)) =
            (workload, best_peer, stat("quiver-serde"))
        {
            let ratio = q.0 / p.0;
            let batch_mb = w6_batch_kb() as f64 / 1024.0;
            let cost_ok = q.6 <= batch_mb + 2.0;
            let maps = stat("quiver").map_or(String::new(), |m| {
                format!("; from maps (quiver) {:.2}x {peer}", m.0 / p.0)
            });
            verdicts.push(format!(
                "W6: quiver-serde {ratio:.2}x {peer} (target 2x) {}; peak RSS over the rows made {:.1} MB vs one encoded batch {batch_mb:.1} MB (+2 MB) {}{maps}",
                if ratio >= 2.0 { "MET" } else { "NOT MET" },
                q.6,
                if cost_ok { "MET" } else { "NOT MET" },
            ));
            continue;
        }
        // The targets, for the default Quiver client.
        if let (Some((peer, p)), Some(q)) = (best_peer, stat("quiver")) {
            let ratio = q.0 / p.0;
            let (goal, extra) = match workload {
                Workload::W1 => (1.2, Some(q.3 <= lowest_peer_p99)),
                Workload::W5 => (1.5, None),
                Workload::W7 => (1.5, Some(q.3 <= lowest_peer_p99 && q.5 <= 2.0)),
                Workload::W8 => (1.0, None),
                _ => (2.0, None),
            };
            let rss_ok = q.4 <= lowest_peer_rss + 2.0;
            let met = ratio >= goal && extra.unwrap_or(true);
            verdicts.push(format!(
                "{}: quiver {:.2}x {peer} (target {goal}x{}) {}; RSS {:.1} MB vs lowest peer {:.1} MB (+2 MB) {}",
                workload.name(),
                ratio,
                match workload {
                    Workload::W1 => ", p99 no worse",
                    Workload::W7 => ", p99 no worse, slowest task within 2x the median",
                    _ => "",
                },
                if met { "MET" } else { "NOT MET" },
                q.4,
                lowest_peer_rss,
                if rss_ok { "MET" } else { "NOT MET" },
            ));
        }
    }
    // W9: Arrow export against the plain loop, and its memory against the
    // batches it built.
    let w9 = |driver: &str| {
        results.get(&(driver.to_owned(), Workload::W9)).map(|v| {
            let rates: Vec<f64> = v.iter().map(|o| o.rate).collect();
            let rss: Vec<f64> = v.iter().map(|o| o.rss_kb as f64 / 1024.0).collect();
            let batch: Vec<f64> = v.iter().map(|o| o.batch_kb as f64 / 1024.0).collect();
            (median(&rates), median(&rss), median(&batch))
        })
    };
    if let (Some(plain), Some(arrow)) = (w9("quiver"), w9("quiver-arrow")) {
        let ratio = arrow.0 / plain.0;
        let rss_ratio = arrow.1 / arrow.2;
        verdicts.push(format!(
            "W9: quiver-arrow {}/s = {ratio:.2}x the plain loop's {}/s (target 0.7x) {}; peak RSS {:.1} MB = {rss_ratio:.2}x the batches' {:.1} MB (target 2x) {}",
            human(arrow.0),
            human(plain.0),
            if ratio >= 0.7 { "MET" } else { "NOT MET" },
            arrow.1,
            arrow.2,
            if rss_ratio <= 2.0 { "MET" } else { "NOT MET" },
        ));
    }
    println!();
    for &workload in &options.workloads {
        println!("- {}: {}", workload.name(), workload.describe());
    }
    println!();
    for verdict in &verdicts {
        println!("{verdict}");
    }
    if !failures.is_empty() {
        println!();
        println!("failures:");
        for failure in &failures {
            println!("- {failure}");
        }
        return Err(format!("{} measurements failed", failures.len()));
    }
    Ok(())
}
