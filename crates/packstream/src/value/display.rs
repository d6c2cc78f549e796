//! `Display` for `Value`: a Cypher-like literal, for logs and messages.
//!
//! The text is for people, not a stable format.

use std::fmt::{self, Display, Formatter, Write as _};

use super::{Map, Value};
use crate::structure::graph::{Node, Path, UnboundRelationship};
use crate::structure::temporal::{DateTimeZoneId, Duration, SecondsBasis};
use crate::{Date, DateTime, LocalDateTime, LocalTime, Time, Vector};

impl Display for Value {
    /// Writes a Cypher-like literal:
    ///
    /// ```
    /// use quiver_packstream::{Map, Node, Value};
    ///
    /// let v = Value::from(vec![Value::from(1), Value::from("a\"b"), Value::Null]);
    /// assert_eq!(v.to_string(), r#"[1, "a\"b", null]"#);
    /// let node = Node {
    ///     labels: vec!["Person".into()],
    ///     properties: Map::from([("name".to_string(), Value::from("Ann"))]),
    ///     ..Node::default()
    /// };
    /// assert_eq!(Value::from(node).to_string(), r#"(:Person {name: "Ann"})"#);
    /// ```
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Boolean(b) => write!(f, "{b}"),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Float(x) => float(f, *x),
            Value::Bytes(b) => {
                f.write_str("0x")?;
                b.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
            }
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(l) => list(f, l.iter()),
            Value::Map(m) => map(f, m),
            Value::Node(n) => node(f, n),
            Value::Relationship(r) => {
                write!(f, "[:{}", r.rel_type)?;
                props(f, &r.properties)?;
                f.write_str("]")
            }
            Value::UnboundRelationship(r) => unbound(f, r),
            Value::Path(p) => path(f, p),
            Value::Date(d) => date(f, d),
            Value::Time(t) => time(f, t),
            Value::LocalTime(t) => local_time(f, t),
            Value::DateTime(d) => date_time(f, d),
            Value::DateTimeZoneId(d) => zoned(f, d),
            Value::LocalDateTime(d) => local_date_time(f, d),
            Value::Duration(d) => duration(f, d),
            Value::Point2D(p) => {
                write!(f, "point({{srid: {}, x: {:?}, y: {:?}}})", p.srid, p.x, p.y)
            }
            Value::Point3D(p) => write!(
                f,
                "point({{srid: {}, x: {:?}, y: {:?}, z: {:?}}})",
                p.srid, p.x, p.y, p.z
            ),
            Value::Vector(v) => vector(f, v),
            Value::Unsupported(u) => write!(f, "<unsupported {}>", u.name),
            Value::Uuid(u) => write!(f, "{u}"),
            Value::Structure(s) => {
                write!(f, "Structure<0x{:02X}>", s.tag)?;
                list(f, s.fields.iter())
            }
        }
    }
}

fn float(f: &mut Formatter<'_>, x: f64) -> fmt::Result {
    if x.is_nan() {
        f.write_str("NaN")
    } else if x.is_infinite() {
        f.write_str(if x > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        write!(f, "{x:?}")
    }
}

fn list<'a>(f: &mut Formatter<'_>, items: impl Iterator<Item = &'a Value>) -> fmt::Result {
    f.write_char('[')?;
    for (i, v) in items.enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        v.fmt(f)?;
    }
    f.write_char(']')
}

fn key(f: &mut Formatter<'_>, k: &str) -> fmt::Result {
    let plain = k
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        f.write_str(k)
    } else {
        write!(f, "`{}`", k.replace('`', "``"))
    }
}

fn map(f: &mut Formatter<'_>, m: &Map) -> fmt::Result {
    f.write_char('{')?;
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        key(f, k)?;
        f.write_str(": ")?;
        v.fmt(f)?;
    }
    f.write_char('}')
}

fn props(f: &mut Formatter<'_>, m: &Map) -> fmt::Result {
    if m.is_empty() {
        return Ok(());
    }
    f.write_char(' ')?;
    map(f, m)
}

fn node(f: &mut Formatter<'_>, n: &Node) -> fmt::Result {
    f.write_char('(')?;
    for l in &n.labels {
        f.write_char(':')?;
        key(f, l)?;
    }
    props(f, &n.properties)?;
    f.write_char(')')
}

fn unbound(f: &mut Formatter<'_>, r: &UnboundRelationship) -> fmt::Result {
    f.write_str("[:")?;
    key(f, &r.rel_type)?;
    props(f, &r.properties)?;
    f.write_char(']')
}

fn path(f: &mut Formatter<'_>, p: &Path) -> fmt::Result {
    let Some(segments) = p.segments() else {
        return f.write_str("<malformed path>");
    };
    match p.nodes.first() {
        Some(n) => node(f, n)?,
        None => return f.write_str("<empty path>"),
    }
    for s in segments {
        f.write_str(if s.forward { "-" } else { "<-" })?;
        unbound(f, s.relationship)?;
        f.write_str(if s.forward { "->" } else { "-" })?;
        node(f, s.end)?;
    }
    Ok(())
}

fn date(f: &mut Formatter<'_>, d: &Date) -> fmt::Result {
    match chrono::NaiveDate::try_from(*d) {
        Ok(d) => write!(f, "{d}"),
        Err(_) => write!(f, "date({{days: {}}})", d.days),
    }
}

fn local_time(f: &mut Formatter<'_>, t: &LocalTime) -> fmt::Result {
    match chrono::NaiveTime::try_from(*t) {
        Ok(t) => write!(f, "{t}"),
        Err(_) => write!(f, "localtime({{nanoseconds: {}}})", t.nanoseconds),
    }
}

fn time(f: &mut Formatter<'_>, t: &Time) -> fmt::Result {
    match <(chrono::NaiveTime, chrono::FixedOffset)>::try_from(*t) {
        Ok((time, offset)) => write!(f, "{time}{offset}"),
        Err(_) => write!(
            f,
            "time({{nanoseconds: {}, offset: {}}})",
            t.nanoseconds, t.tz_offset_seconds
        ),
    }
}

fn local_date_time(f: &mut Formatter<'_>, d: &LocalDateTime) -> fmt::Result {
    match chrono::NaiveDateTime::try_from(*d) {
        Ok(d) => write!(f, "{}", d.format("%Y-%m-%dT%H:%M:%S%.f")),
        Err(_) => write!(
            f,
            "localdatetime({{seconds: {}, nanoseconds: {}}})",
            d.seconds, d.nanoseconds
        ),
    }
}

fn date_time(f: &mut Formatter<'_>, d: &DateTime) -> fmt::Result {
    match chrono::DateTime::<chrono::FixedOffset>::try_from(*d) {
        Ok(d) => write!(f, "{}", d.format("%Y-%m-%dT%H:%M:%S%.f%:z")),
        Err(_) => write!(
            f,
            "datetime({{seconds: {}, nanoseconds: {}, offset: {}}})",
            d.seconds, d.nanoseconds, d.tz_offset_seconds
        ),
    }
}

fn zoned(f: &mut Formatter<'_>, d: &DateTimeZoneId) -> fmt::Result {
    let shown = LocalDateTime {
        seconds: d.seconds,
        nanoseconds: d.nanoseconds,
    };
    match (d.basis, chrono::NaiveDateTime::try_from(shown)) {
        (SecondsBasis::Utc, Ok(t)) => {
            write!(f, "{}Z[{}]", t.format("%Y-%m-%dT%H:%M:%S%.f"), d.tz_id)
        }
        (_, Ok(t)) => write!(f, "{}[{}]", t.format("%Y-%m-%dT%H:%M:%S%.f"), d.tz_id),
        (_, Err(_)) => write!(
            f,
            "datetime({{seconds: {}, nanoseconds: {}, timezone: {:?}}})",
            d.seconds, d.nanoseconds, d.tz_id
        ),
    }
}

fn duration(f: &mut Formatter<'_>, d: &Duration) -> fmt::Result {
    write!(f, "P{}M{}DT{}", d.months, d.days, d.seconds)?;
    if d.nanoseconds != 0 {
        write!(f, ".{:09}", d.nanoseconds.rem_euclid(1_000_000_000))?;
    }
    f.write_char('S')
}

fn vector(f: &mut Formatter<'_>, v: &Vector) -> fmt::Result {
    fn items<T: fmt::Debug>(f: &mut Formatter<'_>, v: &[T], kind: &str) -> fmt::Result {
        f.write_str("vector([")?;
        for (i, x) in v.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{x:?}")?;
        }
        write!(f, "], {}, {kind})", v.len())
    }
    match v {
        Vector::I8(v) => items(f, v, "INTEGER8"),
        Vector::I16(v) => items(f, v, "INTEGER16"),
        Vector::I32(v) => items(f, v, "INTEGER32"),
        Vector::I64(v) => items(f, v, "INTEGER"),
        Vector::F32(v) => items(f, v, "FLOAT32"),
        Vector::F64(v) => items(f, v, "FLOAT"),
    }
}
