//! Nodes and relationships into the user's own structs and maps: a graph
//! structure asked for as a struct or a map presents the keys of its
//! human-readable form.

use std::collections::{BTreeMap, HashMap};

use quiver_packstream::{
    from_slice, from_value, to_vec, to_vec_with, ErrorKind, Map, Node, Options, Path, Relationship,
    UnboundRelationship, Value,
};
use serde::Deserialize;

#[derive(Deserialize, Debug, PartialEq)]
struct Person {
    name: String,
    age: i64,
}

#[derive(Deserialize, Debug, PartialEq)]
struct PersonNode {
    element_id: String,
    labels: Vec<String>,
    properties: Person,
}

#[derive(Deserialize, Debug, PartialEq)]
struct BorrowedNode<'a> {
    id: i64,
    #[serde(borrow)]
    element_id: &'a str,
    #[serde(borrow)]
    labels: Vec<&'a str>,
    #[serde(borrow)]
    properties: BorrowedPerson<'a>,
}

#[derive(Deserialize, Debug, PartialEq)]
struct BorrowedPerson<'a> {
    name: &'a str,
}

fn props(entries: &[(&str, Value)]) -> Map {
    entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn alice() -> Node {
    Node {
        id: 7,
        labels: vec!["Person".into(), "Admin".into()],
        properties: props(&[("name", Value::from("Alice")), ("age", Value::from(33))]),
        element_id: "4:db:7".into(),
    }
}

fn knows() -> Relationship {
    Relationship {
        id: 9,
        start_node_id: 7,
        end_node_id: 8,
        rel_type: "KNOWS".into(),
        properties: props(&[("since", Value::from(2020))]),
        element_id: "5:db:9".into(),
        start_node_element_id: "4:db:7".into(),
        end_node_element_id: "4:db:8".into(),
    }
}

fn bolt4() -> Options {
    Options::for_bolt(4, 4, false)
}

#[test]
fn a_node_into_a_struct() {
    let bytes = to_vec(&alice()).unwrap();
    let n: PersonNode = from_slice(&bytes).unwrap();
    assert_eq!(
        n,
        PersonNode {
            element_id: "4:db:7".into(),
            labels: vec!["Person".into(), "Admin".into()],
            properties: Person {
                name: "Alice".into(),
                age: 33
            },
        }
    );
}

#[test]
fn borrowed_fields_point_into_the_input() {
    let bytes = to_vec(&alice()).unwrap();
    let n: BorrowedNode<'_> = from_slice(&bytes).unwrap();
    assert_eq!(n.id, 7);
    assert_eq!(n.element_id, "4:db:7");
    assert_eq!(n.labels, ["Person", "Admin"]);
    assert_eq!(n.properties.name, "Alice");
    assert!(bytes.as_ptr_range().contains(&n.element_id.as_ptr()));
    assert!(bytes.as_ptr_range().contains(&n.properties.name.as_ptr()));
}

#[test]
fn typed_nodes_values_and_maps_keep_working() {
    let bytes = to_vec(&alice()).unwrap();
    assert_eq!(from_slice::<Node>(&bytes).unwrap(), alice());
    assert_eq!(from_slice::<Value>(&bytes).unwrap(), Value::from(alice()));
    // A map target sees the same keys as a struct.
    let m: BTreeMap<String, Value> = from_slice(&bytes).unwrap();
    let keys: Vec<&str> = m.keys().map(String::as_str).collect();
    assert_eq!(keys, ["element_id", "id", "labels", "properties"]);
    assert_eq!(m["id"], Value::from(7));
    assert_eq!(m["element_id"], Value::from("4:db:7"));
    assert_eq!(m["properties"], Value::Map(alice().properties));
    // Plain maps and structs from plain maps are unchanged.
    let plain = to_vec(&props(&[
        ("name", Value::from("Bob")),
        ("age", Value::from(5)),
    ]))
    .unwrap();
    let p: Person = from_slice(&plain).unwrap();
    assert_eq!(p.name, "Bob");
    let h: HashMap<String, Value> = from_slice(&plain).unwrap();
    assert_eq!(h.len(), 2);
    // Inside other values: a list of nodes, an optional node.
    let list = to_vec(&vec![Value::from(alice()), Value::Null]).unwrap();
    let nodes: Vec<Option<PersonNode>> = from_slice(&list).unwrap();
    assert_eq!(nodes[0].as_ref().unwrap().properties.age, 33);
    assert!(nodes[1].is_none());
}

#[test]
fn from_a_value_node_too() {
    let n: PersonNode = from_value(&Value::from(alice())).unwrap();
    assert_eq!(n.properties.name, "Alice");
    assert_eq!(n.element_id, "4:db:7");
}

#[test]
fn pre_bolt_5_nodes_take_the_id_as_element_id() {
    let bytes = to_vec_with(&alice(), &bolt4()).unwrap();
    assert_eq!(bytes.first(), Some(&0xB3));
    let n: PersonNode = from_slice(&bytes).unwrap();
    assert_eq!(n.element_id, "7");
    // A null element id too.
    #[derive(Deserialize)]
    struct Eid {
        element_id: String,
    }
    let e: Eid = from_slice(&[0xB4, 0x4E, 0x05, 0x90, 0xA0, 0xC0]).unwrap();
    assert_eq!(e.element_id, "5");
    // A borrowed element id cannot borrow a made-up string: a clear error.
    assert!(from_slice::<BorrowedNode<'_>>(&bytes).is_err());
}

#[test]
fn relationships_into_structs() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Since {
        since: i64,
    }
    #[derive(Deserialize, Debug, PartialEq)]
    struct Knows {
        id: i64,
        element_id: String,
        start_node_id: i64,
        start_node_element_id: String,
        end_node_id: i64,
        end_node_element_id: String,
        #[serde(rename = "type")]
        rel_type: String,
        properties: Since,
    }
    let k: Knows = from_slice(&to_vec(&knows()).unwrap()).unwrap();
    assert_eq!(
        k,
        Knows {
            id: 9,
            element_id: "5:db:9".into(),
            start_node_id: 7,
            start_node_element_id: "4:db:7".into(),
            end_node_id: 8,
            end_node_element_id: "4:db:8".into(),
            rel_type: "KNOWS".into(),
            properties: Since { since: 2020 },
        }
    );
    let legacy: Knows = from_slice(&to_vec_with(&knows(), &bolt4()).unwrap()).unwrap();
    assert_eq!(
        (
            legacy.element_id.as_str(),
            legacy.start_node_element_id.as_str(),
            legacy.end_node_element_id.as_str()
        ),
        ("9", "7", "8")
    );

    #[derive(Deserialize, Debug, PartialEq)]
    struct Unbound<'a> {
        id: i64,
        element_id: String,
        #[serde(rename = "type")]
        rel_type: &'a str,
        properties: HashMap<String, i64>,
    }
    let u = UnboundRelationship {
        id: 3,
        rel_type: "LIKES".into(),
        properties: props(&[("w", Value::from(2))]),
        element_id: "5:db:3".into(),
    };
    let bytes = to_vec(&u).unwrap();
    let back: Unbound<'_> = from_slice(&bytes).unwrap();
    assert_eq!(back.rel_type, "LIKES");
    assert_eq!(back.element_id, "5:db:3");
    assert_eq!(back.properties["w"], 2);
    let legacy = to_vec_with(&u, &bolt4()).unwrap();
    assert_eq!(from_slice::<Unbound<'_>>(&legacy).unwrap().element_id, "3");
}

#[test]
fn fields_the_target_does_not_name_are_skipped() {
    #[derive(Deserialize)]
    struct JustLabels {
        labels: Vec<String>,
    }
    let n: JustLabels = from_slice(&to_vec(&alice()).unwrap()).unwrap();
    assert_eq!(n.labels.len(), 2);
    #[derive(Deserialize)]
    struct Nothing {}
    let _: Nothing = from_slice(&to_vec(&knows()).unwrap()).unwrap();
}

fn err_text<T: for<'a> Deserialize<'a> + std::fmt::Debug>(bytes: &[u8]) -> String {
    from_slice::<T>(bytes).unwrap_err().to_string()
}

#[test]
fn hostile_shapes_are_clear_errors() {
    // Too few fields: a Node of 2, a Relationship of 4, an unbound one of 0.
    let text = err_text::<PersonNode>(&[0xB2, 0x4E, 0x01, 0x90]);
    assert!(text.contains("Node") && text.contains('2'), "{text}");
    let text = err_text::<BTreeMap<String, Value>>(&[0xB4, 0x52, 0x01, 0x02, 0x03, 0x80]);
    assert!(text.contains("Relationship"), "{text}");
    assert!(!err_text::<BTreeMap<String, Value>>(&[0xB0, 0x72]).is_empty());
    // Too many fields.
    let text = err_text::<PersonNode>(&[0xB5, 0x4E, 0x01, 0x90, 0xA0, 0x80, 0x01]);
    assert!(text.contains('5'), "{text}");
    // An id that is not an integer.
    let text = err_text::<PersonNode>(&[0xB3, 0x4E, 0x81, b'x', 0x90, 0xA0]);
    assert!(text.contains("`id`"), "{text}");
    // Labels that are not a list, properties that are not a map: the
    // error names the field.
    let text = err_text::<PersonNode>(&[0xB3, 0x4E, 0x01, 0x01, 0xA0]);
    assert!(
        text.contains("`labels`") && text.contains("sequence"),
        "{text}"
    );
    let text = err_text::<PersonNode>(&[0xB3, 0x4E, 0x01, 0x90, 0x90]);
    assert!(text.contains("`properties`"), "{text}");
    // An element id that is neither a string nor null.
    assert!(from_slice::<PersonNode>(&[
        0xB4, 0x4E, 0x01, 0x90, 0xA2, 0x84, b'n', b'a', b'm', b'e', 0x80, 0x83, b'a', b'g', b'e',
        0x01, 0x01
    ])
    .is_err());
    // A property missing from the user's struct.
    let no_age = to_vec(&Node {
        properties: props(&[("name", Value::from("A"))]),
        ..alice()
    })
    .unwrap();
    let text = err_text::<PersonNode>(&no_age);
    assert!(
        text.contains("`properties`") && text.contains("age"),
        "{text}"
    );
    // Truncated input, forged field counts.
    let bytes = to_vec(&alice()).unwrap();
    for cut in 0..bytes.len() {
        assert!(from_slice::<PersonNode>(&bytes[..cut]).is_err(), "{cut}");
        assert!(
            from_slice::<BTreeMap<String, Value>>(&bytes[..cut]).is_err(),
            "{cut}"
        );
    }
    assert!(from_slice::<PersonNode>(&[0xBF, 0x4E, 0x01]).is_err());
    // A structure of another tag into a struct: still refused.
    assert!(from_slice::<PersonNode>(&[0xB1, 0x44, 0x01]).is_err());
}

#[test]
fn deeply_nested_nodes_hit_the_depth_limit() {
    // A node whose properties hold a list nested far deeper than the limit.
    let mut bytes = vec![0xB3, 0x4E, 0x01, 0x90, 0xA1, 0x81, b'x'];
    bytes.extend(std::iter::repeat_n(0x91, 10_000));
    bytes.push(0x01);
    let e = from_slice::<BTreeMap<String, Value>>(&bytes).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::DepthLimitExceeded { .. }),
        "{e}"
    );
}

#[test]
fn paths_into_structs() {
    #[derive(Deserialize, Debug)]
    struct Step {
        #[serde(rename = "type")]
        rel_type: String,
    }
    #[derive(Deserialize, Debug)]
    struct MyPath {
        nodes: Vec<PersonNode>,
        relationships: Vec<Step>,
        indices: Vec<i64>,
    }
    let mut bob = alice();
    bob.id = 8;
    bob.element_id = "4:db:8".into();
    let path = Path {
        nodes: vec![alice(), bob],
        relationships: vec![UnboundRelationship {
            id: 9,
            rel_type: "KNOWS".into(),
            properties: Map::new(),
            element_id: "5:db:9".into(),
        }],
        indices: vec![1, 1],
    };
    let p: MyPath = from_slice(&to_vec(&path).unwrap()).unwrap();
    assert_eq!(p.nodes.len(), 2);
    assert_eq!(p.nodes[1].element_id, "4:db:8");
    assert_eq!(p.relationships[0].rel_type, "KNOWS");
    assert_eq!(p.indices, [1, 1]);
    // The typed path still decodes; a path of two fields is refused.
    assert_eq!(from_slice::<Path>(&to_vec(&path).unwrap()).unwrap(), path);
    assert!(from_slice::<MyPath>(&[0xB2, 0x50, 0x90, 0x90]).is_err());
}
