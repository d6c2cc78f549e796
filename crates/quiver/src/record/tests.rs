use std::collections::BTreeMap;

use super::*;

fn keys(names: &[&str]) -> Arc<[String]> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// `["Alice", 42, {"a": [1, 2]}, null]` as PackStream.
fn alice() -> Record {
    let data: &[u8] = &[
        0x94, // list of 4
        0x85, b'A', b'l', b'i', b'c', b'e', // "Alice"
        0x2A, // 42
        0xA1, 0x81, b'a', 0x92, 0x01, 0x02, // {"a": [1, 2]}
        0xC0, // null
    ];
    Record::from_packstream(
        keys(&["name", "age", "extra", "nothing"]),
        Bytes::from_static(data),
    )
    .unwrap()
}

#[test]
fn fields_by_key_and_index() {
    let r = alice();
    assert_eq!(r.len(), 4);
    assert!(!r.is_empty());
    assert_eq!(r.keys(), ["name", "age", "extra", "nothing"]);
    assert_eq!(r.index_of("age"), Some(1));
    assert!(r.contains_key("extra"));
    assert!(!r.contains_key("missing"));
    let name: &str = r.get("name").unwrap();
    assert_eq!(name, "Alice");
    assert_eq!(r.get::<i64>("age").unwrap(), 42);
    assert_eq!(r.get_at::<u8>(1).unwrap(), 42);
    assert_eq!(r.get::<Option<String>>("nothing").unwrap(), None);
    let extra: BTreeMap<String, Vec<i64>> = r.get("extra").unwrap();
    assert_eq!(extra["a"], [1, 2]);
    assert_eq!(r.field("age").unwrap().raw(), [0x2A]);
}

#[test]
fn borrowed_strings_point_into_the_record() {
    let r = alice();
    let name: &str = r.get("name").unwrap();
    let field = r.field("name").unwrap().raw();
    assert!(field.as_ptr_range().contains(&name.as_ptr()));
}

#[test]
fn dynamic_values() {
    let r = alice();
    let values = r.values().unwrap();
    assert_eq!(values.len(), 4);
    assert_eq!(values[0], Value::from("Alice"));
    assert_eq!(values[1], Value::from(42i64));
    assert_eq!(values[3], Value::Null);
    assert_eq!(r.get_at::<Value>(1).unwrap(), Value::from(42i64));
}

#[test]
fn whole_record_into_struct_tuple_and_map() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Person<'a> {
        name: &'a str,
        age: u32,
        nothing: Option<i64>,
    }
    let r = alice();
    let p: Person<'_> = r.to().unwrap();
    assert_eq!(
        p,
        Person {
            name: "Alice",
            age: 42,
            nothing: None
        }
    );

    let (name, age, _, nothing): (String, i64, Value, Option<bool>) = r.to().unwrap();
    assert_eq!((name.as_str(), age, nothing), ("Alice", 42, None));

    let map: crate::Map = r.to().unwrap();
    assert_eq!(map.len(), 4);
    assert_eq!(map["age"], Value::from(42i64));
}

#[test]
fn errors_say_what_is_wrong() {
    let r = alice();
    let e = r.get::<i64>("missing").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Deserialization);
    assert!(e.to_string().contains("no key 'missing'"), "{e}");
    let e = r.get::<i64>("name").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Deserialization);
    assert!(e.to_string().contains("'name'"), "{e}");
    assert!(std::error::Error::source(&e).is_some());
    assert!(r.get_at::<i64>(9).is_err());

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct NeedsMore {
        name: String,
        height: f64,
    }
    assert_eq!(
        r.to::<NeedsMore>().unwrap_err().kind(),
        ErrorKind::Deserialization
    );
}

#[test]
fn malformed_records_are_protocol_errors() {
    let cases: &[(&[&str], &[u8])] = &[
        (&["a"], &[0x92, 0x01, 0x02]),            // more fields than keys
        (&["a", "b"], &[0x91, 0x01]),             // fewer
        (&["a"], &[0x01]),                        // not a list
        (&["a"], &[]),                            // empty
        (&[], &[0x90, 0x01]),                     // bytes after no fields
        (&["a", "b"], &[0x92, 0x85, b'A', 0x01]), // truncated string, not last
        (&["a", "b"], &[0x92, 0xC7, 0x01]),       // invalid marker, not last
        (&["a", "b"], &[0x92, 0xD4, 0xFF, 0x01]), // forged list length, not last
    ];
    for (k, data) in cases {
        let e = Record::from_packstream(keys(k), Bytes::copy_from_slice(data)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol, "{data:02x?}");
    }
}

/// The last field is not walked when a record is split: it is checked, and
/// a malformed one refused, when it is read, whichever way it is read.
#[test]
fn a_malformed_last_field_fails_when_read() {
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Row {
        a: i64,
        b: Value,
    }
    let cases: &[&[u8]] = &[
        &[0x92, 0x01, 0x01, 0x01],                         // trailing bytes
        &[0x92, 0x01, 0x85, b'A'],                         // truncated string
        &[0x92, 0x01, 0xC7],                               // invalid marker
        &[0x92, 0x01, 0x82, 0xFF, 0xFE],                   // invalid UTF-8
        &[0x92, 0x01, 0xD6, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], // forged list length
        &[0x92, 0x01, 0x91],                               // list without its item
    ];
    for data in cases {
        let r = Record::from_packstream(keys(&["a", "b"]), Bytes::copy_from_slice(data))
            .unwrap_or_else(|e| panic!("{data:02x?}: {e}"));
        assert_eq!(r.get::<i64>("a").unwrap(), 1, "{data:02x?}");
        let e = r.get::<Value>("b").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol, "{data:02x?}: {e}");
        assert!(e.to_string().contains("'b'"), "{e}");
        // Skipping checks the structure, not the UTF-8 of strings.
        if *data != [0x92, 0x01, 0x82, 0xFF, 0xFE] {
            let e = r.get::<de::IgnoredAny>("b").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Protocol, "{data:02x?}: {e}");
        }
        assert_eq!(
            r.to::<Row>().unwrap_err().kind(),
            ErrorKind::Protocol,
            "{data:02x?}"
        );
        assert!(r.to::<(i64, Value)>().is_err(), "{data:02x?}");
        assert!(r.values().is_err(), "{data:02x?}");
        // Debug still prints what it can.
        assert!(format!("{r:?}").contains("undecodable"), "{data:02x?}");
    }
    // A well-formed last field of the wrong type is the caller's error.
    let r = Record::from_packstream(keys(&["a", "b"]), Bytes::from_static(&[0x92, 0x01, 0x02]))
        .unwrap();
    assert_eq!(
        r.get::<String>("b").unwrap_err().kind(),
        ErrorKind::Deserialization
    );
}

#[test]
fn from_values_round_trips_and_compares() {
    let r = Record::from_values(
        keys(&["x", "y"]),
        vec![Value::from(1i64), Value::from("two")],
    )
    .unwrap();
    assert_eq!(r.get::<i64>("x").unwrap(), 1);
    assert_eq!(r.get::<String>("y").unwrap(), "two");
    let same = Record::from_values(
        keys(&["x", "y"]),
        vec![Value::from(1i64), Value::from("two")],
    )
    .unwrap();
    assert_eq!(r, same);
    assert!(Record::from_values(keys(&["x"]), vec![]).is_err());
    let debug = format!("{r:?}");
    assert!(debug.contains("\"x\"") && debug.contains("two"), "{debug}");
}

#[test]
fn iteration_in_order() {
    let r = alice();
    let ks: Vec<&str> = r.iter().map(|f| f.key()).collect();
    assert_eq!(ks, ["name", "age", "extra", "nothing"]);
    assert_eq!(r.iter().len(), 4);
    let mut n = 0;
    for field in &r {
        assert!(!field.raw().is_empty());
        n += 1;
    }
    assert_eq!(n, 4);
}

#[test]
fn small_and_wide_records_find_every_field() {
    for width in [0usize, 1, 11, 12, 40] {
        let keys: Arc<[String]> = (0..width).map(|i| format!("k{i}")).collect();
        let values: Vec<Value> = (0..width).map(|i| Value::from(i as i64 * 1000)).collect();
        let record = Record::from_values(keys, values).unwrap();
        assert_eq!(record.len(), width);
        for i in 0..width {
            assert_eq!(
                record.get_at::<i64>(i).unwrap(),
                i as i64 * 1000,
                "{width}/{i}"
            );
        }
        assert!(record.get_at::<i64>(width).is_err());
    }
}

/// Nodes into the user's own structs, by field and as part of a whole
/// record, borrowing where asked.
#[test]
fn nodes_into_user_structs() {
    use quiver_packstream::Node;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Person<'a> {
        name: &'a str,
        age: i64,
    }
    #[derive(Deserialize, Debug, PartialEq)]
    struct PersonNode<'a> {
        id: i64,
        element_id: &'a str,
        labels: Vec<String>,
        #[serde(borrow)]
        properties: Person<'a>,
    }
    #[derive(Deserialize, Debug)]
    struct Row<'a> {
        #[serde(borrow)]
        n: PersonNode<'a>,
        x: i64,
    }
    let node = Node {
        id: 4,
        labels: vec!["Person".into()],
        properties: [("name", Value::from("Ann")), ("age", Value::from(51i64))]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        element_id: "4:x:4".into(),
    };
    let r = Record::from_values(
        keys(&["n", "x"]),
        vec![Value::from(node.clone()), Value::from(1i64)],
    )
    .unwrap();
    let n: PersonNode<'_> = r.get("n").unwrap();
    assert_eq!(
        n,
        PersonNode {
            id: 4,
            element_id: "4:x:4",
            labels: vec!["Person".into()],
            properties: Person {
                name: "Ann",
                age: 51
            },
        }
    );
    let row: Row<'_> = r.to().unwrap();
    assert_eq!((row.n.properties.age, row.x), (51, 1));
    // The typed node and the dynamic value still decode.
    assert_eq!(r.get::<Node>("n").unwrap(), node);
    assert_eq!(r.get::<Value>("n").unwrap(), Value::from(node));
    // Properties that do not fit: the caller's error, naming the field.
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Wrong {
        properties: Vec<i64>,
    }
    let e = r.get::<Wrong>("n").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Deserialization);
    assert!(e.to_string().contains("'n'"), "{e}");
    // A node of too few fields: an error, not a panic.
    let bad = Record::from_packstream(
        keys(&["n"]),
        Bytes::from_static(&[0x91, 0xB2, 0x4E, 0x01, 0x90]),
    )
    .unwrap();
    assert!(bad.get::<PersonNode<'_>>("n").is_err());
    assert!(bad.get::<Node>("n").is_err());
}

#[test]
fn mapping_errors_name_the_column_and_what_it_held() {
    let r = alice();
    let e = r.get::<String>("age").unwrap_err();
    let text = e.to_string();
    assert!(text.contains("column 'age' holds an Integer"), "{text}");
    assert!(text.contains("expected a string"), "{text}");

    let e = r.get::<i64>("nothing").unwrap_err();
    let text = e.to_string();
    assert!(text.contains("column 'nothing' holds null"), "{text}");
    assert!(text.contains("Option"), "{text}");
    assert!(!text.contains("unit value"), "{text}");

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct WrongType {
        name: String,
        age: String,
    }
    let e = r.to::<WrongType>().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Deserialization);
    let text = e.to_string();
    assert!(text.contains("column 'age' holds an Integer"), "{text}");

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct NullIntoList {
        nothing: Vec<String>,
    }
    let text = r.to::<NullIntoList>().unwrap_err().to_string();
    assert!(text.contains("column 'nothing' holds null"), "{text}");
    assert!(text.contains("Option"), "{text}");

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct NoSuchColumn {
        height: f64,
    }
    let text = r.to::<NoSuchColumn>().unwrap_err().to_string();
    assert!(text.contains("no column 'height'"), "{text}");
    assert!(text.contains("name, age, extra, nothing"), "{text}");

    // Tuples name the column too.
    let e = r.to::<(String, String, Value, Value)>().unwrap_err();
    assert!(e.to_string().contains("column 'age'"), "{e}");

    // Inside a column, the path to the field that did not fit.
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Extra {
        a: Vec<String>,
    }
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Nested {
        name: String,
        extra: Extra,
    }
    let text = r.to::<Nested>().unwrap_err().to_string();
    assert!(text.contains("column 'extra'"), "{text}");
    assert!(text.contains("(at `extra.a[0]`)"), "{text}");
}

#[test]
fn null_columns_fit_option_default_and_value_fields() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Defaults {
        name: String,
        #[serde(default)]
        nothing: Vec<String>,
    }
    let r = alice();
    assert_eq!(
        r.to::<Defaults>().unwrap(),
        Defaults {
            name: "Alice".into(),
            nothing: Vec::new()
        }
    );

    #[derive(Deserialize, Debug, PartialEq)]
    struct Dynamic {
        nothing: Value,
        age: Option<i64>,
    }
    assert_eq!(
        r.to::<Dynamic>().unwrap(),
        Dynamic {
            nothing: Value::Null,
            age: Some(42)
        }
    );
    // A map keeps null columns.
    let map: BTreeMap<String, Value> = r.to().unwrap();
    assert_eq!(map["nothing"], Value::Null);
}

#[test]
fn nesting_beyond_the_record_limit_says_so_for_any_field() {
    // Two fields, the first nested 5 deep, the second 2 deep.
    let mut data = vec![0x92];
    data.extend([0x91; 5]);
    data.push(0x01);
    data.extend([0x91, 0x91, 0x02]);
    let k = keys(&["a", "b"]);
    let err = Record::with_depth(k.clone(), Bytes::from(data.clone()), 4).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
    assert!(
        err.to_string()
            .contains("nesting deeper than the limit of 4"),
        "{err}"
    );
    let r = Record::with_depth(k.clone(), Bytes::from(data.clone()), 5).unwrap();
    assert!(r.get::<Value>("a").is_ok());
    // The last field is not walked on arrival: it fails when read.
    let last = Bytes::from_static(&[0x92, 0x01, 0x91, 0x91, 0x91, 0x02]);
    let r = Record::with_depth(k, last, 2).unwrap();
    assert_eq!(r.get::<i64>("a").unwrap(), 1);
    let err = r.get::<Value>("b").unwrap_err();
    assert!(
        err.to_string()
            .contains("nesting deeper than the limit of 2"),
        "{err}"
    );
}
