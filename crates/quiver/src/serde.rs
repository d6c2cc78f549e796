//! Helpers for `#[serde(with = ...)]`, where serde alone can't tell which
//! Cypher type a field should travel as: [`temporal`] for chrono types,
//! [`bytes`](mod@bytes) for byte vectors.
//!
//! # Dates, times and durations (chrono)
//!
//! chrono's types are Cypher's temporal types:
//!
//! | chrono | Cypher |
//! |---|---|
//! | `NaiveDate` | `Date` |
//! | `NaiveTime` | `LocalTime` |
//! | `(NaiveTime, FixedOffset)` | `Time` |
//! | `NaiveDateTime` | `LocalDateTime` |
//! | `DateTime<FixedOffset>`, `DateTime<Utc>`, `DateTime<Local>` | `DateTime` |
//! | `DateTime<chrono_tz::Tz>` (feature `chrono-tz`) | `DateTime` with a zone id |
//! | `TimeDelta` | `Duration` (without months) |
//!
//! - [`Value::from`](crate::Value), [`param`](crate::Query::param) and
//!   [`params!`](crate::params) take them; `TryFrom<Value>` gives them back.
//! - [`Record::get`](crate::Record::get) and [`Record::to`](crate::Record::to)
//!   read them as they are (chrono's `Deserialize`; except
//!   `DateTime<chrono_tz::Tz>`, which chrono can't deserialize: use
//!   [`temporal`] or `TryFrom<Value>`).
//! - A chrono field of a struct for [`params_from`](crate::Query::params_from)
//!   needs `#[serde(with = "quiver::serde::temporal")]`
//!   (`quiver::serde::temporal::option` for an `Option`): chrono serializes
//!   as text, which would arrive as a string. The attribute works both ways.
//!
//! ```
//! use std::sync::Arc;
//! use chrono::{NaiveDate, NaiveDateTime, TimeDelta, Utc};
//! use quiver::{Query, Record, Value};
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Meeting {
//!     #[serde(with = "quiver::serde::temporal")]
//!     day: NaiveDate,
//!     #[serde(with = "quiver::serde::temporal::option")]
//!     starts: Option<NaiveDateTime>,
//!     #[serde(with = "quiver::serde::temporal")]
//!     length: TimeDelta,
//! }
//!
//! let day = NaiveDate::from_ymd_opt(2024, 5, 17).unwrap();
//! let meeting = Meeting { day, starts: day.and_hms_opt(10, 0, 0), length: TimeDelta::minutes(45) };
//! let q = Query::from("CREATE (:Meeting {day: $day, starts: $starts, length: $length})")
//!     .params_from(&meeting)?
//!     .param("created", Utc::now());
//! assert_eq!(q.parameters()["day"], Value::from(day));
//! assert!(matches!(q.parameters()["length"], Value::Duration(_)));
//! assert!(matches!(q.parameters()["created"], Value::DateTime(_)));
//!
//! // Reading: a record of `RETURN m.day AS day, m.starts AS starts, m.length AS length`.
//! # let keys: Arc<[String]> = Arc::from(vec!["day".to_owned(), "starts".to_owned(), "length".to_owned()]);
//! # let record = Record::from_values(keys, vec![
//! #     Value::from(day), Value::from(day.and_hms_opt(10, 0, 0).unwrap()), Value::from(TimeDelta::minutes(45)),
//! # ])?;
//! let d: NaiveDate = record.get("day")?;
//! let back: Meeting = record.to()?;
//! assert_eq!((d, back.length), (day, TimeDelta::minutes(45)));
//!
//! #[derive(serde::Deserialize)]
//! struct Plain { day: NaiveDate, starts: Option<NaiveDateTime> } // no attributes needed to read
//! let plain: Plain = record.to()?;
//! assert_eq!(plain.starts, day.and_hms_opt(10, 0, 0));
//! # Ok::<(), quiver::Error>(())
//! ```
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

/// `#[serde(with = "quiver::serde::temporal")]`: a chrono field as its
/// Cypher temporal type, both ways (see [the module](self)).
pub use quiver_packstream::chrono_04 as temporal;
