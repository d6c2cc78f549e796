//! Conversions between the temporal structures and chrono, with clear errors
//! where a value does not fit.

use chrono::{
    DateTime as ChronoDateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone,
};
use quiver_packstream::{Date, DateTime, Duration, ErrorKind, LocalDateTime, LocalTime, Time};

fn out_of_range<T: std::fmt::Debug>(r: Result<T, quiver_packstream::Error>) -> bool {
    matches!(
        r.expect_err("must not fit").kind(),
        ErrorKind::OutOfRange { .. }
    )
}

#[test]
fn dates() {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    assert_eq!(Date::from(epoch), Date { days: 0 });
    let d = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    assert_eq!(Date::from(d), Date { days: 18_262 });
    assert_eq!(NaiveDate::try_from(Date { days: 18_262 }).unwrap(), d);
    let before = NaiveDate::from_ymd_opt(1969, 12, 31).unwrap();
    assert_eq!(Date::from(before), Date { days: -1 });
    assert_eq!(NaiveDate::try_from(Date { days: -1 }).unwrap(), before);
    // Neo4j's range (years ±999,999,999) is wider than chrono's.
    assert!(out_of_range(NaiveDate::try_from(Date {
        days: 365 * 300_000
    })));
    assert!(out_of_range(NaiveDate::try_from(Date { days: i64::MIN })));
}

#[test]
fn local_times_and_times() {
    let t = NaiveTime::from_hms_nano_opt(12, 34, 56, 789).unwrap();
    let lt = LocalTime::try_from(t).unwrap();
    assert_eq!(
        lt.nanoseconds,
        (12 * 3600 + 34 * 60 + 56) * 1_000_000_000 + 789
    );
    assert_eq!(NaiveTime::try_from(lt).unwrap(), t);
    let leap = NaiveTime::from_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap();
    assert!(out_of_range(LocalTime::try_from(leap)));
    assert!(out_of_range(NaiveTime::try_from(LocalTime {
        nanoseconds: -1
    })));
    assert!(out_of_range(NaiveTime::try_from(LocalTime {
        nanoseconds: 86_400_000_000_000
    })));

    let offset = FixedOffset::east_opt(-5 * 3600).unwrap();
    let time = Time::try_from((t, offset)).unwrap();
    assert_eq!(time.tz_offset_seconds, -18_000);
    assert_eq!(
        <(NaiveTime, FixedOffset)>::try_from(time).unwrap(),
        (t, offset)
    );
    // An offset of a day or more does not fit chrono.
    assert!(out_of_range(<(NaiveTime, FixedOffset)>::try_from(Time {
        nanoseconds: 0,
        tz_offset_seconds: 86_400,
    })));
}

#[test]
fn local_date_times() {
    let dt = NaiveDate::from_ymd_opt(2021, 6, 1)
        .unwrap()
        .and_hms_nano_opt(10, 0, 0, 5)
        .unwrap();
    let l = LocalDateTime::try_from(dt).unwrap();
    assert_eq!(
        l,
        LocalDateTime {
            seconds: 1_622_541_600,
            nanoseconds: 5
        }
    );
    assert_eq!(NaiveDateTime::try_from(l).unwrap(), dt);
    assert!(out_of_range(NaiveDateTime::try_from(LocalDateTime {
        seconds: 0,
        nanoseconds: 1_000_000_000
    })));
    assert!(out_of_range(NaiveDateTime::try_from(LocalDateTime {
        seconds: i64::MAX,
        nanoseconds: 0
    })));
}

#[test]
fn date_times_with_offset() {
    let offset = FixedOffset::east_opt(3600).unwrap();
    let dt = offset.with_ymd_and_hms(2021, 6, 1, 11, 0, 0).unwrap();
    let ours = DateTime::try_from(dt).unwrap();
    // 10:00 UTC.
    assert_eq!(
        ours,
        DateTime {
            seconds: 1_622_541_600,
            nanoseconds: 0,
            tz_offset_seconds: 3600
        }
    );
    let back = ChronoDateTime::<FixedOffset>::try_from(ours).unwrap();
    assert_eq!(back, dt);
    assert_eq!(back.offset(), &offset);
    let utc = chrono::Utc.with_ymd_and_hms(2021, 6, 1, 10, 0, 0).unwrap();
    assert_eq!(DateTime::try_from(utc).unwrap().seconds, 1_622_541_600);
    assert!(out_of_range(ChronoDateTime::<FixedOffset>::try_from(
        DateTime {
            seconds: 0,
            nanoseconds: -1,
            tz_offset_seconds: 0,
        }
    )));
}

#[test]
fn durations() {
    let d = Duration {
        months: 0,
        days: 1,
        seconds: 2,
        nanoseconds: 3,
    };
    assert_eq!(
        TimeDelta::try_from(d).unwrap(),
        TimeDelta::seconds(86_402) + TimeDelta::nanoseconds(3)
    );
    assert!(out_of_range(TimeDelta::try_from(Duration {
        months: 1,
        ..d
    })));
    assert!(out_of_range(TimeDelta::try_from(Duration {
        days: i64::MAX,
        ..d
    })));
    // Negative amounts keep nanoseconds within 0..1e9.
    let neg = Duration::from(TimeDelta::milliseconds(-1500));
    assert_eq!(
        neg,
        Duration {
            months: 0,
            days: 0,
            seconds: -2,
            nanoseconds: 500_000_000
        }
    );
    assert_eq!(
        TimeDelta::try_from(neg).unwrap(),
        TimeDelta::milliseconds(-1500)
    );
}

#[cfg(feature = "chrono-tz")]
#[test]
fn zoned_date_times() {
    use quiver_packstream::{DateTimeZoneId, SecondsBasis};
    let tz: chrono_tz::Tz = "Europe/Stockholm".parse().unwrap();
    // Summer time: UTC+2.
    let dt = tz.with_ymd_and_hms(2021, 6, 1, 12, 0, 0).unwrap();
    let ours = DateTimeZoneId::try_from(dt).unwrap();
    assert_eq!(
        ours,
        DateTimeZoneId::from_utc(1_622_541_600, 0, "Europe/Stockholm")
    );
    assert_eq!(
        ChronoDateTime::<chrono_tz::Tz>::try_from(ours.clone()).unwrap(),
        dt
    );
    let local_seconds = ours.local_seconds().unwrap();
    assert_eq!(local_seconds, 1_622_541_600 + 7200);
    let legacy = DateTimeZoneId {
        seconds: local_seconds,
        basis: SecondsBasis::Local,
        ..ours.clone()
    };
    assert_eq!(legacy.utc_seconds().unwrap(), ours.seconds);
    assert_eq!(
        ChronoDateTime::<chrono_tz::Tz>::try_from(legacy).unwrap(),
        dt
    );
    // An unknown zone is a clear error.
    let bad = DateTimeZoneId {
        basis: SecondsBasis::Local,
        ..DateTimeZoneId::from_utc(0, 0, "Nowhere/Special")
    };
    assert!(matches!(
        bad.utc_seconds().unwrap_err().kind(),
        ErrorKind::ZoneConversion { .. }
    ));
}
