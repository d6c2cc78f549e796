//! Every Cypher type as a parameter and back, values the server builds
//! itself, and values stored as properties and read back.

use quiver::types::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Point2D, Point3D, Time,
};
use quiver::{params, Map, Session, SessionConfig, Value};
use quiver_tests::{execute, server, single, unique, Gap};

/// Named values to send and expect back unchanged.
fn samples() -> Vec<(&'static str, Value)> {
    let mut nested = Map::new();
    nested.insert(
        "list".into(),
        Value::List(vec![1.into(), Value::Null, "x".into()]),
    );
    nested.insert("empty".into(), Value::Map(Map::new()));
    let mut outer = Map::new();
    outer.insert("inner".into(), Value::Map(nested.clone()));
    outer.insert("n".into(), 7.into());
    outer.insert("ünïcödé ключ".into(), true.into());
    vec![
        ("null", Value::Null),
        ("true", true.into()),
        ("false", false.into()),
        ("zero", 0.into()),
        ("tiny int -16", (-16).into()),
        ("tiny int 127", 127.into()),
        ("int8 -17", (-17).into()),
        ("int8 -128", (-128).into()),
        ("int16 128", 128.into()),
        ("int16 -129", (-129).into()),
        ("int16 32767", 32767.into()),
        ("int32 32768", 32768.into()),
        ("int32 min", i32::MIN.into()),
        ("int64 i32::MAX+1", (i64::from(i32::MAX) + 1).into()),
        ("i64::MAX", i64::MAX.into()),
        ("i64::MIN", i64::MIN.into()),
        ("float", 1.5.into()),
        ("negative zero", (-0.0f64).into()),
        ("f64::MAX", f64::MAX.into()),
        ("f64::MIN_POSITIVE", f64::MIN_POSITIVE.into()),
        ("subnormal", (f64::MIN_POSITIVE / 4.0).into()),
        ("+infinity", f64::INFINITY.into()),
        ("-infinity", f64::NEG_INFINITY.into()),
        ("empty string", "".into()),
        ("unicode string", "héllo wörld, 你好, Привет, 🎉👩‍👩‍👧".into()),
        ("string of 300 chars", "ab".repeat(150).into()),
        ("string of 70k chars", "xyz".repeat(70_000 / 3).into()),
        ("empty bytes", Value::Bytes(Vec::new())),
        ("bytes", Value::Bytes(vec![0, 1, 127, 128, 255])),
        (
            "64k bytes",
            Value::Bytes((0..65_600u32).map(|i| (i % 251) as u8).collect()),
        ),
        ("empty list", Value::List(Vec::new())),
        (
            "nested list",
            Value::List(vec![
                1.into(),
                Value::List(vec![
                    2.5.into(),
                    Value::List(vec!["deep".into(), Value::Null]),
                ]),
                Value::Map(nested.clone()),
            ]),
        ),
        (
            "list of 1000",
            Value::List((0..1000).map(Value::from).collect()),
        ),
        ("empty map", Value::Map(Map::new())),
        ("nested map", Value::Map(outer)),
        ("date", Date { days: 19_723 }.into()),
        ("date before 1970", Date { days: -719_162 }.into()),
        (
            "local time",
            LocalTime {
                nanoseconds: 45_296_123_456_789,
            }
            .into(),
        ),
        (
            "time +02:00",
            Time {
                nanoseconds: 45_296_000_000_001,
                tz_offset_seconds: 7200,
            }
            .into(),
        ),
        (
            "time -05:30",
            Time {
                nanoseconds: 1_000,
                tz_offset_seconds: -19_800,
            }
            .into(),
        ),
        (
            "local datetime",
            LocalDateTime {
                seconds: 1_700_000_000,
                nanoseconds: 123_456_789,
            }
            .into(),
        ),
        (
            "local datetime before 1970",
            LocalDateTime {
                seconds: -1_000_000_000,
                nanoseconds: 1,
            }
            .into(),
        ),
        (
            "datetime +01:00",
            DateTime {
                seconds: 1_700_000_000,
                nanoseconds: 5,
                tz_offset_seconds: 3600,
            }
            .into(),
        ),
        (
            "datetime -08:00",
            DateTime {
                seconds: 1_600_000_000,
                nanoseconds: 0,
                tz_offset_seconds: -28_800,
            }
            .into(),
        ),
        (
            "datetime Z",
            DateTime {
                seconds: 0,
                nanoseconds: 999_999_999,
                tz_offset_seconds: 0,
            }
            .into(),
        ),
        (
            "datetime Europe/Stockholm",
            DateTimeZoneId::from_utc(1_700_000_000, 42, "Europe/Stockholm").into(),
        ),
        (
            "datetime America/New_York (summer)",
            DateTimeZoneId::from_utc(1_690_000_000, 0, "America/New_York").into(),
        ),
        (
            "duration",
            Duration {
                months: 14,
                days: 3,
                seconds: 3_723,
                nanoseconds: 4,
            }
            .into(),
        ),
        (
            "negative duration",
            Duration {
                months: -1,
                days: -2,
                seconds: -3,
                nanoseconds: 0,
            }
            .into(),
        ),
        (
            "cartesian 2D",
            Point2D {
                srid: 7203,
                x: 1.5,
                y: -2.25,
            }
            .into(),
        ),
        (
            "WGS-84 2D",
            Point2D {
                srid: 4326,
                x: 12.994,
                y: 55.611,
            }
            .into(),
        ),
        (
            "cartesian 3D",
            Point3D {
                srid: 9157,
                x: 1.0,
                y: 2.0,
                z: 3.5,
            }
            .into(),
        ),
        (
            "WGS-84 3D",
            Point3D {
                srid: 4979,
                x: 12.994,
                y: 55.611,
                z: 120.0,
            }
            .into(),
        ),
    ]
}

/// Floats compare by bits (so -0.0 and 0.0 differ and NaN equals NaN),
/// everything else by `==`.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, a), (kb, b))| ka == kb && same(a, b))
        }
        _ => a == b,
    }
}

fn short(v: &Value) -> String {
    let s = format!("{v:?}");
    if s.len() > 200 {
        format!("{}... ({} chars)", &s[..200], s.len())
    } else {
        s
    }
}

async fn echo(session: &mut Session, value: Value) -> quiver::Result<Value> {
    session
        .run(("RETURN $v AS v", params! { "v" => value }))
        .await?
        .single()
        .await?
        .get("v")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_type_as_a_parameter_and_back() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let mut session = driver.session(SessionConfig::default());
    let mut failures = Vec::new();
    for (name, value) in samples() {
        match echo(&mut session, value.clone()).await {
            Ok(back) if same(&back, &value) => {}
            Ok(back) => failures.push(format!(
                "{name}: sent {} got {}",
                short(&value),
                short(&back)
            )),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    // NaN is not equal to itself: check it apart.
    match echo(&mut session, f64::NAN.into()).await {
        Ok(Value::Float(f)) if f.is_nan() => {}
        other => failures.push(format!("NaN: got {other:?}")),
    }
    assert!(
        failures.is_empty(),
        "round trips failed:\n{}",
        failures.join("\n")
    );
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_megabyte_string_and_all_types_in_one_record() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let mut session = driver.session(SessionConfig::default());
    let big: String = "0123456789abcdef".repeat(65_536);
    assert_eq!(big.len(), 1 << 20);
    let back: String = single(
        &mut session,
        ("RETURN $s AS s", params! { "s" => big.clone() }),
        "s",
    )
    .await;
    assert!(
        back == big,
        "the 1 MB string came back different ({} bytes)",
        back.len()
    );

    // Every sample at once, as a list: one big record.
    let (names, values): (Vec<_>, Vec<_>) = samples().into_iter().unzip();
    let back: Vec<Value> = session
        .run((
            "RETURN $all AS all",
            params! { "all" => Value::List(values.clone()) },
        ))
        .await
        .expect("run")
        .single()
        .await
        .expect("single")
        .get("all")
        .expect("all");
    assert_eq!(back.len(), values.len());
    for ((name, sent), got) in names.iter().zip(&values).zip(&back) {
        assert!(
            same(sent, got),
            "{name} in a list: sent {} got {}",
            short(sent),
            short(got)
        );
    }
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_the_server_builds() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let cases: Vec<(&str, Value)> = vec![
        ("9223372036854775807", i64::MAX.into()),
        ("-9223372036854775807 - 1", i64::MIN.into()),
        ("1.0/0.0", f64::INFINITY.into()),
        ("'ü' + 'ñ'", "üñ".into()),
        (
            "[1, [2, null], {a: 'b'}]",
            Value::List(vec![
                1.into(),
                Value::List(vec![2.into(), Value::Null]),
                Value::Map([("a".to_owned(), Value::from("b"))].into_iter().collect()),
            ]),
        ),
        ("date('2024-01-02')", Date { days: 19_724 }.into()),
        (
            "localtime('12:34:56.789')",
            LocalTime {
                nanoseconds: 45_296_789_000_000,
            }
            .into(),
        ),
        (
            "time('12:34:56+02:00')",
            Time {
                nanoseconds: 45_296_000_000_000,
                tz_offset_seconds: 7200,
            }
            .into(),
        ),
        (
            "localdatetime('2024-01-02T03:04:05')",
            LocalDateTime {
                seconds: 1_704_164_645,
                nanoseconds: 0,
            }
            .into(),
        ),
        (
            "datetime('2024-01-02T03:04:05.000000006+01:00')",
            DateTime {
                seconds: 1_704_161_045,
                nanoseconds: 6,
                tz_offset_seconds: 3600,
            }
            .into(),
        ),
        (
            "datetime('2024-07-01T12:00:00[Europe/Stockholm]')",
            DateTimeZoneId::from_utc(1_719_828_000, 0, "Europe/Stockholm").into(),
        ),
        (
            "duration('P1Y2M3DT4H5M6.000000007S')",
            Duration {
                months: 14,
                days: 3,
                seconds: 14_706,
                nanoseconds: 7,
            }
            .into(),
        ),
        (
            "point({x: 1.0, y: 2.0})",
            Point2D {
                srid: 7203,
                x: 1.0,
                y: 2.0,
            }
            .into(),
        ),
        (
            "point({x: 1.0, y: 2.0, z: 3.0})",
            Point3D {
                srid: 9157,
                x: 1.0,
                y: 2.0,
                z: 3.0,
            }
            .into(),
        ),
        (
            "point({longitude: 12.5, latitude: 55.5})",
            Point2D {
                srid: 4326,
                x: 12.5,
                y: 55.5,
            }
            .into(),
        ),
        (
            "point({longitude: 12.5, latitude: 55.5, height: 10.0})",
            Point3D {
                srid: 4979,
                x: 12.5,
                y: 55.5,
                z: 10.0,
            }
            .into(),
        ),
    ];
    let mut failures = Vec::new();
    for (expr, want) in cases {
        let got = driver
            .execute_query(format!("RETURN {expr} AS v"))
            .run()
            .await
            .and_then(|r| r.records[0].get::<Value>("v"));
        match got {
            Ok(v) if same(&v, &want) => {}
            Ok(v) => failures.push(format!("{expr}: want {} got {}", short(&want), short(&v))),
            Err(e) => failures.push(format!("{expr}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "server-built values differ:\n{}",
        failures.join("\n")
    );
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_stored_as_properties_and_read_back() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let label = unique("Props");
    let mut failures = Vec::new();
    let offset_datetime_gap = server.lacks(
        Gap::StoredOffsetDateTimeLosesOffset,
        "stored DateTime with an offset read back as written",
    );
    for (name, value) in samples() {
        // Properties hold no null, no maps, no nested or mixed lists.
        if matches!(value, Value::Null | Value::Map(_))
            || matches!(&value, Value::List(l) if l.iter().any(|v| matches!(v, Value::List(_) | Value::Map(_) | Value::Null)))
        {
            continue;
        }
        let stored = async {
            driver
                .execute_query(format!("CREATE (n:{label} {{name: $name, v: $v}})"))
                .param("name", name)
                .param("v", value.clone())
                .run()
                .await?;
            driver
                .execute_query(format!("MATCH (n:{label} {{name: $name}}) RETURN n.v AS v"))
                .param("name", name)
                .run()
                .await?
                .records
                .first()
                .map(|r| r.get::<Value>("v"))
                .unwrap_or(Ok(Value::Null))
        }
        .await;
        match (stored, &value) {
            (Ok(back), _) if same(&back, &value) => {}
            (Ok(Value::LocalDateTime(back)), Value::DateTime(sent)) if offset_datetime_gap => {
                // The documented gap: the UTC wall clock, offset dropped.
                assert_eq!(
                    (back.seconds, back.nanoseconds),
                    (sent.seconds, sent.nanoseconds),
                    "{name}: the gap changed shape"
                );
            }
            (Ok(back), _) => failures.push(format!(
                "{name}: stored {} got {}",
                short(&value),
                short(&back)
            )),
            (Err(e), _) => failures.push(format!("{name}: {e}")),
        }
    }
    execute(&driver, format!("MATCH (n:{label}) DELETE n"), "clean up").await;
    assert!(
        failures.is_empty(),
        "stored values differ:\n{}",
        failures.join("\n")
    );
    driver.close().await;
}

#[test]
fn blocking_round_trips() {
    let Some(server) = server() else { return };
    let driver = server.blocking_driver();
    let mut session = driver.session(SessionConfig::default());
    for (name, value) in samples() {
        let back: Value = session
            .run(("RETURN $v AS v", params! { "v" => value.clone() }))
            .and_then(|mut r| r.single())
            .and_then(|r| r.get("v"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            same(&back, &value),
            "{name}: sent {} got {}",
            short(&value),
            short(&back)
        );
    }
    session.close().expect("close");
    driver.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_gets_into_rust_types() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let mut session = driver.session(SessionConfig::default());
    let zoned = DateTimeZoneId::from_utc(1_700_000_000, 42, "Europe/Stockholm");
    let record = session
        .run((
            "RETURN $date AS date, $time AS time, $dt AS dt, $zoned AS zoned, $dur AS dur, \
             $p2 AS p2, $p3 AS p3, $bytes AS bytes, $big AS big, $neg AS neg, $f AS f",
            params! {
                "date" => Date { days: 19_723 },
                "time" => Time { nanoseconds: 1, tz_offset_seconds: 3600 },
                "dt" => DateTime { seconds: 1, nanoseconds: 2, tz_offset_seconds: -3600 },
                "zoned" => zoned.clone(),
                "dur" => Duration { months: 1, days: 2, seconds: 3, nanoseconds: 4 },
                "p2" => Point2D { srid: 4326, x: 1.0, y: 2.0 },
                "p3" => Point3D { srid: 9157, x: 1.0, y: 2.0, z: 3.0 },
                "bytes" => Value::Bytes(vec![0, 255, 1]),
                "big" => i64::MAX,
                "neg" => -1,
                "f" => 2.5,
            },
        ))
        .await
        .expect("run")
        .single()
        .await
        .expect("single");
    assert_eq!(
        record.get::<Date>("date").expect("Date"),
        Date { days: 19_723 }
    );
    assert_eq!(
        record.get::<Time>("time").expect("Time"),
        Time {
            nanoseconds: 1,
            tz_offset_seconds: 3600
        }
    );
    assert_eq!(
        record.get::<DateTime>("dt").expect("DateTime"),
        DateTime {
            seconds: 1,
            nanoseconds: 2,
            tz_offset_seconds: -3600
        }
    );
    assert_eq!(record.get::<DateTimeZoneId>("zoned").expect("zoned"), zoned);
    assert_eq!(
        record.get::<Duration>("dur").expect("Duration"),
        Duration {
            months: 1,
            days: 2,
            seconds: 3,
            nanoseconds: 4
        }
    );
    assert_eq!(record.get::<Point2D>("p2").expect("Point2D").srid, 4326);
    assert_eq!(record.get::<Point3D>("p3").expect("Point3D").z, 3.0);
    assert_eq!(
        record.get::<&[u8]>("bytes").expect("borrowed bytes"),
        [0, 255, 1]
    );
    assert_eq!(record.get::<i64>("big").expect("i64"), i64::MAX);
    assert_eq!(record.get::<f64>("f").expect("f64"), 2.5);
    assert_eq!(record.get::<i8>("neg").expect("i8"), -1);
    // Values that do not fit are errors, not truncations.
    let err = record.get::<i32>("big").expect_err("i64::MAX is no i32");
    assert_eq!(err.kind(), quiver::ErrorKind::Deserialization, "{err}");
    assert!(record.get::<u64>("neg").is_err(), "-1 is no u64");
    assert!(record.get::<Date>("time").is_err(), "a Time is no Date");
    assert!(
        record.get::<String>("bytes").is_err(),
        "non-UTF-8 bytes are no string"
    );
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wide_records_and_large_maps() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    // 200 columns: past any inline small-record storage.
    let columns: Vec<String> = (0..200).map(|i| format!("{i} AS c{i}")).collect();
    let got = execute(
        &driver,
        format!("RETURN {}", columns.join(", ")),
        "wide record",
    )
    .await;
    let record = &got.records[0];
    assert_eq!(record.len(), 200);
    for i in [0usize, 10, 11, 12, 199] {
        assert_eq!(
            record.get::<i64>(&format!("c{i}")).expect("column"),
            i as i64
        );
        assert_eq!(record.get_at::<i64>(i).expect("by index"), i as i64);
    }
    // A 10 000-entry map parameter, and back.
    let big: Map = (0..10_000)
        .map(|i| (format!("k{i}"), Value::from(i)))
        .collect();
    let back: Map = driver
        .execute_query("RETURN $m AS m")
        .param("m", Value::Map(big.clone()))
        .run()
        .await
        .expect("big map")
        .records[0]
        .get("m")
        .expect("m");
    assert_eq!(back, big);
    driver.close().await;
}

/// Plain Rust values as the manual's users write them (issue 16): chrono
/// types, byte vectors and unsigned integers go as the matching Cypher
/// types and come back into the same Rust types.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chrono_bytes_and_unsigned_values_round_trip() {
    use chrono::{FixedOffset, NaiveDate, TimeDelta, TimeZone};

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Row {
        #[serde(with = "quiver::serde::temporal")]
        day: NaiveDate,
        #[serde(with = "quiver::serde::temporal")]
        at: chrono::DateTime<FixedOffset>,
        #[serde(with = "quiver::serde::temporal")]
        took: TimeDelta,
        #[serde(with = "quiver::serde::bytes")]
        blob: Vec<u8>,
    }

    let Some(server) = server() else { return };
    let driver = server.driver();
    let day = NaiveDate::from_ymd_opt(2024, 5, 17).unwrap();
    let at = FixedOffset::east_opt(2 * 3600)
        .unwrap()
        .from_local_datetime(&day.and_hms_nano_opt(10, 30, 0, 5).unwrap())
        .unwrap();
    let row = Row {
        day,
        at,
        took: TimeDelta::seconds(90),
        blob: vec![0, 1, 255],
    };
    let records = [1u64, 2].len();
    let result = driver
        .execute_query(
            "RETURN $day AS day, $at AS at, $took AS took, $blob AS blob, $n AS n, \
             $local AS local",
        )
        .params_from(&row)
        .expect("params_from")
        .param("n", records)
        .param("local", day.and_hms_opt(8, 0, 0).unwrap())
        .await
        .expect("execute_query");
    let record = &result.records[0];
    assert_eq!(record.get::<NaiveDate>("day").expect("NaiveDate"), day);
    assert_eq!(
        record
            .get::<chrono::DateTime<FixedOffset>>("at")
            .expect("DateTime"),
        at
    );
    assert_eq!(
        record.get::<TimeDelta>("took").expect("TimeDelta"),
        TimeDelta::seconds(90)
    );
    assert_eq!(record.get::<Vec<u8>>("blob").expect("bytes"), [0, 1, 255]);
    assert_eq!(record.get::<u64>("n").expect("u64"), 2);
    assert_eq!(
        record
            .get::<chrono::NaiveDateTime>("local")
            .expect("NaiveDateTime"),
        day.and_hms_opt(8, 0, 0).unwrap()
    );
    assert_eq!(record.to::<Row>().expect("to::<Row>"), row);
    driver.close().await;
}
