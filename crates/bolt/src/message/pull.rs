//! PULL and DISCARD.

use std::io::Write;

use quiver_packstream::{write, Options};

use crate::error::Error;
use crate::message::fields::{write_map, Field};

/// `n` meaning "all remaining records".
pub const ALL: i64 = -1;
/// `qid` meaning "the last query run".
pub const LAST_QUERY: i64 = -1;

/// PULL or DISCARD: fetch (or throw away) up to `n` records of result `qid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pull {
    /// How many records; [`ALL`] for all.
    pub n: i64,
    /// Which result inside a transaction; [`LAST_QUERY`] (left out) for the last.
    pub qid: i64,
}

impl Pull {
    /// All records of the last query.
    pub const ALL: Pull = Pull {
        n: ALL,
        qid: LAST_QUERY,
    };

    /// `n` records of the last query.
    pub fn n(n: i64) -> Self {
        Pull { n, qid: LAST_QUERY }
    }

    pub(crate) fn write<W: Write + ?Sized>(
        &self,
        w: &mut W,
        tag: u8,
        opts: &Options,
    ) -> Result<(), Error> {
        write::write_struct_header(w, tag, 1)?;
        if self.qid == LAST_QUERY {
            write_map(w, &[("n", Field::Int(self.n))], opts)?;
        } else {
            write_map(
                w,
                &[("n", Field::Int(self.n)), ("qid", Field::Int(self.qid))],
                opts,
            )?;
        }
        Ok(())
    }
}

impl Default for Pull {
    fn default() -> Self {
        Pull::ALL
    }
}
