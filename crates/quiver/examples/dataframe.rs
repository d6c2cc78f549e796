//! Results as a Polars data frame: loads a few thousand sensor readings,
//! reads them back as a frame (the manual's `to_df`) and prints it
//! aggregated per sensor.
//!
//! ```sh
//! cargo run --example dataframe --features polars
//! ```
//!
//! With `NEO4J_URI` (and `NEO4J_USER`, `NEO4J_PASSWORD`) set, it talks to that
//! server. Otherwise it starts the embedded test server (`cargo xtask server
//! start`, as the quickstart does) and stops it at the end.

use std::collections::BTreeMap;
use std::process::{Command, ExitCode, Stdio};

use quiver::arrow::ToDfOptions;
use quiver::polars::polars_core::frame::DataFrame;
use quiver::polars::polars_core::prelude::{Column, NamedFrom, PolarsResult, Series};
use quiver::{params, AuthToken, Driver, RoutingControl};

const READINGS: i64 = 5_000;

type AnyError = Box<dyn std::error::Error>;

/// Where the server is, and whether we started it (and so stop it).
struct Server {
    uri: String,
    user: String,
    password: String,
    started: bool,
}

fn workspace_root() -> std::path::PathBuf {
    let here = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .map(std::path::PathBuf::from)
        .unwrap_or(here)
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn server() -> Result<Server, AnyError> {
    if let Ok(uri) = std::env::var("NEO4J_URI") {
        let var = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
        return Ok(Server {
            uri,
            user: var("NEO4J_USER", "neo4j"),
            password: var("NEO4J_PASSWORD", "password"),
            started: false,
        });
    }
    println!("NEO4J_URI is not set: starting the embedded server (cargo xtask server start)...");
    let output = Command::new(cargo())
        .args(["xtask", "server", "start"])
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()?;
    if !output.status.success() {
        return Err(format!("`cargo xtask server start` failed ({})", output.status).into());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let vars: BTreeMap<&str, &str> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    let get = |k: &str| {
        vars.get(k)
            .map(|v| (*v).to_owned())
            .ok_or_else(|| format!("`cargo xtask server start` did not print {k}"))
    };
    Ok(Server {
        uri: get("NEO4J_URI")?,
        user: get("NEO4J_USER")?,
        password: get("NEO4J_PASSWORD")?,
        started: vars.get("QUIVER_SERVER_REUSED") != Some(&"1"),
    })
}

fn stop(server: &Server) {
    if server.started {
        let _ = Command::new(cargo())
            .args(["xtask", "server", "stop"])
            .current_dir(workspace_root())
            .stdout(Stdio::null())
            .status();
        println!("Stopped the embedded server.");
    }
}

/// Per sensor: how many readings, their mean and their maximum.
fn per_sensor(df: &DataFrame) -> PolarsResult<DataFrame> {
    df.group_by_stable(["sensor"])?.apply(|group| {
        let values = group.column("value")?.as_materialized_series();
        DataFrame::new_infer_height(vec![
            group.column("sensor")?.head(Some(1)),
            Column::from(Series::new("readings".into(), [group.height() as i64])),
            Column::from(Series::new("mean".into(), [values.mean()])),
            Column::from(Series::new("max".into(), [values.max::<f64>()?])),
        ])
    })
}

async fn demo(server: &Server) -> Result<(), AnyError> {
    let driver = Driver::new(
        &server.uri,
        AuthToken::basic(&server.user, &server.password),
    )?;
    let run = format!("dataframe-{}", std::process::id());

    let created = driver
        .execute_query(
            "UNWIND range(0, $n - 1) AS i \
             CREATE (:Reading {run: $run, seq: i, sensor: 'sensor-' + toString(i % 5), \
                               value: toFloat(i % 97) / 4.0})",
        )
        .params(params! { "n" => READINGS, "run" => run.as_str() })
        .await?
        .summary
        .counters()
        .nodes_created();
    println!("Loaded {created} readings.");

    // The result transformer turns the result into a frame inside the
    // transaction, as `result_transformer_=Result.to_df` does.
    let df = driver
        .execute_query(
            "MATCH (r:Reading {run: $run}) \
             RETURN r.sensor AS sensor, r.seq AS seq, r.value AS value \
             ORDER BY sensor, seq",
        )
        .param("run", run.as_str())
        .routing(RoutingControl::Readers)
        .run_with(ToDfOptions::new().polars_transformer())
        .await?;
    println!(
        "{} rows x {} columns: {:?}",
        df.height(),
        df.width(),
        df.get_column_names()
    );
    println!("{}", per_sensor(&df)?);

    // expand: a node's properties become columns.
    let nodes = driver
        .execute_query("MATCH (r:Reading {run: $run}) RETURN r ORDER BY r.seq LIMIT 3")
        .param("run", run.as_str())
        .await?
        .to_polars(ToDfOptions::new().expand(true))?;
    println!("{nodes}");

    driver
        .execute_query("MATCH (r:Reading {run: $run}) DELETE r")
        .param("run", run.as_str())
        .await?;
    driver.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let server = match server() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("dataframe: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = demo(&server).await;
    stop(&server);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dataframe: {e}");
            ExitCode::FAILURE
        }
    }
}
