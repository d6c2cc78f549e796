//! neo4j (the blocking driver), default configuration, direct connection.

use std::sync::Arc;
use std::time::Instant;

use neo4j::address::Address;
use neo4j::driver::auth::AuthToken;
use neo4j::driver::record_stream::RecordStream;
use neo4j::driver::{ConnectionConfig, Driver, DriverConfig};
use neo4j::session::{Session, SessionConfig};
use neo4j::{ValueReceive, ValueSend};

use crate::workload::{
    fairness, percentiles, w6_rows, Outcome, Sum, W6Row, Workload, W1_QUERIES, W5_QUERIES,
    W5_TASKS, W6_BATCH, W6_QUERY, W7_POOL, W7_QUERIES, W7_TASKS,
};

type Res<T> = Result<T, String>;

fn err(e: impl std::fmt::Debug) -> String {
    format!("{e:?}")
}

// The receiver's error type is the neo4j crate's own.
#[allow(clippy::result_large_err)]
fn one_query(session: &mut Session<'_>, q: &str, sum: &mut Sum) -> Res<()> {
    let got = session
        .auto_commit(q)
        .with_receiver(|stream: &mut RecordStream| {
            let mut local = Sum::default();
            for record in stream {
                for value in record?.into_values() {
                    if let Err(e) = read_value(value, &mut local) {
                        return Ok(Err(e));
                    }
                }
            }
            Ok(Ok(local.0))
        })
        .run()
        .map_err(err)??;
    sum.int(got);
    Ok(())
}

fn read_value(value: ValueReceive, sum: &mut Sum) -> Res<()> {
    match value {
        ValueReceive::Integer(i) => sum.int(i),
        ValueReceive::Float(f) => sum.float(f),
        ValueReceive::String(s) => sum.str(&s),
        ValueReceive::List(items) => items.into_iter().try_for_each(|v| read_value(v, sum))?,
        ValueReceive::Map(map) => map.into_values().try_for_each(|v| read_value(v, sum))?,
        ValueReceive::Node(node) => {
            sum.int(node.id);
            node.labels.iter().for_each(|l| sum.str(l));
            let mut props = node.properties;
            let name = props.remove("name").ok_or("name")?;
            sum.str(&name.try_into_string().map_err(err)?);
            sum.int(
                props
                    .remove("age")
                    .ok_or("age")?
                    .try_into_int()
                    .map_err(err)?,
            );
            match props.remove("score") {
                Some(ValueReceive::Float(f)) => sum.float(f),
                other => return Err(format!("score {other:?}")),
            }
            std::hint::black_box(node.element_id.len());
        }
        other => return Err(format!("unexpected value {other:?}")),
    }
    Ok(())
}

/// A W6 batch in the neo4j crate's parameter types.
fn rows_param(rows: &[W6Row]) -> ValueSend {
    ValueSend::List(
        rows.iter()
            .map(|r| {
                let mut m: std::collections::HashMap<String, ValueSend> =
                    std::collections::HashMap::with_capacity(6);
                m.insert("id".into(), ValueSend::Integer(r.id));
                m.insert("score".into(), ValueSend::Float(r.score));
                m.insert("name".into(), ValueSend::String(r.name.clone()));
                m.insert("active".into(), ValueSend::Boolean(r.active));
                m.insert(
                    "tags".into(),
                    ValueSend::List(r.tags.iter().map(|&t| ValueSend::Integer(t)).collect()),
                );
                m.insert("born".into(), ValueSend::Date(r.born));
                ValueSend::Map(m)
            })
            .collect(),
    )
}

pub fn run(addr: &str, workload: Workload) -> Res<Outcome> {
    let born = Instant::now();
    let address: std::net::SocketAddr = addr.parse().map_err(err)?;
    let mut config = DriverConfig::new().with_auth(Arc::new(AuthToken::new_basic_auth(
        super::USER,
        super::PASSWORD,
    )));
    if workload == Workload::W7 {
        config = config.with_max_connection_pool_size(W7_POOL);
    }
    let driver = Driver::new(
        ConnectionConfig::new(Address::from(address)).with_routing(false),
        config,
    );
    let mut sum = Sum::default();
    let mut out = Outcome::default();
    if workload == Workload::W8 {
        one_query(
            &mut driver.session(SessionConfig::new()),
            "RETURN 1",
            &mut sum,
        )?;
        let took = born.elapsed().as_secs_f64();
        (out.rate, out.p50_us, out.p99_us) = (1.0 / took, took * 1e6, took * 1e6);
        out.checksum = sum.0;
        return Ok(out);
    }
    one_query(
        &mut driver.session(SessionConfig::new()),
        "RETURN 1",
        &mut Sum::default(),
    )?;
    match workload {
        Workload::W6 => {
            let rows = w6_rows();
            out.base_kb = crate::workload::peak_rss_kb();
            let start = Instant::now();
            let mut session = driver.session(SessionConfig::new());
            for batch in rows.chunks(W6_BATCH) {
                let mut params = std::collections::HashMap::with_capacity(1);
                params.insert("rows".to_string(), rows_param(batch));
                session
                    .auto_commit(W6_QUERY)
                    .with_parameters(params)
                    .run()
                    .map_err(err)?;
                sum.int(batch.len() as i64);
            }
            out.rate = rows.len() as f64 / start.elapsed().as_secs_f64();
        }
        Workload::W7 => {
            let start = Instant::now();
            let results = std::thread::scope(|scope| {
                let threads: Vec<_> = (0..W7_TASKS)
                    .map(|_| {
                        scope.spawn(|| {
                            let began = Instant::now();
                            let mut sum = Sum::default();
                            let mut latencies = Vec::with_capacity(W7_QUERIES);
                            let mut session = driver.session(SessionConfig::new());
                            for _ in 0..W7_QUERIES {
                                let t = Instant::now();
                                one_query(&mut session, "RETURN 1", &mut sum)?;
                                latencies.push(t.elapsed());
                            }
                            Ok::<_, String>((sum.0, latencies, began.elapsed()))
                        })
                    })
                    .collect();
                threads
                    .into_iter()
                    .map(|t| t.join().map_err(|_| "thread panicked".to_string())?)
                    .collect::<Res<Vec<_>>>()
            })?;
            out.rate = (W7_TASKS * W7_QUERIES) as f64 / start.elapsed().as_secs_f64();
            let mut latencies = Vec::new();
            let mut times = Vec::new();
            for (s, l, t) in results {
                sum.int(s);
                latencies.extend(l);
                times.push(t);
            }
            (out.p50_us, out.p99_us) = percentiles(latencies);
            out.fairness = fairness(times);
        }
        Workload::W1 => {
            let mut session = driver.session(SessionConfig::new());
            let mut latencies = Vec::with_capacity(W1_QUERIES);
            let start = Instant::now();
            for _ in 0..W1_QUERIES {
                let t = Instant::now();
                one_query(&mut session, "RETURN 1", &mut sum)?;
                latencies.push(t.elapsed());
            }
            out.rate = W1_QUERIES as f64 / start.elapsed().as_secs_f64();
            (out.p50_us, out.p99_us) = percentiles(latencies);
        }
        Workload::W5 => {
            let start = Instant::now();
            let sums = std::thread::scope(|scope| {
                let threads: Vec<_> = (0..W5_TASKS)
                    .map(|_| {
                        scope.spawn(|| {
                            let mut sum = Sum::default();
                            let mut session = driver.session(SessionConfig::new());
                            for _ in 0..W5_QUERIES {
                                one_query(&mut session, "RETURN 1", &mut sum)?;
                            }
                            Ok::<_, String>(sum.0)
                        })
                    })
                    .collect();
                threads
                    .into_iter()
                    .map(|t| t.join().map_err(|_| "thread panicked".to_string())?)
                    .collect::<Res<Vec<i64>>>()
            })?;
            sums.into_iter().for_each(|s| sum.int(s));
            out.rate = (W5_TASKS * W5_QUERIES) as f64 / start.elapsed().as_secs_f64();
        }
        _ => {
            let start = Instant::now();
            let mut session = driver.session(SessionConfig::new());
            one_query(&mut session, workload.query(), &mut sum)?;
            out.rate = workload.rows() as f64 / start.elapsed().as_secs_f64();
        }
    }
    out.checksum = sum.0;
    Ok(out)
}
