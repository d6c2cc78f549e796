//! Temporal structures, with conversions to and from chrono types.
//!
//! The wire values are kept as they are (integers), so every value a server
//! sends decodes; conversions to chrono fail with
//! [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) where chrono cannot
//! hold the value (years outside ±262,143, leap seconds, offsets of a day or
//! more, durations with months).

use chrono::{
    DateTime as ChronoDateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    Timelike, Utc,
};
use serde::de::SeqAccess;
use serde::ser::SerializeTupleStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{begin, deserialize_struct, field, no_more, tag, FromFields};
use crate::error::{Error, Result};

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SECOND;
/// Days from 0001-01-01 (chrono's day 1 of the common era) to 1970-01-01.
const EPOCH_DAYS_FROM_CE: i64 = 719_163;

macro_rules! simple_struct {
    ($ty:ident, $tag:expr, $expected:literal, $($field:ident),+) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $crate::structure::human_readable!(s, stringify!($ty), {
                    $(stringify!($field) => &self.$field),+
                });
                let mut t = begin(s, $tag, [$(stringify!($field)),+].len())?;
                $(t.serialize_field(&self.$field)?;)+
                t.end()
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                deserialize_struct(d)
            }
        }

        impl FromFields for $ty {
            const EXPECTED: &'static str = $expected;
            fn accepts(kind: u16) -> bool {
                kind == u16::from($tag)
            }
            fn from_fields<'de, A: SeqAccess<'de>>(t: u8, mut seq: A) -> Result<Self, A::Error> {
                $(let $field = field(&mut seq, t, stringify!($field))?;)+
                no_more(&mut seq, t)?;
                Ok($ty { $($field),+ })
            }
        }
    };
}
pub(crate) use simple_struct;

fn leap_second(what: &'static str) -> Error {
    Error::out_of_range(what, "leap seconds cannot be represented")
}

fn split_nanos(what: &'static str, nanos: i64) -> Result<u32> {
    u32::try_from(nanos)
        .ok()
        .filter(|&n| i64::from(n) < NANOS_PER_SECOND)
        .ok_or_else(|| Error::out_of_range(what, "nanoseconds outside 0..1_000_000_000"))
}

/// A date without a time zone: days since 1970-01-01.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Days since the Unix epoch (negative before it).
    pub days: i64,
}

simple_struct!(Date, tag::DATE, "a Date structure", days);

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date {
            days: i64::from(chrono::Datelike::num_days_from_ce(&d)) - EPOCH_DAYS_FROM_CE,
        }
    }
}

impl TryFrom<Date> for NaiveDate {
    type Error = Error;
    fn try_from(d: Date) -> Result<Self> {
        d.days
            .checked_add(EPOCH_DAYS_FROM_CE)
            .and_then(|n| i32::try_from(n).ok())
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .ok_or_else(|| Error::out_of_range("chrono::NaiveDate", "year outside chrono's range"))
    }
}

/// A time of day without a time zone: nanoseconds since midnight.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalTime {
    /// Nanoseconds since midnight.
    pub nanoseconds: i64,
}

simple_struct!(
    LocalTime,
    tag::LOCAL_TIME,
    "a LocalTime structure",
    nanoseconds
);

impl TryFrom<NaiveTime> for LocalTime {
    type Error = Error;
    fn try_from(t: NaiveTime) -> Result<Self> {
        if i64::from(t.nanosecond()) >= NANOS_PER_SECOND {
            return Err(leap_second("LocalTime"));
        }
        Ok(LocalTime {
            nanoseconds: i64::from(t.num_seconds_from_midnight()) * NANOS_PER_SECOND
                + i64::from(t.nanosecond()),
        })
    }
}

fn naive_time(nanoseconds: i64) -> Result<NaiveTime> {
    if !(0..NANOS_PER_DAY).contains(&nanoseconds) {
        return Err(Error::out_of_range(
            "chrono::NaiveTime",
            "nanoseconds since midnight outside one day",
        ));
    }
    let secs = (nanoseconds / NANOS_PER_SECOND) as u32;
    let nanos = (nanoseconds % NANOS_PER_SECOND) as u32;
    NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)
        .ok_or_else(|| Error::out_of_range("chrono::NaiveTime", "invalid time of day"))
}

impl TryFrom<LocalTime> for NaiveTime {
    type Error = Error;
    fn try_from(t: LocalTime) -> Result<Self> {
        naive_time(t.nanoseconds)
    }
}

/// A time of day with a UTC offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Time {
    /// Nanoseconds since midnight, local time.
    pub nanoseconds: i64,
    /// The offset from UTC in seconds (east positive).
    pub tz_offset_seconds: i64,
}

simple_struct!(
    Time,
    tag::TIME,
    "a Time structure",
    nanoseconds,
    tz_offset_seconds
);

impl TryFrom<(NaiveTime, FixedOffset)> for Time {
    type Error = Error;
    fn try_from((t, offset): (NaiveTime, FixedOffset)) -> Result<Self> {
        let local = LocalTime::try_from(t)?;
        Ok(Time {
            nanoseconds: local.nanoseconds,
            tz_offset_seconds: offset.local_minus_utc().into(),
        })
    }
}

fn fixed_offset(seconds: i64) -> Result<FixedOffset> {
    i32::try_from(seconds)
        .ok()
        .and_then(FixedOffset::east_opt)
        .ok_or_else(|| {
            Error::out_of_range("chrono::FixedOffset", "offset of a day or more from UTC")
        })
}

impl TryFrom<Time> for (NaiveTime, FixedOffset) {
    type Error = Error;
    fn try_from(t: Time) -> Result<Self> {
        Ok((
            naive_time(t.nanoseconds)?,
            fixed_offset(t.tz_offset_seconds)?,
        ))
    }
}

/// A date and time without a time zone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalDateTime {
    /// Seconds since 1970-01-01T00:00:00 (of the wall clock, no zone).
    pub seconds: i64,
    /// Nanoseconds within the second.
    pub nanoseconds: i64,
}

simple_struct!(
    LocalDateTime,
    tag::LOCAL_DATE_TIME,
    "a LocalDateTime structure",
    seconds,
    nanoseconds
);

impl TryFrom<NaiveDateTime> for LocalDateTime {
    type Error = Error;
    fn try_from(dt: NaiveDateTime) -> Result<Self> {
        let utc = dt.and_utc();
        if i64::from(utc.timestamp_subsec_nanos()) >= NANOS_PER_SECOND {
            return Err(leap_second("LocalDateTime"));
        }
        Ok(LocalDateTime {
            seconds: utc.timestamp(),
            nanoseconds: utc.timestamp_subsec_nanos().into(),
        })
    }
}

fn from_timestamp(what: &'static str, seconds: i64, nanos: i64) -> Result<ChronoDateTime<Utc>> {
    let nanos = split_nanos(what, nanos)?;
    ChronoDateTime::from_timestamp(seconds, nanos)
        .ok_or_else(|| Error::out_of_range(what, "year outside chrono's range"))
}

impl TryFrom<LocalDateTime> for NaiveDateTime {
    type Error = Error;
    fn try_from(dt: LocalDateTime) -> Result<Self> {
        Ok(from_timestamp("chrono::NaiveDateTime", dt.seconds, dt.nanoseconds)?.naive_utc())
    }
}

/// A date and time with a UTC offset.
///
/// Held as UTC seconds, whichever encoding it arrived in: the legacy structure
/// (before Bolt 5.0, local seconds) is converted on decoding, and encoding
/// writes the form the [`Options`](crate::Options) ask for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// Seconds since the Unix epoch, UTC.
    pub seconds: i64,
    /// Nanoseconds within the second.
    pub nanoseconds: i64,
    /// The offset from UTC in seconds (east positive).
    pub tz_offset_seconds: i64,
}

/// A seconds field of a date-time in the basis the encoding does not hold it in.
enum SecondsField<'a> {
    Known(i64),
    /// Unknown without a zone database; carries the zone id for the error.
    NeedsZone(&'a str),
    Overflow,
}

impl Serialize for SecondsField<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            SecondsField::Known(v) => s.serialize_i64(v),
            SecondsField::NeedsZone(tz) => s.serialize_str(tz),
            SecondsField::Overflow => s.serialize_none(),
        }
    }
}

impl SecondsField<'_> {
    fn from_opt(v: Option<i64>) -> Self {
        v.map_or(SecondsField::Overflow, SecondsField::Known)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Emitted: utc seconds, local seconds, nanoseconds, offset; the
        // serializer writes one of the two seconds fields.
        human_readable!(s, "DateTime", {
            "seconds" => &self.seconds,
            "nanoseconds" => &self.nanoseconds,
            "tz_offset_seconds" => &self.tz_offset_seconds,
        });
        let mut t = begin(s, tag::DATE_TIME, 4)?;
        t.serialize_field(&SecondsField::Known(self.seconds))?;
        t.serialize_field(&SecondsField::from_opt(
            self.seconds.checked_add(self.tz_offset_seconds),
        ))?;
        t.serialize_field(&self.nanoseconds)?;
        t.serialize_field(&self.tz_offset_seconds)?;
        t.end()
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_struct(d)
    }
}

impl FromFields for DateTime {
    const EXPECTED: &'static str = "a DateTime structure";
    fn accepts(kind: u16) -> bool {
        kind == u16::from(tag::DATE_TIME) || kind == u16::from(tag::LEGACY_DATE_TIME)
    }
    fn from_fields<'de, A: SeqAccess<'de>>(t: u8, mut seq: A) -> Result<Self, A::Error> {
        let seconds: i64 = field(&mut seq, t, "seconds")?;
        let nanoseconds = field(&mut seq, t, "nanoseconds")?;
        let tz_offset_seconds: i64 = field(&mut seq, t, "tz_offset_seconds")?;
        no_more(&mut seq, t)?;
        // Both encodings must hold the value: the legacy one carries local
        // seconds (UTC plus offset), the newer one UTC seconds (local minus
        // offset). A value only one of them can carry is refused here, so that
        // what decodes always encodes again, whichever the protocol version.
        let overflow = |reason: &str| {
            serde::de::Error::custom(crate::ErrorKind::InvalidStructure {
                tag: t,
                reason: reason.into(),
            })
        };
        let seconds = if t == tag::LEGACY_DATE_TIME {
            seconds
                .checked_sub(tz_offset_seconds)
                .ok_or_else(|| overflow("seconds minus offset overflows"))?
        } else {
            seconds
                .checked_add(tz_offset_seconds)
                .ok_or_else(|| overflow("seconds plus offset overflows"))?;
            seconds
        };
        Ok(DateTime {
            seconds,
            nanoseconds,
            tz_offset_seconds,
        })
    }
}

impl TryFrom<ChronoDateTime<FixedOffset>> for DateTime {
    type Error = Error;
    fn try_from(dt: ChronoDateTime<FixedOffset>) -> Result<Self> {
        if i64::from(dt.timestamp_subsec_nanos()) >= NANOS_PER_SECOND {
            return Err(leap_second("DateTime"));
        }
        Ok(DateTime {
            seconds: dt.timestamp(),
            nanoseconds: dt.timestamp_subsec_nanos().into(),
            tz_offset_seconds: dt.offset().local_minus_utc().into(),
        })
    }
}

impl TryFrom<ChronoDateTime<Utc>> for DateTime {
    type Error = Error;
    fn try_from(dt: ChronoDateTime<Utc>) -> Result<Self> {
        DateTime::try_from(dt.fixed_offset())
    }
}

impl TryFrom<DateTime> for ChronoDateTime<FixedOffset> {
    type Error = Error;
    fn try_from(dt: DateTime) -> Result<Self> {
        let offset = fixed_offset(dt.tz_offset_seconds)?;
        Ok(from_timestamp("chrono::DateTime", dt.seconds, dt.nanoseconds)?.with_timezone(&offset))
    }
}

/// Whether a [`DateTimeZoneId`]'s seconds count UTC or wall-clock time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecondsBasis {
    /// Seconds since the epoch in UTC (Bolt 5.0+ encoding, tag 0x69).
    #[default]
    Utc,
    /// Seconds since the epoch of the local wall clock (legacy encoding, tag 0x66).
    Local,
}

/// A date and time in a named time zone (an IANA id such as `"Europe/Stockholm"`).
///
/// The legacy encoding (before Bolt 5.0) carries local seconds, the newer one
/// UTC seconds; the value keeps the seconds it was given and says which in
/// `basis`. Encoding in the other basis needs the zone's rules: with the
/// `chrono-tz` feature the conversion happens on encoding; without it, that
/// encoding fails with [`ErrorKind::ZoneConversion`](crate::ErrorKind::ZoneConversion).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DateTimeZoneId {
    /// Seconds since the epoch, in `basis`.
    pub seconds: i64,
    /// Nanoseconds within the second.
    pub nanoseconds: i64,
    /// The zone id.
    pub tz_id: String,
    /// Whether `seconds` count UTC or local time.
    pub basis: SecondsBasis,
}

impl DateTimeZoneId {
    /// A zoned date-time from UTC seconds.
    pub fn from_utc(seconds: i64, nanoseconds: i64, tz_id: impl Into<String>) -> Self {
        DateTimeZoneId {
            seconds,
            nanoseconds,
            tz_id: tz_id.into(),
            basis: SecondsBasis::Utc,
        }
    }

    /// The seconds since the epoch in UTC, converting local seconds with the
    /// zone's rules when the `chrono-tz` feature is on.
    pub fn utc_seconds(&self) -> Result<i64> {
        match self.basis {
            SecondsBasis::Utc => Ok(self.seconds),
            SecondsBasis::Local => zone::local_to_utc(self.seconds, &self.tz_id),
        }
    }

    /// The seconds since the epoch of the local wall clock, converting with the
    /// zone's rules when the `chrono-tz` feature is on.
    pub fn local_seconds(&self) -> Result<i64> {
        match self.basis {
            SecondsBasis::Local => Ok(self.seconds),
            SecondsBasis::Utc => zone::utc_to_local(self.seconds, &self.tz_id),
        }
    }
}

fn seconds_field(r: Result<i64>, tz_id: &str) -> SecondsField<'_> {
    match r {
        Ok(v) => SecondsField::Known(v),
        Err(e) if matches!(e.kind(), crate::ErrorKind::ZoneConversion { .. }) => {
            SecondsField::NeedsZone(tz_id)
        }
        Err(_) => SecondsField::Overflow,
    }
}

impl Serialize for DateTimeZoneId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Emitted: utc seconds, local seconds, nanoseconds, zone id; the
        // serializer writes one of the two seconds fields.
        human_readable!(s, "DateTimeZoneId", {
            "seconds" => &self.seconds,
            "nanoseconds" => &self.nanoseconds,
            "tz_id" => &self.tz_id,
            "seconds_basis" => match self.basis {
                SecondsBasis::Utc => "utc",
                SecondsBasis::Local => "local",
            },
        });
        let mut t = begin(s, tag::DATE_TIME_ZONE_ID, 4)?;
        t.serialize_field(&seconds_field(self.utc_seconds(), &self.tz_id))?;
        t.serialize_field(&seconds_field(self.local_seconds(), &self.tz_id))?;
        t.serialize_field(&self.nanoseconds)?;
        t.serialize_field(&self.tz_id)?;
        t.end()
    }
}

impl<'de> Deserialize<'de> for DateTimeZoneId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_struct(d)
    }
}

impl FromFields for DateTimeZoneId {
    const EXPECTED: &'static str = "a DateTimeZoneId structure";
    fn accepts(kind: u16) -> bool {
        kind == u16::from(tag::DATE_TIME_ZONE_ID)
            || kind == u16::from(tag::LEGACY_DATE_TIME_ZONE_ID)
    }
    fn from_fields<'de, A: SeqAccess<'de>>(t: u8, mut seq: A) -> Result<Self, A::Error> {
        let seconds = field(&mut seq, t, "seconds")?;
        let nanoseconds = field(&mut seq, t, "nanoseconds")?;
        let tz_id = field(&mut seq, t, "tz_id")?;
        no_more(&mut seq, t)?;
        Ok(DateTimeZoneId {
            seconds,
            nanoseconds,
            tz_id,
            basis: if t == tag::LEGACY_DATE_TIME_ZONE_ID {
                SecondsBasis::Local
            } else {
                SecondsBasis::Utc
            },
        })
    }
}

#[cfg(not(feature = "chrono-tz"))]
mod zone {
    use crate::error::{ErrorKind, Result};
    use crate::structure::ZONE_CONVERSION_REASON;

    pub(super) fn local_to_utc(_seconds: i64, tz_id: &str) -> Result<i64> {
        Err(ErrorKind::ZoneConversion {
            tz_id: tz_id.to_owned(),
            reason: ZONE_CONVERSION_REASON,
        }
        .into())
    }

    pub(super) fn utc_to_local(_seconds: i64, tz_id: &str) -> Result<i64> {
        local_to_utc(0, tz_id)
    }
}

#[cfg(feature = "chrono-tz")]
mod zone {
    use chrono::{DateTime, Offset, TimeZone};
    use chrono_tz::Tz;

    use crate::error::{ErrorKind, Result};

    fn tz(tz_id: &str) -> Result<Tz> {
        tz_id.parse::<Tz>().map_err(|_| {
            ErrorKind::ZoneConversion {
                tz_id: tz_id.to_owned(),
                reason: "unknown time zone",
            }
            .into()
        })
    }

    pub(super) fn local_to_utc(seconds: i64, tz_id: &str) -> Result<i64> {
        let zone = tz(tz_id)?;
        let naive = DateTime::from_timestamp(seconds, 0)
            .ok_or_else(|| crate::Error::out_of_range("DateTimeZoneId", "year out of range"))?
            .naive_utc();
        // Ambiguous wall-clock times (a DST fold) resolve to the earlier instant;
        // times in a gap shift forward by the gap, as Neo4j does.
        let local = zone
            .from_local_datetime(&naive)
            .earliest()
            .or_else(|| {
                zone.from_local_datetime(&(naive + chrono::TimeDelta::hours(1)))
                    .earliest()
            })
            .ok_or_else(|| ErrorKind::ZoneConversion {
                tz_id: tz_id.to_owned(),
                reason: "local time does not exist in the zone",
            })?;
        Ok(local.timestamp())
    }

    pub(super) fn utc_to_local(seconds: i64, tz_id: &str) -> Result<i64> {
        let zone = tz(tz_id)?;
        let offset = zone
            .offset_from_utc_datetime(
                &DateTime::from_timestamp(seconds, 0)
                    .ok_or_else(|| {
                        crate::Error::out_of_range("DateTimeZoneId", "year out of range")
                    })?
                    .naive_utc(),
            )
            .fix()
            .local_minus_utc();
        seconds
            .checked_add(offset.into())
            .ok_or_else(|| crate::Error::out_of_range("DateTimeZoneId", "seconds overflow"))
    }
}

#[cfg(feature = "chrono-tz")]
impl TryFrom<DateTimeZoneId> for ChronoDateTime<chrono_tz::Tz> {
    type Error = Error;
    fn try_from(dt: DateTimeZoneId) -> Result<Self> {
        let zone: chrono_tz::Tz = dt.tz_id.parse().map_err(|_| {
            Error::from(crate::ErrorKind::ZoneConversion {
                tz_id: dt.tz_id.clone(),
                reason: "unknown time zone",
            })
        })?;
        let utc = dt.utc_seconds()?;
        Ok(from_timestamp("chrono::DateTime", utc, dt.nanoseconds)?.with_timezone(&zone))
    }
}

#[cfg(feature = "chrono-tz")]
impl TryFrom<ChronoDateTime<chrono_tz::Tz>> for DateTimeZoneId {
    type Error = Error;
    fn try_from(dt: ChronoDateTime<chrono_tz::Tz>) -> Result<Self> {
        if i64::from(dt.timestamp_subsec_nanos()) >= NANOS_PER_SECOND {
            return Err(leap_second("DateTimeZoneId"));
        }
        Ok(DateTimeZoneId::from_utc(
            dt.timestamp(),
            dt.timestamp_subsec_nanos().into(),
            dt.timezone().name(),
        ))
    }
}

/// A temporal amount: months, days, seconds and nanoseconds, each kept apart
/// (a month has no fixed length, nor a day across a DST change).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Duration {
    /// Months.
    pub months: i64,
    /// Days.
    pub days: i64,
    /// Seconds.
    pub seconds: i64,
    /// Nanoseconds.
    pub nanoseconds: i64,
}

simple_struct!(
    Duration,
    tag::DURATION,
    "a Duration structure",
    months,
    days,
    seconds,
    nanoseconds
);

impl From<TimeDelta> for Duration {
    fn from(d: TimeDelta) -> Self {
        let mut seconds = d.num_seconds();
        let mut nanos = i64::from(d.subsec_nanos());
        if nanos < 0 {
            seconds -= 1;
            nanos += NANOS_PER_SECOND;
        }
        Duration {
            months: 0,
            days: 0,
            seconds,
            nanoseconds: nanos,
        }
    }
}

impl TryFrom<Duration> for TimeDelta {
    type Error = Error;
    fn try_from(d: Duration) -> Result<Self> {
        const WHAT: &str = "chrono::TimeDelta";
        if d.months != 0 {
            return Err(Error::out_of_range(WHAT, "months have no fixed length"));
        }
        let overflow = || Error::out_of_range(WHAT, "more than chrono's ±292 million years");
        let secs = d
            .days
            .checked_mul(86_400)
            .and_then(|s| s.checked_add(d.seconds))
            .ok_or_else(overflow)?;
        TimeDelta::try_seconds(secs)
            .and_then(|s| s.checked_add(&TimeDelta::nanoseconds(d.nanoseconds)))
            .ok_or_else(overflow)
    }
}
