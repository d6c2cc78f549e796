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
    /// Bulk write: 100,000 rows of 6 properties in `UNWIND $rows` batches of 10,000.
    W6,
    /// Many tasks: 512 tasks x 100 `RETURN 1` through a pool of 32.
    W7,
    /// Cold start: a fresh process's driver and its first `RETURN 1`.
    W8,
    /// `TABLE 1000000` (int, float, string, date) into Arrow batches of
    /// 64k rows, against Quiver's plain record loop (Quiver clients only).
    W9,
}

/// W9's Arrow batch size.
pub const W9_BATCH: usize = 65_536;

pub const ALL: [Workload; 9] = [
    Workload::W1,
    Workload::W2,
    Workload::W3,
    Workload::W4,
    Workload::W5,
    Workload::W6,
    Workload::W7,
    Workload::W8,
    Workload::W9,
];

pub const W1_QUERIES: usize = 10_000;
pub const W5_TASKS: usize = 8;
pub const W5_QUERIES: usize = 2_000;
pub const W6_ROWS: usize = 100_000;
pub const W6_BATCH: usize = 10_000;
/// The W6 query; the bench server answers it as a write of its `$rows`.
pub const W6_QUERY: &str = "UNWIND $rows AS r CREATE (p:P) SET p.id = r.id, p.score = r.score, \
     p.name = r.name, p.active = r.active, p.tags = r.tags, p.born = r.born";
pub const W7_TASKS: usize = 512;
pub const W7_QUERIES: usize = 100;
pub const W7_POOL: usize = 32;
/// Process runs per driver for W8.
pub const W8_RUNS: usize = 50;

/// One W6 row, as an application holds it before writing it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct W6Row {
    pub id: i64,
    pub score: f64,
    /// 20 characters.
    pub name: String,
    pub active: bool,
    pub tags: [i64; 3],
    /// A Cypher DATE (through Quiver's serde, its `Date` structure).
    #[serde(serialize_with = "date_as_cypher")]
    pub born: chrono::NaiveDate,
}

fn date_as_cypher<S: serde::Serializer>(d: &chrono::NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&quiver::types::Date::from(*d), s)
}

/// A W6 batch as `params_from` takes it: the rows straight from the
/// application's structs.
#[derive(serde::Serialize)]
pub struct W6Batch<'a> {
    pub rows: &'a [W6Row],
}

/// One W6 batch's parameters encoded (PackStream), kB: what W6's peak RSS
/// over its rows is weighed against.
pub fn w6_batch_kb() -> u64 {
    let rows = w6_rows_to(W6_BATCH);
    let batch = W6Batch { rows: &rows };
    quiver_packstream::to_vec(&batch).map_or(0, |b| b.len() as u64 / 1024)
}

/// The rows W6 writes (made before the clock starts).
pub fn w6_rows() -> Vec<W6Row> {
    w6_rows_to(W6_ROWS)
}

/// W6's first `n` rows.
fn w6_rows_to(n: usize) -> Vec<W6Row> {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (0..n as i64)
        .map(|i| W6Row {
            id: i,
            score: i as f64 * 0.5,
            name: format!("row-{i:016}"),
            active: i % 2 == 0,
            tags: [i, i + 1, i + 2],
            born: epoch + chrono::Days::new((i % 20_000) as u64),
        })
        .collect()
}

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
            Workload::W6 => "W6",
            Workload::W7 => "W7",
            Workload::W8 => "W8",
            Workload::W9 => "W9",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Workload::W1 => "10,000 x RETURN 1, one connection (queries/s)",
            Workload::W2 => "INTS 1000000 (rows/s)",
            Workload::W3 => "ROWS 200000 (rows/s)",
            Workload::W4 => "NODES 200000 (rows/s)",
            Workload::W5 => "8 tasks x 2,000 RETURN 1 through the pool (queries/s)",
            Workload::W6 => {
                "100,000 rows x 6 properties written in UNWIND batches of 10,000 (rows/s)"
            }
            Workload::W7 => {
                "512 tasks x 100 RETURN 1 through a pool of 32 (queries/s; p50/p99 per query; fairness: slowest task / median task)"
            }
            Workload::W8 => {
                "cold start: new process, driver, first RETURN 1 (starts/s; p50/p99 over 50 processes)"
            }
            Workload::W9 => {
                "TABLE 1000000: int, float, string, date rows; quiver reads them in its plain record loop, quiver-arrow into Arrow batches of 65,536 rows, all kept (rows/s; batch MB: the batches' Arrow memory)"
            }
        }
    }

    /// The query of a streaming workload.
    pub fn query(self) -> &'static str {
        match self {
            Workload::W1 | Workload::W5 | Workload::W7 | Workload::W8 => "RETURN 1",
            Workload::W6 => W6_QUERY,
            Workload::W2 => "INTS 1000000",
            Workload::W3 => "ROWS 200000",
            Workload::W4 => "NODES 200000",
            Workload::W9 => "TABLE 1000000",
        }
    }

    /// Rows a streaming workload returns.
    pub fn rows(self) -> u64 {
        match self {
            Workload::W1 | Workload::W5 | Workload::W7 | Workload::W8 => 1,
            Workload::W6 => W6_ROWS as u64,
            Workload::W2 => 1_000_000,
            Workload::W3 | Workload::W4 => 200_000,
            Workload::W9 => 1_000_000,
        }
    }

    /// The checksum every client must report (see `Sum`).
    pub fn expected_checksum(self) -> i64 {
        let mut sum = Sum::default();
        match self {
            Workload::W1 => sum.int((W1_QUERIES) as i64),
            Workload::W5 => sum.int((W5_TASKS * W5_QUERIES) as i64),
            // The nodes the server says each batch created.
            Workload::W6 => sum.int(W6_ROWS as i64),
            Workload::W7 => sum.int((W7_TASKS * W7_QUERIES) as i64),
            Workload::W8 => sum.int(1),
            Workload::W2 => (0..1_000_000).for_each(|i| sum.int(i)),
            Workload::W3 => (0..200_000).for_each(|i| {
                sum.int(i);
                sum.float(i as f64 * 0.5);
                sum.str(&format!("name-{i:015}"));
                (0..5).for_each(|k| sum.int(i + k));
                (1..=3).for_each(|k| sum.int(i * k));
            }),
            Workload::W9 => (0..1_000_000).for_each(|i| {
                sum.int(i);
                sum.float(i as f64 * 0.5);
                sum.str(&format!("name-{i:015}"));
                sum.int(i % 20_000);
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
    /// W7: the slowest task's time over the median task's.
    pub fairness: f64,
    /// Peak resident set, kB.
    pub rss_kb: u64,
    /// W6: the peak resident set once the rows are made, before the clock
    /// starts, kB (so `rss_kb - base_kb` is what writing them cost).
    pub base_kb: u64,
    /// W9 (quiver-arrow): the Arrow memory of the batches kept, kB.
    pub batch_kb: u64,
    pub checksum: i64,
}

impl Outcome {
    pub fn to_line(&self) -> String {
        format!(
            "RESULT rate={} p50_us={} p99_us={} fairness={} rss_kb={} base_kb={} batch_kb={} checksum={}",
            self.rate,
            self.p50_us,
            self.p99_us,
            self.fairness,
            self.rss_kb,
            self.base_kb,
            self.batch_kb,
            self.checksum
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
                "fairness" => out.fairness = v.parse().ok()?,
                "rss_kb" => out.rss_kb = v.parse().ok()?,
                "base_kb" => out.base_kb = v.parse().ok()?,
                "batch_kb" => out.batch_kb = v.parse().ok()?,
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

/// W7's fairness: the slowest task's time over the median task's.
pub fn fairness(mut task_times: Vec<Duration>) -> f64 {
    if task_times.is_empty() {
        return 0.0;
    }
    task_times.sort_unstable();
    let median = task_times[task_times.len() / 2].as_secs_f64();
    let slowest = task_times[task_times.len() - 1].as_secs_f64();
    if median > 0.0 {
        slowest / median
    } else {
        0.0
    }
}
