//! ROUTE and TELEMETRY.

use std::io::Write;

use quiver_packstream::{write, Map, Options};

use crate::error::Error;
use crate::message::fields::{write_map, write_value_map, Field};
use crate::message::tag;
use crate::version::Version;

/// ROUTE: asks for the routing table of a database.
#[derive(Debug, Clone, Copy)]
pub struct Route<'a> {
    /// The routing context (the `neo4j://` URL's address and query parameters).
    pub routing: &'a Map,
    /// Bookmarks the table must reflect.
    pub bookmarks: &'a [String],
    /// The database (`None`: the user's home database).
    pub db: Option<&'a str>,
    /// User to impersonate.
    pub imp_user: Option<&'a str>,
}

impl Route<'_> {
    pub(crate) fn write<W: Write + ?Sized>(
        &self,
        w: &mut W,
        version: Version,
        opts: &Options,
    ) -> Result<(), Error> {
        write::write_struct_header(w, tag::ROUTE, 3)?;
        write_value_map(w, self.routing, opts)?;
        write::write_list_header(w, self.bookmarks.len())?;
        for b in self.bookmarks {
            write::write_string(w, b)?;
        }
        // [bolt-version-bump] ROUTE takes an extra map from 4.4 on.
        let mut e: Vec<(&str, Field<'_>)> = Vec::with_capacity(2);
        if let Some(db) = self.db {
            e.push(("db", Field::Str(db)));
        }
        if let Some(u) = self.imp_user {
            if !version.has_impersonation() {
                return Err(Error::Unsupported {
                    feature: "impersonation",
                    version,
                });
            }
            e.push(("imp_user", Field::Str(u)));
        }
        write_map(w, &e, opts)?;
        Ok(())
    }
}

/// Which driver API a TELEMETRY message reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TelemetryApi {
    /// Managed transaction functions (`execute_read`/`execute_write`).
    ManagedTransaction,
    /// Unmanaged (explicit) transactions.
    UnmanagedTransaction,
    /// Auto-commit queries (`session.run`).
    AutoCommit,
    /// `driver.execute_query`.
    ExecuteQuery,
}

impl TelemetryApi {
    /// The integer the protocol sends.
    pub fn code(self) -> i64 {
        match self {
            TelemetryApi::ManagedTransaction => 0,
            TelemetryApi::UnmanagedTransaction => 1,
            TelemetryApi::AutoCommit => 2,
            TelemetryApi::ExecuteQuery => 3,
        }
    }
}

pub(crate) fn write_telemetry<W: Write + ?Sized>(
    w: &mut W,
    api: TelemetryApi,
    version: Version,
) -> Result<(), Error> {
    // [bolt-version-bump] TELEMETRY exists from 5.4 on.
    if !version.has_telemetry() {
        return Err(Error::Unsupported {
            feature: "TELEMETRY",
            version,
        });
    }
    write::write_struct_header(w, tag::TELEMETRY, 1)?;
    write::write_int(w, api.code())?;
    Ok(())
}
