//! chrono 0.4 integration: chrono's date and time types travel as the
//! matching Cypher temporal types.
//!
//! | chrono | Cypher ([`Value`] variant) |
//! |---|---|
//! | `NaiveDate` | `Date` |
//! | `NaiveTime` | `LocalTime` |
//! | `(NaiveTime, FixedOffset)` | `Time` |
//! | `NaiveDateTime` | `LocalDateTime` |
//! | `DateTime<FixedOffset>`, `DateTime<Utc>`, `DateTime<Local>` | `DateTime` (an offset) |
//! | `DateTime<chrono_tz::Tz>` (feature `chrono-tz`) | `DateTimeZoneId` (a zone id) |
//! | `TimeDelta` | `Duration` (no months) |
//!
//! Three ways, from the most to the least automatic:
//!
//! - `Value::from(chrono)` and `TryFrom<Value>` for each pair of the table;
//!   query parameters take chrono values directly.
//! - Decoding: chrono's own `Deserialize` (its `serde` feature) reads a
//!   `Date`, `LocalTime`, `LocalDateTime` or `DateTime` structure, because
//!   the PackStream [`Deserializer`] answers a request for a string with
//!   the structure's ISO 8601 form, which chrono parses; a `TimeDelta` (a
//!   pair to serde) reads a `Duration` without months. So
//!   `record.get::<NaiveDate>("born")` and a `NaiveDate` field of a
//!   `Deserialize` struct just work.
//! - Encoding: serde gives a serializer no way to tell a chrono value from
//!   a string (chrono serializes as text), so a chrono field of a
//!   `Serialize` struct needs `#[serde(with = "...")]` and this module
//!   (re-exported by the driver as `quiver::serde::temporal`), or
//!   [`option`] for an `Option`. It works both ways and for every type of
//!   the table (`DateTime<chrono_tz::Tz>` too).
//!
//! ```
//! use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
//! use quiver_packstream::{from_value, to_value, Value};
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! struct Event {
//!     #[serde(with = "quiver_packstream::chrono_04")]
//!     day: NaiveDate,
//!     #[serde(with = "quiver_packstream::chrono_04::option")]
//!     at: Option<NaiveDateTime>,
//!     #[serde(with = "quiver_packstream::chrono_04")]
//!     length: TimeDelta,
//! }
//!
//! let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
//! let event = Event { day, at: day.and_hms_opt(9, 30, 0), length: TimeDelta::minutes(90) };
//! let value = to_value(&event)?;
//! assert!(matches!(value.get("day"), Some(Value::Date(_))));
//! assert!(matches!(value.get("at"), Some(Value::LocalDateTime(_))));
//! assert!(matches!(value.get("length"), Some(Value::Duration(_))));
//! assert_eq!(from_value::<Event>(&value)?, event);
//!
//! // Without the attribute, decoding works too (chrono's serde feature).
//! assert_eq!(from_value::<NaiveDate>(&Value::from(day))?, day);
//! # Ok::<(), quiver_packstream::Error>(())
//! ```
//!
//! Leap seconds (chrono's nanoseconds of 1e9 and above) have no Cypher
//! form: converting into a `Value` keeps the last nanosecond of the second
//! before. Without the `chrono-tz` feature, a `DateTimeZoneId` converts to
//! `DateTime<Utc>` (the instant) but not to an offset.

use std::fmt;

use chrono::{
    DateTime as ChronoDateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    Timelike, Utc,
};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, ErrorKind, Result};
use crate::structure::tag;
use crate::structure::temporal::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Time,
};
use crate::value::Value;

const MAX_NANOS: u32 = 999_999_999;

/// chrono's nanoseconds within a second, a leap second folded into the
/// last nanosecond of the second before.
fn subsec(nanos: u32) -> i64 {
    i64::from(nanos.min(MAX_NANOS))
}

fn unexpected(expected: &'static str, found: &Value) -> Error {
    ErrorKind::UnexpectedType {
        expected,
        found: found.type_name(),
    }
    .into()
}

// ---------------------------------------------------------------------------
// Into Value

impl From<NaiveDate> for Value {
    fn from(d: NaiveDate) -> Self {
        Value::Date(Date::from(d))
    }
}

fn local_time(t: NaiveTime) -> LocalTime {
    LocalTime {
        nanoseconds: i64::from(t.num_seconds_from_midnight()) * 1_000_000_000
            + subsec(t.nanosecond()),
    }
}

impl From<NaiveTime> for Value {
    fn from(t: NaiveTime) -> Self {
        Value::LocalTime(local_time(t))
    }
}

impl From<(NaiveTime, FixedOffset)> for Value {
    fn from((t, offset): (NaiveTime, FixedOffset)) -> Self {
        Value::Time(Time {
            nanoseconds: local_time(t).nanoseconds,
            tz_offset_seconds: offset.local_minus_utc().into(),
        })
    }
}

impl From<NaiveDateTime> for Value {
    fn from(dt: NaiveDateTime) -> Self {
        let utc = dt.and_utc();
        Value::LocalDateTime(LocalDateTime {
            seconds: utc.timestamp(),
            nanoseconds: subsec(utc.timestamp_subsec_nanos()),
        })
    }
}

fn offset_date_time(dt: ChronoDateTime<FixedOffset>) -> Value {
    Value::DateTime(DateTime {
        seconds: dt.timestamp(),
        nanoseconds: subsec(dt.timestamp_subsec_nanos()),
        tz_offset_seconds: dt.offset().local_minus_utc().into(),
    })
}

impl From<ChronoDateTime<FixedOffset>> for Value {
    fn from(dt: ChronoDateTime<FixedOffset>) -> Self {
        offset_date_time(dt)
    }
}

impl From<ChronoDateTime<Utc>> for Value {
    /// A `DateTime` with offset zero.
    fn from(dt: ChronoDateTime<Utc>) -> Self {
        offset_date_time(dt.fixed_offset())
    }
}

impl From<ChronoDateTime<Local>> for Value {
    /// A `DateTime` with the local offset of that instant.
    fn from(dt: ChronoDateTime<Local>) -> Self {
        offset_date_time(dt.fixed_offset())
    }
}

#[cfg(feature = "chrono-tz")]
impl From<ChronoDateTime<chrono_tz::Tz>> for Value {
    /// A `DateTimeZoneId` carrying the zone's IANA id.
    fn from(dt: ChronoDateTime<chrono_tz::Tz>) -> Self {
        Value::DateTimeZoneId(Box::new(DateTimeZoneId::from_utc(
            dt.timestamp(),
            subsec(dt.timestamp_subsec_nanos()),
            dt.timezone().name(),
        )))
    }
}

impl From<TimeDelta> for Value {
    fn from(d: TimeDelta) -> Self {
        Value::Duration(Duration::from(d))
    }
}

// ---------------------------------------------------------------------------
// From Value

macro_rules! try_from_value {
    ($($ty:ty, $expected:literal: $($pat:pat => $conv:expr),+;)*) => {$(
        impl TryFrom<Value> for $ty {
            type Error = Error;
            /// Fails with [`ErrorKind::UnexpectedType`] for a value of
            /// another type and [`ErrorKind::OutOfRange`] where chrono
            /// can't hold it.
            fn try_from(v: Value) -> Result<Self> {
                match v {
                    $($pat => $conv,)+
                    other => Err(unexpected($expected, &other)),
                }
            }
        }
    )*};
}

fn zoned_utc(d: &DateTimeZoneId) -> Result<ChronoDateTime<Utc>> {
    let utc = d.utc_seconds()?;
    let nanos = u32::try_from(d.nanoseconds)
        .ok()
        .filter(|&n| n <= MAX_NANOS)
        .ok_or_else(|| Error::out_of_range("chrono::DateTime", "nanoseconds outside a second"))?;
    ChronoDateTime::from_timestamp(utc, nanos)
        .ok_or_else(|| Error::out_of_range("chrono::DateTime", "year outside chrono's range"))
}

#[cfg(feature = "chrono-tz")]
fn zoned_fixed(d: &DateTimeZoneId) -> Result<ChronoDateTime<FixedOffset>> {
    Ok(ChronoDateTime::<chrono_tz::Tz>::try_from(d.clone())?.fixed_offset())
}

#[cfg(not(feature = "chrono-tz"))]
fn zoned_fixed(d: &DateTimeZoneId) -> Result<ChronoDateTime<FixedOffset>> {
    Err(ErrorKind::ZoneConversion {
        tz_id: d.tz_id.clone(),
        reason: crate::structure::ZONE_CONVERSION_REASON,
    }
    .into())
}

try_from_value! {
    NaiveDate, "Date": Value::Date(d) => NaiveDate::try_from(d);
    NaiveTime, "LocalTime": Value::LocalTime(t) => NaiveTime::try_from(t);
    (NaiveTime, FixedOffset), "Time": Value::Time(t) => <(NaiveTime, FixedOffset)>::try_from(t);
    NaiveDateTime, "LocalDateTime": Value::LocalDateTime(d) => NaiveDateTime::try_from(d);
    ChronoDateTime<FixedOffset>, "DateTime":
        Value::DateTime(d) => ChronoDateTime::<FixedOffset>::try_from(d),
        Value::DateTimeZoneId(d) => zoned_fixed(&d);
    ChronoDateTime<Utc>, "DateTime":
        Value::DateTime(d) => ChronoDateTime::<FixedOffset>::try_from(d).map(|d| d.to_utc()),
        Value::DateTimeZoneId(d) => zoned_utc(&d);
    ChronoDateTime<Local>, "DateTime":
        Value::DateTime(d) => ChronoDateTime::<FixedOffset>::try_from(d).map(|d| d.with_timezone(&Local)),
        Value::DateTimeZoneId(d) => zoned_utc(&d).map(|d| d.with_timezone(&Local));
    TimeDelta, "Duration": Value::Duration(d) => TimeDelta::try_from(d);
}

#[cfg(feature = "chrono-tz")]
try_from_value! {
    ChronoDateTime<chrono_tz::Tz>, "DateTimeZoneId":
        Value::DateTimeZoneId(d) => ChronoDateTime::<chrono_tz::Tz>::try_from(*d);
}

// ---------------------------------------------------------------------------
// `#[serde(with = ...)]`

/// A chrono type with a Cypher temporal counterpart: what [`serialize`] and
/// [`deserialize`] accept. Sealed.
pub trait Temporal: Sized + private::Sealed {
    /// The Cypher value.
    fn to_value(&self) -> Value;
    /// The chrono value, if `value` holds the matching Cypher type.
    fn from_value(value: Value) -> Result<Self>;
}

mod private {
    pub trait Sealed {}
}

macro_rules! temporal {
    ($($ty:ty),* $(,)?) => {$(
        impl private::Sealed for $ty {}
        impl Temporal for $ty {
            fn to_value(&self) -> Value {
                Value::from(self.clone())
            }
            fn from_value(value: Value) -> Result<Self> {
                Self::try_from(value)
            }
        }
    )*};
}

temporal!(
    NaiveDate,
    NaiveTime,
    (NaiveTime, FixedOffset),
    NaiveDateTime,
    ChronoDateTime<FixedOffset>,
    ChronoDateTime<Utc>,
    ChronoDateTime<Local>,
    TimeDelta,
);

#[cfg(feature = "chrono-tz")]
temporal!(ChronoDateTime<chrono_tz::Tz>);

/// Serializes a chrono value as its Cypher type (for `#[serde(with)]`).
pub fn serialize<T: Temporal, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    value.to_value().serialize(s)
}

/// Deserializes a chrono value from its Cypher type (for `#[serde(with)]`).
pub fn deserialize<'de, T: Temporal, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    T::from_value(Value::deserialize(d)?).map_err(D::Error::custom)
}

/// [`chrono_04::serialize`](crate::chrono_04::serialize) and [`chrono_04::deserialize`](crate::chrono_04::deserialize)
/// for an `Option` of a chrono value (`null` is `None`).
pub mod option {
    use super::*;

    /// Serializes `Some` as the Cypher type, `None` as `null`.
    pub fn serialize<T: Temporal, S: Serializer>(
        value: &Option<T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => v.to_value().serialize(s),
            None => s.serialize_none(),
        }
    }

    /// Deserializes `null` as `None`, the Cypher type as `Some`.
    pub fn deserialize<'de, T: Temporal, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some).map_err(D::Error::custom),
        }
    }
}

// ---------------------------------------------------------------------------
// The decoder's text and pair views of temporal structures

/// Whether a structure tag is one of the temporal types read as text.
fn is_text_temporal(t: u8) -> bool {
    matches!(
        t,
        tag::DATE
            | tag::TIME
            | tag::LOCAL_TIME
            | tag::DATE_TIME
            | tag::LEGACY_DATE_TIME
            | tag::DATE_TIME_ZONE_ID
            | tag::LEGACY_DATE_TIME_ZONE_ID
            | tag::LOCAL_DATE_TIME
    )
}

/// The tag of the structure `de` is at, if it is at one.
fn next_struct_tag(de: &crate::Deserializer<'_>) -> Option<u8> {
    match de.remaining_bytes() {
        [0xB0..=0xBF, t, ..] => Some(*t),
        _ => None,
    }
}

struct Iso<T>(T);

impl<T: fmt::Debug> fmt::Display for Iso<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // chrono's Debug is the ISO 8601 form its FromStr (and serde) reads.
        write!(f, "{:?}", self.0)
    }
}

/// A temporal value's ISO 8601 text, as chrono writes and reads it.
fn iso_text(v: &Value) -> Result<String> {
    Ok(match v {
        Value::Date(d) => Iso(NaiveDate::try_from(*d)?).to_string(),
        Value::LocalTime(t) => Iso(NaiveTime::try_from(*t)?).to_string(),
        Value::Time(t) => {
            let (time, offset) = <(NaiveTime, FixedOffset)>::try_from(*t)?;
            format!("{time:?}{offset:?}")
        }
        Value::LocalDateTime(d) => Iso(NaiveDateTime::try_from(*d)?).to_string(),
        Value::DateTime(d) => Iso(ChronoDateTime::<FixedOffset>::try_from(*d)?).to_string(),
        Value::DateTimeZoneId(d) => match zoned_fixed(d) {
            Ok(fixed) => Iso(fixed).to_string(),
            // No zone database: the instant, in UTC.
            Err(_) => Iso(zoned_utc(d)?).to_string(),
        },
        other => return Err(unexpected("a temporal value", other)),
    })
}

/// When `de` is at a temporal structure (other than a duration): its ISO
/// 8601 text, for a caller that asked for a string. The structure is
/// consumed; `None` (and nothing consumed) otherwise.
pub(crate) fn text_view(de: &mut crate::Deserializer<'_>) -> Result<Option<String>> {
    match next_struct_tag(de) {
        Some(t) if is_text_temporal(t) => {
            let v = Value::deserialize(&mut *de)?;
            iso_text(&v).map(Some)
        }
        _ => Ok(None),
    }
}

/// When `de` is at a duration and the caller asked for a pair: the
/// duration as `(seconds, nanoseconds)` (chrono's `TimeDelta` form). A
/// duration with months has no such form. `None` (and nothing consumed)
/// otherwise.
pub(crate) fn pair_view(de: &mut crate::Deserializer<'_>) -> Result<Option<(i64, i64)>> {
    if next_struct_tag(de) != Some(tag::DURATION) {
        return Ok(None);
    }
    let d = Duration::deserialize(&mut *de)?;
    if d.months != 0 {
        return Err(Error::out_of_range(
            "a (seconds, nanoseconds) pair",
            "a Duration with months has no fixed length",
        ));
    }
    let total = d
        .days
        .checked_mul(86_400)
        .and_then(|s| s.checked_add(d.seconds))
        .and_then(|s| s.checked_add(d.nanoseconds.div_euclid(1_000_000_000)))
        .ok_or_else(|| Error::out_of_range("a Duration", "more seconds than an i64 holds"))?;
    Ok(Some((total, d.nanoseconds.rem_euclid(1_000_000_000))))
}

#[cfg(test)]
mod tests;
