//! The graph seen in a result: every node, relationship and path its records
//! hold.

use std::collections::HashMap;

use crate::error::Result;
use crate::record::Record;
use crate::{Node, Path, Relationship, Value};

/// The nodes, relationships and paths found in records, each node and
/// relationship once (by element id), in the order first seen.
///
/// Values nested in lists and maps count too. Relationships met inside paths
/// are added with their start and end nodes filled in.
///
/// ```
/// use std::sync::Arc;
/// use quiver::{Graph, Node, Record, Value};
///
/// let alice = Node { id: 1, labels: vec!["Person".into()], element_id: "n1".into(), ..Node::default() };
/// let keys: Arc<[String]> = Arc::from(vec!["a".to_owned(), "again".to_owned()]);
/// let record = Record::from_values(keys, vec![Value::from(alice.clone()), Value::from(alice)])?;
///
/// let mut graph = Graph::new();
/// graph.add_record(&record)?;
/// assert_eq!(graph.nodes().len(), 1);
/// assert_eq!(graph.node("n1").unwrap().labels, ["Person"]);
/// # Ok::<(), quiver::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Graph {
    nodes: Vec<Node>,
    node_index: HashMap<String, usize>,
    relationships: Vec<Relationship>,
    relationship_index: HashMap<String, usize>,
    paths: Vec<Path>,
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        Graph::default()
    }

    /// Adds what a record holds. Fails only if a field cannot be decoded.
    pub fn add_record(&mut self, record: &Record) -> Result<()> {
        for field in record {
            let value: Value = field.get()?;
            self.add_value(&value);
        }
        Ok(())
    }

    /// Adds what a value holds, looking inside lists and maps.
    pub fn add_value(&mut self, value: &Value) {
        let mut stack = vec![value];
        while let Some(v) = stack.pop() {
            match v {
                Value::Node(n) => self.add_node(n),
                Value::Relationship(r) => self.add_relationship(r),
                Value::Path(p) => self.add_path(p),
                Value::List(items) => stack.extend(items.iter().rev()),
                Value::Map(m) => stack.extend(m.values().rev()),
                _ => {}
            }
        }
    }

    fn add_node(&mut self, node: &Node) {
        if !self.node_index.contains_key(&node.element_id) {
            self.node_index
                .insert(node.element_id.clone(), self.nodes.len());
            self.nodes.push(node.clone());
        }
    }

    fn add_relationship(&mut self, rel: &Relationship) {
        if !self.relationship_index.contains_key(&rel.element_id) {
            self.relationship_index
                .insert(rel.element_id.clone(), self.relationships.len());
            self.relationships.push(rel.clone());
        }
    }

    fn add_path(&mut self, path: &Path) {
        for node in &path.nodes {
            self.add_node(node);
        }
        if let Some(segments) = path.segments() {
            for s in segments {
                let (start, end) = if s.forward {
                    (s.start, s.end)
                } else {
                    (s.end, s.start)
                };
                self.add_relationship(&Relationship {
                    id: s.relationship.id,
                    start_node_id: start.id,
                    end_node_id: end.id,
                    rel_type: s.relationship.rel_type.clone(),
                    properties: s.relationship.properties.clone(),
                    element_id: s.relationship.element_id.clone(),
                    start_node_element_id: start.element_id.clone(),
                    end_node_element_id: end.element_id.clone(),
                });
            }
        }
        self.paths.push(path.clone());
    }

    /// The nodes, in the order first seen.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The relationships, in the order first seen.
    pub fn relationships(&self) -> &[Relationship] {
        &self.relationships
    }

    /// The paths, in the order seen (the same path twice is kept twice).
    pub fn paths(&self) -> &[Path] {
        &self.paths
    }

    /// The node with this element id.
    pub fn node(&self, element_id: &str) -> Option<&Node> {
        self.nodes.get(*self.node_index.get(element_id)?)
    }

    /// The relationship with this element id.
    pub fn relationship(&self, element_id: &str) -> Option<&Relationship> {
        self.relationships
            .get(*self.relationship_index.get(element_id)?)
    }

    /// The relationships of one type.
    pub fn relationships_of_type<'a>(
        &'a self,
        rel_type: &'a str,
    ) -> impl Iterator<Item = &'a Relationship> + 'a {
        self.relationships
            .iter()
            .filter(move |r| r.rel_type == rel_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::UnboundRelationship;
    use std::sync::Arc;

    fn node(id: i64) -> Node {
        Node {
            id,
            labels: vec!["L".into()],
            element_id: format!("n{id}"),
            ..Node::default()
        }
    }

    fn rel(id: i64, from: i64, to: i64) -> Relationship {
        Relationship {
            id,
            start_node_id: from,
            end_node_id: to,
            rel_type: "KNOWS".into(),
            element_id: format!("r{id}"),
            start_node_element_id: format!("n{from}"),
            end_node_element_id: format!("n{to}"),
            ..Relationship::default()
        }
    }

    #[test]
    fn collects_nested_values_once_in_order() {
        let mut g = Graph::new();
        g.add_value(&Value::List(vec![
            Value::from(node(2)),
            Value::Map(crate::params! { "x" => node(1), "r" => rel(7, 1, 2) }),
            Value::from(node(2)),
            Value::from(3),
        ]));
        let ids: Vec<&str> = g.nodes().iter().map(|n| n.element_id.as_str()).collect();
        assert_eq!(ids, ["n2", "n1"]);
        assert_eq!(g.relationships().len(), 1);
        assert_eq!(g.relationship("r7").unwrap().start_node_id, 1);
        assert_eq!(g.relationships_of_type("KNOWS").count(), 1);
        assert_eq!(g.relationships_of_type("OTHER").count(), 0);
        assert!(g.node("n9").is_none());
    }

    #[test]
    fn paths_add_bound_relationships() {
        // (n1)-[r5]->(n2)<-[r6]-(n3)
        let path = Path {
            nodes: vec![node(1), node(2), node(3)],
            relationships: vec![
                UnboundRelationship {
                    id: 5,
                    rel_type: "KNOWS".into(),
                    element_id: "r5".into(),
                    ..UnboundRelationship::default()
                },
                UnboundRelationship {
                    id: 6,
                    rel_type: "LIKES".into(),
                    element_id: "r6".into(),
                    ..UnboundRelationship::default()
                },
            ],
            indices: vec![1, 1, -2, 2],
        };
        let keys: Arc<[String]> = Arc::from(vec!["p".to_owned()]);
        let record = Record::from_values(keys, vec![Value::from(path)]).unwrap();
        let mut g = Graph::new();
        g.add_record(&record).unwrap();
        assert_eq!(g.nodes().len(), 3);
        assert_eq!(g.paths().len(), 1);
        let r5 = g.relationship("r5").unwrap();
        assert_eq!((r5.start_node_id, r5.end_node_id), (1, 2));
        let r6 = g.relationship("r6").unwrap();
        assert_eq!(
            (
                r6.start_node_element_id.as_str(),
                r6.end_node_element_id.as_str()
            ),
            ("n3", "n2")
        );
        assert_eq!(r6.rel_type, "LIKES");
    }
}
