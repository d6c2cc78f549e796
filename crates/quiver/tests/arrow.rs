//! Results as Arrow record batches (feature `arrow`): every Cypher type into
//! Arrow, nulls, disagreeing values, empty results, `expand`, and the
//! streaming form against the bench server.
#![cfg(feature = "arrow")]

mod common;

use std::sync::Arc;

use quiver::arrow::array::{
    Array, BinaryArray, BooleanArray, Date32Array, Float64Array, Int64Array,
    IntervalMonthDayNanoArray, ListArray, StringArray, StructArray, Time64NanosecondArray,
    TimestampNanosecondArray,
};
use quiver::arrow::schema::{DataType, TimeUnit};
use quiver::arrow::{RecordBatch, RecordBatchBuilder, ToDfOptions};
use quiver::types::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Point2D, Point3D, Time,
    Uuid,
};
use quiver::{Config, Map, Node, Path, Record, Relationship, SessionConfig};
use quiver::{UnboundRelationship, Value};
use quiver_test_support::bench_server::BenchServer;

use common::{bench_blocking_driver, bench_driver};

fn keys(names: &[&str]) -> Arc<[String]> {
    names
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .into()
}

/// One column `x` holding `values`, one per row.
fn column(values: Vec<Value>, options: ToDfOptions) -> RecordBatch {
    rows(
        &["x"],
        values.into_iter().map(|v| vec![v]).collect(),
        options,
    )
}

fn rows(names: &[&str], rows: Vec<Vec<Value>>, options: ToDfOptions) -> RecordBatch {
    let keys = keys(names);
    let mut builder = RecordBatchBuilder::new(Arc::clone(&keys), options);
    for row in rows {
        let record = Record::from_values(Arc::clone(&keys), row).unwrap();
        builder.push(&record).unwrap();
    }
    builder.finish().unwrap()
}

fn plain() -> ToDfOptions {
    ToDfOptions::default()
}

fn first<T: 'static>(batch: &RecordBatch) -> &T {
    batch
        .column(0)
        .as_any()
        .downcast_ref::<T>()
        .unwrap_or_else(|| panic!("column 0 is {:?}", batch.column(0).data_type()))
}

fn texts(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
    let col = batch.column_by_name(name).unwrap_or_else(|| {
        panic!("no column {name} in {:?}", batch.schema());
    });
    let s = col
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap_or_else(|| panic!("{name} is {:?}", col.data_type()));
    s.iter().map(|v| v.map(str::to_owned)).collect()
}

fn node(id: &str, labels: &[&str], props: &[(&str, Value)]) -> Node {
    Node {
        labels: labels.iter().map(|s| s.to_string()).collect(),
        properties: props
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        element_id: id.to_owned(),
        ..Node::default()
    }
}

#[test]
fn booleans_integers_floats_with_nulls() {
    let b = column(vec![true.into(), Value::Null, false.into()], plain());
    assert_eq!(b.schema().field(0).data_type(), &DataType::Boolean);
    let a = first::<BooleanArray>(&b);
    assert_eq!(
        a.iter().collect::<Vec<_>>(),
        [Some(true), None, Some(false)]
    );

    let b = column(vec![1.into(), Value::Null, i64::MIN.into()], plain());
    let a = first::<Int64Array>(&b);
    assert_eq!(
        a.iter().collect::<Vec<_>>(),
        [Some(1), None, Some(i64::MIN)]
    );

    let b = column(vec![Value::Null, 0.5.into(), f64::NAN.into()], plain());
    let a = first::<Float64Array>(&b);
    assert!(a.is_null(0));
    assert_eq!(a.value(1), 0.5);
    assert!(a.value(2).is_nan());
}

#[test]
fn strings_bytes_uuids() {
    let b = column(vec!["a".into(), Value::Null, "été".into()], plain());
    assert_eq!(b.schema().field(0).data_type(), &DataType::Utf8);
    assert_eq!(texts(&b, "x"), [Some("a".into()), None, Some("été".into())]);

    let b = column(
        vec![Value::Bytes(vec![1, 2]), Value::Null, Value::Bytes(vec![])],
        plain(),
    );
    let a = first::<BinaryArray>(&b);
    assert_eq!(
        a.iter().collect::<Vec<_>>(),
        [Some(&[1u8, 2][..]), None, Some(&[][..])]
    );

    let u = Uuid([0x12; 16]);
    let b = column(vec![Value::Uuid(u), Value::Null], plain());
    assert_eq!(texts(&b, "x"), [Some(u.to_string()), None]);
}

#[test]
fn dates_times_and_durations_are_arrow_temporal_types() {
    let b = column(
        vec![Value::Date(Date { days: 19_860 }), Value::Null],
        plain(),
    );
    assert_eq!(b.schema().field(0).data_type(), &DataType::Date32);
    assert_eq!(first::<Date32Array>(&b).value(0), 19_860);
    assert!(b.column(0).is_null(1));

    let b = column(
        vec![Value::LocalTime(LocalTime { nanoseconds: 5 })],
        plain(),
    );
    assert_eq!(first::<Time64NanosecondArray>(&b).value(0), 5);

    let b = column(
        vec![Value::LocalDateTime(LocalDateTime {
            seconds: 10,
            nanoseconds: 7,
        })],
        plain(),
    );
    assert_eq!(
        b.schema().field(0).data_type(),
        &DataType::Timestamp(TimeUnit::Nanosecond, None)
    );
    assert_eq!(
        first::<TimestampNanosecondArray>(&b).value(0),
        10_000_000_007
    );

    // Zoned date-times keep their zone: an offset, or a zone id.
    let dt = |s, off| {
        Value::DateTime(DateTime {
            seconds: s,
            nanoseconds: 0,
            tz_offset_seconds: off,
        })
    };
    let b = column(vec![dt(1, 3600), Value::Null, dt(2, 3600)], plain());
    assert_eq!(
        b.schema().field(0).data_type(),
        &DataType::Timestamp(TimeUnit::Nanosecond, Some("+01:00".into()))
    );
    assert_eq!(
        first::<TimestampNanosecondArray>(&b).value(2),
        2_000_000_000
    );
    let b = column(vec![dt(0, -5 * 3600 - 30 * 60)], plain());
    assert_eq!(
        b.schema().field(0).data_type(),
        &DataType::Timestamp(TimeUnit::Nanosecond, Some("-05:30".into()))
    );
    let zoned = Value::DateTimeZoneId(Box::new(DateTimeZoneId::from_utc(
        60,
        0,
        "Europe/Stockholm",
    )));
    let b = column(vec![zoned.clone()], plain());
    assert_eq!(
        b.schema().field(0).data_type(),
        &DataType::Timestamp(TimeUnit::Nanosecond, Some("Europe/Stockholm".into()))
    );
    assert_eq!(
        first::<TimestampNanosecondArray>(&b).value(0),
        60_000_000_000
    );

    // Different zones: JSON text without parse_dates, UTC instants with it.
    let b = column(vec![dt(1, 3600), dt(2, 7200)], plain());
    assert_eq!(
        texts(&b, "x"),
        [
            Some("\"1970-01-01T01:00:01+01:00\"".into()),
            Some("\"1970-01-01T02:00:02+02:00\"".into())
        ]
    );
    let b = column(
        vec![dt(1, 3600), zoned],
        ToDfOptions::new().parse_dates(true),
    );
    assert_eq!(
        b.schema().field(0).data_type(),
        &DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()))
    );
    assert_eq!(
        first::<TimestampNanosecondArray>(&b).value(1),
        60_000_000_000
    );

    // Zoned times: the local time and the offset.
    let b = column(
        vec![Value::Time(Time {
            nanoseconds: 9,
            tz_offset_seconds: -3600,
        })],
        plain(),
    );
    let s = first::<StructArray>(&b);
    let time = s.column_by_name("time").unwrap();
    assert_eq!(time.data_type(), &DataType::Time64(TimeUnit::Nanosecond));
    let off = s.column_by_name("tz_offset_seconds").unwrap();
    assert_eq!(
        off.as_any().downcast_ref::<Int64Array>().unwrap().value(0),
        -3600
    );

    let b = column(
        vec![
            Value::Duration(Duration {
                months: 14,
                days: -3,
                seconds: 5,
                nanoseconds: 6,
            }),
            Value::Null,
        ],
        plain(),
    );
    let d = first::<IntervalMonthDayNanoArray>(&b).value(0);
    assert_eq!((d.months, d.days, d.nanoseconds), (14, -3, 5_000_000_006));
    assert!(b.column(0).is_null(1));
}

#[test]
fn parse_dates_makes_dates_timestamps() {
    let values = vec![
        Value::Date(Date { days: 1 }),
        Value::LocalDateTime(LocalDateTime {
            seconds: 86_400 + 60,
            nanoseconds: 0,
        }),
        Value::Null,
    ];
    // Without it, dates and date-times disagree.
    let b = column(values.clone(), plain());
    assert_eq!(b.schema().field(0).data_type(), &DataType::Utf8);
    let b = column(values, ToDfOptions::new().parse_dates(true));
    let a = first::<TimestampNanosecondArray>(&b);
    assert_eq!(a.value(0), 86_400_000_000_000);
    assert_eq!(a.value(1), 86_460_000_000_000);
    assert!(a.is_null(2));
}

#[test]
fn out_of_range_temporal_values_fall_back_to_text() {
    // Year 3000 does not fit nanosecond timestamps.
    let far = LocalDateTime {
        seconds: 32_503_680_000,
        nanoseconds: 0,
    };
    let b = column(
        vec![
            Value::LocalDateTime(LocalDateTime {
                seconds: 0,
                nanoseconds: 0,
            }),
            Value::LocalDateTime(far),
        ],
        plain(),
    );
    assert_eq!(
        texts(&b, "x"),
        [
            Some("\"1970-01-01T00:00:00\"".into()),
            Some("\"3000-01-01T00:00:00\"".into())
        ]
    );
}

#[test]
fn points_are_structs() {
    let b = column(
        vec![
            Value::Point2D(Point2D {
                srid: 4326,
                x: 1.5,
                y: 2.5,
            }),
            Value::Null,
            Value::Point3D(Point3D {
                srid: 9157,
                x: 1.0,
                y: 2.0,
                z: 3.0,
            }),
        ],
        plain(),
    );
    let s = first::<StructArray>(&b);
    assert!(s.is_null(1));
    let f = |name| {
        s.column_by_name(name)
            .unwrap()
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap()
            .clone()
    };
    assert_eq!(f("x").value(0), 1.5);
    assert!(f("z").is_null(0));
    assert_eq!(f("z").value(2), 3.0);
    let srid = s.column_by_name("srid").unwrap();
    let srid = srid.as_any().downcast_ref::<Int64Array>().unwrap();
    assert_eq!((srid.value(0), srid.value(2)), (4326, 9157));
}

#[test]
fn lists_of_one_type_are_arrow_lists() {
    let b = column(
        vec![
            Value::from(vec![Value::from(1), Value::Null]),
            Value::Null,
            Value::List(vec![]),
            Value::from(vec![Value::from(3)]),
        ],
        plain(),
    );
    let l = first::<ListArray>(&b);
    assert_eq!(l.value_type(), DataType::Int64);
    assert!(l.is_null(1));
    assert_eq!(l.value_length(2), 0);
    let v = l.value(0);
    let v = v.as_any().downcast_ref::<Int64Array>().unwrap();
    assert_eq!(v.iter().collect::<Vec<_>>(), [Some(1), None]);

    // Nested lists, and lists of strings.
    let nested = Value::from(vec![Value::from(vec![Value::from("a")])]);
    let b = column(vec![nested], plain());
    let l = first::<ListArray>(&b);
    assert!(matches!(l.value_type(), DataType::List(f) if f.data_type() == &DataType::Utf8));

    // Elements that disagree: each element's JSON text.
    let mixed = Value::from(vec![Value::from(1), Value::from("a"), Value::Null]);
    let b = column(vec![mixed], plain());
    let l = first::<ListArray>(&b);
    assert_eq!(l.value_type(), DataType::Utf8);
    let v = l.value(0);
    let v = v.as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(
        v.iter().collect::<Vec<_>>(),
        [Some("1"), Some("\"a\""), None]
    );

    // Only empty lists: a list of nulls.
    let b = column(vec![Value::List(vec![])], plain());
    assert_eq!(first::<ListArray>(&b).value_type(), DataType::Null);
}

#[test]
fn maps_and_graph_values_without_expand_are_json_text() {
    let map = Value::Map(Map::from([
        ("a".to_string(), Value::from(1)),
        (
            "b".to_string(),
            Value::from(vec![Value::from("x\"y"), Value::Null]),
        ),
    ]));
    let n = node("4:db:1", &["Person"], &[("name", "Ann".into())]);
    let rel = Relationship {
        rel_type: "KNOWS".into(),
        properties: Map::from([("since".to_string(), Value::from(2020))]),
        element_id: "5:db:9".into(),
        start_node_element_id: "4:db:1".into(),
        end_node_element_id: "4:db:2".into(),
        ..Relationship::default()
    };
    let path = Path {
        nodes: vec![n.clone()],
        relationships: vec![UnboundRelationship {
            rel_type: "R".into(),
            element_id: "5:db:3".into(),
            ..UnboundRelationship::default()
        }],
        indices: vec![],
    };
    let b = rows(
        &["m", "n", "r", "p", "f"],
        vec![
            vec![
                map,
                Value::from(n),
                Value::from(rel),
                Value::Path(Box::new(path)),
                Value::Bytes(vec![1, 255]),
            ],
            vec![Value::Null; 5],
        ],
        plain(),
    );
    assert_eq!(
        texts(&b, "m"),
        [Some(r#"{"a":1,"b":["x\"y",null]}"#.into()), None]
    );
    assert_eq!(
        texts(&b, "n")[0].as_deref(),
        Some(r#"{"element_id":"4:db:1","labels":["Person"],"properties":{"name":"Ann"}}"#)
    );
    assert_eq!(
        texts(&b, "r")[0].as_deref(),
        Some(
            r#"{"element_id":"5:db:9","start_element_id":"4:db:1","end_element_id":"4:db:2","type":"KNOWS","properties":{"since":2020}}"#
        )
    );
    assert_eq!(
        texts(&b, "p")[0].as_deref(),
        Some(
            r#"{"nodes":[{"element_id":"4:db:1","labels":["Person"],"properties":{"name":"Ann"}}],"relationships":[{"element_id":"5:db:3","type":"R","properties":{}}]}"#
        )
    );
    // Bytes alone are Binary; this column is bytes only.
    assert_eq!(b.schema().field(4).data_type(), &DataType::Binary);
}

#[test]
fn a_column_of_mixed_types_falls_back_to_json_text() {
    let b = column(
        vec![
            1.into(),
            "one".into(),
            Value::Null,
            1.5.into(),
            f64::INFINITY.into(),
            Value::Date(Date { days: 0 }),
            true.into(),
        ],
        plain(),
    );
    assert_eq!(b.num_rows(), 7);
    assert_eq!(
        texts(&b, "x"),
        [
            Some("1".into()),
            Some("\"one\"".into()),
            None,
            Some("1.5".into()),
            Some("\"Infinity\"".into()),
            Some("\"1970-01-01\"".into()),
            Some("true".into()),
        ]
    );
}

#[test]
fn empty_results_have_the_columns_and_no_rows() {
    let b = rows(&["a", "b"], vec![], plain());
    assert_eq!(b.num_rows(), 0);
    assert_eq!(b.num_columns(), 2);
    assert_eq!(b.schema().field(1).name(), "b");
    assert_eq!(b.schema().field(1).data_type(), &DataType::Null);

    // Nothing to expand: no columns.
    let b = rows(&["a"], vec![], ToDfOptions::new().expand(true));
    assert_eq!((b.num_rows(), b.num_columns()), (0, 0));

    // No keys at all, some rows.
    let b = rows(&[], vec![vec![], vec![]], plain());
    assert_eq!((b.num_rows(), b.num_columns()), (2, 0));

    // Only nulls: a Null column.
    let b = column(vec![Value::Null, Value::Null], plain());
    assert_eq!(b.column(0).logical_null_count(), 2);
}

fn names(b: &RecordBatch) -> Vec<String> {
    b.schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

#[test]
fn expand_flattens_nodes_as_the_manual_shows() {
    let b = rows(
        &["n"],
        vec![
            vec![node(
                "4:db:1",
                &["Person", "Dev"],
                &[("age", 30.into()), ("name", "Ann".into())],
            )
            .into()],
            vec![Value::Null],
            vec![node(
                "4:db:2",
                &["Person"],
                &[
                    ("name", "Bo".into()),
                    ("tags", Value::from(vec![Value::from("x")])),
                ],
            )
            .into()],
        ],
        ToDfOptions::new().expand(true),
    );
    assert_eq!(
        names(&b),
        [
            "n().element_id",
            "n().labels",
            "n().prop.age",
            "n().prop.name",
            "n",
            "n().prop.tags",
        ]
    );
    assert_eq!(
        texts(&b, "n().element_id"),
        [Some("4:db:1".into()), None, Some("4:db:2".into())]
    );
    let labels = b.column_by_name("n().labels").unwrap();
    let labels = labels.as_any().downcast_ref::<ListArray>().unwrap();
    assert_eq!(labels.value_type(), DataType::Utf8);
    assert_eq!(labels.value_length(0), 2);
    let age = b.column_by_name("n().prop.age").unwrap();
    let age = age.as_any().downcast_ref::<Int64Array>().unwrap();
    assert_eq!(age.iter().collect::<Vec<_>>(), [Some(30), None, None]);
    // The recursion stops at the node: a list property stays a list.
    assert!(matches!(
        b.column_by_name("n().prop.tags").unwrap().data_type(),
        DataType::List(_)
    ));
    // The null row is the plain column `n`, null throughout.
    assert_eq!(b.column_by_name("n").unwrap().logical_null_count(), 3);
}

#[test]
fn expand_flattens_relationships() {
    let rel = Relationship {
        rel_type: "KNOWS".into(),
        properties: Map::from([("since".to_string(), Value::from(2020))]),
        element_id: "5:db:9".into(),
        start_node_element_id: "4:db:1".into(),
        end_node_element_id: "4:db:2".into(),
        ..Relationship::default()
    };
    let b = rows(
        &["r"],
        vec![vec![rel.into()]],
        ToDfOptions::new().expand(true),
    );
    assert_eq!(
        names(&b),
        [
            "r->.element_id",
            "r->.start.element_id",
            "r->.end.element_id",
            "r->.type",
            "r->.prop.since",
        ]
    );
    assert_eq!(texts(&b, "r->.type"), [Some("KNOWS".into())]);
    assert_eq!(texts(&b, "r->.end.element_id"), [Some("4:db:2".into())]);
}

#[test]
fn expand_flattens_lists_and_maps_recursively_and_escapes_names() {
    // The manual's example: x = [{"foo": "bar", "baz": [42, 0]}, "foobar"].
    let inner = Value::Map(Map::from([
        ("foo".to_string(), Value::from("bar")),
        (
            "baz".to_string(),
            Value::from(vec![Value::from(42), Value::from(0)]),
        ),
    ]));
    let x = Value::from(vec![inner, Value::from("foobar")]);
    let d = Value::Map(Map::from([
        ("a.b".to_string(), Value::from(1)),
        ("c\\d".to_string(), Value::from(2)),
    ]));
    let b = rows(
        &["x", "d.e"],
        vec![
            vec![x, d],
            vec![Value::from(vec![Value::from(7)]), Value::Null],
        ],
        ToDfOptions::new().expand(true),
    );
    assert_eq!(
        names(&b),
        [
            "x[].0{}.baz[].0",
            "x[].0{}.baz[].1",
            "x[].0{}.foo",
            "x[].1",
            r"d\.e{}.a\.b",
            r"d\.e{}.c\\d",
            "x[].0",
            r"d\.e",
        ]
    );
    let baz = b.column_by_name("x[].0{}.baz[].0").unwrap();
    let baz = baz.as_any().downcast_ref::<Int64Array>().unwrap();
    assert_eq!(baz.iter().collect::<Vec<_>>(), [Some(42), None]);
    assert_eq!(texts(&b, "x[].1"), [Some("foobar".into()), None]);
    let seven = b.column_by_name("x[].0").unwrap();
    let seven = seven.as_any().downcast_ref::<Int64Array>().unwrap();
    assert_eq!(seven.iter().collect::<Vec<_>>(), [None, Some(7)]);
}

#[test]
fn batches_keep_their_types_and_columns_from_batch_to_batch() {
    let k = keys(&["a", "b"]);
    let mut builder = RecordBatchBuilder::new(Arc::clone(&k), plain());
    let push = |builder: &mut RecordBatchBuilder, row: Vec<Value>| {
        builder
            .push(&Record::from_values(Arc::clone(&k), row).unwrap())
            .unwrap();
    };
    push(&mut builder, vec![1.into(), "x".into()]);
    let one = builder.finish().unwrap();
    // Nulls only: the types stay.
    push(&mut builder, vec![Value::Null, Value::Null]);
    let two = builder.finish().unwrap();
    assert_eq!(one.schema(), two.schema());
    // Another type: that column becomes JSON text from here on.
    push(&mut builder, vec!["s".into(), "y".into()]);
    let three = builder.finish().unwrap();
    assert_eq!(three.schema().field(0).data_type(), &DataType::Utf8);
    assert_eq!(texts(&three, "a"), [Some("\"s\"".into())]);
    push(&mut builder, vec![2.into(), "z".into()]);
    let four = builder.finish().unwrap();
    assert_eq!(texts(&four, "a"), [Some("2".into())]);

    // With expand, a column seen before stays.
    let k = keys(&["m"]);
    let mut builder = RecordBatchBuilder::new(Arc::clone(&k), ToDfOptions::new().expand(true));
    let m = |key: &str| Value::Map(Map::from([(key.to_string(), Value::from(1))]));
    builder
        .push(&Record::from_values(Arc::clone(&k), vec![m("a")]).unwrap())
        .unwrap();
    let one = builder.finish().unwrap();
    builder
        .push(&Record::from_values(Arc::clone(&k), vec![m("b")]).unwrap())
        .unwrap();
    let two = builder.finish().unwrap();
    assert_eq!(names(&one), ["m{}.a"]);
    assert_eq!(names(&two), ["m{}.a", "m{}.b"]);
    assert_eq!(two.column(0).data_type(), &DataType::Int64);
    assert_eq!(two.column(0).null_count(), 1);
}

const ROWS: usize = 150_000;

fn check_table(batches: &[RecordBatch], rows: usize) {
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(total, rows);
    let mut i = 0i64;
    for b in batches {
        assert_eq!(names(b), ["id", "score", "name", "day"]);
        assert_eq!(b.schema(), batches[0].schema());
        let id = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
        let day = b.column(3).as_any().downcast_ref::<Date32Array>().unwrap();
        let name = b.column(2).as_any().downcast_ref::<StringArray>().unwrap();
        for r in 0..b.num_rows() {
            assert_eq!(id.value(r), i);
            assert_eq!(i64::from(day.value(r)), i % 20_000);
            assert_eq!(name.value(r), format!("name-{i:015}"));
            i += 1;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_batches_stream_while_records_arrive() {
    let server = BenchServer::start().expect("bench server");
    let driver = bench_driver(&server, Config::default());
    let mut session = driver.session(SessionConfig::default());
    let mut result = session.run(format!("TABLE {ROWS}")).await.unwrap();
    let mut batches = Vec::new();
    {
        let mut stream = result.record_batches(65_536, plain());
        while let Some(batch) = stream.next_batch().await {
            batches.push(batch.unwrap());
        }
    }
    assert_eq!(
        batches
            .iter()
            .map(RecordBatch::num_rows)
            .collect::<Vec<_>>(),
        [65_536, 65_536, ROWS - 2 * 65_536]
    );
    check_table(&batches, ROWS);
    result.consume().await.unwrap();

    // An empty result: one empty batch with the columns.
    let mut result = session.run("TABLE 0").await.unwrap();
    let mut stream = result.record_batches(10, plain());
    let only = stream.next_batch().await.unwrap().unwrap();
    assert!(stream.next_batch().await.is_none());
    assert_eq!((only.num_rows(), names(&only).len()), (0, 4));
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn to_record_batch_and_the_run_with_transformer() {
    let server = BenchServer::start().expect("bench server");
    let driver = bench_driver(&server, Config::default());
    let mut session = driver.session(SessionConfig::default());
    let batch = session
        .run("TABLE 5000")
        .await
        .unwrap()
        .to_record_batch(plain())
        .await
        .unwrap();
    check_table(&[batch], 5000);

    let batch = driver
        .execute_query("TABLE 300")
        .run_with(quiver::arrow::to_record_batch)
        .await
        .unwrap();
    check_table(&[batch], 300);
    let batch = driver
        .execute_query("TABLE 30")
        .run_with(ToDfOptions::new().parse_dates(true).transformer())
        .await
        .unwrap();
    assert_eq!(
        batch.schema().field(3).data_type(),
        &DataType::Timestamp(TimeUnit::Nanosecond, None)
    );
    let eager = driver.execute_query("TABLE 40").await.unwrap();
    check_table(&[eager.to_record_batch(plain()).unwrap()], 40);
    driver.close().await;
}

#[test]
fn the_blocking_result_has_the_arrow_methods() {
    let server = BenchServer::start().expect("bench server");
    let driver = bench_blocking_driver(&server);
    let mut session = driver.session(SessionConfig::default());
    let batch = session
        .run("TABLE 100")
        .unwrap()
        .to_record_batch(plain())
        .unwrap();
    check_table(&[batch], 100);
    let mut result = session.run("TABLE 250").unwrap();
    let batches: Vec<RecordBatch> = result
        .record_batches(100, plain())
        .collect::<quiver::Result<_>>()
        .unwrap();
    assert_eq!(batches.len(), 3);
    check_table(&batches, 250);
}

#[test]
fn records_read_from_their_bytes_give_the_batches_their_values_give() {
    // Records are read straight into typed columns; pushed as values they
    // go the general way. Nulls, a column null for the first batch, one
    // that turns from integers to strings midway, one mixed within a batch.
    let names = keys(&["i", "f", "s", "d", "late", "turns", "mixed"]);
    let records: Vec<Record> = (0..12i64)
        .map(|i| {
            let null_or = |v: Value| if i % 3 == 2 { Value::Null } else { v };
            let values = vec![
                null_or(Value::from(i - 5)),
                null_or(Value::from(i as f64 * 0.5)),
                null_or(Value::from(format!("name {i}"))),
                null_or(Value::Date(Date { days: 19_000 + i })),
                if i < 5 { Value::Null } else { Value::from(i) },
                if i < 7 {
                    Value::from(i)
                } else {
                    Value::from(format!("{i}"))
                },
                if i == 9 {
                    Value::from(true)
                } else {
                    Value::from(i)
                },
            ];
            Record::from_values(Arc::clone(&names), values).unwrap()
        })
        .collect();
    let mut from_records = RecordBatchBuilder::new(Arc::clone(&names), plain());
    let mut from_values = RecordBatchBuilder::new(Arc::clone(&names), plain());
    let mut types = Vec::new();
    for chunk in records.chunks(4) {
        for record in chunk {
            from_records.push(record).unwrap();
            from_values.push_values(record.values().unwrap()).unwrap();
        }
        let batch = from_records.finish().unwrap();
        assert_eq!(batch, from_values.finish().unwrap());
        let schema = batch.schema();
        types.push((
            schema.field(4).data_type().clone(),
            schema.field(5).data_type().clone(),
            schema.field(6).data_type().clone(),
        ));
    }
    use DataType::{Int64, Null, Utf8};
    assert_eq!(
        types,
        [
            (Null, Int64, Int64),
            (Int64, Utf8, Int64),
            (Int64, Utf8, Utf8)
        ]
    );
}
