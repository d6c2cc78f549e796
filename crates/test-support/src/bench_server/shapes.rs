//! The result shapes the query text picks, and their records encoded once:
//! every record is a chunked RECORD message laid end to end in one buffer,
//! so a PULL of `n` rows is one slice of it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use quiver_packstream::{write, Result as PsResult};

/// What a query asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// `RETURN 1`: one row, one int.
    Return1,
    /// `INTS n`: rows of one int.
    Ints,
    /// `ROWS n`: int, float, 20-character string, list of 5 ints, map of 3 ints.
    Rows,
    /// `NODES n`: one node per row (a label, 3 properties, an element id).
    Nodes,
    /// `TABLE n`: int, float, 20-character string, date (the Arrow export's
    /// workload, W9).
    Table,
}

impl Shape {
    /// Reads the query text: the shape and its row count, `None` when the
    /// text is none of the known ones.
    pub fn parse(query: &str) -> Option<(Shape, u64)> {
        let query = query.trim();
        if query.eq_ignore_ascii_case("RETURN 1") {
            return Some((Shape::Return1, 1));
        }
        let (word, count) = query.split_once(' ')?;
        let count: u64 = count.trim().parse().ok()?;
        let shape = match word.to_ascii_uppercase().as_str() {
            "INTS" => Shape::Ints,
            "ROWS" => Shape::Rows,
            "NODES" => Shape::Nodes,
            "TABLE" => Shape::Table,
            _ => return None,
        };
        Some((shape, count))
    }

    /// The column names.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Shape::Return1 => &["1"],
            Shape::Ints => &["i"],
            Shape::Rows => &["id", "score", "name", "list", "map"],
            Shape::Nodes => &["n"],
            Shape::Table => &["id", "score", "name", "day"],
        }
    }

    /// Appends row `i`'s values (the record's field list).
    fn encode_row(self, i: i64, bolt5: bool, out: &mut Vec<u8>) -> PsResult<()> {
        match self {
            Shape::Return1 => {
                write::write_list_header(out, 1)?;
                write::write_int(out, 1)
            }
            Shape::Ints => {
                write::write_list_header(out, 1)?;
                write::write_int(out, i)
            }
            Shape::Rows => {
                write::write_list_header(out, 5)?;
                write::write_int(out, i)?;
                write::write_float(out, i as f64 * 0.5)?;
                write::write_string(out, &format!("name-{:015}", i.rem_euclid(1_000_000_000)))?;
                write::write_list_header(out, 5)?;
                for k in 0..5 {
                    write::write_int(out, i.saturating_add(k))?;
                }
                write::write_map_header(out, 3)?;
                for (k, key) in ["a", "b", "c"].into_iter().enumerate() {
                    write::write_string(out, key)?;
                    write::write_int(out, i.saturating_mul(k as i64 + 1))?;
                }
                Ok(())
            }
            Shape::Table => {
                write::write_list_header(out, 4)?;
                write::write_int(out, i)?;
                write::write_float(out, i as f64 * 0.5)?;
                write::write_string(out, &format!("name-{:015}", i.rem_euclid(1_000_000_000)))?;
                // A Cypher DATE: days since 1970-01-01, within 1970..2024.
                write::write_struct_header(out, 0x44, 1)?;
                write::write_int(out, i.rem_euclid(20_000))
            }
            Shape::Nodes => {
                write::write_list_header(out, 1)?;
                write::write_struct_header(out, 0x4E, if bolt5 { 4 } else { 3 })?;
                write::write_int(out, i)?;
                write::write_list_header(out, 1)?;
                write::write_string(out, "Person")?;
                write::write_map_header(out, 3)?;
                write::write_string(out, "name")?;
                write::write_string(out, &format!("person-{i}"))?;
                write::write_string(out, "age")?;
                write::write_int(out, i.rem_euclid(100))?;
                write::write_string(out, "score")?;
                write::write_float(out, i as f64 * 0.25)?;
                if bolt5 {
                    write::write_string(out, &format!("4:bench:{i}"))?;
                }
                Ok(())
            }
        }
    }
}

/// `count` records of one shape, chunked, end to end.
#[derive(Debug)]
pub(crate) struct Encoded {
    bytes: Vec<u8>,
    /// `offsets[k]` is where record `k` starts; one more entry at the end.
    offsets: Vec<usize>,
}

impl Encoded {
    fn build(shape: Shape, bolt5: bool, count: usize) -> Encoded {
        let mut bytes = Vec::new();
        let mut offsets = Vec::with_capacity(count + 1);
        let mut body = Vec::with_capacity(128);
        for i in 0..count {
            offsets.push(bytes.len());
            body.clear();
            body.extend_from_slice(&[0xB1, 0x71]);
            // Writing to a Vec cannot fail for these small, known values.
            if shape.encode_row(i as i64, bolt5, &mut body).is_err() {
                body.truncate(2);
            }
            let size = u16::try_from(body.len()).unwrap_or(u16::MAX);
            bytes.extend_from_slice(&size.to_be_bytes());
            bytes.extend_from_slice(&body[..usize::from(size)]);
            bytes.extend_from_slice(&[0, 0]);
        }
        offsets.push(bytes.len());
        Encoded { bytes, offsets }
    }

    /// How many records it holds.
    pub(crate) fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Records `start..end` as wire bytes (clamped to what it holds).
    pub(crate) fn slice(&self, start: usize, end: usize) -> &[u8] {
        let end = end.min(self.len());
        let start = start.min(end);
        let (Some(&a), Some(&b)) = (self.offsets.get(start), self.offsets.get(end)) else {
            return &[];
        };
        self.bytes.get(a..b).unwrap_or(&[])
    }
}

/// Encoded records per shape and protocol generation, shared by every
/// connection, grown on demand.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    map: Mutex<HashMap<(Shape, bool), Arc<Encoded>>>,
}

/// Records are encoded at least this many at a time.
const MIN_ENCODED: usize = 1024;

impl Cache {
    /// At least `count` records of `shape` (`bolt5`: nodes carry element ids).
    pub(crate) fn get(&self, shape: Shape, bolt5: bool, count: usize) -> Arc<Encoded> {
        let mut map = match self.map.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(found) = map.get(&(shape, bolt5)) {
            if found.len() >= count {
                return Arc::clone(found);
            }
        }
        let encoded = Arc::new(Encoded::build(shape, bolt5, count.max(MIN_ENCODED)));
        map.insert((shape, bolt5), Arc::clone(&encoded));
        encoded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_queries() {
        assert_eq!(Shape::parse("RETURN 1"), Some((Shape::Return1, 1)));
        assert_eq!(Shape::parse("INTS 1000"), Some((Shape::Ints, 1000)));
        assert_eq!(Shape::parse("rows 5"), Some((Shape::Rows, 5)));
        assert_eq!(Shape::parse("NODES 0"), Some((Shape::Nodes, 0)));
        assert_eq!(Shape::parse("TABLE 3"), Some((Shape::Table, 3)));
        assert_eq!(Shape::parse("NODES x"), None);
        assert_eq!(Shape::parse("MATCH (n) RETURN n"), None);
    }

    #[test]
    fn records_decode() {
        let encoded = Encoded::build(Shape::Rows, true, 3);
        assert_eq!(encoded.len(), 3);
        let wire = encoded.slice(1, 2);
        let size = usize::from(u16::from_be_bytes([wire[0], wire[1]]));
        assert_eq!(wire.len(), size + 4);
        let mut de = quiver_packstream::Deserializer::new(&wire[2..2 + size]);
        assert_eq!(de.read_struct_header().unwrap(), (0x71, 1));
        assert_eq!(de.read_list_header().unwrap(), 5);
        assert_eq!(de.read_int().unwrap(), 1);
        assert_eq!(de.read_float().unwrap(), 0.5);
        assert_eq!(de.read_string().unwrap().len(), 20);
        assert_eq!(encoded.slice(2, 10).len(), encoded.slice(2, 3).len());
        assert!(encoded.slice(5, 9).is_empty());
    }

    #[test]
    fn nodes_by_generation() {
        let five = Encoded::build(Shape::Nodes, true, 1);
        let four = Encoded::build(Shape::Nodes, false, 1);
        assert!(five.slice(0, 1).len() > four.slice(0, 1).len());
        let cache = Cache::default();
        assert!(cache.get(Shape::Ints, true, 5000).len() >= 5000);
        assert!(cache.get(Shape::Ints, true, 10).len() >= 5000);
    }
}
