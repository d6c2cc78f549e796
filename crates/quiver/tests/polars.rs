//! Results as Polars data frames (feature `polars`): from the record
//! batches, every Arrow column type the batches have, chunks, errors, and
//! against the bench server.
#![cfg(feature = "polars")]

mod common;

use std::sync::Arc;

use quiver::arrow::{RecordBatch, RecordBatchBuilder, ToDfOptions};
use quiver::polars::polars_core::prelude::{AnyValue, DataType, TimeUnit};
use quiver::polars::{from_record_batch, from_record_batches};
use quiver::types::{Date, DateTime, Duration, LocalDateTime, LocalTime, Point2D, Time};
use quiver::{Config, ErrorKind, Map, Node, Record, SessionConfig, Value};
use quiver_test_support::bench_server::BenchServer;

use common::{bench_blocking_driver, bench_driver};

fn batch(names: &[&str], rows: Vec<Vec<Value>>, options: ToDfOptions) -> RecordBatch {
    let keys: Arc<[String]> = names
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .into();
    let mut builder = RecordBatchBuilder::new(Arc::clone(&keys), options);
    for row in rows {
        builder
            .push(&Record::from_values(Arc::clone(&keys), row).unwrap())
            .unwrap();
    }
    builder.finish().unwrap()
}

#[test]
fn every_column_type_arrives_in_polars() {
    let names = [
        "int", "float", "str", "bool", "bytes", "date", "ldt", "dt", "lt", "t", "dur", "point",
        "list", "map", "mixed", "nulls",
    ];
    let row = |i: i64| {
        vec![
            Value::from(i),
            Value::from(i as f64 / 2.0),
            Value::from(format!("s{i}")),
            Value::from(i % 2 == 0),
            Value::Bytes(vec![i as u8]),
            Value::Date(Date { days: i }),
            Value::LocalDateTime(LocalDateTime {
                seconds: i,
                nanoseconds: 0,
            }),
            Value::DateTime(DateTime {
                seconds: i,
                nanoseconds: 0,
                tz_offset_seconds: 3600,
            }),
            Value::LocalTime(LocalTime { nanoseconds: i }),
            Value::Time(Time {
                nanoseconds: i,
                tz_offset_seconds: 0,
            }),
            Value::Duration(Duration {
                months: i,
                days: 1,
                seconds: 2,
                nanoseconds: 3,
            }),
            Value::Point2D(Point2D {
                srid: 7203,
                x: 1.0,
                y: i as f64,
            }),
            Value::from(vec![Value::from(i), Value::from(i + 1)]),
            Value::Map(Map::from([("k".to_string(), Value::from(i))])),
            if i == 0 {
                Value::from(1)
            } else {
                Value::from("x")
            },
            Value::Null,
        ]
    };
    let b = batch(
        &names,
        vec![row(0), row(1), vec![Value::Null; 16]],
        ToDfOptions::default(),
    );
    let df = from_record_batch(&b).unwrap();
    assert_eq!(df.shape(), (3, 16));
    let dtype = |n: &str| df.column(n).unwrap().dtype().clone();
    assert_eq!(dtype("int"), DataType::Int64);
    assert_eq!(dtype("float"), DataType::Float64);
    assert_eq!(dtype("str"), DataType::String);
    assert_eq!(dtype("bool"), DataType::Boolean);
    assert_eq!(dtype("bytes"), DataType::Binary);
    assert_eq!(dtype("date"), DataType::Date);
    assert_eq!(
        dtype("ldt"),
        DataType::Datetime(TimeUnit::Nanoseconds, None)
    );
    assert!(
        matches!(dtype("dt"), DataType::Datetime(TimeUnit::Nanoseconds, Some(z)) if z.as_str() == "+01:00")
    );
    assert_eq!(dtype("lt"), DataType::Time);
    assert!(matches!(dtype("t"), DataType::Struct(_)));
    assert!(matches!(dtype("dur"), DataType::Struct(f) if f.len() == 3));
    assert!(matches!(dtype("point"), DataType::Struct(f) if f.len() == 4));
    assert_eq!(dtype("list"), DataType::List(Box::new(DataType::Int64)));
    assert_eq!(dtype("map"), DataType::String);
    assert_eq!(dtype("mixed"), DataType::String);
    assert_eq!(dtype("nulls"), DataType::Null);

    let int = df.column("int").unwrap();
    assert_eq!(int.get(1).unwrap(), AnyValue::Int64(1));
    assert_eq!(int.get(2).unwrap(), AnyValue::Null);
    assert_eq!(
        df.column("str").unwrap().get(1).unwrap(),
        AnyValue::String("s1")
    );
    assert_eq!(
        df.column("map").unwrap().get(0).unwrap(),
        AnyValue::String("{\"k\":0}")
    );
    assert_eq!(df.column("nulls").unwrap().null_count(), 3);
}

#[test]
fn expanded_nodes_become_columns_of_the_frame() {
    let node = |name: &str| {
        Value::from(Node {
            labels: vec!["P".into()],
            properties: Map::from([("name".to_string(), Value::from(name))]),
            element_id: format!("4:x:{name}"),
            ..Node::default()
        })
    };
    let b = batch(
        &["n"],
        vec![vec![node("a")], vec![node("b")]],
        ToDfOptions::new().expand(true),
    );
    let df = from_record_batch(&b).unwrap();
    assert_eq!(
        df.get_column_names()
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>(),
        ["n().element_id", "n().labels", "n().prop.name"]
    );
    assert_eq!(
        df.column("n().labels").unwrap().dtype(),
        &DataType::List(Box::new(DataType::String))
    );
}

#[test]
fn batches_become_chunks_and_must_agree() {
    let one = batch(
        &["a"],
        vec![vec![1.into()], vec![2.into()]],
        ToDfOptions::default(),
    );
    let two = batch(&["a"], vec![vec![3.into()]], ToDfOptions::default());
    let df = from_record_batches(&[one.clone(), two]).unwrap();
    assert_eq!(df.height(), 3);
    assert_eq!(df.column("a").unwrap().get(2).unwrap(), AnyValue::Int64(3));

    let text = batch(&["a"], vec![vec!["x".into()]], ToDfOptions::default());
    let err = from_record_batches(&[one, text]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Deserialization);
    assert!(err.to_string().contains("column a"), "{err}");

    assert_eq!(from_record_batches(&[]).unwrap().shape(), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn to_polars_from_the_server() {
    let server = BenchServer::start().expect("bench server");
    let driver = bench_driver(&server, Config::default());
    let mut session = driver.session(SessionConfig::default());
    let df = session
        .run("TABLE 100000")
        .await
        .unwrap()
        .to_polars(ToDfOptions::default())
        .await
        .unwrap();
    assert_eq!(df.shape(), (100_000, 4));
    assert_eq!(df.column("day").unwrap().dtype(), &DataType::Date);
    assert_eq!(
        df.column("id").unwrap().get(99_999).unwrap(),
        AnyValue::Int64(99_999)
    );

    // Streamed batches into a frame of chunks.
    let mut result = session.run("TABLE 70000").await.unwrap();
    let mut batches = Vec::new();
    let mut stream = result.record_batches(30_000, ToDfOptions::default());
    while let Some(b) = stream.next_batch().await {
        batches.push(b.unwrap());
    }
    let df = from_record_batches(&batches).unwrap();
    assert_eq!(df.height(), 70_000);
    assert_eq!(
        df.column("id").unwrap().as_materialized_series().n_chunks(),
        3
    );

    let df = driver
        .execute_query("TABLE 10")
        .run_with(quiver::polars::to_polars)
        .await
        .unwrap();
    assert_eq!(df.height(), 10);
    let empty = driver
        .execute_query("TABLE 0")
        .run_with(ToDfOptions::new().polars_transformer())
        .await
        .unwrap();
    assert_eq!(empty.shape(), (0, 4));
    driver.close().await;
}

#[test]
fn the_blocking_result_has_to_polars() {
    let server = BenchServer::start().expect("bench server");
    let driver = bench_blocking_driver(&server);
    let mut session = driver.session(SessionConfig::default());
    let df = session
        .run("TABLE 50")
        .unwrap()
        .to_polars(ToDfOptions::default())
        .unwrap();
    assert_eq!(df.shape(), (50, 4));
}
