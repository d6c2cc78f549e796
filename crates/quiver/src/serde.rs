//! Helpers for `#[serde(with = ...)]`, where serde alone can't tell which
//! Cypher type a field should travel as.
//!
//! # Bytes
//!
//! serde sees a `Vec<u8>` field as a sequence of integers, so a struct given
//! to [`params_from`](crate::Query::params_from) sends it as a list of
//! integers. Mark it with `serde_bytes` (re-exported here as
//! [`bytes`](mod@bytes)) to send Cypher bytes; on the way back, a
//! `Vec<u8>` field takes Cypher bytes either way. Outside structs,
//! `Vec<u8>`, `&[u8]`, byte arrays and `bytes::Bytes` become bytes through
//! [`Value::from`](crate::Value) and [`param`](crate::Query::param).
//!
//! ```
//! use quiver::{Query, Value};
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Blob {
//!     #[serde(with = "quiver::serde::bytes")] // or "serde_bytes"
//!     data: Vec<u8>,
//!     tags: Vec<u8>, // no attribute: a list of integers
//! }
//!
//! let q = Query::from("CREATE (:Blob {data: $data, tags: $tags})")
//!     .params_from(&Blob { data: vec![1, 2], tags: vec![3] })?;
//! assert_eq!(q.parameters()["data"], Value::Bytes(vec![1, 2]));
//! assert_eq!(q.parameters()["tags"], Value::List(vec![Value::Integer(3)]));
//!
//! let q = Query::from("RETURN $b").param("b", vec![1u8, 2, 3]);
//! assert_eq!(q.parameters()["b"], Value::Bytes(vec![1, 2, 3]));
//! # Ok::<(), quiver::Error>(())
//! ```

pub use serde_bytes as bytes;
