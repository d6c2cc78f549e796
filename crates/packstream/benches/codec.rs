//! Encode and decode throughput for record-shaped and node-shaped workloads.
//!
//! `cargo bench -p quiver-packstream [-- FILTER...]` prints MB/s and rows/s
//! for each case (or the cases whose names contain a filter); `-- --quick`
//! measures each case once, briefly.
//! A plain `main` keeps the dependency tree lean (no criterion): each case
//! runs for about half a second, five times, and the best run is reported.

use std::hint::black_box;
use std::time::{Duration, Instant};

use quiver_packstream::{from_record, to_writer, Deserializer, Map, Node, Value};
use serde::{Deserialize, Serialize};

const ROWS: usize = 10_000;

/// A record: int, float, 20-char string, list of 5 ints, map of 3 entries.
#[derive(Serialize, Deserialize)]
struct Row<'a>(i64, f64, #[serde(borrow)] &'a str, Vec<i64>, Props<'a>);

/// The same record by column name, as a facade would decode it.
#[derive(Deserialize)]
#[allow(dead_code)]
struct NamedRow<'a> {
    id: i64,
    score: f64,
    #[serde(borrow)]
    name: &'a str,
    list: Vec<i64>,
    #[serde(borrow)]
    props: Props<'a>,
}

const KEYS: [&str; 5] = ["id", "score", "name", "list", "props"];

#[derive(Serialize, Deserialize)]
struct Props<'a> {
    age: i64,
    #[serde(borrow)]
    city: &'a str,
    active: bool,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PersonNode {
    node: Node,
}

fn names() -> Vec<String> {
    (0..ROWS).map(|i| format!("name-{i:015}")).collect()
}

fn rows(names: &[String]) -> Vec<Row<'_>> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let i = i as i64;
            Row(
                i * 1_000_003,
                i as f64 * 0.25,
                name.as_str(),
                vec![i, i + 1, i * 300, -i, 7],
                Props {
                    age: 20 + i % 60,
                    city: "Malmo",
                    active: i % 2 == 0,
                },
            )
        })
        .collect()
}

fn nodes() -> Vec<Node> {
    (0..ROWS as i64)
        .map(|i| {
            let mut properties = Map::new();
            properties.insert("name".into(), Value::from(format!("person number {i}")));
            properties.insert("age".into(), Value::from(i % 90));
            properties.insert("score".into(), Value::from(i as f64 / 3.0));
            properties.insert("active".into(), Value::from(i % 3 == 0));
            properties.insert("tags".into(), Value::from(vec!["a", "bb", "ccc"]));
            Node {
                id: i,
                labels: vec!["Person".into(), "Employee".into()],
                properties,
                element_id: format!("4:2b3c8f7e-0d1a-4d6e-9f10-3a4b5c6d7e8f:{i}"),
            }
        })
        .collect()
}

/// Runs `f` (which processes `ROWS` rows of `bytes` bytes) repeatedly; returns
/// the best time per pass.
fn measure(mut f: impl FnMut()) -> Duration {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary
    // without it, as a smoke test: one short pass per case, like `--quick`.
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick") || !args.iter().any(|a| a == "--bench");
    let (runs, span) = if quick { (1, 20) } else { (5, 500) };
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        let mut passes = 0u32;
        while start.elapsed() < Duration::from_millis(span) {
            f();
            passes += 1;
        }
        best = best.min(start.elapsed() / passes);
    }
    best
}

/// Whether `case` matches the command line's filter (any argument that is a
/// substring of the case name; cargo's own `--bench` flag is ignored).
fn selected(case: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    filters.is_empty() || filters.iter().any(|f| case.contains(f.as_str()))
}

fn run(case: &str, bytes: usize, f: impl FnMut()) {
    if selected(case) {
        report(case, bytes, measure(f));
    }
}

fn report(case: &str, bytes: usize, per_pass: Duration) {
    let secs = per_pass.as_secs_f64();
    println!(
        "{case:<44} {:>9.1} MB/s {:>12.0} rows/s",
        bytes as f64 / secs / 1e6,
        ROWS as f64 / secs,
    );
}

fn decode_all<'de, T: Deserialize<'de>>(bytes: &'de [u8]) {
    let mut de = Deserializer::new(bytes);
    while !de.is_end() {
        black_box(T::deserialize(&mut de).expect("bench input decodes"));
    }
}

fn main() {
    println!(
        "quiver-packstream codec benchmark: {ROWS} rows per pass, best of 5 runs (1 with --quick)"
    );

    let names = names();
    let rows = rows(&names);
    let mut encoded = Vec::new();
    for r in &rows {
        to_writer(&mut encoded, r).expect("encode");
    }
    let values: Vec<Value> = {
        let mut de = Deserializer::new(&encoded);
        (0..ROWS)
            .map(|_| Value::deserialize(&mut de).expect("decode"))
            .collect()
    };
    println!(
        "record workload: [int, float, 20-char string, list of 5 ints, map of 3 entries], {} bytes/row",
        encoded.len() / ROWS
    );
    let mut buf = Vec::with_capacity(encoded.len());
    run("encode record (user struct)", encoded.len(), || {
        buf.clear();
        for r in &rows {
            to_writer(&mut buf, r).expect("encode");
        }
        black_box(&buf);
    });
    run("encode record (Value)", encoded.len(), || {
        buf.clear();
        for v in &values {
            to_writer(&mut buf, v).expect("encode");
        }
        black_box(&buf);
    });
    run("decode record into Value", encoded.len(), || {
        decode_all::<Value>(&encoded)
    });
    run(
        "decode record into user struct (borrowing)",
        encoded.len(),
        || decode_all::<Row<'_>>(&encoded),
    );
    run(
        "decode record by column name (from_record)",
        encoded.len(),
        || {
            let mut de = Deserializer::new(&encoded);
            while !de.is_end() {
                let raw = de.raw_value().expect("raw");
                black_box(from_record::<NamedRow<'_>, _>(raw, &KEYS).expect("record"));
            }
        },
    );
    run("split record fields (raw_value)", encoded.len(), || {
        let mut de = Deserializer::new(&encoded);
        while !de.is_end() {
            let n = de.read_list_header().expect("list");
            for _ in 0..n {
                black_box(de.raw_value().expect("raw"));
            }
        }
    });

    let nodes = nodes();
    let mut encoded = Vec::new();
    for n in &nodes {
        to_writer(&mut encoded, n).expect("encode");
    }
    println!(
        "node workload: Node with 2 labels, 5 properties, element id, {} bytes/node",
        encoded.len() / ROWS
    );
    run("encode node", encoded.len(), || {
        buf.clear();
        for n in &nodes {
            to_writer(&mut buf, n).expect("encode");
        }
        black_box(&buf);
    });
    run("decode node into Value", encoded.len(), || {
        decode_all::<Value>(&encoded)
    });
    run("decode node into Node", encoded.len(), || {
        decode_all::<Node>(&encoded)
    });
}
