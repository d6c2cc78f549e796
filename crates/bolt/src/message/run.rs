//! RUN.

use std::io::Write;

use quiver_packstream::{write, Map, Options};

use crate::error::Error;
use crate::message::fields::write_value_map;
use crate::message::tag;
use crate::message::tx::TxExtra;
use crate::version::Version;

/// Query parameters.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub enum Params<'a> {
    /// No parameters (`{}`).
    #[default]
    None,
    /// A map of values.
    Map(&'a Map),
    /// A PackStream map the caller encoded already (e.g. straight from a `Serialize`
    /// type), written as is. It must be exactly one PackStream map.
    Encoded(&'a [u8]),
}

/// RUN: runs a query, auto-commit (with extras) or inside a transaction (empty extras).
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    /// The query text.
    pub query: &'a str,
    /// Its parameters.
    pub params: Params<'a>,
    /// Auto-commit extras; [`TxExtra::default`] inside a transaction.
    pub extra: TxExtra<'a>,
}

impl<'a> Run<'a> {
    /// A RUN with no parameters and no extras.
    pub fn new(query: &'a str) -> Self {
        Run {
            query,
            params: Params::None,
            extra: TxExtra::default(),
        }
    }

    pub(crate) fn write<W: Write + ?Sized>(
        &self,
        w: &mut W,
        version: Version,
        opts: &Options,
    ) -> Result<(), Error> {
        write::write_struct_header(w, tag::RUN, 3)?;
        write::write_string(w, self.query)?;
        match self.params {
            Params::None => write::write_map_header(w, 0)?,
            Params::Map(m) => write_value_map(w, m, opts)?,
            Params::Encoded(b) => {
                if !b
                    .first()
                    .is_some_and(|m| matches!(m, 0xA0..=0xAF | 0xD8..=0xDA))
                {
                    return Err(Error::Config(
                        "encoded parameters are not a PackStream map".into(),
                    ));
                }
                w.write_all(b).map_err(Error::Io)?
            }
        }
        self.extra.write(w, version, opts)
    }
}
