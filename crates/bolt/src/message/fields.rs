//! Writing message maps entry by entry, without building intermediate values.

use std::collections::BTreeSet;
use std::io::Write;

use quiver_packstream::{write, Map, Options, Value};

use crate::agent::BoltAgent;
use crate::message::notifications::NotificationClassification;

/// One map entry's value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Field<'a> {
    Str(&'a str),
    Int(i64),
    StrList(&'a [String]),
    StrSlice(&'a [&'a str]),
    Classifications(&'a BTreeSet<NotificationClassification>),
    Map(&'a Map),
    Agent(&'a BoltAgent),
}

/// Writes a map of `entries`.
pub(crate) fn write_map<W: Write + ?Sized>(
    w: &mut W,
    entries: &[(&str, Field<'_>)],
    opts: &Options,
) -> Result<(), quiver_packstream::Error> {
    write::write_map_header(w, entries.len())?;
    for (k, v) in entries {
        write::write_string(w, k)?;
        write_field(w, v, opts)?;
    }
    Ok(())
}

fn write_field<W: Write + ?Sized>(
    w: &mut W,
    f: &Field<'_>,
    opts: &Options,
) -> Result<(), quiver_packstream::Error> {
    match *f {
        Field::Str(s) => write::write_string(w, s),
        Field::Int(i) => write::write_int(w, i),
        Field::StrList(l) => {
            write::write_list_header(w, l.len())?;
            l.iter().try_for_each(|s| write::write_string(w, s))
        }
        Field::StrSlice(l) => {
            write::write_list_header(w, l.len())?;
            l.iter().try_for_each(|s| write::write_string(w, s))
        }
        Field::Classifications(c) => {
            write::write_list_header(w, c.len())?;
            c.iter()
                .try_for_each(|c| write::write_string(w, c.as_bolt_str()))
        }
        Field::Map(m) => write_value_map(w, m, opts),
        Field::Agent(a) => {
            let mut e: Vec<(&str, Field<'_>)> = Vec::with_capacity(4);
            e.push(("product", Field::Str(&a.product)));
            if let Some(p) = &a.platform {
                e.push(("platform", Field::Str(p)));
            }
            if let Some(l) = &a.language {
                e.push(("language", Field::Str(l)));
            }
            if let Some(d) = &a.language_details {
                e.push(("language_details", Field::Str(d)));
            }
            write_map(w, &e, opts)
        }
    }
}

/// Writes a [`Map`] of values with the connection's options.
pub(crate) fn write_value_map<W: Write + ?Sized>(
    w: &mut W,
    m: &Map,
    opts: &Options,
) -> Result<(), quiver_packstream::Error> {
    write::write_map_header(w, m.len())?;
    for (k, v) in m {
        write::write_string(w, k)?;
        write::write_value_with(w, v, opts)?;
    }
    Ok(())
}

/// A map value from string pairs (for tests and routing contexts).
pub fn string_map<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Map {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
        .collect()
}
