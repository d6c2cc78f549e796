//! Exact-byte tables: every marker width and every Bolt structure, encoded in
//! the shortest form and decoded from every form.

use quiver_packstream::{
    from_slice, from_slice_with, to_vec, to_vec_with, Date, DateTime, DateTimeZoneId, Duration,
    LocalDateTime, LocalTime, Map, Node, Options, Path, Point2D, Point3D, Relationship,
    SecondsBasis, Structure, Time, UnboundRelationship, UnsupportedType, Uuid, Value, Vector,
};

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).expect("test hex"))
        .collect()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[track_caller]
fn both_ways(value: Value, bytes: &[u8]) {
    assert_eq!(to_vec(&value).unwrap(), bytes, "encoding {value:?}");
    assert_eq!(
        from_slice::<Value>(bytes).unwrap(),
        value,
        "decoding {bytes:02X?}"
    );
}

#[track_caller]
fn decodes(bytes: &[u8], value: Value) {
    assert_eq!(
        from_slice::<Value>(bytes).unwrap(),
        value,
        "decoding {bytes:02X?}"
    );
}

fn map(entries: &[(&str, Value)]) -> Map {
    entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

#[test]
fn null_and_booleans() {
    both_ways(Value::Null, &[0xC0]);
    both_ways(Value::Boolean(true), &[0xC3]);
    both_ways(Value::Boolean(false), &[0xC2]);
}

#[test]
fn integers_shortest_encoding() {
    let table: &[(i64, &str)] = &[
        (0, "00"),
        (1, "01"),
        (42, "2A"),
        (127, "7F"),
        (-1, "FF"),
        (-16, "F0"),
        (-17, "C8 EF"),
        (-128, "C8 80"),
        (128, "C9 00 80"),
        (-129, "C9 FF 7F"),
        (1234, "C9 04 D2"),
        (32_767, "C9 7F FF"),
        (-32_768, "C9 80 00"),
        (32_768, "CA 00 00 80 00"),
        (-32_769, "CA FF FF 7F FF"),
        (2_147_483_647, "CA 7F FF FF FF"),
        (-2_147_483_648, "CA 80 00 00 00"),
        (2_147_483_648, "CB 00 00 00 00 80 00 00 00"),
        (-2_147_483_649, "CB FF FF FF FF 7F FF FF FF"),
        (i64::MAX, "CB 7F FF FF FF FF FF FF FF"),
        (i64::MIN, "CB 80 00 00 00 00 00 00 00"),
    ];
    for &(v, bytes) in table {
        both_ways(Value::Integer(v), &hex(bytes));
        assert_eq!(from_slice::<i64>(&hex(bytes)).unwrap(), v);
    }
}

#[test]
fn integers_every_width_on_read() {
    for bytes in [
        "01",
        "C8 01",
        "C9 00 01",
        "CA 00 00 00 01",
        "CB 00 00 00 00 00 00 00 01",
    ] {
        decodes(&hex(bytes), Value::Integer(1));
    }
    for bytes in [
        "FF",
        "C8 FF",
        "C9 FF FF",
        "CA FF FF FF FF",
        "CB FF FF FF FF FF FF FF FF",
    ] {
        decodes(&hex(bytes), Value::Integer(-1));
    }
}

#[test]
fn narrow_integer_targets_check_range() {
    assert_eq!(from_slice::<u8>(&hex("C9 00 FF")).unwrap(), 255);
    assert!(from_slice::<u8>(&hex("C9 01 00")).is_err());
    assert!(from_slice::<u32>(&hex("FF")).is_err());
    assert_eq!(from_slice::<i16>(&hex("C8 80")).unwrap(), -128);
}

#[test]
fn floats() {
    both_ways(Value::Float(1.23), &hex("C1 3F F3 AE 14 7A E1 47 AE"));
    both_ways(Value::Float(-0.0), &hex("C1 80 00 00 00 00 00 00 00"));
    both_ways(
        Value::Float(f64::INFINITY),
        &hex("C1 7F F0 00 00 00 00 00 00"),
    );
    let nan = from_slice::<f64>(&hex("C1 7F F8 00 00 00 00 00 00")).unwrap();
    assert!(nan.is_nan());
    assert_eq!(to_vec(&1.5f32).unwrap(), hex("C1 3F F8 00 00 00 00 00 00"));
}

#[test]
fn bytes_every_width() {
    both_ways(Value::Bytes(vec![]), &hex("CC 00"));
    both_ways(Value::Bytes(vec![1, 2, 3]), &hex("CC 03 01 02 03"));
    let b255 = vec![7u8; 255];
    both_ways(Value::Bytes(b255.clone()), &cat(&[&hex("CC FF"), &b255]));
    let b256 = vec![7u8; 256];
    both_ways(Value::Bytes(b256.clone()), &cat(&[&hex("CD 01 00"), &b256]));
    let b65536 = vec![7u8; 65_536];
    both_ways(
        Value::Bytes(b65536.clone()),
        &cat(&[&hex("CE 00 01 00 00"), &b65536]),
    );
    decodes(&hex("CD 00 02 01 02"), Value::Bytes(vec![1, 2]));
    decodes(&hex("CE 00 00 00 02 01 02"), Value::Bytes(vec![1, 2]));
}

#[test]
fn strings_every_width() {
    both_ways(Value::from(""), &hex("80"));
    both_ways(Value::from("A"), &hex("81 41"));
    let s15 = "a".repeat(15);
    both_ways(
        Value::from(s15.as_str()),
        &cat(&[&hex("8F"), s15.as_bytes()]),
    );
    let s16 = "a".repeat(16);
    both_ways(
        Value::from(s16.as_str()),
        &cat(&[&hex("D0 10"), s16.as_bytes()]),
    );
    // The spec's example: "Größenmaßstäbe" is 18 bytes of UTF-8.
    both_ways(
        Value::from("Größenmaßstäbe"),
        &hex("D0 12 47 72 C3 B6 C3 9F 65 6E 6D 61 C3 9F 73 74 C3 A4 62 65"),
    );
    let s256 = "b".repeat(256);
    both_ways(
        Value::from(s256.as_str()),
        &cat(&[&hex("D1 01 00"), s256.as_bytes()]),
    );
    let s65536 = "c".repeat(65_536);
    both_ways(
        Value::from(s65536.as_str()),
        &cat(&[&hex("D2 00 01 00 00"), s65536.as_bytes()]),
    );
    for bytes in ["81 41", "D0 01 41", "D1 00 01 41", "D2 00 00 00 01 41"] {
        decodes(&hex(bytes), Value::from("A"));
    }
    assert_eq!(to_vec(&'ß').unwrap(), hex("82 C3 9F"));
    assert_eq!(from_slice::<char>(&hex("82 C3 9F")).unwrap(), 'ß');
}

#[test]
fn lists_every_width() {
    both_ways(Value::List(vec![]), &hex("90"));
    both_ways(Value::from(vec![1, 2, 3]), &hex("93 01 02 03"));
    let ones = |n: usize| Value::List(vec![Value::Integer(1); n]);
    both_ways(ones(15), &cat(&[&hex("9F"), &[1; 15]]));
    both_ways(ones(16), &cat(&[&hex("D4 10"), &[1; 16]]));
    both_ways(ones(256), &cat(&[&hex("D5 01 00"), &[1; 256]]));
    both_ways(
        ones(65_536),
        &cat(&[&hex("D6 00 01 00 00"), &vec![1; 65_536]]),
    );
    for bytes in ["91 01", "D4 01 01", "D5 00 01 01", "D6 00 00 00 01 01"] {
        decodes(&hex(bytes), Value::from(vec![1]));
    }
    // A list of mixed values, from the spec.
    both_ways(
        Value::List(vec![
            Value::Integer(1),
            Value::Float(2.0),
            Value::from("three"),
        ]),
        &hex("93 01 C1 40 00 00 00 00 00 00 00 85 74 68 72 65 65"),
    );
}

#[test]
fn maps_every_width() {
    both_ways(Value::Map(Map::new()), &hex("A0"));
    both_ways(
        Value::Map(map(&[("one", Value::from("eins"))])),
        &hex("A1 83 6F 6E 65 84 65 69 6E 73"),
    );
    let big = |n: usize| -> (Value, Vec<u8>) {
        let mut m = Map::new();
        let mut keys: Vec<String> = (0..n).map(|i| format!("{i:05}")).collect();
        keys.sort();
        let mut body = Vec::new();
        for k in &keys {
            m.insert(k.clone(), Value::Integer(1));
            body.extend_from_slice(&cat(&[&[0x85], k.as_bytes(), &[0x01]]));
        }
        (Value::Map(m), body)
    };
    let (v, body) = big(15);
    both_ways(v, &cat(&[&hex("AF"), &body]));
    let (v, body) = big(16);
    both_ways(v, &cat(&[&hex("D8 10"), &body]));
    let (v, body) = big(256);
    both_ways(v, &cat(&[&hex("D9 01 00"), &body]));
    let (v, body) = big(65_536);
    both_ways(v, &cat(&[&hex("DA 00 01 00 00"), &body]));
    let one = Value::Map(map(&[("a", Value::Integer(1))]));
    for bytes in [
        "A1 81 61 01",
        "D8 01 81 61 01",
        "D9 00 01 81 61 01",
        "DA 00 00 00 01 81 61 01",
    ] {
        decodes(&hex(bytes), one.clone());
    }
}

fn alice(eid: &str) -> Node {
    Node {
        id: 1,
        labels: vec!["Person".into()],
        properties: map(&[("name", Value::from("Alice"))]),
        element_id: eid.into(),
    }
}

const ALICE_FIELDS: &str = "01 91 86 50 65 72 73 6F 6E A1 84 6E 61 6D 65 85 41 6C 69 63 65";

#[test]
fn node_with_and_without_element_id() {
    let bolt5 = hex(&format!("B4 4E {ALICE_FIELDS} 83 34 3A 31"));
    let legacy = hex(&format!("B3 4E {ALICE_FIELDS}"));
    let node = Value::from(alice("4:1"));
    both_ways(node.clone(), &bolt5);
    // Bolt 4: no element id on the wire; decoding fills in the id.
    assert_eq!(
        to_vec_with(&node, &Options::for_bolt(4, 4, true)).unwrap(),
        legacy
    );
    decodes(&legacy, Value::from(alice("1")));
    let typed: Node = from_slice(&legacy).unwrap();
    assert_eq!(typed, alice("1"));
}

#[test]
fn relationships() {
    let rel = Relationship {
        id: 7,
        start_node_id: 1,
        end_node_id: 2,
        rel_type: "KNOWS".into(),
        properties: Map::new(),
        element_id: "r7".into(),
        start_node_element_id: "n1".into(),
        end_node_element_id: "n2".into(),
    };
    let bolt5 = hex("B8 52 07 01 02 85 4B 4E 4F 57 53 A0 82 72 37 82 6E 31 82 6E 32");
    both_ways(Value::from(rel.clone()), &bolt5);
    let legacy = hex("B5 52 07 01 02 85 4B 4E 4F 57 53 A0");
    assert_eq!(
        to_vec_with(&rel, &Options::for_bolt(4, 3, false)).unwrap(),
        legacy
    );
    let back: Relationship = from_slice(&legacy).unwrap();
    assert_eq!(
        (
            back.element_id.as_str(),
            back.start_node_element_id.as_str(),
            back.end_node_element_id.as_str()
        ),
        ("7", "1", "2")
    );

    let unbound = UnboundRelationship {
        id: 7,
        rel_type: "KNOWS".into(),
        properties: Map::new(),
        element_id: "r7".into(),
    };
    both_ways(
        Value::from(unbound.clone()),
        &hex("B4 72 07 85 4B 4E 4F 57 53 A0 82 72 37"),
    );
    assert_eq!(
        to_vec_with(&unbound, &Options::for_bolt(4, 4, false)).unwrap(),
        hex("B3 72 07 85 4B 4E 4F 57 53 A0")
    );
}

#[test]
fn path() {
    let a = alice("n1");
    let mut b = alice("n2");
    b.id = 2;
    let r = UnboundRelationship {
        id: 9,
        rel_type: "R".into(),
        properties: Map::new(),
        element_id: "r9".into(),
    };
    let path = Path {
        nodes: vec![a.clone(), b.clone()],
        relationships: vec![r.clone()],
        indices: vec![1, 1],
    };
    let bytes = to_vec(&path).unwrap();
    assert_eq!(&bytes[..3], &hex("B3 50 92"));
    assert_eq!(&bytes[bytes.len() - 3..], &hex("92 01 01"));
    assert_eq!(
        from_slice::<Value>(&bytes).unwrap(),
        Value::from(path.clone())
    );
    let segments = path.segments().unwrap();
    assert_eq!(segments.len(), 1);
    assert_eq!(
        (
            segments[0].start.id,
            segments[0].end.id,
            segments[0].forward
        ),
        (1, 2, true)
    );
    let bad = Path {
        indices: vec![5, 1],
        ..path
    };
    assert!(bad.segments().is_none());
}

#[test]
fn temporal_structures() {
    // 2020-01-01 is day 18262.
    both_ways(Value::from(Date { days: 18_262 }), &hex("B1 44 C9 47 56"));
    both_ways(
        Value::from(Time {
            nanoseconds: 1,
            tz_offset_seconds: 3600,
        }),
        &hex("B2 54 01 C9 0E 10"),
    );
    both_ways(Value::from(LocalTime { nanoseconds: 42 }), &hex("B1 74 2A"));
    both_ways(
        Value::from(LocalDateTime {
            seconds: 1000,
            nanoseconds: 5,
        }),
        &hex("B2 64 C9 03 E8 05"),
    );
    both_ways(
        Value::from(Duration {
            months: 1,
            days: 2,
            seconds: 3,
            nanoseconds: 4,
        }),
        &hex("B4 45 01 02 03 04"),
    );
}

#[test]
fn date_time_utc_and_legacy() {
    let dt = DateTime {
        seconds: 1000,
        nanoseconds: 7,
        tz_offset_seconds: 3600,
    };
    let utc = hex("B3 49 C9 03 E8 07 C9 0E 10");
    // Legacy: local seconds = 1000 + 3600 = 4600.
    let legacy = hex("B3 46 C9 11 F8 07 C9 0E 10");
    both_ways(Value::from(dt), &utc);
    let bolt4 = Options::for_bolt(4, 4, false);
    assert_eq!(to_vec_with(&dt, &bolt4).unwrap(), legacy);
    assert_eq!(
        to_vec_with(&dt, &Options::for_bolt(4, 4, true)).unwrap(),
        utc
    );
    decodes(&legacy, Value::from(dt));
    assert_eq!(from_slice_with::<DateTime>(&legacy, &bolt4).unwrap(), dt);
}

#[test]
fn date_time_zone_id_utc_and_legacy() {
    let utc_form = hex("B3 69 C9 03 E8 07 8C 45 75 72 6F 70 65 2F 50 61 72 69 73");
    let legacy_form = hex("B3 66 C9 03 E8 07 8C 45 75 72 6F 70 65 2F 50 61 72 69 73");
    let utc = DateTimeZoneId::from_utc(1000, 7, "Europe/Paris");
    both_ways(Value::from(utc.clone()), &utc_form);
    let local = DateTimeZoneId {
        basis: SecondsBasis::Local,
        ..utc.clone()
    };
    decodes(&legacy_form, Value::from(local.clone()));
    // Same basis as the encoding: written as is.
    let bolt4 = Options::for_bolt(4, 4, false);
    assert_eq!(to_vec_with(&local, &bolt4).unwrap(), legacy_form);
    // The other basis needs the zone's rules.
    #[cfg(not(feature = "chrono-tz"))]
    {
        let err = to_vec(&local).unwrap_err();
        assert!(
            matches!(err.kind(), quiver_packstream::ErrorKind::ZoneConversion { tz_id, .. } if tz_id == "Europe/Paris"),
            "{err:?}"
        );
        assert!(to_vec_with(&utc, &bolt4).is_err());
    }
    #[cfg(feature = "chrono-tz")]
    {
        // 1970-01-01T00:16:40 local time in Paris was UTC+1.
        assert_eq!(local.utc_seconds().unwrap(), 1000 - 3600);
        let back: DateTimeZoneId = from_slice(&to_vec(&local).unwrap()).unwrap();
        assert_eq!(
            back,
            DateTimeZoneId::from_utc(1000 - 3600, 7, "Europe/Paris")
        );
    }
}

#[test]
fn spatial_structures() {
    both_ways(
        Value::from(Point2D {
            srid: 7203,
            x: 1.0,
            y: 2.0,
        }),
        &hex("B3 58 C9 1C 23 C1 3F F0 00 00 00 00 00 00 C1 40 00 00 00 00 00 00 00"),
    );
    both_ways(
        Value::from(Point3D {
            srid: 9157,
            x: 1.0,
            y: 2.0,
            z: 0.0,
        }),
        &hex("B4 59 C9 23 C5 C1 3F F0 00 00 00 00 00 00 C1 40 00 00 00 00 00 00 00 C1 00 00 00 00 00 00 00 00"),
    );
}

#[test]
fn vectors_every_element_type() {
    let table: Vec<(Vector, &str)> = vec![
        (Vector::I8(vec![1, -1]), "C8 CC 02 01 FF"),
        (Vector::I16(vec![1, -2]), "C9 CC 04 00 01 FF FE"),
        (Vector::I32(vec![1]), "CA CC 04 00 00 00 01"),
        (Vector::I64(vec![1]), "CB CC 08 00 00 00 00 00 00 00 01"),
        (Vector::F32(vec![1.0]), "C6 CC 04 3F 80 00 00"),
        (Vector::F64(vec![1.0]), "C1 CC 08 3F F0 00 00 00 00 00 00"),
    ];
    for (v, body) in table {
        both_ways(Value::from(v), &hex(&format!("B2 56 CC 01 {body}")));
    }
    // A data length that is not a multiple of the element size.
    assert!(from_slice::<Value>(&hex("B2 56 CC 01 C9 CC 03 00 01 02")).is_err());
    // An unknown element type.
    assert!(from_slice::<Value>(&hex("B2 56 CC 01 C0 CC 00")).is_err());
}

#[test]
fn unsupported_type() {
    let u = UnsupportedType {
        name: "X".into(),
        minimum_protocol_major: 6,
        minimum_protocol_minor: 1,
        extra: map(&[("message", Value::from("m"))]),
    };
    let bytes = hex("B4 3F 81 58 06 01 A1 87 6D 65 73 73 61 67 65 81 6D");
    both_ways(Value::from(u.clone()), &bytes);
    assert_eq!(u.message(), Some("m"));
}

#[test]
fn uuid_marker() {
    let id = Uuid::from(0x0011_2233_4455_6677_8899_AABB_CCDD_EEFF_u128);
    let bytes = hex("E0 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF");
    both_ways(Value::Uuid(id), &bytes);
    assert_eq!(id.to_string(), "00112233-4455-6677-8899-aabbccddeeff");
    let err = to_vec_with(&id, &Options::for_bolt(6, 0, false)).unwrap_err();
    assert!(matches!(
        err.kind(),
        quiver_packstream::ErrorKind::UnsupportedByProtocol(_)
    ));
    assert!(from_slice::<Value>(&bytes[..10]).is_err());
}

#[test]
fn unknown_tag_is_a_structure_value() {
    let bytes = hex("B2 7A 01 81 61");
    let v = Structure::new(0x7A, vec![Value::Integer(1), Value::from("a")]);
    both_ways(Value::Structure(v.clone()), &bytes);
    assert_eq!(from_slice::<Structure>(&bytes).unwrap(), v);
    both_ways(
        Value::Structure(Structure::new(0x01, vec![])),
        &hex("B0 01"),
    );
    // Too many fields to encode.
    assert!(to_vec(&Structure::new(1, vec![Value::Null; 16])).is_err());
}

#[test]
fn known_tag_with_wrong_shape_is_an_error() {
    // A Date with two fields, a Node with a string id.
    assert!(from_slice::<Value>(&hex("B2 44 01 02")).is_err());
    assert!(from_slice::<Value>(&hex("B3 4E 81 61 90 A0")).is_err());
    assert!(from_slice::<Value>(&hex("B0 44")).is_err());
    // A typed target refuses another tag.
    assert!(from_slice::<Date>(&hex("B1 74 01")).is_err());
    assert!(from_slice::<Node>(&hex("01")).is_err());
}

#[test]
fn null_element_ids_fall_back_to_the_id() {
    let n: Node = from_slice(&hex("B4 4E 05 90 A0 C0")).unwrap();
    assert_eq!(n.element_id, "5");
}

#[test]
fn vectors_are_refused_before_bolt_6() {
    let v = Value::Vector(Vector::F32(vec![1.0, 2.0]));
    let err = to_vec_with(&v, &Options::for_bolt(5, 8, false)).unwrap_err();
    assert!(matches!(
        err.kind(),
        quiver_packstream::ErrorKind::UnsupportedByProtocol(_)
    ));
    assert!(to_vec_with(&v, &Options::for_bolt(6, 0, false)).is_ok());
    // A Structure value with the same tag is raw data, not a typed vector.
    let raw = Value::Structure(Structure::new(0x56, vec![]));
    assert!(to_vec_with(&raw, &Options::for_bolt(5, 0, false)).is_ok());
}
