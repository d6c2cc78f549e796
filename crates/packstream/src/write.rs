//! Hand encoding: one function per PackStream value kind, each writing the
//! shortest encoding.
//!
//! The Bolt message layer uses these to write messages without building
//! intermediate [`Value`](crate::Value)s:
//!
//! ```
//! use quiver_packstream::write;
//!
//! // RUN "RETURN 1" {} {}
//! let mut buf = Vec::new();
//! write::write_struct_header(&mut buf, 0x10, 3)?;
//! write::write_string(&mut buf, "RETURN 1")?;
//! write::write_map_header(&mut buf, 0)?;
//! write::write_map_header(&mut buf, 0)?;
//! assert_eq!(&buf[..3], &[0xB3, 0x10, 0x88]);
//! # Ok::<(), quiver_packstream::Error>(())
//! ```

use std::io::Write;

use crate::error::{Error, Result};
use crate::marker::*;

/// Writes `Null`.
#[inline]
pub fn write_null<W: Write + ?Sized>(w: &mut W) -> Result<()> {
    w.write_all(&[NULL])?;
    Ok(())
}

/// Writes a boolean.
#[inline]
pub fn write_bool<W: Write + ?Sized>(w: &mut W, v: bool) -> Result<()> {
    w.write_all(&[if v { TRUE } else { FALSE }])?;
    Ok(())
}

/// Writes an integer in the shortest of its five encodings.
#[inline]
pub fn write_int<W: Write + ?Sized>(w: &mut W, v: i64) -> Result<()> {
    if (-16..=127).contains(&v) {
        w.write_all(&[v as u8])?;
    } else if (-128..=-17).contains(&v) {
        w.write_all(&[INT_8, v as u8])?;
    } else if let Ok(v) = i16::try_from(v) {
        let b = v.to_be_bytes();
        w.write_all(&[INT_16, b[0], b[1]])?;
    } else if let Ok(v) = i32::try_from(v) {
        let b = v.to_be_bytes();
        w.write_all(&[INT_32, b[0], b[1], b[2], b[3]])?;
    } else {
        let mut buf = [INT_64; 9];
        buf[1..].copy_from_slice(&v.to_be_bytes());
        w.write_all(&buf)?;
    }
    Ok(())
}

/// Writes a 64-bit float.
#[inline]
pub fn write_float<W: Write + ?Sized>(w: &mut W, v: f64) -> Result<()> {
    let mut buf = [FLOAT_64; 9];
    buf[1..].copy_from_slice(&v.to_be_bytes());
    w.write_all(&buf)?;
    Ok(())
}

/// Writes a size header: the tiny form for sizes below 16 when `tiny` is
/// given, else the 8-, 16- or 32-bit form.
#[inline(always)]
fn write_header<W: Write + ?Sized>(
    w: &mut W,
    len: usize,
    tiny: Option<u8>,
    markers: [u8; 3],
    what: &'static str,
) -> Result<()> {
    match (tiny, len) {
        (Some(t), 0..=15) => w.write_all(&[t | len as u8])?,
        (_, 0..=0xFF) => w.write_all(&[markers[0], len as u8])?,
        _ => write_long_header(w, len, markers, what)?,
    }
    Ok(())
}

fn write_long_header<W: Write + ?Sized>(
    w: &mut W,
    len: usize,
    markers: [u8; 3],
    what: &'static str,
) -> Result<()> {
    if let Ok(l) = u16::try_from(len) {
        let b = l.to_be_bytes();
        w.write_all(&[markers[1], b[0], b[1]])?;
    } else if let Ok(l) = u32::try_from(len) {
        let b = l.to_be_bytes();
        w.write_all(&[markers[2], b[0], b[1], b[2], b[3]])?;
    } else {
        return Err(Error::unrepresentable(format!(
            "{what} of length {len} exceeds the 32-bit size limit"
        )));
    }
    Ok(())
}

/// Writes a string header for `len` bytes; the UTF-8 bytes must follow.
#[inline]
pub fn write_string_header<W: Write + ?Sized>(w: &mut W, len: usize) -> Result<()> {
    write_header(
        w,
        len,
        Some(TINY_STRING),
        [STRING_8, STRING_16, STRING_32],
        "string",
    )
}

/// Writes a string.
#[inline]
pub fn write_string<W: Write + ?Sized>(w: &mut W, v: &str) -> Result<()> {
    write_string_header(w, v.len())?;
    w.write_all(v.as_bytes())?;
    Ok(())
}

/// Writes a byte array (bytes have no tiny form).
#[inline]
pub fn write_bytes<W: Write + ?Sized>(w: &mut W, v: &[u8]) -> Result<()> {
    write_header(
        w,
        v.len(),
        None,
        [BYTES_8, BYTES_16, BYTES_32],
        "byte array",
    )?;
    w.write_all(v)?;
    Ok(())
}

/// Writes a list header; `len` values must follow.
#[inline]
pub fn write_list_header<W: Write + ?Sized>(w: &mut W, len: usize) -> Result<()> {
    write_header(w, len, Some(TINY_LIST), [LIST_8, LIST_16, LIST_32], "list")
}

/// Writes a map header; `len` key-value pairs (string keys) must follow.
#[inline]
pub fn write_map_header<W: Write + ?Sized>(w: &mut W, len: usize) -> Result<()> {
    write_header(w, len, Some(TINY_MAP), [MAP_8, MAP_16, MAP_32], "map")
}

/// Writes a structure header (marker and tag); `fields` values must follow.
/// Fails for more than 15 fields.
#[inline]
pub fn write_struct_header<W: Write + ?Sized>(w: &mut W, tag: u8, fields: usize) -> Result<()> {
    if fields > MAX_STRUCT_FIELDS {
        return Err(Error::unrepresentable(format!(
            "structure 0x{tag:02X} with {fields} fields (at most {MAX_STRUCT_FIELDS})"
        )));
    }
    w.write_all(&[TINY_STRUCT | fields as u8, tag])?;
    Ok(())
}

/// Writes a UUID (PackStream v2, Bolt 6.1 and later): marker 0xE0 and the 16
/// bytes, most significant first.
#[inline]
pub fn write_uuid<W: Write + ?Sized>(w: &mut W, v: &[u8; 16]) -> Result<()> {
    let mut buf = [UUID; 17];
    buf[1..].copy_from_slice(v);
    w.write_all(&buf)?;
    Ok(())
}

/// Writes a [`Value`](crate::Value) with the default [`Options`](crate::Options).
pub fn write_value<W: Write + ?Sized>(w: &mut W, v: &crate::Value) -> Result<()> {
    write_value_with(w, v, &crate::Options::default())
}

/// Writes a [`Value`](crate::Value) with the given [`Options`](crate::Options).
pub fn write_value_with<W: Write + ?Sized>(
    w: &mut W,
    v: &crate::Value,
    options: &crate::Options,
) -> Result<()> {
    use crate::Value;
    use serde::Serialize;
    // The common kinds straight to bytes (what serde would write, without
    // its machinery: parameter batches are mostly these); structures through
    // serde, which knows each one's encoding per protocol version.
    match v {
        Value::Null => write_null(w),
        Value::Boolean(b) => write_bool(w, *b),
        Value::Integer(i) => write_int(w, *i),
        Value::Float(f) => write_float(w, *f),
        Value::String(s) => write_string(w, s),
        Value::Bytes(b) => write_bytes(w, b),
        Value::List(items) => {
            write_list_header(w, items.len())?;
            items
                .iter()
                .try_for_each(|item| write_value_with(w, item, options))
        }
        Value::Map(map) => {
            write_map_header(w, map.len())?;
            map.iter().try_for_each(|(k, item)| {
                write_string(w, k)?;
                write_value_with(w, item, options)
            })
        }
        Value::Date(d) => {
            write_struct_header(w, crate::structure::tag::DATE, 1)?;
            write_int(w, d.days)
        }
        other => other.serialize(&mut crate::Serializer::with_options(w, options)),
    }
}
