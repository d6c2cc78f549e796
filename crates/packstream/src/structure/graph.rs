//! Graph structures: nodes, relationships and paths.

use serde::de::SeqAccess;
use serde::ser::SerializeTupleStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{begin, deserialize_struct, field, fields_left, no_more, tag, FromFields};
use crate::value::{Map, Value};

/// Reads an element id field: absent (before Bolt 5.0) or null, it is the
/// integer id as a string, as the server itself reports such ids.
fn read_element_id<'de, A: SeqAccess<'de>>(
    seq: &mut A,
    t: u8,
    name: &'static str,
    id: i64,
) -> Result<String, A::Error> {
    if fields_left(seq) == 0 {
        return Ok(id.to_string());
    }
    let v: Option<String> = field(seq, t, name)?;
    Ok(v.unwrap_or_else(|| id.to_string()))
}

/// A node.
///
/// Before Bolt 5.0 nodes carry no element id; decoding fills `element_id` with
/// the integer id as a string, as the server does for such nodes.
///
/// # Into your own types
///
/// A node decodes into `Node` and [`Value`], and also into any type that
/// asks for a struct or a map: it then looks like a map with the keys `id`,
/// `element_id`, `labels` and `properties` (the keys of its human-readable
/// form), and the properties decode into a struct of your own. Strings can
/// borrow from the input (except an element id made up from the id, before
/// Bolt 5.0). [`Relationship`] and [`UnboundRelationship`] do the same with
/// their fields' names (`type` for the relationship type).
///
/// ```
/// use serde::Deserialize;
/// use quiver_packstream::{from_slice, to_vec, Node, Value};
///
/// #[derive(Deserialize)]
/// struct Person<'a> {
///     name: &'a str,
///     age: i64,
/// }
///
/// #[derive(Deserialize)]
/// struct PersonNode<'a> {
///     element_id: String,
///     labels: Vec<String>,
///     #[serde(borrow)]
///     properties: Person<'a>,
/// }
///
/// let node = Node {
///     id: 1,
///     labels: vec!["Person".into()],
///     properties: [("name", Value::from("Alice")), ("age", Value::from(33))]
///         .into_iter()
///         .map(|(k, v)| (k.to_owned(), v))
///         .collect(),
///     element_id: "4:db:1".into(),
/// };
/// let bytes = to_vec(&node)?;
/// let person: PersonNode<'_> = from_slice(&bytes)?;
/// assert_eq!(person.labels, ["Person"]);
/// assert_eq!((person.properties.name, person.properties.age), ("Alice", 33));
/// assert_eq!(person.element_id, "4:db:1");
/// # Ok::<(), quiver_packstream::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Node {
    /// The legacy integer id.
    pub id: i64,
    /// The labels.
    pub labels: Vec<String>,
    /// The properties.
    pub properties: Map,
    /// The element id (Bolt 5.0 and later).
    pub element_id: String,
}

impl Node {
    /// The property `key`, if set.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.properties.get(key)
    }

    /// Whether the node has `label`.
    pub fn has_label(&self, label: &str) -> bool {
        self.labels.iter().any(|l| l == label)
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        human_readable!(s, "Node", {
            "id" => &self.id,
            "element_id" => &self.element_id,
            "labels" => &self.labels,
            "properties" => &self.properties,
        });
        let mut t = begin(s, tag::NODE, 4)?;
        t.serialize_field(&self.id)?;
        t.serialize_field(&self.labels)?;
        t.serialize_field(&self.properties)?;
        t.serialize_field(&self.element_id)?;
        t.end()
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_struct(d)
    }
}

impl FromFields for Node {
    const EXPECTED: &'static str = "a Node structure";
    fn accepts(kind: u16) -> bool {
        kind == u16::from(tag::NODE)
    }
    fn from_fields<'de, A: SeqAccess<'de>>(t: u8, mut seq: A) -> Result<Self, A::Error> {
        let id: i64 = field(&mut seq, t, "id")?;
        let labels = field(&mut seq, t, "labels")?;
        let properties = field(&mut seq, t, "properties")?;
        let element_id = read_element_id(&mut seq, t, "element_id", id)?;
        no_more(&mut seq, t)?;
        Ok(Node {
            id,
            labels,
            properties,
            element_id,
        })
    }
}

/// A relationship with its start and end nodes' ids.
///
/// Decodes into your own struct or map too, with the keys `id`,
/// `element_id`, `start_node_id`, `start_node_element_id`, `end_node_id`,
/// `end_node_element_id`, `type` and `properties` (see [`Node`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Relationship {
    /// The legacy integer id.
    pub id: i64,
    /// The start node's legacy id.
    pub start_node_id: i64,
    /// The end node's legacy id.
    pub end_node_id: i64,
    /// The relationship type.
    pub rel_type: String,
    /// The properties.
    pub properties: Map,
    /// The element id (Bolt 5.0 and later; else the integer id as a string).
    pub element_id: String,
    /// The start node's element id.
    pub start_node_element_id: String,
    /// The end node's element id.
    pub end_node_element_id: String,
}

impl Relationship {
    /// The property `key`, if set.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.properties.get(key)
    }
}

impl Serialize for Relationship {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        human_readable!(s, "Relationship", {
            "id" => &self.id,
            "element_id" => &self.element_id,
            "start_node_id" => &self.start_node_id,
            "start_node_element_id" => &self.start_node_element_id,
            "end_node_id" => &self.end_node_id,
            "end_node_element_id" => &self.end_node_element_id,
            "type" => &self.rel_type,
            "properties" => &self.properties,
        });
        let mut t = begin(s, tag::RELATIONSHIP, 8)?;
        t.serialize_field(&self.id)?;
        t.serialize_field(&self.start_node_id)?;
        t.serialize_field(&self.end_node_id)?;
        t.serialize_field(&self.rel_type)?;
        t.serialize_field(&self.properties)?;
        t.serialize_field(&self.element_id)?;
        t.serialize_field(&self.start_node_element_id)?;
        t.serialize_field(&self.end_node_element_id)?;
        t.end()
    }
}

impl<'de> Deserialize<'de> for Relationship {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_struct(d)
    }
}

impl FromFields for Relationship {
    const EXPECTED: &'static str = "a Relationship structure";
    fn accepts(kind: u16) -> bool {
        kind == u16::from(tag::RELATIONSHIP)
    }
    fn from_fields<'de, A: SeqAccess<'de>>(t: u8, mut seq: A) -> Result<Self, A::Error> {
        let id: i64 = field(&mut seq, t, "id")?;
        let start_node_id: i64 = field(&mut seq, t, "start_node_id")?;
        let end_node_id: i64 = field(&mut seq, t, "end_node_id")?;
        let rel_type = field(&mut seq, t, "type")?;
        let properties = field(&mut seq, t, "properties")?;
        let element_id = read_element_id(&mut seq, t, "element_id", id)?;
        let start_node_element_id =
            read_element_id(&mut seq, t, "start_node_element_id", start_node_id)?;
        let end_node_element_id = read_element_id(&mut seq, t, "end_node_element_id", end_node_id)?;
        no_more(&mut seq, t)?;
        Ok(Relationship {
            id,
            start_node_id,
            end_node_id,
            rel_type,
            properties,
            element_id,
            start_node_element_id,
            end_node_element_id,
        })
    }
}

/// A relationship inside a [`Path`], without its end nodes.
///
/// Decodes into your own struct or map too, with the keys `id`,
/// `element_id`, `type` and `properties` (see [`Node`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnboundRelationship {
    /// The legacy integer id.
    pub id: i64,
    /// The relationship type.
    pub rel_type: String,
    /// The properties.
    pub properties: Map,
    /// The element id (Bolt 5.0 and later; else the integer id as a string).
    pub element_id: String,
}

impl Serialize for UnboundRelationship {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        human_readable!(s, "UnboundRelationship", {
            "id" => &self.id,
            "element_id" => &self.element_id,
            "type" => &self.rel_type,
            "properties" => &self.properties,
        });
        let mut t = begin(s, tag::UNBOUND_RELATIONSHIP, 4)?;
        t.serialize_field(&self.id)?;
        t.serialize_field(&self.rel_type)?;
        t.serialize_field(&self.properties)?;
        t.serialize_field(&self.element_id)?;
        t.end()
    }
}

impl<'de> Deserialize<'de> for UnboundRelationship {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_struct(d)
    }
}

impl FromFields for UnboundRelationship {
    const EXPECTED: &'static str = "an UnboundRelationship structure";
    fn accepts(kind: u16) -> bool {
        kind == u16::from(tag::UNBOUND_RELATIONSHIP)
    }
    fn from_fields<'de, A: SeqAccess<'de>>(t: u8, mut seq: A) -> Result<Self, A::Error> {
        let id: i64 = field(&mut seq, t, "id")?;
        let rel_type = field(&mut seq, t, "type")?;
        let properties = field(&mut seq, t, "properties")?;
        let element_id = read_element_id(&mut seq, t, "element_id", id)?;
        no_more(&mut seq, t)?;
        Ok(UnboundRelationship {
            id,
            rel_type,
            properties,
            element_id,
        })
    }
}

/// A path: alternating nodes and relationships.
///
/// Decodes into your own struct or map too, with the keys `nodes`,
/// `relationships` and `indices` (see [`Node`]).
///
/// `indices` walks the path: pairs of (relationship index, node index), where
/// relationship indices count from 1 and a negative one means the relationship
/// is traversed against its direction. [`Path::segments`] resolves them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Path {
    /// The distinct nodes; the first is the path's start.
    pub nodes: Vec<Node>,
    /// The distinct relationships.
    pub relationships: Vec<UnboundRelationship>,
    /// The walk, as described above.
    pub indices: Vec<i64>,
}

/// One step of a [`Path`]: a start node, a relationship, an end node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment<'a> {
    /// Where the step starts.
    pub start: &'a Node,
    /// The relationship traversed.
    pub relationship: &'a UnboundRelationship,
    /// Where the step ends.
    pub end: &'a Node,
    /// Whether the relationship points from `start` to `end`.
    pub forward: bool,
}

impl Path {
    /// The path's steps in order, or `None` when the indices do not fit the
    /// nodes and relationships (a malformed path).
    pub fn segments(&self) -> Option<Vec<Segment<'_>>> {
        let mut prev = self.nodes.first()?;
        let mut out = Vec::with_capacity(self.indices.len() / 2);
        for pair in self.indices.chunks(2) {
            let (&r, &n) = match pair {
                [r, n] => (r, n),
                _ => return None,
            };
            let forward = r > 0;
            let ri = usize::try_from(r.unsigned_abs().checked_sub(1)?).ok()?;
            let relationship = self.relationships.get(ri)?;
            let end = self.nodes.get(usize::try_from(n).ok()?)?;
            out.push(Segment {
                start: prev,
                relationship,
                end,
                forward,
            });
            prev = end;
        }
        Some(out)
    }
}

impl Serialize for Path {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        human_readable!(s, "Path", {
            "nodes" => &self.nodes,
            "relationships" => &self.relationships,
            "indices" => &self.indices,
        });
        let mut t = begin(s, tag::PATH, 3)?;
        t.serialize_field(&self.nodes)?;
        t.serialize_field(&self.relationships)?;
        t.serialize_field(&self.indices)?;
        t.end()
    }
}

impl<'de> Deserialize<'de> for Path {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_struct(d)
    }
}

impl FromFields for Path {
    const EXPECTED: &'static str = "a Path structure";
    fn accepts(kind: u16) -> bool {
        kind == u16::from(tag::PATH)
    }
    fn from_fields<'de, A: SeqAccess<'de>>(t: u8, mut seq: A) -> Result<Self, A::Error> {
        let nodes = field(&mut seq, t, "nodes")?;
        let relationships = field(&mut seq, t, "rels")?;
        let indices = field(&mut seq, t, "indices")?;
        no_more(&mut seq, t)?;
        Ok(Path {
            nodes,
            relationships,
            indices,
        })
    }
}
