//! Quiver, blocking API.

use std::time::Instant;

use quiver::blocking::Driver;
use quiver::{AuthToken, Config, Query, SessionConfig};

use super::quiver_async::{read_record, rows_as_values};
use super::Read;
use crate::workload::{
    fairness, percentiles, w6_rows, Outcome, Sum, Workload, W1_QUERIES, W5_QUERIES, W5_TASKS,
    W6_BATCH, W6_QUERY, W7_POOL, W7_QUERIES, W7_TASKS,
};

type Res<T> = Result<T, String>;

fn err(e: quiver::Error) -> String {
    e.to_string()
}

fn one_query(driver: &Driver, query: &str, sum: &mut Sum) -> Res<()> {
    let mut session = driver.session(SessionConfig::default());
    for record in session.run(query).map_err(err)? {
        read_record(&record.map_err(err)?, Read::Native, sum)?;
    }
    Ok(())
}

pub fn run(addr: &str, workload: Workload) -> Res<Outcome> {
    let born = Instant::now();
    let mut config = Config::builder();
    if workload == Workload::W7 {
        config = config.max_connection_pool_size(W7_POOL);
    }
    let driver = Driver::with_config(
        &format!("bolt://{addr}"),
        AuthToken::basic(super::USER, super::PASSWORD),
        config.build().map_err(err)?,
    )
    .map_err(err)?;
    let mut sum = Sum::default();
    let mut out = Outcome::default();
    if workload == Workload::W8 {
        one_query(&driver, "RETURN 1", &mut sum)?;
        let took = born.elapsed().as_secs_f64();
        (out.rate, out.p50_us, out.p99_us) = (1.0 / took, took * 1e6, took * 1e6);
        driver.close();
        out.checksum = sum.0;
        return Ok(out);
    }
    one_query(&driver, "RETURN 1", &mut Sum::default())?;
    match workload {
        Workload::W6 => {
            let rows = w6_rows();
            out.base_kb = crate::workload::peak_rss_kb();
            let start = Instant::now();
            let mut session = driver.session(SessionConfig::default());
            for batch in rows.chunks(W6_BATCH) {
                let query = Query::from(W6_QUERY).param("rows", rows_as_values(batch));
                let summary = session.run(query).map_err(err)?.consume().map_err(err)?;
                sum.int(summary.counters().nodes_created());
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
                            let mut session = driver.session(SessionConfig::default());
                            for _ in 0..W7_QUERIES {
                                let t = Instant::now();
                                for record in session.run("RETURN 1").map_err(err)? {
                                    sum.int(record.map_err(err)?.get_at::<i64>(0).map_err(err)?);
                                }
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
            let mut session = driver.session(SessionConfig::default());
            let mut latencies = Vec::with_capacity(W1_QUERIES);
            let start = Instant::now();
            for _ in 0..W1_QUERIES {
                let t = Instant::now();
                for record in session.run("RETURN 1").map_err(err)? {
                    sum.int(record.map_err(err)?.get_at::<i64>(0).map_err(err)?);
                }
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
                            let mut session = driver.session(SessionConfig::default());
                            for _ in 0..W5_QUERIES {
                                for record in session.run("RETURN 1").map_err(err)? {
                                    sum.int(record.map_err(err)?.get_at::<i64>(0).map_err(err)?);
                                }
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
            one_query(&driver, workload.query(), &mut sum)?;
            out.rate = workload.rows() as f64 / start.elapsed().as_secs_f64();
        }
    }
    driver.close();
    out.checksum = sum.0;
    Ok(out)
}
