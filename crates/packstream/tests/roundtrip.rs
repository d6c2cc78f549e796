//! Property round trips: `Value`s and derived user types survive encoding and
//! decoding, under every protocol's options.

use proptest::prelude::*;
use quiver_packstream::{
    from_slice, from_slice_with, to_vec, to_vec_with, Date, DateTime, DateTimeZoneId, Duration,
    LocalDateTime, LocalTime, Map, Node, Options, Path, Point2D, Point3D, Relationship, Structure,
    Time, UnboundRelationship, UnsupportedType, Uuid, Value, Vector,
};
use serde::{Deserialize, Serialize};

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |f| f.is_finite()),
        Just(0.0),
        Just(-1.5)
    ]
}

fn small_map(inner: impl Strategy<Value = Value> + Clone) -> impl Strategy<Value = Map> {
    prop::collection::btree_map(".{0,20}", inner, 0..5)
}

fn node() -> impl Strategy<Value = Node> {
    (
        any::<i64>(),
        prop::collection::vec("[A-Za-z]{1,8}", 0..3),
        small_map(leaf()),
        ".{0,10}",
    )
        .prop_map(|(id, labels, properties, element_id)| Node {
            id,
            labels,
            properties,
            element_id,
        })
}

fn unbound() -> impl Strategy<Value = UnboundRelationship> {
    (any::<i64>(), "[A-Z_]{1,10}", small_map(leaf()), ".{0,10}").prop_map(
        |(id, rel_type, properties, element_id)| UnboundRelationship {
            id,
            rel_type,
            properties,
            element_id,
        },
    )
}

fn vector() -> impl Strategy<Value = Vector> {
    let n = 0..20;
    prop_oneof![
        prop::collection::vec(any::<i8>(), n.clone()).prop_map(Vector::I8),
        prop::collection::vec(any::<i16>(), n.clone()).prop_map(Vector::I16),
        prop::collection::vec(any::<i32>(), n.clone()).prop_map(Vector::I32),
        prop::collection::vec(any::<i64>(), n.clone()).prop_map(Vector::I64),
        prop::collection::vec(
            any::<f32>().prop_filter("finite", |f| f.is_finite()),
            n.clone()
        )
        .prop_map(Vector::F32),
        prop::collection::vec(finite(), n).prop_map(Vector::F64),
    ]
}

fn leaf() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Boolean),
        any::<i64>().prop_map(Value::Integer),
        prop_oneof![Just(0i64), -200i64..200, Just(i64::MIN), Just(i64::MAX)]
            .prop_map(Value::Integer),
        finite().prop_map(Value::Float),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(Value::Bytes),
        ".{0,40}".prop_map(Value::String),
    ]
}

fn structure_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        node().prop_map(Value::from),
        (
            any::<i64>(),
            any::<i64>(),
            any::<i64>(),
            "[A-Z]{1,5}",
            small_map(leaf()),
            ".{0,5}",
            ".{0,5}",
            ".{0,5}"
        )
            .prop_map(|(id, s, e, t, p, a, b, c)| Value::from(Relationship {
                id,
                start_node_id: s,
                end_node_id: e,
                rel_type: t,
                properties: p,
                element_id: a,
                start_node_element_id: b,
                end_node_element_id: c,
            })),
        unbound().prop_map(Value::from),
        (
            prop::collection::vec(node(), 1..3),
            prop::collection::vec(unbound(), 0..2),
            prop::collection::vec(any::<i64>(), 0..4)
        )
            .prop_map(|(nodes, relationships, indices)| Value::from(Path {
                nodes,
                relationships,
                indices
            })),
        any::<i64>().prop_map(|days| Value::from(Date { days })),
        (any::<i64>(), -64_800i64..64_800).prop_map(
            |(nanoseconds, tz_offset_seconds)| Value::from(Time {
                nanoseconds,
                tz_offset_seconds
            })
        ),
        any::<i64>().prop_map(|nanoseconds| Value::from(LocalTime { nanoseconds })),
        (
            -(1i64 << 40)..(1i64 << 40),
            0i64..1_000_000_000,
            -64_800i64..64_800
        )
            .prop_map(
                |(seconds, nanoseconds, tz_offset_seconds)| Value::from(DateTime {
                    seconds,
                    nanoseconds,
                    tz_offset_seconds
                })
            ),
        (any::<i64>(), 0i64..1_000_000_000, "[A-Za-z/_]{1,20}")
            .prop_map(|(s, n, tz)| Value::from(DateTimeZoneId::from_utc(s, n, tz))),
        (any::<i64>(), any::<i64>()).prop_map(|(seconds, nanoseconds)| Value::from(
            LocalDateTime {
                seconds,
                nanoseconds
            }
        )),
        (any::<i64>(), any::<i64>(), any::<i64>(), any::<i64>()).prop_map(
            |(months, days, seconds, nanoseconds)| Value::from(Duration {
                months,
                days,
                seconds,
                nanoseconds
            })
        ),
        (any::<i64>(), finite(), finite()).prop_map(|(srid, x, y)| Value::from(Point2D {
            srid,
            x,
            y
        })),
        (any::<i64>(), finite(), finite(), finite())
            .prop_map(|(srid, x, y, z)| Value::from(Point3D { srid, x, y, z })),
        vector().prop_map(Value::Vector),
        (".{0,10}", any::<i64>(), any::<i64>(), small_map(leaf())).prop_map(
            |(name, a, b, extra)| Value::from(UnsupportedType {
                name,
                minimum_protocol_major: a,
                minimum_protocol_minor: b,
                extra
            })
        ),
        any::<u128>().prop_map(|u| Value::Uuid(Uuid::from(u))),
        // Tags no Bolt structure uses.
        ((0u8..0x20), prop::collection::vec(leaf(), 0..15))
            .prop_map(|(tag, fields)| Value::Structure(Structure::new(tag, fields))),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![leaf(), structure_value()].prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..20).prop_map(Value::List),
            prop::collection::btree_map(".{0,10}", inner, 0..20).prop_map(Value::Map),
        ]
    })
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct User {
    id: i64,
    name: String,
    score: Option<f64>,
    tags: Vec<String>,
    #[serde(with = "serde_bytes")]
    avatar: Vec<u8>,
    friends: Vec<(u32, bool)>,
    kind: Kind,
    born: Date,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
enum Kind {
    Plain,
    Admin { level: u8 },
    Guest(String),
}

fn user() -> impl Strategy<Value = User> {
    (
        any::<i64>(),
        ".{0,30}",
        prop::option::of(finite()),
        prop::collection::vec(".{0,8}", 0..5),
        prop::collection::vec(any::<u8>(), 0..40),
        prop::collection::vec((any::<u32>(), any::<bool>()), 0..5),
        prop_oneof![
            Just(Kind::Plain),
            any::<u8>().prop_map(|level| Kind::Admin { level }),
            ".{0,5}".prop_map(Kind::Guest)
        ],
        any::<i64>(),
    )
        .prop_map(
            |(id, name, score, tags, avatar, friends, kind, days)| User {
                id,
                name,
                score,
                tags,
                avatar,
                friends,
                kind,
                born: Date { days },
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn value_round_trips(v in value()) {
        let bytes = to_vec(&v).unwrap();
        prop_assert_eq!(from_slice::<Value>(&bytes).unwrap(), v.clone());
        // Skipping and splitting agree with decoding.
        let mut de = quiver_packstream::Deserializer::new(&bytes);
        prop_assert_eq!(de.raw_value().unwrap(), &bytes[..]);
    }

    #[test]
    fn value_round_trips_under_legacy_options(v in value()) {
        // Bolt 4.4 without the utc patch: no element ids, legacy date-times.
        let opts = Options::for_bolt(4, 4, false).uuid(true).vectors(true);
        let bytes = match to_vec_with(&v, &opts) {
            Ok(bytes) => bytes,
            // A zoned date-time held in UTC seconds cannot be written as local
            // seconds without a zone database.
            Err(e) if matches!(e.kind(), quiver_packstream::ErrorKind::ZoneConversion { .. }) => {
                return Ok(());
            }
            Err(e) => panic!("{e}"),
        };
        let back: Value = from_slice_with(&bytes, &opts).unwrap();
        // Encoding again gives the same bytes (element ids became the ids).
        prop_assert_eq!(to_vec_with(&back, &opts).unwrap(), bytes);
    }

    #[test]
    fn user_type_round_trips(u in user()) {
        let bytes = to_vec(&u).unwrap();
        prop_assert_eq!(from_slice::<User>(&bytes).unwrap(), u.clone());
        // And through a Value (whose maps sort their keys).
        let v: Value = from_slice(&bytes).unwrap();
        prop_assert_eq!(from_slice::<User>(&to_vec(&v).unwrap()).unwrap(), u);
    }

    #[test]
    fn integers_use_the_shortest_encoding(i in any::<i64>()) {
        let bytes = to_vec(&i).unwrap();
        let expected = if (-16..128).contains(&i) { 1 }
            else if (-128..128).contains(&i) { 2 }
            else if i16::try_from(i).is_ok() { 3 }
            else if i32::try_from(i).is_ok() { 5 }
            else { 9 };
        prop_assert_eq!(bytes.len(), expected);
        prop_assert_eq!(from_slice::<i64>(&bytes).unwrap(), i);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let decoded = from_slice::<Value>(&bytes);
        let mut de = quiver_packstream::Deserializer::new(&bytes);
        let skipped = de.skip_value();
        // Whatever decodes, skipping consumes exactly.
        if decoded.is_ok() {
            prop_assert!(skipped.is_ok());
            prop_assert!(de.is_end());
        }
    }
}

/// `write_value` (a direct writer for the common kinds) writes exactly what
/// serde writes, for every kind of value and both encodings.
#[test]
fn write_value_matches_serde_byte_for_byte() {
    use quiver_packstream::{write, Date, DateTime, Map, Options, Point2D, Value};
    let mut map = Map::new();
    map.insert("n".into(), Value::Null);
    map.insert("long key ".repeat(4), Value::from(1.5));
    map.insert(
        "list".into(),
        Value::List((0..40).map(Value::from).collect()),
    );
    let values = vec![
        Value::Null,
        Value::from(true),
        Value::from(-17i64),
        Value::from(i64::MIN),
        Value::from(300i64),
        Value::from(f64::NAN),
        Value::from("é".repeat(300)),
        Value::Bytes(vec![7; 70_000]),
        Value::List(vec![]),
        Value::Map(map),
        Value::Date(Date { days: -3 }),
        Value::DateTime(DateTime {
            seconds: 1,
            nanoseconds: 2,
            tz_offset_seconds: 3600,
        }),
        Value::Point2D(Point2D {
            srid: 7203,
            x: 1.0,
            y: 2.0,
        }),
    ];
    for options in [Options::default(), Options::for_bolt(4, 4, false)] {
        for v in &values {
            let mut direct = Vec::new();
            write::write_value_with(&mut direct, v, &options).unwrap();
            let via_serde = quiver_packstream::to_vec_with(v, &options).unwrap();
            assert_eq!(direct, via_serde, "{v:?}");
        }
    }
}
