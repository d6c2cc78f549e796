//! The workloads and what a client reports back.

use std::time::Duration;

/// One workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Workload {
    /// 10,000 sequential auto-commit `RETURN 1` on one connection.
    W1,
    /// `INTS 1000000`.
    W2,
    /// `ROWS 200000`.
    W3,
    /// `NODES 200000`.
    W4,
    /// 8 concurrent tasks x 2,000 `RETURN 1` through the pool.
    W5,
}

pub const ALL: [Workload; 5] = [
    Workload::W1,
    Workload::W2,
    Workload::W3,
    Workload::W4,
    Workload::W5,
];

pub const W1_QUERIES: usize = 10_000;
pub const W5_TASKS: usize = 8;
pub const W5_QUERIES: usize = 2_000;

impl Workload {
    pub fn parse(s: &str) -> Option<Workload> {
        ALL.into_iter().find(|w| w.name().eq_ignore_ascii_case(s))
    }

    pub fn name(self) -> &'static str {
        match self {
            Workload::W1 => "W1",
            Workload::W2 => "W2",
            Workload::W3 => "W3",
            Workload::W4 => "W4",
            Workload::W5 => "W5",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Workload::W1 => "10,000 x RETURN 1, one connection (queries/s)",
            Workload::W2 => "INTS 1000000 (rows/s)",
            Workload::W3 => "ROWS 200000 (rows/s)",
            Workload::W4 => "NODES 200000 (rows/s)",
            Workload::W5 => "8 tasks x 2,000 RETURN 1 through the pool (queries/s)",
        }
    }

    /// The query of a streaming workload.
    pub fn query(self) -> &'static str {
        match self {
            Workload::W1 | Workload::W5 => "RETURN 1",
            Workload::W2 => "INTS 1000000",
            Workload::W3 => "ROWS 200000",
            Workload::W4 => "NODES 200000",
        }
    }

    /// Rows a streaming workload returns.
    pub fn rows(self) -> u64 {
        match self {
            Workload::W1 | Workload::W5 => 1,
            Workload::W2 => 1_000_000,
            Workload::W3 | Workload::W4 => 200_000,
        }
    }

    /// The checksum every client must report (see `Sum`).
    pub fn expected_checksum(self) -> i64 {
        let mut sum = Sum::default();
        match self {
            Workload::W1 => sum.int((W1_QUERIES) as i64),
            Workload::W5 => sum.int((W5_TASKS * W5_QUERIES) as i64),
            Workload::W2 => (0..1_000_000).for_each(|i| sum.int(i)),
            Workload::W3 => (0..200_000).for_each(|i| {
                sum.int(i);
                sum.float(i as f64 * 0.5);
                sum.str(&format!("name-{i:015}"));
                (0..5).for_each(|k| sum.int(i + k));
                (1..=3).for_each(|k| sum.int(i * k));
            }),
            Workload::W4 => (0..200_000).for_each(|i| {
                sum.int(i);
                sum.str("Person");
                sum.str(&format!("person-{i}"));
                sum.int(i % 100);
                sum.float(i as f64 * 0.25);
            }),
        }
        sum.0
    }
}

/// A checksum over every value a client read, so nothing is optimized
/// away and every client is seen to read the same thing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Sum(pub i64);

impl Sum {
    #[inline]
    pub fn int(&mut self, v: i64) {
        self.0 = self.0.wrapping_add(v);
    }
    #[inline]
    pub fn float(&mut self, v: f64) {
        self.0 = self.0.wrapping_add((v * 4.0) as i64);
    }
    #[inline]
    pub fn str(&mut self, v: &str) {
        self.0 = self.0.wrapping_add(v.len() as i64);
    }
}

/// What a client process measured.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Queries or rows per second.
    pub rate: f64,
    /// Per-query latency percentiles (W1), microseconds.
    pub p50_us: f64,
    pub p99_us: f64,
    /// Peak resident set, kB.
    pub rss_kb: u64,
    pub checksum: i64,
}

impl Outcome {
    pub fn to_line(&self) -> String {
        format!(
            "RESULT rate={} p50_us={} p99_us={} rss_kb={} checksum={}",
            self.rate, self.p50_us, self.p99_us, self.rss_kb, self.checksum
        )
    }

    pub fn from_line(line: &str) -> Option<Outcome> {
        let rest = line.strip_prefix("RESULT ")?;
        let mut out = Outcome::default();
        for pair in rest.split_whitespace() {
            let (k, v) = pair.split_once('=')?;
            match k {
                "rate" => out.rate = v.parse().ok()?,
                "p50_us" => out.p50_us = v.parse().ok()?,
                "p99_us" => out.p99_us = v.parse().ok()?,
                "rss_kb" => out.rss_kb = v.parse().ok()?,
                "checksum" => out.checksum = v.parse().ok()?,
                _ => {}
            }
        }
        Some(out)
    }
}

/// Latencies to percentiles (microseconds).
pub fn percentiles(mut latencies: Vec<Duration>) -> (f64, f64) {
    if latencies.is_empty() {
        return (0.0, 0.0);
    }
    latencies.sort_unstable();
    let at = |q: f64| {
        let i = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies[i].as_secs_f64() * 1e6
    };
    (at(0.50), at(0.99))
}

/// This process's peak resident set (VmHWM), kB.
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
