//! TestKit's JSON encoding of Cypher values (`nutkit/protocol/cypher.py`), both directions.
//!
//! This module is the JSON side only: [`CypherValue`] mirrors TestKit's classes exactly.
//! Conversion to and from driver values lives in [`crate::convert`].
//!
//! Names on the wire are TestKit's class names. Graph types are sent as `Node`, `Relationship`
//! and `Path` (the class names; TestKit also knows them as `CypherNode`, `CypherRelationship`,
//! `CypherPath`, and both spellings are accepted here). Their fields are themselves Cypher
//! values (`{"id": {"name": "CypherInt", ...}}`), as TestKit compares them that way.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One Cypher value in TestKit's JSON encoding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "data")]
#[non_exhaustive]
pub enum CypherValue {
    /// `CypherNull` (TestKit sends `{"value": null}`, we send `{}`; both are accepted).
    CypherNull {},
    /// `CypherBool`.
    CypherBool {
        /// The value.
        value: bool,
    },
    /// `CypherInt`.
    CypherInt {
        /// The value.
        value: i64,
    },
    /// `CypherFloat`; non-finite values travel as `"NaN"`, `"+Infinity"`, `"-Infinity"`.
    CypherFloat {
        /// The value.
        #[serde(with = "float_repr")]
        value: f64,
    },
    /// `CypherString`.
    CypherString {
        /// The value.
        value: String,
    },
    /// `CypherBytes`; bytes travel as lower-case hex pairs separated by spaces (`"ff 01"`).
    CypherBytes {
        /// The value.
        #[serde(with = "hex_bytes")]
        value: Vec<u8>,
    },
    /// `CypherList`.
    CypherList {
        /// The elements.
        value: Vec<CypherValue>,
    },
    /// `CypherMap`.
    CypherMap {
        /// The entries.
        value: BTreeMap<String, CypherValue>,
    },
    /// `Node` (alias `CypherNode`).
    #[serde(alias = "CypherNode")]
    Node(CypherNode),
    /// `Relationship` (alias `CypherRelationship`).
    #[serde(alias = "CypherRelationship")]
    Relationship(CypherRelationship),
    /// `Path` (alias `CypherPath`).
    #[serde(alias = "CypherPath")]
    Path(CypherPath),
    /// `CypherPoint`.
    CypherPoint(CypherPoint),
    /// `CypherDate`.
    CypherDate {
        /// Year.
        year: i64,
        /// Month, 1-12.
        month: i64,
        /// Day of month, 1-31.
        day: i64,
    },
    /// `CypherTime`; without `utc_offset_s` it is a local time.
    CypherTime {
        /// Hour.
        hour: i64,
        /// Minute.
        minute: i64,
        /// Second.
        second: i64,
        /// Nanosecond of the second.
        nanosecond: i64,
        /// Seconds east of UTC, `None` for a local time.
        #[serde(default)]
        utc_offset_s: Option<i64>,
    },
    /// `CypherDateTime`: local (no offset, no zone), with a fixed offset, or in a named zone
    /// (then TestKit also sends the offset in force, to settle ambiguous wall times).
    CypherDateTime(CypherDateTime),
    /// `CypherDuration`.
    CypherDuration {
        /// Months.
        months: i64,
        /// Days.
        days: i64,
        /// Seconds.
        seconds: i64,
        /// Nanoseconds.
        nanoseconds: i64,
    },
    /// `CypherVector` (newer TestKit versions, `Feature:API:Type.Vector`): `dtype` is one of
    /// `i8`, `i16`, `i32`, `i64`, `f32`, `f64`; `data` the big-endian element bytes, in hex.
    CypherVector {
        /// Element type.
        dtype: String,
        /// Big-endian element bytes.
        #[serde(with = "hex_bytes")]
        data: Vec<u8>,
    },
}

/// `Node{id, labels, props, elementId}`, each field itself a Cypher value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CypherNode {
    /// `CypherInt` legacy id.
    pub id: Box<CypherValue>,
    /// `CypherList` of `CypherString`.
    pub labels: Box<CypherValue>,
    /// `CypherMap`.
    pub props: Box<CypherValue>,
    /// `CypherString` element id.
    pub element_id: Box<CypherValue>,
}

/// `Relationship{...}`, each field itself a Cypher value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CypherRelationship {
    /// `CypherInt` legacy id.
    pub id: Box<CypherValue>,
    /// `CypherInt` legacy id of the start node.
    pub start_node_id: Box<CypherValue>,
    /// `CypherInt` legacy id of the end node.
    pub end_node_id: Box<CypherValue>,
    /// `CypherString` relationship type.
    #[serde(rename = "type")]
    pub rel_type: Box<CypherValue>,
    /// `CypherMap`.
    pub props: Box<CypherValue>,
    /// `CypherString` element id.
    pub element_id: Box<CypherValue>,
    /// `CypherString` element id of the start node.
    pub start_node_element_id: Box<CypherValue>,
    /// `CypherString` element id of the end node.
    pub end_node_element_id: Box<CypherValue>,
}

/// `Path{nodes, relationships}`: a `CypherList` of nodes and one of relationships, in path order,
/// each relationship pointing the way it points in the graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CypherPath {
    /// `CypherList` of `Node`.
    pub nodes: Box<CypherValue>,
    /// `CypherList` of `Relationship`.
    pub relationships: Box<CypherValue>,
}

/// `CypherPoint{system, x, y, z}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CypherPoint {
    /// `"cartesian"` or `"wgs84"`.
    pub system: String,
    /// x (or longitude).
    pub x: f64,
    /// y (or latitude).
    pub y: f64,
    /// z (or height), `None` for 2D points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub z: Option<f64>,
}

/// `CypherDateTime{year, ..., nanosecond, utc_offset_s, timezone_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CypherDateTime {
    /// Year.
    pub year: i64,
    /// Month.
    pub month: i64,
    /// Day.
    pub day: i64,
    /// Hour.
    pub hour: i64,
    /// Minute.
    pub minute: i64,
    /// Second.
    pub second: i64,
    /// Nanosecond of the second.
    pub nanosecond: i64,
    /// Seconds east of UTC of the wall time; `None` for a local date-time.
    #[serde(default)]
    pub utc_offset_s: Option<i64>,
    /// IANA zone id; `None` for local and fixed-offset date-times.
    #[serde(default)]
    pub timezone_id: Option<String>,
}

impl CypherValue {
    /// `CypherNull`.
    pub fn null() -> Self {
        Self::CypherNull {}
    }

    /// `CypherInt`.
    pub fn int(value: i64) -> Self {
        Self::CypherInt { value }
    }

    /// `CypherString`.
    pub fn string(value: impl Into<String>) -> Self {
        Self::CypherString {
            value: value.into(),
        }
    }

    /// `CypherList`.
    pub fn list(value: Vec<CypherValue>) -> Self {
        Self::CypherList { value }
    }

    /// `CypherMap`.
    pub fn map(value: BTreeMap<String, CypherValue>) -> Self {
        Self::CypherMap { value }
    }

    /// TestKit's class name for this value.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::CypherNull {} => "CypherNull",
            Self::CypherBool { .. } => "CypherBool",
            Self::CypherInt { .. } => "CypherInt",
            Self::CypherFloat { .. } => "CypherFloat",
            Self::CypherString { .. } => "CypherString",
            Self::CypherBytes { .. } => "CypherBytes",
            Self::CypherList { .. } => "CypherList",
            Self::CypherMap { .. } => "CypherMap",
            Self::Node(_) => "Node",
            Self::Relationship(_) => "Relationship",
            Self::Path(_) => "Path",
            Self::CypherPoint(_) => "CypherPoint",
            Self::CypherDate { .. } => "CypherDate",
            Self::CypherTime { .. } => "CypherTime",
            Self::CypherDateTime(_) => "CypherDateTime",
            Self::CypherDuration { .. } => "CypherDuration",
            Self::CypherVector { .. } => "CypherVector",
        }
    }
}

mod float_repr {
    use super::*;

    pub(super) fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_nan() {
            s.serialize_str("NaN")
        } else if v.is_infinite() {
            s.serialize_str(if *v > 0.0 { "+Infinity" } else { "-Infinity" })
        } else {
            s.serialize_f64(*v)
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        struct FloatVisitor;
        impl Visitor<'_> for FloatVisitor {
            type Value = f64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a number or one of "NaN", "+Infinity", "-Infinity""#)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
                Ok(v)
            }
            // TestKit may send an integral float as a JSON integer (Python `1.0` is `1.0`, but
            // `CypherFloat(1)` is `1`). Large integers lose precision, as they would in Python.
            #[allow(clippy::cast_precision_loss)]
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
                Ok(v as f64)
            }
            #[allow(clippy::cast_precision_loss)]
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
                Ok(v as f64)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
                match v {
                    "NaN" => Ok(f64::NAN),
                    "+Infinity" | "Infinity" => Ok(f64::INFINITY),
                    "-Infinity" => Ok(f64::NEG_INFINITY),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
        }
        d.deserialize_any(FloatVisitor)
    }
}

mod hex_bytes {
    use super::*;

    pub(super) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(v))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        decode(&text).map_err(de::Error::custom)
    }

    pub(super) fn encode(bytes: &[u8]) -> String {
        use std::fmt::Write as _;
        let mut out = String::with_capacity(bytes.len().saturating_mul(3));
        for (i, b) in bytes.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            // Writing into a String cannot fail.
            let _ = write!(out, "{b:02x}");
        }
        out
    }

    pub(super) fn decode(text: &str) -> Result<Vec<u8>, String> {
        text.split_ascii_whitespace()
            .map(|pair| {
                if pair.len() != 2 {
                    return Err(format!("bad hex byte {pair:?}: want two hex digits"));
                }
                u8::from_str_radix(pair, 16).map_err(|e| format!("bad hex byte {pair:?}: {e}"))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: serde_json::Value) -> CypherValue {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn null_accepts_testkit_form() {
        assert_eq!(
            parse(json!({"name": "CypherNull", "data": {"value": null}})),
            CypherValue::null()
        );
        assert_eq!(
            serde_json::to_value(CypherValue::null()).unwrap(),
            json!({"name": "CypherNull", "data": {}})
        );
    }

    #[test]
    fn floats_special_values() {
        let nan = parse(json!({"name": "CypherFloat", "data": {"value": "NaN"}}));
        assert!(matches!(nan, CypherValue::CypherFloat { value } if value.is_nan()));
        for (text, value) in [
            ("+Infinity", f64::INFINITY),
            ("-Infinity", f64::NEG_INFINITY),
        ] {
            let v = parse(json!({"name": "CypherFloat", "data": {"value": text}}));
            assert_eq!(v, CypherValue::CypherFloat { value });
            assert_eq!(
                serde_json::to_value(&v).unwrap(),
                json!({"name": "CypherFloat", "data": {"value": text}})
            );
        }
        assert_eq!(
            serde_json::to_value(CypherValue::CypherFloat { value: f64::NAN }).unwrap(),
            json!({"name": "CypherFloat", "data": {"value": "NaN"}})
        );
        assert_eq!(
            parse(json!({"name": "CypherFloat", "data": {"value": 3}})),
            CypherValue::CypherFloat { value: 3.0 }
        );
        assert!(serde_json::from_value::<CypherValue>(
            json!({"name": "CypherFloat", "data": {"value": "inf"}})
        )
        .is_err());
    }

    #[test]
    fn bytes_hex_form() {
        let v = CypherValue::CypherBytes {
            value: vec![0xff, 0x01, 0x00],
        };
        assert_eq!(
            serde_json::to_value(&v).unwrap(),
            json!({"name": "CypherBytes", "data": {"value": "ff 01 00"}})
        );
        assert_eq!(
            parse(json!({"name": "CypherBytes", "data": {"value": "FF 01 00"}})),
            v
        );
        assert_eq!(
            parse(json!({"name": "CypherBytes", "data": {"value": ""}})),
            CypherValue::CypherBytes { value: vec![] }
        );
        for bad in ["f", "fff", "zz", "0x01"] {
            assert!(
                serde_json::from_value::<CypherValue>(
                    json!({"name": "CypherBytes", "data": {"value": bad}})
                )
                .is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn graph_aliases_are_accepted() {
        let node = json!({"name": "CypherNode", "data": {
            "id": {"name": "CypherInt", "data": {"value": 1}},
            "labels": {"name": "CypherList", "data": {"value": []}},
            "props": {"name": "CypherMap", "data": {"value": {}}},
            "elementId": {"name": "CypherString", "data": {"value": "n1"}},
        }});
        let parsed = parse(node);
        assert_eq!(parsed.type_name(), "Node");
        assert_eq!(serde_json::to_value(&parsed).unwrap()["name"], "Node");
    }

    #[test]
    fn optional_temporal_fields_default_to_none() {
        let t = parse(json!({"name": "CypherTime", "data": {
            "hour": 1, "minute": 2, "second": 3, "nanosecond": 4}}));
        assert_eq!(
            t,
            CypherValue::CypherTime {
                hour: 1,
                minute: 2,
                second: 3,
                nanosecond: 4,
                utc_offset_s: None
            }
        );
    }

    #[test]
    fn unknown_type_is_an_error() {
        assert!(serde_json::from_value::<CypherValue>(
            json!({"name": "CypherWhatever", "data": {}})
        )
        .is_err());
    }
}
