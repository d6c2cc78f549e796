//! Quiver, async.

use std::collections::HashMap;
use std::time::Instant;

use quiver::{
    AuthToken, Config, Driver, FetchSize, Map, Node, Query, Record, SessionConfig, Value,
};
use serde::Deserialize;

use super::Read;
use crate::workload::{
    fairness, percentiles, w6_rows, Outcome, Sum, W6Batch, W6Row, Workload, W1_QUERIES, W5_QUERIES,
    W5_TASKS, W6_BATCH, W6_QUERY, W7_POOL, W7_QUERIES, W7_TASKS, W9_BATCH,
};

type Res<T> = Result<T, String>;

fn err(e: quiver::Error) -> String {
    e.to_string()
}

#[derive(Deserialize)]
struct IntRow {
    i: i64,
}

#[derive(Deserialize)]
struct FullRow {
    id: i64,
    score: f64,
    name: String,
    list: Vec<i64>,
    map: HashMap<String, i64>,
}

#[derive(Deserialize)]
struct NodeRow {
    n: PersonNode,
}

/// A node into the user's own struct (no `Node`, no property map).
#[derive(Deserialize)]
struct PersonNode {
    id: i64,
    element_id: String,
    labels: Vec<String>,
    properties: Person,
}

#[derive(Deserialize)]
struct Person {
    name: String,
    age: i64,
    score: f64,
}

pub fn driver(addr: &str, fetch_all: bool, pool: Option<usize>) -> Res<Driver> {
    let mut config = Config::builder();
    if fetch_all {
        config = config.fetch_size(FetchSize::All);
    }
    if let Some(size) = pool {
        config = config.max_connection_pool_size(size);
    }
    let config = config.build().map_err(err)?;
    Driver::with_config(
        &format!("bolt://{addr}"),
        AuthToken::basic(super::USER, super::PASSWORD),
        config,
    )
    .map_err(err)
}

pub fn run(addr: &str, workload: Workload, read: Read, fetch_all: bool) -> Res<Outcome> {
    // The clock of a cold start starts before the runtime exists.
    let born = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    // The work runs in a task, as in an application: a worker thread
    // polls both it and the socket (block_on's thread would be woken by a
    // worker for every reply).
    let addr = addr.to_owned();
    runtime.block_on(async move {
        tokio::spawn(async move { run_async(&addr, workload, read, fetch_all, born).await })
            .await
            .map_err(|e| e.to_string())?
    })
}

async fn run_async(
    addr: &str,
    workload: Workload,
    read: Read,
    fetch_all: bool,
    born: Instant,
) -> Res<Outcome> {
    let pool = (workload == Workload::W7).then_some(W7_POOL);
    let driver = driver(addr, fetch_all, pool)?;
    let mut sum = Sum::default();
    let mut out = Outcome::default();
    if workload == Workload::W8 {
        one_query(&driver, "RETURN 1", read, &mut sum).await?;
        let took = born.elapsed();
        out.rate = 1.0 / took.as_secs_f64();
        out.p50_us = took.as_secs_f64() * 1e6;
        out.p99_us = out.p50_us;
        driver.close().await;
        out.checksum = sum.0;
        return Ok(out);
    }
    // Warm up: a connection in the pool.
    one_query(&driver, "RETURN 1", read, &mut Sum::default()).await?;
    match workload {
        Workload::W6 => {
            let rows = w6_rows();
            out.base_kb = crate::workload::peak_rss_kb();
            let start = Instant::now();
            let mut session = driver.session(SessionConfig::default());
            for batch in rows.chunks(W6_BATCH) {
                let query = match read {
                    Read::Serde => Query::from(W6_QUERY)
                        .params_from(&W6Batch { rows: batch })
                        .map_err(err)?,
                    _ => Query::from(W6_QUERY).param("rows", rows_as_values(batch)),
                };
                let summary = session
                    .run(query)
                    .await
                    .map_err(err)?
                    .consume()
                    .await
                    .map_err(err)?;
                sum.int(summary.counters().nodes_created());
            }
            out.rate = rows.len() as f64 / start.elapsed().as_secs_f64();
        }
        Workload::W7 => {
            let start = Instant::now();
            let mut tasks = Vec::with_capacity(W7_TASKS);
            for _ in 0..W7_TASKS {
                let driver = driver.clone();
                tasks.push(tokio::spawn(async move {
                    let began = Instant::now();
                    let mut sum = Sum::default();
                    let mut latencies = Vec::with_capacity(W7_QUERIES);
                    let mut session = driver.session(SessionConfig::default());
                    for _ in 0..W7_QUERIES {
                        let t = Instant::now();
                        let mut result = session.run("RETURN 1").await.map_err(err)?;
                        while let Some(record) = result.next().await {
                            sum.int(record.map_err(err)?.get_at::<i64>(0).map_err(err)?);
                        }
                        latencies.push(t.elapsed());
                    }
                    Ok::<_, String>((sum.0, latencies, began.elapsed()))
                }));
            }
            let mut latencies = Vec::with_capacity(W7_TASKS * W7_QUERIES);
            let mut task_times = Vec::with_capacity(W7_TASKS);
            for task in tasks {
                let (s, l, t) = task.await.map_err(|e| e.to_string())??;
                sum.int(s);
                latencies.extend(l);
                task_times.push(t);
            }
            out.rate = (W7_TASKS * W7_QUERIES) as f64 / start.elapsed().as_secs_f64();
            (out.p50_us, out.p99_us) = percentiles(latencies);
            out.fairness = fairness(task_times);
        }
        Workload::W1 => {
            let mut session = driver.session(SessionConfig::default());
            let mut latencies = Vec::with_capacity(W1_QUERIES);
            let start = Instant::now();
            for _ in 0..W1_QUERIES {
                let t = Instant::now();
                let mut result = session.run("RETURN 1").await.map_err(err)?;
                while let Some(record) = result.next().await {
                    sum.int(record.map_err(err)?.get_at::<i64>(0).map_err(err)?);
                }
                latencies.push(t.elapsed());
            }
            out.rate = W1_QUERIES as f64 / start.elapsed().as_secs_f64();
            (out.p50_us, out.p99_us) = percentiles(latencies);
        }
        Workload::W5 => {
            let start = Instant::now();
            let mut tasks = Vec::new();
            for _ in 0..W5_TASKS {
                let driver = driver.clone();
                tasks.push(tokio::spawn(async move {
                    let mut sum = Sum::default();
                    let mut session = driver.session(SessionConfig::default());
                    for _ in 0..W5_QUERIES {
                        let mut result = session.run("RETURN 1").await.map_err(err)?;
                        while let Some(record) = result.next().await {
                            sum.int(record.map_err(err)?.get_at::<i64>(0).map_err(err)?);
                        }
                    }
                    Ok::<_, String>(sum.0)
                }));
            }
            for task in tasks {
                sum.int(task.await.map_err(|e| e.to_string())??);
            }
            out.rate = (W5_TASKS * W5_QUERIES) as f64 / start.elapsed().as_secs_f64();
        }
        Workload::W9 if read == Read::Arrow => {
            let start = Instant::now();
            out.batch_kb = arrow_query(&driver, workload.query(), &mut sum).await? / 1024;
            out.rate = workload.rows() as f64 / start.elapsed().as_secs_f64();
        }
        _ => {
            let start = Instant::now();
            one_query(&driver, workload.query(), read, &mut sum).await?;
            out.rate = workload.rows() as f64 / start.elapsed().as_secs_f64();
        }
    }
    driver.close().await;
    out.checksum = sum.0;
    Ok(out)
}

/// A W6 batch as a list of maps.
pub fn rows_as_values(rows: &[W6Row]) -> Value {
    Value::List(
        rows.iter()
            .map(|r| {
                let mut m = Map::new();
                m.insert("id".into(), Value::from(r.id));
                m.insert("score".into(), Value::from(r.score));
                m.insert("name".into(), Value::from(r.name.as_str()));
                m.insert("active".into(), Value::from(r.active));
                m.insert(
                    "tags".into(),
                    Value::List(r.tags.iter().map(|&t| Value::from(t)).collect()),
                );
                m.insert(
                    "born".into(),
                    Value::Date(quiver::types::Date::from(r.born)),
                );
                Value::Map(m)
            })
            .collect(),
    )
}

async fn one_query(driver: &Driver, query: &str, read: Read, sum: &mut Sum) -> Res<()> {
    let mut session = driver.session(SessionConfig::default());
    let mut result = session.run(query).await.map_err(err)?;
    while let Some(record) = result.next().await {
        read_record(&record.map_err(err)?, read, sum)?;
    }
    Ok(())
}

/// W9 into Arrow: batches of 64k rows, all kept (as an application
/// building a frame would), and every value read back from the arrays for
/// the checksum, inside the clock as the plain loop reads its values.
/// Returns the batches' Arrow memory in bytes.
async fn arrow_query(driver: &Driver, query: &str, sum: &mut Sum) -> Res<u64> {
    use quiver::arrow::array::{Array, Date32Array, Float64Array, Int64Array, StringArray};
    use quiver::arrow::ToDfOptions;

    let mut session = driver.session(SessionConfig::default());
    let mut result = session.run(query).await.map_err(err)?;
    let mut batches = Vec::new();
    let mut stream = result.record_batches(W9_BATCH, ToDfOptions::default());
    while let Some(batch) = stream.next_batch().await {
        batches.push(batch.map_err(err)?);
    }
    let mut bytes = 0u64;
    for b in &batches {
        bytes += b.get_array_memory_size() as u64;
        let col = |i: usize| b.column(i).as_any();
        let (Some(id), Some(score), Some(name), Some(day)) = (
            col(0).downcast_ref::<Int64Array>(),
            col(1).downcast_ref::<Float64Array>(),
            col(2).downcast_ref::<StringArray>(),
            col(3).downcast_ref::<Date32Array>(),
        ) else {
            return Err(format!("unexpected batch schema {:?}", b.schema()));
        };
        id.values().iter().for_each(|&v| sum.int(v));
        score.values().iter().for_each(|&v| sum.float(v));
        (0..name.len()).for_each(|r| sum.str(name.value(r)));
        day.values().iter().for_each(|&v| sum.int(i64::from(v)));
    }
    Ok(bytes)
}

/// Reads every column of a bench record.
pub fn read_record(record: &Record, read: Read, sum: &mut Sum) -> Res<()> {
    let shape = record.keys().first().map(String::as_str).unwrap_or("");
    // The Arrow client's warm-up query is read as the plain loop reads it.
    let read = if read == Read::Arrow {
        Read::Native
    } else {
        read
    };
    match (read, shape) {
        (Read::Native, "1") => sum.int(record.get_at::<i64>(0).map_err(err)?),
        (Read::Native, "i") => sum.int(record.get_at::<i64>(0).map_err(err)?),
        // W9's TABLE rows: int, float, string, date.
        (Read::Native, "id") if record.len() == 4 => {
            sum.int(record.get_at::<i64>(0).map_err(err)?);
            sum.float(record.get_at::<f64>(1).map_err(err)?);
            sum.str(&record.get_at::<String>(2).map_err(err)?);
            sum.int(record.get_at::<quiver::types::Date>(3).map_err(err)?.days);
        }
        (Read::Native, "id") => {
            sum.int(record.get_at::<i64>(0).map_err(err)?);
            sum.float(record.get_at::<f64>(1).map_err(err)?);
            sum.str(&record.get_at::<String>(2).map_err(err)?);
            record
                .get_at::<Vec<i64>>(3)
                .map_err(err)?
                .into_iter()
                .for_each(|v| sum.int(v));
            let map = record.get_at::<HashMap<String, i64>>(4).map_err(err)?;
            map.into_values().for_each(|v| sum.int(v));
        }
        (Read::Native, "n") => read_node(&record.get_at::<Node>(0).map_err(err)?, sum)?,
        (Read::Serde, "1") => sum.int(record.get_at::<i64>(0).map_err(err)?),
        (Read::Serde, "i") => sum.int(record.to::<IntRow>().map_err(err)?.i),
        (Read::Serde, "id") => {
            let row: FullRow = record.to().map_err(err)?;
            sum.int(row.id);
            sum.float(row.score);
            sum.str(&row.name);
            row.list.into_iter().for_each(|v| sum.int(v));
            row.map.into_values().for_each(|v| sum.int(v));
        }
        (Read::Serde, "n") => {
            let n = record.to::<NodeRow>().map_err(err)?.n;
            sum.int(n.id);
            n.labels.iter().for_each(|l| sum.str(l));
            sum.str(&n.properties.name);
            sum.int(n.properties.age);
            sum.float(n.properties.score);
            std::hint::black_box(n.element_id.len());
        }
        (Read::Value, _) => {
            for value in record.values().map_err(err)? {
                read_value(&value, sum)?;
            }
        }
        _ => return Err(format!("unexpected columns {:?}", record.keys())),
    }
    Ok(())
}

fn read_node(node: &Node, sum: &mut Sum) -> Res<()> {
    sum.int(node.id);
    node.labels.iter().for_each(|l| sum.str(l));
    let name = node.get("name").and_then(Value::as_str).ok_or("name")?;
    sum.str(name);
    sum.int(node.get("age").and_then(Value::as_i64).ok_or("age")?);
    sum.float(node.get("score").and_then(Value::as_f64).ok_or("score")?);
    std::hint::black_box(node.element_id.len());
    Ok(())
}

fn read_value(value: &Value, sum: &mut Sum) -> Res<()> {
    match value {
        Value::Integer(i) => sum.int(*i),
        Value::Float(f) => sum.float(*f),
        Value::String(s) => sum.str(s),
        Value::List(items) => items.iter().try_for_each(|v| read_value(v, sum))?,
        Value::Map(map) => map.values().try_for_each(|v| read_value(v, sum))?,
        Value::Node(node) => read_node(node, sum)?,
        other => return Err(format!("unexpected value {other:?}")),
    }
    Ok(())
}
