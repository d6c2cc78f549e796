//! Cypher values between TestKit's JSON encoding ([`CypherValue`]) and driver values
//! ([`quiver_packstream::Value`]).
//!
//! Every TestKit type has a driver counterpart and back. Graph types convert both ways too
//! (whether the driver accepts them as parameters is the driver's business). Driver values
//! TestKit cannot express (UUIDs, unsupported-type placeholders, unknown structures, a bare
//! unbound relationship, points in other coordinate systems) are errors.
//!
//! Calendar arithmetic is done here on plain integers (proleptic Gregorian, as Neo4j), so dates
//! far outside chrono's range convert too. Zoned date-times need the zone's rules to find the
//! offset in force; they come from quiver-packstream's `chrono-tz` feature.

use std::collections::BTreeMap;

use quiver_packstream::{
    marker, Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Map, Node, Path,
    Point2D, Point3D, Relationship, Time, UnboundRelationship, Value, Vector,
};
use serde_json::Value as Json;

use crate::cypher::{
    CypherDateTime, CypherNode, CypherPath, CypherPoint, CypherRelationship, CypherValue,
};
use crate::error::{Error, Result};

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;
/// Neo4j's year range; bounds keep all arithmetic below far from overflow.
const MAX_ABS_YEAR: i64 = 1_000_000_000;
const MAX_ABS_DAYS: i64 = 366 * MAX_ABS_YEAR;

/// Spatial reference ids TestKit's two systems map to.
const SRID_CARTESIAN_2D: i64 = 7203;
const SRID_CARTESIAN_3D: i64 = 9157;
const SRID_WGS84_2D: i64 = 4326;
const SRID_WGS84_3D: i64 = 4979;

fn err(msg: impl Into<String>) -> Error {
    Error::Value(msg.into())
}

// ---------------------------------------------------------------------------------------------
// JSON → driver

/// Converts parameters (or transaction metadata) from TestKit to driver values.
pub fn to_value_map(map: BTreeMap<String, CypherValue>) -> Result<Map> {
    map.into_iter()
        .map(|(k, v)| Ok((k, to_value(v)?)))
        .collect()
}

/// Converts one TestKit value to a driver value.
pub fn to_value(value: CypherValue) -> Result<Value> {
    Ok(match value {
        CypherValue::CypherNull {} => Value::Null,
        CypherValue::CypherBool { value } => Value::Boolean(value),
        CypherValue::CypherInt { value } => Value::Integer(value),
        CypherValue::CypherFloat { value } => Value::Float(value),
        CypherValue::CypherString { value } => Value::String(value),
        CypherValue::CypherBytes { value } => Value::Bytes(value),
        CypherValue::CypherList { value } => {
            Value::List(value.into_iter().map(to_value).collect::<Result<_>>()?)
        }
        CypherValue::CypherMap { value } => Value::Map(to_value_map(value)?),
        CypherValue::Node(node) => Value::Node(Box::new(node_to_value(node)?)),
        CypherValue::Relationship(rel) => Value::Relationship(Box::new(rel_to_value(rel)?)),
        CypherValue::Path(path) => Value::Path(Box::new(path_to_value(path)?)),
        CypherValue::CypherPoint(point) => point_to_value(point)?,
        CypherValue::CypherDate { year, month, day } => Value::Date(Date {
            days: days_from_civil(year, month, day)?,
        }),
        CypherValue::CypherTime {
            hour,
            minute,
            second,
            nanosecond,
            utc_offset_s,
        } => {
            let nanoseconds = nanos_of_day(hour, minute, second, nanosecond)?;
            match utc_offset_s {
                None => Value::LocalTime(LocalTime { nanoseconds }),
                Some(offset) => Value::Time(Time {
                    nanoseconds,
                    tz_offset_seconds: check_offset(offset)?,
                }),
            }
        }
        CypherValue::CypherDateTime(dt) => date_time_to_value(dt)?,
        CypherValue::CypherDuration {
            months,
            days,
            seconds,
            nanoseconds,
        } => Value::Duration(Duration {
            months,
            days,
            seconds,
            nanoseconds,
        }),
        CypherValue::CypherVector { dtype, data } => {
            let marker = match dtype.as_str() {
                "i8" => marker::INT_8,
                "i16" => marker::INT_16,
                "i32" => marker::INT_32,
                "i64" => marker::INT_64,
                "f32" => marker::FLOAT_32,
                "f64" => marker::FLOAT_64,
                other => return Err(err(format!("unknown CypherVector dtype {other:?}"))),
            };
            Value::Vector(Vector::from_be_bytes(marker, &data).ok_or_else(|| {
                err(format!(
                    "CypherVector data of {} bytes does not fit dtype {dtype}",
                    data.len()
                ))
            })?)
        }
    })
}

/// `what` is not the `want` TestKit type.
fn wrong_type(what: &str, want: &str, got: &CypherValue) -> Error {
    err(format!("{what}: want {want}, got {}", got.type_name()))
}

fn expect_int(v: CypherValue, what: &str) -> Result<i64> {
    match v {
        CypherValue::CypherInt { value } => Ok(value),
        other => Err(wrong_type(what, "CypherInt", &other)),
    }
}

fn expect_string(v: CypherValue, what: &str) -> Result<String> {
    match v {
        CypherValue::CypherString { value } => Ok(value),
        other => Err(wrong_type(what, "CypherString", &other)),
    }
}

fn expect_map(v: CypherValue, what: &str) -> Result<Map> {
    match v {
        CypherValue::CypherMap { value } => to_value_map(value),
        other => Err(wrong_type(what, "CypherMap", &other)),
    }
}

fn expect_list(v: CypherValue, what: &str) -> Result<Vec<CypherValue>> {
    match v {
        CypherValue::CypherList { value } => Ok(value),
        other => Err(wrong_type(what, "CypherList", &other)),
    }
}

fn node_to_value(node: CypherNode) -> Result<Node> {
    Ok(Node {
        id: expect_int(*node.id, "Node.id")?,
        labels: expect_list(*node.labels, "Node.labels")?
            .into_iter()
            .map(|l| expect_string(l, "Node.labels[]"))
            .collect::<Result<_>>()?,
        properties: expect_map(*node.props, "Node.props")?,
        element_id: expect_string(*node.element_id, "Node.elementId")?,
    })
}

fn rel_to_value(rel: CypherRelationship) -> Result<Relationship> {
    Ok(Relationship {
        id: expect_int(*rel.id, "Relationship.id")?,
        start_node_id: expect_int(*rel.start_node_id, "Relationship.startNodeId")?,
        end_node_id: expect_int(*rel.end_node_id, "Relationship.endNodeId")?,
        rel_type: expect_string(*rel.rel_type, "Relationship.type")?,
        properties: expect_map(*rel.props, "Relationship.props")?,
        element_id: expect_string(*rel.element_id, "Relationship.elementId")?,
        start_node_element_id: expect_string(
            *rel.start_node_element_id,
            "Relationship.startNodeElementId",
        )?,
        end_node_element_id: expect_string(
            *rel.end_node_element_id,
            "Relationship.endNodeElementId",
        )?,
    })
}

/// TestKit's path (nodes in walk order, relationships in walk order) to a Bolt path. Nodes
/// and relationships are kept in walk order, not deduplicated.
fn path_to_value(path: CypherPath) -> Result<Path> {
    let nodes = expect_list(*path.nodes, "Path.nodes")?
        .into_iter()
        .map(|n| match n {
            CypherValue::Node(n) => node_to_value(n),
            other => Err(wrong_type("Path.nodes[]", "Node", &other)),
        })
        .collect::<Result<Vec<_>>>()?;
    let rels = expect_list(*path.relationships, "Path.relationships")?
        .into_iter()
        .map(|r| match r {
            CypherValue::Relationship(r) => rel_to_value(r),
            other => Err(wrong_type("Path.relationships[]", "Relationship", &other)),
        })
        .collect::<Result<Vec<_>>>()?;
    if nodes.len() != rels.len() + 1 {
        return Err(err(format!(
            "Path with {} nodes and {} relationships",
            nodes.len(),
            rels.len()
        )));
    }
    let mut indices = Vec::with_capacity(rels.len() * 2);
    let mut relationships = Vec::with_capacity(rels.len());
    for (i, rel) in rels.into_iter().enumerate() {
        let (Some(start), Some(end)) = (nodes.get(i), nodes.get(i + 1)) else {
            return Err(err("Path too short"));
        };
        let forward = rel.start_node_element_id == start.element_id
            && rel.end_node_element_id == end.element_id;
        let backward = rel.start_node_element_id == end.element_id
            && rel.end_node_element_id == start.element_id;
        if !forward && !backward {
            return Err(err(format!(
                "Path relationship {} does not connect its neighbouring nodes",
                rel.element_id
            )));
        }
        let index = i64::try_from(i + 1).map_err(|_| err("Path too long"))?;
        indices.push(if forward { index } else { -index });
        indices.push(index);
        relationships.push(UnboundRelationship {
            id: rel.id,
            rel_type: rel.rel_type,
            properties: rel.properties,
            element_id: rel.element_id,
        });
    }
    Ok(Path {
        nodes,
        relationships,
        indices,
    })
}

fn point_to_value(p: CypherPoint) -> Result<Value> {
    let (srid_2d, srid_3d) = match p.system.as_str() {
        "cartesian" => (SRID_CARTESIAN_2D, SRID_CARTESIAN_3D),
        "wgs84" => (SRID_WGS84_2D, SRID_WGS84_3D),
        other => return Err(err(format!("unknown CypherPoint system {other:?}"))),
    };
    Ok(match p.z {
        None => Value::Point2D(Point2D {
            srid: srid_2d,
            x: p.x,
            y: p.y,
        }),
        Some(z) => Value::Point3D(Point3D {
            srid: srid_3d,
            x: p.x,
            y: p.y,
            z,
        }),
    })
}

fn date_time_to_value(dt: CypherDateTime) -> Result<Value> {
    let days = days_from_civil(dt.year, dt.month, dt.day)?;
    let nanos = nanos_of_day(dt.hour, dt.minute, dt.second, dt.nanosecond)?;
    // Bounded above: |days| ≤ MAX_ABS_DAYS, so this cannot overflow.
    let local_seconds = days * SECONDS_PER_DAY + nanos / NANOS_PER_SECOND;
    let nanoseconds = nanos % NANOS_PER_SECOND;
    Ok(match (dt.utc_offset_s, dt.timezone_id) {
        (None, None) => Value::LocalDateTime(LocalDateTime {
            seconds: local_seconds,
            nanoseconds,
        }),
        (Some(offset), None) => Value::DateTime(DateTime {
            seconds: local_seconds - check_offset(offset)?,
            nanoseconds,
            tz_offset_seconds: offset,
        }),
        (Some(offset), Some(zone)) => Value::DateTimeZoneId(Box::new(DateTimeZoneId::from_utc(
            local_seconds - check_offset(offset)?,
            nanoseconds,
            zone,
        ))),
        (None, Some(zone)) => {
            return Err(err(format!(
                "CypherDateTime in zone {zone:?} without utc_offset_s"
            )))
        }
    })
}

/// Offsets are limited to ±18 hours, as in Neo4j and ISO 8601.
fn check_offset(offset: i64) -> Result<i64> {
    if offset.unsigned_abs() > 18 * 3600 {
        return Err(err(format!("UTC offset {offset}s out of range")));
    }
    Ok(offset)
}

fn nanos_of_day(hour: i64, minute: i64, second: i64, nanosecond: i64) -> Result<i64> {
    if !(0..24).contains(&hour)
        || !(0..60).contains(&minute)
        || !(0..60).contains(&second)
        || !(0..NANOS_PER_SECOND).contains(&nanosecond)
    {
        return Err(err(format!(
            "time {hour}:{minute}:{second}.{nanosecond} out of range"
        )));
    }
    Ok(((hour * 60 + minute) * 60 + second) * NANOS_PER_SECOND + nanosecond)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> Result<i64> {
    if year.unsigned_abs() > MAX_ABS_YEAR.unsigned_abs()
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
    {
        return Err(err(format!("date {year}-{month}-{day} out of range")));
    }
    // Shift the year to start in March so the leap day is the year's last day.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Ok(era * 146_097 + day_of_era - 719_468)
}

/// The proleptic Gregorian date of days since 1970-01-01.
fn civil_from_days(days: i64) -> Result<(i64, i64, i64)> {
    if days.unsigned_abs() > MAX_ABS_DAYS.unsigned_abs() {
        return Err(err(format!("{days} days since the epoch out of range")));
    }
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Ok((year, month, day))
}

// ---------------------------------------------------------------------------------------------
// driver → JSON

/// Converts one driver value to TestKit's encoding.
pub fn to_cypher(value: Value) -> Result<CypherValue> {
    Ok(match value {
        Value::Null => CypherValue::null(),
        Value::Boolean(value) => CypherValue::CypherBool { value },
        Value::Integer(value) => CypherValue::CypherInt { value },
        Value::Float(value) => CypherValue::CypherFloat { value },
        Value::Bytes(value) => CypherValue::CypherBytes { value },
        Value::String(value) => CypherValue::CypherString { value },
        Value::List(items) => {
            CypherValue::list(items.into_iter().map(to_cypher).collect::<Result<_>>()?)
        }
        Value::Map(map) => CypherValue::map(to_cypher_map(map)?),
        Value::Node(node) => CypherValue::Node(node_to_cypher(*node)?),
        Value::Relationship(rel) => CypherValue::Relationship(rel_to_cypher(*rel)?),
        Value::UnboundRelationship(_) => {
            return Err(err(
                "an unbound relationship outside a path has no TestKit form",
            ))
        }
        Value::Path(path) => CypherValue::Path(path_to_cypher(*path)?),
        Value::Date(d) => {
            let (year, month, day) = civil_from_days(d.days)?;
            CypherValue::CypherDate { year, month, day }
        }
        Value::Time(t) => {
            let (hour, minute, second, nanosecond) = split_time(t.nanoseconds)?;
            CypherValue::CypherTime {
                hour,
                minute,
                second,
                nanosecond,
                utc_offset_s: Some(t.tz_offset_seconds),
            }
        }
        Value::LocalTime(t) => {
            let (hour, minute, second, nanosecond) = split_time(t.nanoseconds)?;
            CypherValue::CypherTime {
                hour,
                minute,
                second,
                nanosecond,
                utc_offset_s: None,
            }
        }
        Value::DateTime(dt) => {
            let local = dt
                .seconds
                .checked_add(dt.tz_offset_seconds)
                .ok_or_else(|| err("DateTime seconds overflow"))?;
            CypherValue::CypherDateTime(date_time_to_cypher(
                local,
                dt.nanoseconds,
                Some(dt.tz_offset_seconds),
                None,
            )?)
        }
        Value::DateTimeZoneId(dt) => {
            let utc = dt
                .utc_seconds()
                .map_err(|e| err(format!("DateTimeZoneId: {e}")))?;
            let local = dt
                .local_seconds()
                .map_err(|e| err(format!("DateTimeZoneId: {e}")))?;
            let offset = local
                .checked_sub(utc)
                .ok_or_else(|| err("DateTimeZoneId seconds overflow"))?;
            CypherValue::CypherDateTime(date_time_to_cypher(
                local,
                dt.nanoseconds,
                Some(offset),
                Some(dt.tz_id),
            )?)
        }
        Value::LocalDateTime(dt) => CypherValue::CypherDateTime(date_time_to_cypher(
            dt.seconds,
            dt.nanoseconds,
            None,
            None,
        )?),
        Value::Duration(d) => CypherValue::CypherDuration {
            months: d.months,
            days: d.days,
            seconds: d.seconds,
            nanoseconds: d.nanoseconds,
        },
        Value::Point2D(p) => CypherValue::CypherPoint(CypherPoint {
            system: system_of(p.srid)?.to_owned(),
            x: p.x,
            y: p.y,
            z: None,
        }),
        Value::Point3D(p) => CypherValue::CypherPoint(CypherPoint {
            system: system_of(p.srid)?.to_owned(),
            x: p.x,
            y: p.y,
            z: Some(p.z),
        }),
        Value::Vector(v) => {
            let dtype = match v.type_marker() {
                marker::INT_8 => "i8",
                marker::INT_16 => "i16",
                marker::INT_32 => "i32",
                marker::INT_64 => "i64",
                marker::FLOAT_32 => "f32",
                marker::FLOAT_64 => "f64",
                other => return Err(err(format!("vector element marker {other:#04x}"))),
            };
            CypherValue::CypherVector {
                dtype: dtype.to_owned(),
                data: v.to_be_bytes(),
            }
        }
        other => return Err(err(format!("no TestKit form for {other:?}"))),
    })
}

/// Converts a map of driver values to TestKit's encoding.
pub fn to_cypher_map(map: Map) -> Result<BTreeMap<String, CypherValue>> {
    map.into_iter()
        .map(|(k, v)| Ok((k, to_cypher(v)?)))
        .collect()
}

fn system_of(srid: i64) -> Result<&'static str> {
    match srid {
        SRID_CARTESIAN_2D | SRID_CARTESIAN_3D => Ok("cartesian"),
        SRID_WGS84_2D | SRID_WGS84_3D => Ok("wgs84"),
        other => Err(err(format!("point SRID {other} has no TestKit system"))),
    }
}

fn split_time(nanos: i64) -> Result<(i64, i64, i64, i64)> {
    if !(0..SECONDS_PER_DAY * NANOS_PER_SECOND).contains(&nanos) {
        return Err(err(format!(
            "time of {nanos}ns since midnight out of range"
        )));
    }
    let seconds = nanos / NANOS_PER_SECOND;
    Ok((
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        nanos % NANOS_PER_SECOND,
    ))
}

fn date_time_to_cypher(
    local_seconds: i64,
    nanoseconds: i64,
    utc_offset_s: Option<i64>,
    timezone_id: Option<String>,
) -> Result<CypherDateTime> {
    if !(0..NANOS_PER_SECOND).contains(&nanoseconds) {
        return Err(err(format!("{nanoseconds} nanoseconds out of range")));
    }
    let (year, month, day) = civil_from_days(local_seconds.div_euclid(SECONDS_PER_DAY))?;
    let (hour, minute, second, _) =
        split_time(local_seconds.rem_euclid(SECONDS_PER_DAY) * NANOS_PER_SECOND)?;
    Ok(CypherDateTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanosecond: nanoseconds,
        utc_offset_s,
        timezone_id,
    })
}

fn node_to_cypher(node: Node) -> Result<CypherNode> {
    Ok(CypherNode {
        id: Box::new(CypherValue::int(node.id)),
        labels: Box::new(CypherValue::list(
            node.labels.into_iter().map(CypherValue::string).collect(),
        )),
        props: Box::new(CypherValue::map(to_cypher_map(node.properties)?)),
        element_id: Box::new(CypherValue::string(node.element_id)),
    })
}

fn rel_to_cypher(rel: Relationship) -> Result<CypherRelationship> {
    Ok(CypherRelationship {
        id: Box::new(CypherValue::int(rel.id)),
        start_node_id: Box::new(CypherValue::int(rel.start_node_id)),
        end_node_id: Box::new(CypherValue::int(rel.end_node_id)),
        rel_type: Box::new(CypherValue::string(rel.rel_type)),
        props: Box::new(CypherValue::map(to_cypher_map(rel.properties)?)),
        element_id: Box::new(CypherValue::string(rel.element_id)),
        start_node_element_id: Box::new(CypherValue::string(rel.start_node_element_id)),
        end_node_element_id: Box::new(CypherValue::string(rel.end_node_element_id)),
    })
}

/// A Bolt path to TestKit's form: nodes in walk order (repeats included), relationships in
/// walk order, each bound to the nodes it connects in its own direction.
fn path_to_cypher(path: Path) -> Result<CypherPath> {
    let segments = path
        .segments()
        .ok_or_else(|| err("malformed path: indices do not fit its nodes and relationships"))?;
    let first = path
        .nodes
        .first()
        .ok_or_else(|| err("malformed path: no nodes"))?;
    let mut nodes = vec![CypherValue::Node(node_to_cypher(first.clone())?)];
    let mut relationships = Vec::with_capacity(segments.len());
    for seg in &segments {
        let (start, end) = if seg.forward {
            (seg.start, seg.end)
        } else {
            (seg.end, seg.start)
        };
        let rel = Relationship {
            id: seg.relationship.id,
            start_node_id: start.id,
            end_node_id: end.id,
            rel_type: seg.relationship.rel_type.clone(),
            properties: seg.relationship.properties.clone(),
            element_id: seg.relationship.element_id.clone(),
            start_node_element_id: start.element_id.clone(),
            end_node_element_id: end.element_id.clone(),
        };
        relationships.push(CypherValue::Relationship(rel_to_cypher(rel)?));
        nodes.push(CypherValue::Node(node_to_cypher(seg.end.clone())?));
    }
    Ok(CypherPath {
        nodes: Box::new(CypherValue::list(nodes)),
        relationships: Box::new(CypherValue::list(relationships)),
    })
}

// ---------------------------------------------------------------------------------------------
// plain JSON (auth token parameters)

/// Converts plain JSON (as in an auth token's `parameters`) to a driver value: numbers that
/// fit an `i64` become integers, other numbers floats.
pub fn plain_json_to_value(json: Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Boolean(b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(s),
        Json::Array(items) => Value::List(items.into_iter().map(plain_json_to_value).collect()),
        Json::Object(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| (k, plain_json_to_value(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days_agree_with_known_dates() {
        for (y, m, d, days) in [
            (1970, 1, 1, 0),
            (1969, 12, 31, -1),
            (2000, 2, 29, 11_016),
            (2024, 3, 1, 19_783),
            (1, 1, 1, -719_162),
            (0, 3, 1, -719_468),
            (-1, 12, 31, -719_529),
        ] {
            assert_eq!(days_from_civil(y, m, d).unwrap(), days, "{y}-{m}-{d}");
            assert_eq!(civil_from_days(days).unwrap(), (y, m, d), "{days}");
        }
    }

    #[test]
    fn civil_days_round_trip_over_centuries() {
        let mut days = days_from_civil(-2000, 1, 1).unwrap();
        let end = days_from_civil(3000, 1, 1).unwrap();
        let mut prev = civil_from_days(days - 1).unwrap();
        while days < end {
            let (y, m, d) = civil_from_days(days).unwrap();
            assert_eq!(days_from_civil(y, m, d).unwrap(), days);
            assert!((y, m, d) > prev);
            prev = (y, m, d);
            days += 7;
        }
    }

    #[test]
    fn invalid_dates_and_times_are_errors() {
        assert!(days_from_civil(2023, 2, 29).is_err());
        assert!(days_from_civil(2024, 13, 1).is_err());
        assert!(days_from_civil(2024, 4, 31).is_err());
        assert!(days_from_civil(i64::MAX, 1, 1).is_err());
        assert!(civil_from_days(i64::MIN).is_err());
        assert!(nanos_of_day(24, 0, 0, 0).is_err());
        assert!(nanos_of_day(0, 0, 0, NANOS_PER_SECOND).is_err());
        assert!(split_time(-1).is_err());
        assert!(check_offset(19 * 3600).is_err());
    }

    #[test]
    fn plain_json_numbers() {
        assert_eq!(plain_json_to_value(serde_json::json!(3)), Value::Integer(3));
        assert_eq!(
            plain_json_to_value(serde_json::json!(1.5)),
            Value::Float(1.5)
        );
        assert_eq!(
            plain_json_to_value(serde_json::json!({"a": [null, true, "x"]})),
            Value::Map(Map::from([(
                "a".to_owned(),
                Value::List(vec![
                    Value::Null,
                    Value::Boolean(true),
                    Value::String("x".into())
                ])
            )]))
        );
    }
}
