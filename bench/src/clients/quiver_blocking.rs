//! Quiver, blocking API.

use std::time::Instant;

use quiver::blocking::Driver;
use quiver::{AuthToken, SessionConfig};

use super::quiver_async::read_record;
use super::Read;
use crate::workload::{percentiles, Outcome, Sum, Workload, W1_QUERIES, W5_QUERIES, W5_TASKS};

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
    let driver = Driver::new(
        &format!("bolt://{addr}"),
        AuthToken::basic(super::USER, super::PASSWORD),
    )
    .map_err(err)?;
    one_query(&driver, "RETURN 1", &mut Sum::default())?;
    let mut sum = Sum::default();
    let mut out = Outcome::default();
    match workload {
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
