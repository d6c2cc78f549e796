//! How Rust types map to PackStream through serde, zero-copy borrowing, and
//! the low-level API.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use quiver_packstream::{
    from_slice, from_value, to_value, to_vec, write, Date, DateTime, Deserializer, Map, Node,
    Serializer, Value,
};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Row<'a> {
    id: i64,
    score: f64,
    #[serde(borrow)]
    name: &'a str,
    #[serde(with = "serde_bytes")]
    blob: &'a [u8],
    tags: Vec<String>,
    extra: Option<BTreeMap<String, i64>>,
}

#[test]
fn borrowed_str_and_bytes_point_into_the_input() {
    let row = Row {
        id: 1,
        score: 0.5,
        name: "a name that is borrowed",
        blob: b"raw",
        tags: vec!["x".into()],
        extra: None,
    };
    let bytes = to_vec(&row).unwrap();
    let back: Row<'_> = from_slice(&bytes).unwrap();
    assert_eq!(back, row);
    let range = bytes.as_ptr_range();
    assert!(
        range.contains(&back.name.as_ptr()),
        "name must borrow from the input"
    );
    assert!(
        range.contains(&back.blob.as_ptr()),
        "blob must borrow from the input"
    );
}

#[test]
fn cow_borrows_when_it_can() {
    #[derive(Deserialize)]
    struct C<'a> {
        #[serde(borrow)]
        s: Cow<'a, str>,
    }
    let bytes = to_vec(&BTreeMap::from([("s", "hello")])).unwrap();
    let c: C<'_> = from_slice(&bytes).unwrap();
    assert!(matches!(c.s, Cow::Borrowed("hello")));
}

#[test]
fn structs_are_maps_keyed_by_field_name() {
    #[derive(Serialize)]
    struct P {
        a: i64,
    }
    assert_eq!(to_vec(&P { a: 1 }).unwrap(), [0xA1, 0x81, b'a', 0x01]);
    // Unknown fields are ignored by derived types; lists decode into structs too.
    #[derive(Deserialize, Debug, PartialEq)]
    struct Q {
        a: i64,
    }
    let bytes = [0xA2, 0x81, b'z', 0x91, 0x90, 0x81, b'a', 0x05];
    assert_eq!(from_slice::<Q>(&bytes).unwrap(), Q { a: 5 });
    assert_eq!(from_slice::<Q>(&[0x91, 0x07]).unwrap(), Q { a: 7 });
}

#[test]
fn enums_are_externally_tagged() {
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    enum E {
        Unit,
        New(i64),
        Tuple(i64, String),
        Struct { x: bool },
    }
    let table = [
        (E::Unit, vec![0x84, b'U', b'n', b'i', b't']),
        (E::New(1), vec![0xA1, 0x83, b'N', b'e', b'w', 0x01]),
        (
            E::Tuple(1, "a".into()),
            vec![
                0xA1, 0x85, b'T', b'u', b'p', b'l', b'e', 0x92, 0x01, 0x81, b'a',
            ],
        ),
        (
            E::Struct { x: true },
            vec![
                0xA1, 0x86, b'S', b't', b'r', b'u', b'c', b't', 0xA1, 0x81, b'x', 0xC3,
            ],
        ),
    ];
    for (e, bytes) in table {
        assert_eq!(to_vec(&e).unwrap(), bytes);
        assert_eq!(from_slice::<E>(&bytes).unwrap(), e);
    }
    assert!(from_slice::<E>(&[0x01]).is_err());
    assert!(from_slice::<E>(&[0xA0]).is_err());
}

#[test]
fn options_units_and_tuples() {
    assert_eq!(to_vec(&None::<i64>).unwrap(), [0xC0]);
    assert_eq!(to_vec(&Some(5)).unwrap(), [0x05]);
    assert_eq!(from_slice::<Option<i64>>(&[0xC0]).unwrap(), None);
    assert_eq!(from_slice::<Option<i64>>(&[0x05]).unwrap(), Some(5));
    assert_eq!(to_vec(&()).unwrap(), [0xC0]);
    from_slice::<()>(&[0xC0]).unwrap();
    assert_eq!(to_vec(&(1, true)).unwrap(), [0x92, 0x01, 0xC3]);
    assert_eq!(
        from_slice::<(i64, bool)>(&[0x92, 0x01, 0xC3]).unwrap(),
        (1, true)
    );
}

#[test]
fn unrepresentable_values_fail_to_encode() {
    assert!(to_vec(&u64::MAX).is_err());
    assert_eq!(to_vec(&(i64::MAX as u64)).unwrap()[0], 0xCB);
    assert!(
        to_vec(&HashMap::from([(1, 2)])).is_err(),
        "keys must be strings"
    );
    assert!(to_vec(&i128::MAX).is_err());
}

#[test]
fn map_keys_are_strings_and_nothing_else() {
    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    enum Key {
        Unit,
        Wrapped(i64),
    }
    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    struct Name(&'static str);
    fn refused<K: Serialize + Ord>(key: K) {
        let err = to_vec(&BTreeMap::from([(key, 1)])).unwrap_err();
        assert!(
            err.to_string().contains("map keys must be strings"),
            "{err}"
        );
    }
    refused(true);
    refused(1i8);
    refused(2u64);
    refused(vec![1]);
    refused((1, 2));
    refused(());
    refused(Some("k"));
    refused(Key::Wrapped(1));
    refused(serde_bytes::ByteBuf::from(vec![1]));
    // What a key may be: text, however the type spells it.
    let unit_variant = to_vec(&BTreeMap::from([(Key::Unit, 1)])).unwrap();
    assert_eq!(unit_variant, [0xA1, 0x84, b'U', b'n', b'i', b't', 0x01]);
    let newtype = to_vec(&BTreeMap::from([(Name("k"), 1)])).unwrap();
    assert_eq!(newtype, [0xA1, 0x81, b'k', 0x01]);
    let ch = to_vec(&BTreeMap::from([('c', 1)])).unwrap();
    assert_eq!(ch, [0xA1, 0x81, b'c', 0x01]);
}

#[test]
fn sequences_and_maps_of_unknown_length_are_buffered() {
    struct Unknown;
    impl Serialize for Unknown {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq((0..20).filter(|i| i % 2 == 0))
        }
    }
    let bytes = to_vec(&Unknown).unwrap();
    assert_eq!(&bytes[..2], &[0x9A, 0x00]);
    assert_eq!(from_slice::<Vec<i64>>(&bytes).unwrap().len(), 10);

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Flat {
        a: i64,
        #[serde(flatten)]
        rest: BTreeMap<String, i64>,
    }
    let f = Flat {
        a: 1,
        rest: BTreeMap::from([("b".into(), 2)]),
    };
    let bytes = to_vec(&f).unwrap();
    assert_eq!(bytes[0], 0xA2);
    assert_eq!(from_slice::<Flat>(&bytes).unwrap(), f);
}

#[test]
fn user_structs_hold_bolt_structures() {
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Holder {
        node: Node,
        when: DateTime,
        day: Option<Date>,
        any: Value,
    }
    let h = Holder {
        node: Node {
            id: 1,
            labels: vec!["A".into()],
            properties: Map::new(),
            element_id: "e1".into(),
        },
        when: DateTime {
            seconds: 1,
            nanoseconds: 2,
            tz_offset_seconds: -3600,
        },
        day: Some(Date { days: -1 }),
        any: Value::from(Date { days: 5 }),
    };
    let bytes = to_vec(&h).unwrap();
    assert_eq!(from_slice::<Holder>(&bytes).unwrap(), h);
    // The same bytes as a Value.
    let v: Value = from_slice(&bytes).unwrap();
    assert_eq!(v.get("day"), Some(&Value::Date(Date { days: -1 })));
    assert_eq!(from_value::<Holder>(&v).unwrap(), h);
    assert_eq!(to_value(&h).unwrap(), v);
}

#[test]
fn value_accessors_and_conversions() {
    let v = Value::from(vec![
        Value::from(1),
        Value::from("s"),
        Value::from(None::<i64>),
    ]);
    assert_eq!(v.get(0).and_then(Value::as_i64), Some(1));
    assert_eq!(v.get(1).and_then(Value::as_str), Some("s"));
    assert!(v.get(2).unwrap().is_null());
    assert_eq!(v.get(3), None);
    assert_eq!(Value::from(1.5).as_f64(), Some(1.5));
    assert_eq!(Value::from(true).as_bool(), Some(true));
    assert_eq!(Value::from(&b"ab"[..]).as_bytes(), Some(&b"ab"[..]));
    let m: Value = Value::Map(Map::from([("k".to_string(), Value::from(2))]));
    assert_eq!(m.get("k").and_then(Value::as_i64), Some(2));
    assert_eq!(m.type_name(), "Map");
    assert_eq!(std::mem::size_of::<Value>(), 40);
}

#[test]
fn low_level_reads_split_a_record() {
    // RECORD [42, "x", {a: [1, 2]}, Node]
    let mut msg = Vec::new();
    write::write_struct_header(&mut msg, 0x71, 1).unwrap();
    write::write_list_header(&mut msg, 4).unwrap();
    write::write_int(&mut msg, 42).unwrap();
    write::write_string(&mut msg, "x").unwrap();
    write::write_map_header(&mut msg, 1).unwrap();
    write::write_string(&mut msg, "a").unwrap();
    write::write_list_header(&mut msg, 2).unwrap();
    write::write_int(&mut msg, 1).unwrap();
    write::write_int(&mut msg, 2).unwrap();
    write::write_value(
        &mut msg,
        &Value::from(Node {
            id: 9,
            ..Node::default()
        }),
    )
    .unwrap();

    let mut de = Deserializer::new(&msg);
    assert_eq!(de.read_struct_header().unwrap(), (0x71, 1));
    let n = de.read_list_header().unwrap();
    let fields: Vec<&[u8]> = (0..n).map(|_| de.raw_value().unwrap()).collect();
    assert!(de.is_end());
    de.end().unwrap();
    assert_eq!(fields[0], &[42]);
    assert_eq!(from_slice::<&str>(fields[1]).unwrap(), "x");
    assert_eq!(
        from_slice::<Value>(fields[2])
            .unwrap()
            .get("a")
            .unwrap()
            .as_list()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(from_slice::<Node>(fields[3]).unwrap().id, 9);

    let mut de = Deserializer::new(fields[2]);
    assert_eq!(de.peek_kind().unwrap(), quiver_packstream::Kind::Map);
    assert_eq!(de.read_map_header().unwrap(), 1);
    assert_eq!(de.read_string().unwrap(), "a");
    assert_eq!(de.position(), 3);
    de.skip_value().unwrap();
    assert_eq!(de.remaining(), 0);
    assert!(Deserializer::new(&[0x01]).read_struct_header().is_err());
    assert!(Deserializer::new(&[0x01]).read_string().is_err());
}

#[test]
fn serializer_over_a_custom_sink() {
    let mut out = Vec::new();
    {
        let mut ser = Serializer::new(&mut out);
        vec![1, 2].serialize(&mut ser).unwrap();
    }
    quiver_packstream::to_writer(&mut out, &"a").unwrap();
    assert_eq!(out, [0x92, 0x01, 0x02, 0x81, b'a']);
}

#[test]
fn human_readable_formats_get_named_fields() {
    let v = Value::from(vec![
        Value::from(Node {
            id: 1,
            labels: vec!["A".into()],
            properties: Map::from([("k".to_string(), Value::from(2))]),
            element_id: "e".into(),
        }),
        Value::from(Date { days: 3 }),
        Value::Uuid(quiver_packstream::Uuid::from(1u128)),
        Value::Vector(quiver_packstream::Vector::I8(vec![1, 2])),
        Value::Structure(quiver_packstream::Structure::new(0x7A, vec![Value::Null])),
    ]);
    let json = serde_json::to_string(&v).unwrap();
    assert_eq!(
        json,
        r#"[{"id":1,"element_id":"e","labels":["A"],"properties":{"k":2}},{"days":3},"00000000-0000-0000-0000-000000000001",[1,2],{"tag":122,"fields":[null]}]"#
    );
}

#[test]
fn records_decode_by_column_name() {
    use quiver_packstream::from_record;
    #[derive(Deserialize, Debug, PartialEq)]
    struct R<'a> {
        n: Node,
        name: &'a str,
        missing: Option<i64>,
    }
    let node = Node {
        id: 4,
        ..Node::default()
    };
    let list = to_vec(&(Value::from(node.clone()), "x", vec![1, 2, 3], Value::Null)).unwrap();
    let keys = ["n", "name", "ignored", "missing"];
    let r: R<'_> = from_record(&list, &keys).unwrap();
    assert_eq!(
        r,
        R {
            n: node,
            name: "x",
            missing: None
        }
    );
    assert!(list.as_ptr_range().contains(&r.name.as_ptr()));
    // Into a map and a Value, positionally into a tuple.
    let m: BTreeMap<String, Value> = from_record(&list, &keys).unwrap();
    assert_eq!(m.len(), 4);
    let (_, s, l, _): (Value, String, Vec<i64>, ()) = from_record(&list, &keys).unwrap();
    assert_eq!((s.as_str(), l.len()), ("x", 3));
    // Wrong key count, missing required field, trailing bytes.
    assert!(from_record::<BTreeMap<String, Value>, _>(&list, &keys[..3]).is_err());
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Needs {
        absent: i64,
    }
    assert!(from_record::<Needs, _>(&list, &keys).is_err());
    let mut longer = list.clone();
    longer.push(0x01);
    assert!(from_record::<BTreeMap<String, Value>, _>(&longer, &keys).is_err());
}

#[test]
fn try_from_value_names_both_types() {
    assert_eq!(i64::try_from(Value::from(5)).unwrap(), 5);
    assert_eq!(String::try_from(Value::from("s")).unwrap(), "s");
    assert_eq!(
        Date::try_from(Value::from(Date { days: 2 })).unwrap(),
        Date { days: 2 }
    );
    let err = i64::try_from(Value::from("s")).unwrap_err();
    assert!(matches!(
        err.kind(),
        quiver_packstream::ErrorKind::UnexpectedType {
            expected: "Integer",
            found: "String"
        }
    ));
    assert!(Node::try_from(Value::Null).is_err());
}

#[test]
fn to_value_keeps_legacy_zoned_date_times() {
    use quiver_packstream::{DateTimeZoneId, SecondsBasis};
    let local = DateTimeZoneId {
        basis: SecondsBasis::Local,
        ..DateTimeZoneId::from_utc(100, 1, "Europe/Paris")
    };
    let v = Value::from(vec![
        Value::from(local.clone()),
        Value::from(DateTime::default()),
    ]);
    #[cfg(not(feature = "chrono-tz"))]
    {
        assert_eq!(to_value(&local).unwrap(), Value::from(local.clone()));
        assert_eq!(from_value::<Value>(&v).unwrap(), v);
    }
    // With a zone database the seconds become UTC: the same instant.
    #[cfg(feature = "chrono-tz")]
    {
        let back: DateTimeZoneId = from_value(&to_value(&local).unwrap()).unwrap();
        assert_eq!(back.basis, SecondsBasis::Utc);
        assert_eq!(back.utc_seconds().unwrap(), local.utc_seconds().unwrap());
        assert!(from_value::<Value>(&v).is_ok());
    }
}

#[test]
fn display_is_a_cypher_like_literal() {
    use quiver_packstream::{Duration, LocalDateTime, Point2D, UnboundRelationship, Uuid, Vector};
    let cases: Vec<(Value, &str)> = vec![
        (Value::Null, "null"),
        (Value::from(1.0), "1.0"),
        (Value::from(f64::NAN), "NaN"),
        (Value::from(&[1u8, 0xAB][..]), "0x01ab"),
        (
            Value::Map(Map::from([
                ("a b".to_string(), Value::from(1)),
                ("c".to_string(), Value::from(true)),
            ])),
            "{`a b`: 1, c: true}",
        ),
        (Value::from(Date { days: 18_262 }), "2020-01-01"),
        (
            Value::from(DateTime {
                seconds: 0,
                nanoseconds: 0,
                tz_offset_seconds: 3600,
            }),
            "1970-01-01T01:00:00+01:00",
        ),
        (
            Value::from(LocalDateTime {
                seconds: 1,
                nanoseconds: 500_000_000,
            }),
            "1970-01-01T00:00:01.500",
        ),
        (
            Value::from(Duration {
                months: 14,
                days: 3,
                seconds: 5,
                nanoseconds: 1,
            }),
            "P14M3DT5.000000001S",
        ),
        (
            Value::from(Point2D {
                srid: 7203,
                x: 1.0,
                y: 2.5,
            }),
            "point({srid: 7203, x: 1.0, y: 2.5})",
        ),
        (
            Value::Vector(Vector::I8(vec![1, 2])),
            "vector([1, 2], 2, INTEGER8)",
        ),
        (
            Value::Uuid(Uuid::from(0u128)),
            "00000000-0000-0000-0000-000000000000",
        ),
        (
            Value::from(Date { days: i64::MAX }),
            "date({days: 9223372036854775807})",
        ),
    ];
    for (v, text) in cases {
        assert_eq!(v.to_string(), text);
    }
    let a = Node {
        id: 1,
        labels: vec!["A".into()],
        ..Node::default()
    };
    let b = Node {
        id: 2,
        ..Node::default()
    };
    let r = UnboundRelationship {
        rel_type: "R".into(),
        ..UnboundRelationship::default()
    };
    let path = quiver_packstream::Path {
        nodes: vec![a, b],
        relationships: vec![r],
        indices: vec![-1, 1],
    };
    assert_eq!(Value::from(path).to_string(), "(:A)<-[:R]-()");
}

#[test]
fn graph_structures_are_never_portable_even_written_raw() {
    use quiver_packstream::{Serializer, Structure};
    use serde::Serialize;
    // A raw structure with a node's tag is still a node to a server: bytes
    // holding one must not be taken as portable parameters.
    for tag in [0x4E, 0x52, 0x72, 0x50] {
        let mut ser = Serializer::new(Vec::new());
        Structure::new(tag, vec![]).serialize(&mut ser).unwrap();
        assert!(!ser.is_portable(), "tag {tag:#x}");
    }
    // An unknown tag written raw encodes the same everywhere.
    let mut ser = Serializer::new(Vec::new());
    Structure::new(0x01, vec![]).serialize(&mut ser).unwrap();
    assert!(ser.is_portable());
}
