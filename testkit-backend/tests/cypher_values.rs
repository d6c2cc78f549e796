//! Every Cypher value type through TestKit's JSON encoding and back, both ways:
//! driver value → JSON text → driver value, and TestKit JSON → driver value → the same JSON.

use quiver_packstream::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Map, Node, Path, Point2D,
    Point3D, Relationship, SecondsBasis, Time, UnboundRelationship, Uuid, Value, Vector,
};
use serde_json::{json, Value as Json};
use testkit_backend::convert::{to_cypher, to_value};
use testkit_backend::cypher::CypherValue;

/// Driver value → CypherValue → JSON text → CypherValue → driver value.
fn through_json(v: &Value) -> (Json, Value) {
    let cypher = to_cypher(v.clone()).unwrap_or_else(|e| panic!("{v:?}: {e}"));
    let text = serde_json::to_string(&cypher).unwrap();
    let back: CypherValue = serde_json::from_str(&text).unwrap();
    let value = to_value(back).unwrap_or_else(|e| panic!("{text}: {e}"));
    (serde_json::from_str(&text).unwrap(), value)
}

fn assert_round_trip(v: Value) -> Json {
    let (json, back) = through_json(&v);
    assert_eq!(back, v, "via {json}");
    json
}

/// TestKit JSON → driver value → TestKit JSON, unchanged.
fn assert_json_round_trip(json: Json) -> Value {
    let cypher: CypherValue = serde_json::from_value(json.clone()).unwrap();
    let value = to_value(cypher).unwrap_or_else(|e| panic!("{json}: {e}"));
    let again = serde_json::to_value(to_cypher(value.clone()).unwrap()).unwrap();
    assert_eq!(again, json);
    value
}

fn s(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn props(pairs: &[(&str, Value)]) -> Map {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

#[test]
fn null_bool_int_string_bytes() {
    assert_eq!(
        assert_round_trip(Value::Null),
        json!({"name": "CypherNull", "data": {}})
    );
    for b in [true, false] {
        assert_eq!(
            assert_round_trip(Value::Boolean(b)),
            json!({"name": "CypherBool", "data": {"value": b}})
        );
    }
    for i in [0, 1, -1, i64::MAX, i64::MIN] {
        assert_eq!(
            assert_round_trip(Value::Integer(i)),
            json!({"name": "CypherInt", "data": {"value": i}})
        );
    }
    for text in ["", "hello", "Grüße 🌍", "quote \" and \\ newline \n"] {
        assert_round_trip(s(text));
    }
    assert_eq!(
        assert_round_trip(Value::Bytes(vec![0x00, 0x7f, 0x80, 0xff])),
        json!({"name": "CypherBytes", "data": {"value": "00 7f 80 ff"}})
    );
    assert_round_trip(Value::Bytes(vec![]));
    assert_json_round_trip(json!({"name": "CypherInt", "data": {"value": 42}}));
}

#[test]
fn floats_including_non_finite() {
    for f in [
        0.0,
        -0.0,
        1.5,
        -1e300,
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::EPSILON,
    ] {
        let (_, back) = through_json(&Value::Float(f));
        match back {
            Value::Float(g) => assert_eq!(g.to_bits(), f.to_bits(), "{f}"),
            other => panic!("{other:?}"),
        }
    }
    for (f, text) in [
        (f64::INFINITY, "+Infinity"),
        (f64::NEG_INFINITY, "-Infinity"),
    ] {
        assert_eq!(
            assert_round_trip(Value::Float(f)),
            json!({"name": "CypherFloat", "data": {"value": text}})
        );
    }
    let (json, back) = through_json(&Value::Float(f64::NAN));
    assert_eq!(
        json,
        json!({"name": "CypherFloat", "data": {"value": "NaN"}})
    );
    assert!(matches!(back, Value::Float(f) if f.is_nan()));
    for text in ["NaN", "+Infinity", "-Infinity"] {
        let v = to_value(
            serde_json::from_value(json!({"name": "CypherFloat", "data": {"value": text}}))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(to_cypher(v).unwrap()).unwrap(),
            json!({"name": "CypherFloat", "data": {"value": text}})
        );
    }
}

#[test]
fn lists_and_maps_nested() {
    let v = Value::List(vec![
        Value::Integer(1),
        s("two"),
        Value::List(vec![
            Value::Null,
            Value::Map(props(&[("k", Value::Float(0.5))])),
        ]),
        Value::Map(Map::new()),
        Value::List(vec![]),
    ]);
    assert_round_trip(v);
    let m = Value::Map(props(&[
        ("a", Value::Integer(1)),
        (
            "nested",
            Value::Map(props(&[("list", Value::List(vec![s("x")]))])),
        ),
        ("", Value::Null),
    ]));
    let json = assert_round_trip(m);
    assert_eq!(json["name"], "CypherMap");
    assert_eq!(
        json["data"]["value"]["a"],
        json!({"name": "CypherInt", "data": {"value": 1}})
    );
}

fn node(id: i64, label: &str, element_id: &str) -> Node {
    Node {
        id,
        labels: vec![label.to_owned()],
        properties: props(&[("name", s(element_id))]),
        element_id: element_id.to_owned(),
    }
}

#[test]
fn node_and_relationship() {
    let n = node(1, "Person", "4:db:1");
    let json = assert_round_trip(Value::Node(Box::new(n)));
    assert_eq!(
        json,
        json!({"name": "Node", "data": {
            "id": {"name": "CypherInt", "data": {"value": 1}},
            "labels": {"name": "CypherList", "data": {"value": [
                {"name": "CypherString", "data": {"value": "Person"}}]}},
            "props": {"name": "CypherMap", "data": {"value": {
                "name": {"name": "CypherString", "data": {"value": "4:db:1"}}}}},
            "elementId": {"name": "CypherString", "data": {"value": "4:db:1"}},
        }})
    );
    let r = Relationship {
        id: 10,
        start_node_id: 1,
        end_node_id: 2,
        rel_type: "KNOWS".into(),
        properties: props(&[("since", Value::Integer(1999))]),
        element_id: "5:db:10".into(),
        start_node_element_id: "4:db:1".into(),
        end_node_element_id: "4:db:2".into(),
    };
    let json = assert_round_trip(Value::Relationship(Box::new(r)));
    assert_eq!(json["name"], "Relationship");
    let data = json["data"].as_object().unwrap();
    let mut keys: Vec<_> = data.keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "elementId",
            "endNodeElementId",
            "endNodeId",
            "id",
            "props",
            "startNodeElementId",
            "startNodeId",
            "type"
        ]
    );
}

#[test]
fn path_with_both_directions() {
    // (a)-[r1]->(b)<-[r2]-(c)
    let a = node(1, "A", "n1");
    let b = node(2, "B", "n2");
    let c = node(3, "C", "n3");
    let unbound = |id: i64, t: &str| UnboundRelationship {
        id,
        rel_type: t.to_owned(),
        properties: Map::new(),
        element_id: format!("r{id}"),
    };
    let path = Path {
        nodes: vec![a, b, c],
        relationships: vec![unbound(1, "R1"), unbound(2, "R2")],
        indices: vec![1, 1, -2, 2],
    };
    let json = assert_round_trip(Value::Path(Box::new(path)));
    assert_eq!(json["name"], "Path");
    let rels = json["data"]["relationships"]["data"]["value"]
        .as_array()
        .unwrap();
    let id_of = |v: &Json, key: &str| v["data"][key]["data"]["value"].clone();
    assert_eq!(id_of(&rels[0], "startNodeElementId"), "n1");
    assert_eq!(id_of(&rels[0], "endNodeElementId"), "n2");
    assert_eq!(id_of(&rels[1], "startNodeElementId"), "n3");
    assert_eq!(id_of(&rels[1], "endNodeElementId"), "n2");
    assert_eq!(
        json["data"]["nodes"]["data"]["value"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn path_revisiting_a_node_keeps_walk_order() {
    // (a)-[r1]->(b)-[r2]->(a): Bolt dedups a; TestKit lists it twice.
    let a = node(1, "A", "n1");
    let b = node(2, "B", "n2");
    let unbound = |id: i64| UnboundRelationship {
        id,
        rel_type: "R".into(),
        properties: Map::new(),
        element_id: format!("r{id}"),
    };
    let bolt = Path {
        nodes: vec![a, b],
        relationships: vec![unbound(1), unbound(2)],
        indices: vec![1, 1, 2, 0],
    };
    let (json, _) = through_json(&Value::Path(Box::new(bolt)));
    let nodes = json["data"]["nodes"]["data"]["value"].as_array().unwrap();
    assert_eq!(nodes.len(), 3);
    assert_eq!(nodes[0], nodes[2]);
    // And TestKit's form survives the trip the other way unchanged.
    assert_json_round_trip(json);
}

#[test]
fn points() {
    let cases = [
        (
            Value::Point2D(Point2D {
                srid: 7203,
                x: 1.0,
                y: -2.5,
            }),
            json!({"name": "CypherPoint", "data": {"system": "cartesian", "x": 1.0, "y": -2.5}}),
        ),
        (
            Value::Point2D(Point2D {
                srid: 4326,
                x: 12.5,
                y: 56.0,
            }),
            json!({"name": "CypherPoint", "data": {"system": "wgs84", "x": 12.5, "y": 56.0}}),
        ),
        (
            Value::Point3D(Point3D {
                srid: 9157,
                x: 1.0,
                y: 2.0,
                z: 3.0,
            }),
            json!({"name": "CypherPoint", "data": {"system": "cartesian", "x": 1.0, "y": 2.0, "z": 3.0}}),
        ),
        (
            Value::Point3D(Point3D {
                srid: 4979,
                x: 1.0,
                y: 2.0,
                z: -3.0,
            }),
            json!({"name": "CypherPoint", "data": {"system": "wgs84", "x": 1.0, "y": 2.0, "z": -3.0}}),
        ),
    ];
    for (value, json) in cases {
        assert_eq!(assert_round_trip(value.clone()), json);
        assert_eq!(assert_json_round_trip(json), value);
    }
    // TestKit may send integral coordinates as JSON integers.
    let v = to_value(
        serde_json::from_value(json!({"name": "CypherPoint", "data": {
            "system": "cartesian", "x": 1, "y": 2, "z": null}}))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        v,
        Value::Point2D(Point2D {
            srid: 7203,
            x: 1.0,
            y: 2.0
        })
    );
}

#[test]
fn dates() {
    for (days, y, m, d) in [
        (0, 1970, 1, 1),
        (19_783, 2024, 3, 1),
        (-719_162, 1, 1, 1),
        (2_932_896, 9999, 12, 31),
        (-1_000_000, -768, 2, 4),
    ] {
        let json = json!({"name": "CypherDate", "data": {"year": y, "month": m, "day": d}});
        assert_eq!(assert_round_trip(Value::Date(Date { days })), json);
        assert_json_round_trip(json);
    }
}

#[test]
fn times_local_and_with_offset() {
    let nanos = ((13 * 60 + 37) * 60 + 5) * 1_000_000_000_i64 + 123_456_789;
    assert_eq!(
        assert_round_trip(Value::LocalTime(LocalTime { nanoseconds: nanos })),
        json!({"name": "CypherTime", "data": {
            "hour": 13, "minute": 37, "second": 5, "nanosecond": 123_456_789,
            "utc_offset_s": null}})
    );
    for offset in [0, 3600, -5400, 18 * 3600] {
        assert_eq!(
            assert_round_trip(Value::Time(Time {
                nanoseconds: nanos,
                tz_offset_seconds: offset
            })),
            json!({"name": "CypherTime", "data": {
                "hour": 13, "minute": 37, "second": 5, "nanosecond": 123_456_789,
                "utc_offset_s": offset}})
        );
    }
    assert_round_trip(Value::LocalTime(LocalTime { nanoseconds: 0 }));
    assert_round_trip(Value::LocalTime(LocalTime {
        nanoseconds: 86_400 * 1_000_000_000 - 1,
    }));
}

fn dt_json(
    (y, mo, d, h, mi, s, ns): (i64, i64, i64, i64, i64, i64, i64),
    offset: Option<i64>,
    zone: Option<&str>,
) -> Json {
    json!({"name": "CypherDateTime", "data": {
        "year": y, "month": mo, "day": d, "hour": h, "minute": mi, "second": s,
        "nanosecond": ns, "utc_offset_s": offset, "timezone_id": zone}})
}

#[test]
fn local_date_times() {
    // 2022-06-15T12:34:56.000000789 local
    let seconds = 1_655_296_496;
    let json = dt_json((2022, 6, 15, 12, 34, 56, 789), None, None);
    assert_eq!(
        assert_round_trip(Value::LocalDateTime(LocalDateTime {
            seconds,
            nanoseconds: 789
        })),
        json
    );
    assert_json_round_trip(json);
    // before the epoch
    let json = dt_json((1969, 12, 31, 23, 59, 59, 999_999_999), None, None);
    assert_eq!(
        assert_json_round_trip(json),
        Value::LocalDateTime(LocalDateTime {
            seconds: -1,
            nanoseconds: 999_999_999
        })
    );
}

#[test]
fn date_times_with_offset() {
    // 2022-06-15T12:34:56+02:00 is 10:34:56 UTC.
    let utc = 1_655_289_296;
    let json = dt_json((2022, 6, 15, 12, 34, 56, 0), Some(7200), None);
    let value = Value::DateTime(DateTime {
        seconds: utc,
        nanoseconds: 0,
        tz_offset_seconds: 7200,
    });
    assert_eq!(assert_round_trip(value.clone()), json);
    assert_eq!(assert_json_round_trip(json), value);
    // Negative offset crossing midnight backwards: 2022-01-01T00:30-01:00 is 01:30 UTC.
    let json = dt_json((2022, 1, 1, 0, 30, 0, 0), Some(-3600), None);
    assert_eq!(
        assert_json_round_trip(json),
        Value::DateTime(DateTime {
            seconds: 1_640_997_000 + 3600,
            nanoseconds: 0,
            tz_offset_seconds: -3600
        })
    );
}

#[test]
fn date_times_in_named_zones() {
    // Summer: Stockholm is UTC+2. 2022-06-15T12:34:56+02:00[Europe/Stockholm].
    let summer = DateTimeZoneId::from_utc(1_655_289_296, 5, "Europe/Stockholm");
    let json = dt_json(
        (2022, 6, 15, 12, 34, 56, 5),
        Some(7200),
        Some("Europe/Stockholm"),
    );
    assert_eq!(
        assert_round_trip(Value::DateTimeZoneId(Box::new(summer.clone()))),
        json
    );
    assert_eq!(
        assert_json_round_trip(json.clone()),
        Value::DateTimeZoneId(Box::new(summer))
    );
    // Winter: UTC+1.
    let winter = DateTimeZoneId::from_utc(1_642_250_096, 0, "Europe/Stockholm");
    assert_eq!(
        assert_round_trip(Value::DateTimeZoneId(Box::new(winter))),
        dt_json(
            (2022, 1, 15, 13, 34, 56, 0),
            Some(3600),
            Some("Europe/Stockholm")
        )
    );
    // The legacy (local seconds) form encodes the same way.
    let legacy = DateTimeZoneId {
        seconds: 1_655_289_296 + 7200,
        nanoseconds: 5,
        tz_id: "Europe/Stockholm".into(),
        basis: SecondsBasis::Local,
    };
    assert_eq!(
        serde_json::to_value(to_cypher(Value::DateTimeZoneId(Box::new(legacy))).unwrap()).unwrap(),
        json
    );
    // In a DST fold TestKit's offset picks the instant: 2022-10-30T02:30 Stockholm
    // happens at +02:00 and again at +01:00.
    for (offset, utc) in [(7200, 1_667_089_800), (3600, 1_667_093_400)] {
        let json = dt_json(
            (2022, 10, 30, 2, 30, 0, 0),
            Some(offset),
            Some("Europe/Stockholm"),
        );
        let value = assert_json_round_trip(json);
        assert_eq!(
            value,
            Value::DateTimeZoneId(Box::new(DateTimeZoneId::from_utc(
                utc,
                0,
                "Europe/Stockholm"
            )))
        );
    }
}

#[test]
fn durations() {
    for (months, days, seconds, nanoseconds) in
        [(0, 0, 0, 0), (14, -3, 3600, 999_999_999), (-1, 0, -5, 1)]
    {
        let json = json!({"name": "CypherDuration", "data": {
            "months": months, "days": days, "seconds": seconds, "nanoseconds": nanoseconds}});
        let value = Value::Duration(Duration {
            months,
            days,
            seconds,
            nanoseconds,
        });
        assert_eq!(assert_round_trip(value.clone()), json);
        assert_eq!(assert_json_round_trip(json), value);
    }
}

#[test]
fn vectors_of_every_element_type() {
    let cases = [
        (Vector::I8(vec![1, -1]), "i8", "01 ff"),
        (Vector::I16(vec![1, -2]), "i16", "00 01 ff fe"),
        (Vector::I32(vec![258]), "i32", "00 00 01 02"),
        (Vector::I64(vec![-1]), "i64", "ff ff ff ff ff ff ff ff"),
        (Vector::F32(vec![1.0]), "f32", "3f 80 00 00"),
        (Vector::F64(vec![-2.0]), "f64", "c0 00 00 00 00 00 00 00"),
        (Vector::F64(vec![]), "f64", ""),
    ];
    for (vector, dtype, data) in cases {
        let json = json!({"name": "CypherVector", "data": {"dtype": dtype, "data": data}});
        assert_eq!(assert_round_trip(Value::Vector(vector.clone())), json);
        assert_eq!(assert_json_round_trip(json), Value::Vector(vector));
    }
    for bad in [
        json!({"name": "CypherVector", "data": {"dtype": "i16", "data": "01"}}),
        json!({"name": "CypherVector", "data": {"dtype": "u8", "data": "01"}}),
    ] {
        assert!(to_value(serde_json::from_value(bad).unwrap()).is_err());
    }
}

#[test]
fn values_testkit_cannot_express_are_errors() {
    let unbound = Value::UnboundRelationship(Box::default());
    let odd_srid = Value::Point2D(Point2D {
        srid: 1234,
        x: 0.0,
        y: 0.0,
    });
    let uuid = Value::Uuid(Uuid::from_bytes([7; 16]));
    let malformed_path = Value::Path(Box::new(Path {
        nodes: vec![],
        relationships: vec![],
        indices: vec![1, 1],
    }));
    for v in [unbound, odd_srid, uuid, malformed_path] {
        assert!(to_cypher(v.clone()).is_err(), "{v:?}");
    }
}

#[test]
fn bad_testkit_values_are_errors() {
    for bad in [
        json!({"name": "CypherDate", "data": {"year": 2023, "month": 2, "day": 29}}),
        json!({"name": "CypherTime", "data": {"hour": 25, "minute": 0, "second": 0, "nanosecond": 0}}),
        dt_json((2022, 1, 1, 0, 0, 0, 0), None, Some("Europe/Stockholm")),
        json!({"name": "CypherPoint", "data": {"system": "mars", "x": 1.0, "y": 2.0}}),
        json!({"name": "Node", "data": {
            "id": {"name": "CypherString", "data": {"value": "not an int"}},
            "labels": {"name": "CypherList", "data": {"value": []}},
            "props": {"name": "CypherMap", "data": {"value": {}}},
            "elementId": {"name": "CypherString", "data": {"value": "x"}}}}),
    ] {
        let cypher: CypherValue = serde_json::from_value(bad.clone()).unwrap();
        assert!(to_value(cypher).is_err(), "{bad}");
    }
}
