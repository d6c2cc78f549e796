//! Bolt messages as typed values (no IO).
//!
//! Requests borrow their data ([`Request`]) and encode straight into the write buffer
//! with the negotiated version's fields; replies decode into [`Response`]. Every
//! version-dependent place carries the grep tag `[bolt-version-bump]`.

pub(crate) mod fields;
mod hello;
pub(crate) mod log;
mod notifications;
mod pull;
mod response;
mod route;
mod run;
mod tx;

use std::io::Write;

use quiver_packstream::{write, Options};

pub use fields::string_map;
pub use hello::Hello;
pub use notifications::{MinimumSeverity, NotificationClassification, NotificationFilter};
pub use pull::{Pull, ALL, LAST_QUERY};
pub use response::{Record, RecordFields, Response, Success};
pub use route::{Route, TelemetryApi};
pub use run::{Params, Run};
pub use tx::{AccessMode, Begin, TxExtra};

use crate::auth::AuthToken;
use crate::error::Error;
use crate::state::RequestKind;
use crate::version::Version;

/// Message tags (the PackStream structure signatures).
pub mod tag {
    /// HELLO.
    pub const HELLO: u8 = 0x01;
    /// GOODBYE.
    pub const GOODBYE: u8 = 0x02;
    /// RESET.
    pub const RESET: u8 = 0x0F;
    /// RUN.
    pub const RUN: u8 = 0x10;
    /// BEGIN.
    pub const BEGIN: u8 = 0x11;
    /// COMMIT.
    pub const COMMIT: u8 = 0x12;
    /// ROLLBACK.
    pub const ROLLBACK: u8 = 0x13;
    /// DISCARD.
    pub const DISCARD: u8 = 0x2F;
    /// PULL.
    pub const PULL: u8 = 0x3F;
    /// TELEMETRY.
    pub const TELEMETRY: u8 = 0x54;
    /// ROUTE.
    pub const ROUTE: u8 = 0x66;
    /// LOGON.
    pub const LOGON: u8 = 0x6A;
    /// LOGOFF.
    pub const LOGOFF: u8 = 0x6B;
    /// SUCCESS.
    pub const SUCCESS: u8 = 0x70;
    /// RECORD.
    pub const RECORD: u8 = 0x71;
    /// IGNORED.
    pub const IGNORED: u8 = 0x7E;
    /// FAILURE.
    pub const FAILURE: u8 = 0x7F;
}

/// A request the client sends.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Request<'a> {
    /// HELLO.
    Hello(Hello<'a>),
    /// LOGON (5.1+).
    Logon(&'a AuthToken),
    /// LOGOFF (5.1+).
    Logoff,
    /// BEGIN.
    Begin(Begin<'a>),
    /// RUN.
    Run(Run<'a>),
    /// PULL.
    Pull(Pull),
    /// DISCARD.
    Discard(Pull),
    /// COMMIT.
    Commit,
    /// ROLLBACK.
    Rollback,
    /// RESET.
    Reset,
    /// GOODBYE.
    Goodbye,
    /// ROUTE.
    Route(Route<'a>),
    /// TELEMETRY (5.4+).
    Telemetry(TelemetryApi),
}

impl Request<'_> {
    /// Which request this is.
    pub fn kind(&self) -> RequestKind {
        match self {
            Request::Hello(_) => RequestKind::Hello,
            Request::Logon(_) => RequestKind::Logon,
            Request::Logoff => RequestKind::Logoff,
            Request::Begin(_) => RequestKind::Begin,
            Request::Run(_) => RequestKind::Run,
            Request::Pull(_) => RequestKind::Pull,
            Request::Discard(_) => RequestKind::Discard,
            Request::Commit => RequestKind::Commit,
            Request::Rollback => RequestKind::Rollback,
            Request::Reset => RequestKind::Reset,
            Request::Goodbye => RequestKind::Goodbye,
            Request::Route(_) => RequestKind::Route,
            Request::Telemetry(_) => RequestKind::Telemetry,
        }
    }

    /// Writes the message body (a PackStream structure, not yet chunked) for `version`.
    pub fn write<W: Write + ?Sized>(
        &self,
        w: &mut W,
        version: Version,
        opts: &Options,
    ) -> Result<(), Error> {
        match self {
            Request::Hello(h) => h.write(w, version, opts),
            Request::Logon(a) => hello::write_logon(w, a, version, opts),
            Request::Logoff => {
                if !version.has_logon() {
                    return Err(Error::Unsupported {
                        feature: "LOGOFF (re-authentication)",
                        version,
                    });
                }
                empty(w, tag::LOGOFF)
            }
            Request::Begin(b) => b.write(w, version, opts),
            Request::Run(r) => r.write(w, version, opts),
            Request::Pull(p) => p.write(w, tag::PULL, opts),
            Request::Discard(p) => p.write(w, tag::DISCARD, opts),
            Request::Commit => empty(w, tag::COMMIT),
            Request::Rollback => empty(w, tag::ROLLBACK),
            Request::Reset => empty(w, tag::RESET),
            Request::Goodbye => empty(w, tag::GOODBYE),
            Request::Route(r) => r.write(w, version, opts),
            Request::Telemetry(api) => route::write_telemetry(w, *api, version),
        }
    }

    /// The message body as bytes (convenient for tests and logs).
    pub fn to_vec(&self, version: Version) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        let opts = options_for(version, version.needs_utc_patch());
        self.write(&mut out, version, &opts)?;
        Ok(out)
    }
}

fn empty<W: Write + ?Sized>(w: &mut W, tag: u8) -> Result<(), Error> {
    write::write_struct_header(w, tag, 0)?;
    Ok(())
}

/// The PackStream options for a version (and whether a 4.4 server accepted the UTC patch).
pub fn options_for(version: Version, utc_patch: bool) -> Options {
    // [bolt-version-bump] PackStream options follow the version.
    Options::for_bolt(version.major, version.minor, utc_patch)
}

#[cfg(test)]
mod tests;
