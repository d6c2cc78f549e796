//! BEGIN and the transaction extras BEGIN and auto-commit RUN share.

use std::io::Write;
use std::time::Duration;

use quiver_packstream::{write, Map, Options};

use crate::error::Error;
use crate::message::fields::{write_map, Field};
use crate::message::notifications::NotificationFilter;
use crate::message::tag;
use crate::version::Version;

/// Read or write access.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AccessMode {
    /// Write (the default; not sent on the wire).
    #[default]
    Write,
    /// Read (`mode: "r"`).
    Read,
}

/// The extras of BEGIN and of an auto-commit RUN. Inside an explicit transaction RUN
/// sends an empty extra map: use [`TxExtra::default`].
#[derive(Debug, Clone, Copy, Default)]
pub struct TxExtra<'a> {
    /// Bookmarks to wait for (left out when empty).
    pub bookmarks: &'a [String],
    /// Transaction timeout, sent in whole milliseconds (rounded up).
    pub tx_timeout: Option<Duration>,
    /// Transaction metadata (left out when empty).
    pub tx_metadata: Option<&'a Map>,
    /// Access mode.
    pub mode: AccessMode,
    /// Target database (`None`: the home database).
    pub db: Option<&'a str>,
    /// User to impersonate.
    pub imp_user: Option<&'a str>,
    /// Notification filters for this transaction (5.2+).
    pub notifications: Option<&'a NotificationFilter>,
}

impl<'a> TxExtra<'a> {
    pub(crate) fn write<W: Write + ?Sized>(
        &self,
        w: &mut W,
        version: Version,
        opts: &Options,
    ) -> Result<(), Error> {
        let mut e: Vec<(&str, Field<'_>)> = Vec::new();
        if !self.bookmarks.is_empty() {
            e.push(("bookmarks", Field::StrList(self.bookmarks)));
        }
        if let Some(t) = self.tx_timeout {
            let ms = t.as_nanos().div_ceil(1_000_000);
            e.push((
                "tx_timeout",
                Field::Int(i64::try_from(ms).unwrap_or(i64::MAX)),
            ));
        }
        if let Some(m) = self.tx_metadata.filter(|m| !m.is_empty()) {
            e.push(("tx_metadata", Field::Map(m)));
        }
        if self.mode == AccessMode::Read {
            e.push(("mode", Field::Str("r")));
        }
        if let Some(db) = self.db {
            e.push(("db", Field::Str(db)));
        }
        if let Some(u) = self.imp_user {
            // [bolt-version-bump] impersonation exists from 4.4 on.
            if !version.has_impersonation() {
                return Err(Error::Unsupported {
                    feature: "impersonation",
                    version,
                });
            }
            e.push(("imp_user", Field::Str(u)));
        }
        if let Some(n) = self.notifications {
            n.push_fields(version, &mut e)?;
        }
        write_map(w, &e, opts)?;
        Ok(())
    }
}

/// BEGIN: opens an explicit transaction.
#[derive(Debug, Clone, Copy, Default)]
pub struct Begin<'a> {
    /// The transaction's extras.
    pub extra: TxExtra<'a>,
}

impl Begin<'_> {
    pub(crate) fn write<W: Write + ?Sized>(
        &self,
        w: &mut W,
        version: Version,
        opts: &Options,
    ) -> Result<(), Error> {
        write::write_struct_header(w, tag::BEGIN, 1)?;
        self.extra.write(w, version, opts)
    }
}
