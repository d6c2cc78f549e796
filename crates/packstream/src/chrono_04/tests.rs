use chrono::{
    DateTime as ChronoDateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone, Utc,
};
use serde::{Deserialize, Serialize};

use crate::{from_slice, from_value, to_value, to_vec, Value};

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
}

fn time() -> NaiveTime {
    NaiveTime::from_hms_nano_opt(13, 14, 15, 123_456_789).unwrap()
}

fn offset() -> FixedOffset {
    FixedOffset::east_opt(3600 + 1800).unwrap()
}

/// `Value::from`, then back with `TryFrom`, then through PackStream bytes
/// into chrono's own `Deserialize`.
fn round_trips<T>(v: T, variant: &str)
where
    T: Clone + PartialEq + std::fmt::Debug + for<'de> Deserialize<'de> + TryFrom<Value>,
    Value: From<T>,
    <T as TryFrom<Value>>::Error: std::fmt::Debug,
{
    let value = Value::from(v.clone());
    assert_eq!(value.type_name(), variant);
    assert_eq!(T::try_from(value.clone()).unwrap(), v);
    let bytes = to_vec(&value).unwrap();
    assert_eq!(from_slice::<T>(&bytes).unwrap(), v, "{variant}");
}

#[test]
fn chrono_values_round_trip_as_cypher_types() {
    round_trips(date(), "Date");
    round_trips(NaiveDate::from_ymd_opt(-44, 3, 15).unwrap(), "Date");
    round_trips(NaiveDate::from_ymd_opt(12345, 1, 1).unwrap(), "Date");
    round_trips(time(), "LocalTime");
    round_trips(date().and_time(time()), "LocalDateTime");
    round_trips(date().and_time(time()).and_utc(), "DateTime");
    let fixed = offset()
        .from_local_datetime(&date().and_time(time()))
        .unwrap();
    round_trips(fixed, "DateTime");
    round_trips(fixed.with_timezone(&Local), "DateTime");
    round_trips(TimeDelta::new(-90_061, 5).unwrap(), "Duration");
    round_trips(TimeDelta::new(3, 999_999_999).unwrap(), "Duration");
    // A time with an offset: Value and TryFrom only (serde has no pair of chrono's).
    let v = Value::from((time(), offset()));
    assert_eq!(v.type_name(), "Time");
    assert_eq!(
        <(NaiveTime, FixedOffset)>::try_from(v).unwrap(),
        (time(), offset())
    );
}

#[test]
fn fixed_offsets_keep_their_offset_and_instant() {
    let fixed = offset()
        .from_local_datetime(&date().and_time(time()))
        .unwrap();
    let Value::DateTime(d) = Value::from(fixed) else {
        panic!("not a DateTime")
    };
    assert_eq!(d.tz_offset_seconds, 5400);
    assert_eq!(d.seconds, fixed.timestamp());
    let back: ChronoDateTime<FixedOffset> = from_value(&Value::DateTime(d)).unwrap();
    assert_eq!(back.offset(), fixed.offset());
    let utc: ChronoDateTime<Utc> = from_value(&Value::DateTime(d)).unwrap();
    assert_eq!(utc, fixed);
}

#[test]
fn wrong_types_and_months_fail_clearly() {
    let e = NaiveDate::try_from(Value::from("2024-02-29")).unwrap_err();
    assert!(e.to_string().contains("Date"), "{e}");
    // chrono's Deserialize still reads a string as a string.
    assert_eq!(
        from_value::<NaiveDate>(&Value::from("2024-02-29")).unwrap(),
        date()
    );
    // A local time is not a date.
    assert!(from_value::<NaiveDate>(&Value::from(time())).is_err());
    // Durations with months have no TimeDelta.
    let months = Value::Duration(crate::Duration {
        months: 1,
        ..Default::default()
    });
    assert!(TimeDelta::try_from(months.clone()).is_err());
    let e = from_value::<TimeDelta>(&months).unwrap_err();
    assert!(e.to_string().contains("months"), "{e}");
    // A Time with an offset does not pass for a NaiveTime.
    assert!(from_value::<NaiveTime>(&Value::from((time(), offset()))).is_err());
    // Strings see the ISO text.
    assert_eq!(
        from_value::<String>(&Value::from(date())).unwrap(),
        "2024-02-29"
    );
}

#[test]
fn leap_seconds_fold_into_the_second_before() {
    let leap = NaiveTime::from_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap();
    let Value::LocalTime(t) = Value::from(leap) else {
        panic!()
    };
    assert_eq!(t.nanoseconds, 86_400 * 1_000_000_000 - 1);
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Row {
    #[serde(with = "crate::chrono_04")]
    day: NaiveDate,
    #[serde(with = "crate::chrono_04")]
    at: ChronoDateTime<Utc>,
    #[serde(with = "crate::chrono_04::option")]
    when: Option<NaiveDateTime>,
    #[serde(with = "crate::chrono_04::option")]
    never: Option<NaiveTime>,
    #[serde(with = "crate::chrono_04")]
    took: TimeDelta,
    #[serde(with = "crate::chrono_04")]
    timed: (NaiveTime, FixedOffset),
}

#[test]
fn serde_with_helpers_encode_cypher_types() {
    let row = Row {
        day: date(),
        at: date().and_time(time()).and_utc(),
        when: Some(date().and_time(time())),
        never: None,
        took: TimeDelta::seconds(42),
        timed: (time(), offset()),
    };
    let v = to_value(&row).unwrap();
    let types: Vec<_> = ["day", "at", "when", "never", "took", "timed"]
        .iter()
        .map(|k| v.get(*k).unwrap().type_name())
        .collect();
    assert_eq!(
        types,
        [
            "Date",
            "DateTime",
            "LocalDateTime",
            "Null",
            "Duration",
            "Time"
        ]
    );
    assert_eq!(from_value::<Row>(&v).unwrap(), row);
}

#[derive(Deserialize, Debug, PartialEq)]
struct Plain {
    day: NaiveDate,
    at: ChronoDateTime<FixedOffset>,
    when: Option<NaiveDateTime>,
    took: TimeDelta,
}

#[test]
fn plain_chrono_fields_decode_from_cypher_types() {
    let at = offset()
        .from_local_datetime(&date().and_time(time()))
        .unwrap();
    let mut m = crate::Map::new();
    m.insert("day".into(), Value::from(date()));
    m.insert("at".into(), Value::from(at));
    m.insert("when".into(), Value::Null);
    m.insert("took".into(), Value::from(TimeDelta::milliseconds(-1500)));
    let plain: Plain = from_value(&Value::Map(m)).unwrap();
    assert_eq!(
        plain,
        Plain {
            day: date(),
            at,
            when: None,
            took: TimeDelta::milliseconds(-1500)
        }
    );
}

#[cfg(feature = "chrono-tz")]
#[test]
fn zoned_date_times_carry_their_zone() {
    use chrono_tz::Europe::Stockholm;
    let dt = Stockholm
        .from_local_datetime(&date().and_time(time()))
        .unwrap();
    let v = Value::from(dt);
    let Value::DateTimeZoneId(z) = &v else {
        panic!("{v:?}")
    };
    assert_eq!(z.tz_id, "Europe/Stockholm");
    assert_eq!(
        ChronoDateTime::<chrono_tz::Tz>::try_from(v.clone()).unwrap(),
        dt
    );
    // Plain chrono reads the instant with its offset.
    let fixed: ChronoDateTime<FixedOffset> = from_value(&v).unwrap();
    assert_eq!(fixed, dt);
    assert_eq!(fixed.offset().local_minus_utc(), 3600);

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Zoned {
        #[serde(with = "crate::chrono_04")]
        at: ChronoDateTime<chrono_tz::Tz>,
    }
    let z = Zoned { at: dt };
    assert_eq!(from_value::<Zoned>(&to_value(&z).unwrap()).unwrap(), z);
}

#[cfg(not(feature = "chrono-tz"))]
#[test]
fn zoned_date_times_read_as_instants_without_a_zone_database() {
    let v = Value::DateTimeZoneId(Box::new(crate::DateTimeZoneId::from_utc(
        1_700_000_000,
        0,
        "Europe/Stockholm",
    )));
    let utc: ChronoDateTime<Utc> = from_value(&v).unwrap();
    assert_eq!(utc.timestamp(), 1_700_000_000);
    assert!(ChronoDateTime::<FixedOffset>::try_from(v).is_err());
}
