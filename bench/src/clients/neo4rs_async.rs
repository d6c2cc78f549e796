//! neo4rs (async, tokio), default configuration.

use std::collections::HashMap;
use std::time::Instant;

use neo4rs::{query, BoltType, ConfigBuilder, Graph, Node, Row};

use crate::workload::{
    fairness, percentiles, w6_rows, Outcome, Sum, W6Row, Workload, W1_QUERIES, W5_QUERIES,
    W5_TASKS, W6_BATCH, W6_QUERY, W7_POOL, W7_QUERIES, W7_TASKS,
};

type Res<T> = Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

pub fn run(addr: &str, workload: Workload) -> Res<Outcome> {
    let born = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(err)?;
    // The work runs in a task, as in an application: a worker thread
    // polls both it and the socket (block_on's thread would be woken by a
    // worker for every reply).
    let addr = addr.to_owned();
    runtime.block_on(async move {
        tokio::spawn(async move { run_async(&addr, workload, born).await })
            .await
            .map_err(|e| e.to_string())?
    })
}

async fn one_query(graph: &Graph, q: &str, sum: &mut Sum) -> Res<()> {
    let mut stream = graph.execute(query(q)).await.map_err(err)?;
    while let Some(row) = stream.next().await.map_err(err)? {
        read_row(&row, sum)?;
    }
    Ok(())
}

/// A W6 batch in neo4rs's parameter types.
fn rows_param(rows: &[W6Row]) -> Vec<HashMap<String, BoltType>> {
    rows.iter()
        .map(|r| {
            let mut m: HashMap<String, BoltType> = HashMap::with_capacity(6);
            m.insert("id".into(), r.id.into());
            m.insert("score".into(), r.score.into());
            m.insert("name".into(), r.name.as_str().into());
            m.insert("active".into(), r.active.into());
            m.insert("tags".into(), r.tags.to_vec().into());
            m.insert("born".into(), r.born.into());
            m
        })
        .collect()
}

async fn run_async(addr: &str, workload: Workload, born: Instant) -> Res<Outcome> {
    let mut config = ConfigBuilder::default()
        .uri(format!("bolt://{addr}"))
        .user(super::USER)
        .password(super::PASSWORD);
    if workload == Workload::W7 {
        config = config.max_connections(W7_POOL);
    }
    let graph = Graph::connect(config.build().map_err(err)?)
        .await
        .map_err(err)?;
    let mut sum = Sum::default();
    let mut out = Outcome::default();
    if workload == Workload::W8 {
        one_query(&graph, "RETURN 1", &mut sum).await?;
        let took = born.elapsed().as_secs_f64();
        (out.rate, out.p50_us, out.p99_us) = (1.0 / took, took * 1e6, took * 1e6);
        out.checksum = sum.0;
        return Ok(out);
    }
    one_query(&graph, "RETURN 1", &mut Sum::default()).await?;
    match workload {
        Workload::W6 => {
            let rows = w6_rows();
            out.base_kb = crate::workload::peak_rss_kb();
            let start = Instant::now();
            for batch in rows.chunks(W6_BATCH) {
                graph
                    .run(query(W6_QUERY).param("rows", rows_param(batch)))
                    .await
                    .map_err(err)?;
                // neo4rs's `run` gives no counters: the batch went through.
                sum.int(batch.len() as i64);
            }
            out.rate = rows.len() as f64 / start.elapsed().as_secs_f64();
        }
        Workload::W7 => {
            let start = Instant::now();
            let mut tasks = Vec::with_capacity(W7_TASKS);
            for _ in 0..W7_TASKS {
                let graph = graph.clone();
                tasks.push(tokio::spawn(async move {
                    let began = Instant::now();
                    let mut sum = Sum::default();
                    let mut latencies = Vec::with_capacity(W7_QUERIES);
                    for _ in 0..W7_QUERIES {
                        let t = Instant::now();
                        one_query(&graph, "RETURN 1", &mut sum).await?;
                        latencies.push(t.elapsed());
                    }
                    Ok::<_, String>((sum.0, latencies, began.elapsed()))
                }));
            }
            let mut latencies = Vec::new();
            let mut times = Vec::new();
            for task in tasks {
                let (s, l, t) = task.await.map_err(err)??;
                sum.int(s);
                latencies.extend(l);
                times.push(t);
            }
            out.rate = (W7_TASKS * W7_QUERIES) as f64 / start.elapsed().as_secs_f64();
            (out.p50_us, out.p99_us) = percentiles(latencies);
            out.fairness = fairness(times);
        }
        Workload::W1 => {
            let mut latencies = Vec::with_capacity(W1_QUERIES);
            let start = Instant::now();
            for _ in 0..W1_QUERIES {
                let t = Instant::now();
                one_query(&graph, "RETURN 1", &mut sum).await?;
                latencies.push(t.elapsed());
            }
            out.rate = W1_QUERIES as f64 / start.elapsed().as_secs_f64();
            (out.p50_us, out.p99_us) = percentiles(latencies);
        }
        Workload::W5 => {
            let start = Instant::now();
            let mut tasks = Vec::new();
            for _ in 0..W5_TASKS {
                let graph = graph.clone();
                tasks.push(tokio::spawn(async move {
                    let mut sum = Sum::default();
                    for _ in 0..W5_QUERIES {
                        one_query(&graph, "RETURN 1", &mut sum).await?;
                    }
                    Ok::<_, String>(sum.0)
                }));
            }
            for task in tasks {
                sum.int(task.await.map_err(err)??);
            }
            out.rate = (W5_TASKS * W5_QUERIES) as f64 / start.elapsed().as_secs_f64();
        }
        _ => {
            let start = Instant::now();
            one_query(&graph, workload.query(), &mut sum).await?;
            out.rate = workload.rows() as f64 / start.elapsed().as_secs_f64();
        }
    }
    out.checksum = sum.0;
    Ok(out)
}

fn read_row(row: &Row, sum: &mut Sum) -> Res<()> {
    if let Ok(v) = row.get::<i64>("1") {
        sum.int(v);
    } else if let Ok(v) = row.get::<i64>("i") {
        sum.int(v);
    } else if let Ok(node) = row.get::<Node>("n") {
        sum.int(node.id());
        node.labels().iter().for_each(|l| sum.str(l));
        sum.str(&node.get::<String>("name").map_err(err)?);
        sum.int(node.get::<i64>("age").map_err(err)?);
        sum.float(node.get::<f64>("score").map_err(err)?);
    } else {
        sum.int(row.get::<i64>("id").map_err(err)?);
        sum.float(row.get::<f64>("score").map_err(err)?);
        sum.str(&row.get::<String>("name").map_err(err)?);
        row.get::<Vec<i64>>("list")
            .map_err(err)?
            .into_iter()
            .for_each(|v| sum.int(v));
        row.get::<HashMap<String, i64>>("map")
            .map_err(err)?
            .into_values()
            .for_each(|v| sum.int(v));
    }
    Ok(())
}
