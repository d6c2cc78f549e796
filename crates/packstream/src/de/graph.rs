//! Graph structures (nodes, relationships, unbound relationships, paths)
//! presented as maps, for targets that ask for a struct or a map: the user's own
//! `struct PersonNode { element_id: String, labels: Vec<String>, properties: Person }`.
//!
//! The keys are those of the structures' human-readable `Serialize`; the
//! entries come in wire order and stream straight from the input, so
//! strings can borrow from it. An element id that is absent (before Bolt
//! 5.0) or null is the integer id as a string, as for the typed structures.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::Deserializer;
use crate::error::{Error, ErrorKind, Result};
use crate::marker::{MAP_16, MAP_32, MAP_8, NULL};
use crate::structure::tag;

/// One entry of a structure presented as a map.
#[derive(Clone, Copy)]
enum Slot {
    /// An integer id; its value is kept for the element ids.
    Id(&'static str),
    /// Any value, handed to the target as it is.
    Plain(&'static str),
    /// An element id; absent or null, it is the id at this index as a string.
    ElementId(&'static str, usize),
}

impl Slot {
    fn key(self) -> &'static str {
        match self {
            Slot::Id(k) | Slot::Plain(k) | Slot::ElementId(k, _) => k,
        }
    }
}

/// How a graph structure presents itself: its entries in wire order, and
/// the fewest fields it may have on the wire (the rest are element ids).
struct Layout {
    name: &'static str,
    slots: &'static [Slot],
    min_fields: usize,
}

const NODE: Layout = Layout {
    name: "a Node",
    slots: &[
        Slot::Id("id"),
        Slot::Plain("labels"),
        Slot::Plain("properties"),
        Slot::ElementId("element_id", 0),
    ],
    min_fields: 3,
};

const RELATIONSHIP: Layout = Layout {
    name: "a Relationship",
    slots: &[
        Slot::Id("id"),
        Slot::Id("start_node_id"),
        Slot::Id("end_node_id"),
        Slot::Plain("type"),
        Slot::Plain("properties"),
        Slot::ElementId("element_id", 0),
        Slot::ElementId("start_node_element_id", 1),
        Slot::ElementId("end_node_element_id", 2),
    ],
    min_fields: 5,
};

const UNBOUND_RELATIONSHIP: Layout = Layout {
    name: "an UnboundRelationship",
    slots: &[
        Slot::Id("id"),
        Slot::Plain("type"),
        Slot::Plain("properties"),
        Slot::ElementId("element_id", 0),
    ],
    min_fields: 3,
};

const PATH: Layout = Layout {
    name: "a Path",
    slots: &[
        Slot::Plain("nodes"),
        Slot::Plain("relationships"),
        Slot::Plain("indices"),
    ],
    min_fields: 3,
};

fn layout(t: u8) -> Option<&'static Layout> {
    match t {
        tag::NODE => Some(&NODE),
        tag::PATH => Some(&PATH),
        tag::RELATIONSHIP => Some(&RELATIONSHIP),
        tag::UNBOUND_RELATIONSHIP => Some(&UNBOUND_RELATIONSHIP),
        _ => None,
    }
}

impl<'de> Deserializer<'de> {
    /// For a target that asks for a struct or a map: a map as it is (the
    /// hot path), a graph structure presented as a map, anything else as
    /// it is.
    #[inline]
    pub(super) fn struct_or_map<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        let pos = self.position();
        match self.peek_marker()? {
            m @ (0xA0..=0xAF | MAP_8 | MAP_16 | MAP_32) => {
                self.read.advance(1);
                let len = self.map_len(m, pos)?;
                self.visit_map(len, visitor)
            }
            0xB0..=0xBF => self.structure_as_map(visitor),
            _ => de::Deserializer::deserialize_any(self, visitor),
        }
    }

    #[inline(never)]
    fn structure_as_map<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        if let [m @ 0xB0..=0xBF, t, ..] = *self.read.rest() {
            if let Some(layout) = layout(t) {
                return self.graph_map(usize::from(m & 0x0F), t, layout, visitor);
            }
        }
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn graph_map<V: Visitor<'de>>(
        &mut self,
        fields: usize,
        t: u8,
        layout: &'static Layout,
        visitor: V,
    ) -> Result<V::Value> {
        if fields < layout.min_fields || fields > layout.slots.len() {
            return Err(Error::invalid_structure(
                t,
                format!(
                    "{} has {} to {} fields, this one has {fields}",
                    layout.name,
                    layout.min_fields,
                    layout.slots.len()
                ),
            ));
        }
        if fields > self.remaining().saturating_sub(2) {
            let pos = self.position();
            return Err(self.too_long(fields as u64, pos));
        }
        self.read.advance(2);
        self.enter()?;
        let mut access = GraphMap {
            de: self,
            tag: t,
            slots: layout.slots,
            fields,
            next: 0,
            value_pending: false,
            ids: [0; 3],
        };
        let value = visitor.visit_map(&mut access)?;
        let unread = access.next < fields || access.value_pending;
        self.leave();
        if unread {
            return Err(Error::invalid_structure(
                t,
                "fields left unread by the target type",
            ));
        }
        Ok(value)
    }
}

/// Says which field a target's complaint is about ("`properties`: missing
/// field `name`"); errors about the input itself stay as they are.
#[cold]
fn in_field(e: Error, key: &str) -> Error {
    match e.into_kind() {
        ErrorKind::Message(m) => ErrorKind::Message(format!("`{key}`: {m}")).into(),
        kind => kind.into(),
    }
}

struct GraphMap<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    tag: u8,
    slots: &'static [Slot],
    /// Fields on the wire; the slots past them are absent element ids.
    fields: usize,
    /// The next slot.
    next: usize,
    /// Whether the key of slot `next - 1` was given and its value not read.
    value_pending: bool,
    /// The integer ids read so far, by slot.
    ids: [i64; 3],
}

impl<'de> GraphMap<'_, 'de> {
    #[cold]
    fn misuse(&self, what: &'static str) -> Error {
        Error::invalid_structure(self.tag, what)
    }
}

impl<'de> de::MapAccess<'de> for GraphMap<'_, 'de> {
    type Error = Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.value_pending {
            return Err(self.misuse("a key was asked before the previous value"));
        }
        let Some(slot) = self.slots.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        self.value_pending = true;
        seed.deserialize(de::value::BorrowedStrDeserializer::new(slot.key()))
            .map(Some)
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        if !self.value_pending {
            return Err(self.misuse("a value was asked before its key"));
        }
        self.value_pending = false;
        let index = self.next - 1;
        let on_wire = index < self.fields;
        match self.slots.get(index) {
            Some(Slot::Id(key)) => {
                let key = *key;
                let pos = self.de.position();
                let id = self.de.read_int().map_err(|e| match e.kind() {
                    ErrorKind::UnexpectedMarker { .. } => Error::invalid_structure(
                        self.tag,
                        format!("field `{key}` at byte {pos} is not an integer"),
                    ),
                    _ => e,
                })?;
                if let Some(slot) = self.ids.get_mut(index) {
                    *slot = id;
                }
                seed.deserialize(id.into_deserializer())
            }
            Some(Slot::ElementId(key, of)) => {
                if on_wire && self.de.peek_marker()? != NULL {
                    return seed
                        .deserialize(&mut *self.de)
                        .map_err(|e| in_field(e, key));
                }
                if on_wire {
                    self.de.read_null()?;
                }
                let id = self.ids.get(*of).copied().unwrap_or_default();
                seed.deserialize(de::value::StringDeserializer::<Error>::new(id.to_string()))
            }
            Some(Slot::Plain(key)) => seed
                .deserialize(&mut *self.de)
                .map_err(|e| in_field(e, key)),
            None => Err(self.misuse("a value was asked past the last field")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.slots.len().saturating_sub(self.next))
    }
}
