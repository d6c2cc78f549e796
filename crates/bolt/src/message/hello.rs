//! HELLO, LOGON and LOGOFF.

use std::io::Write;

use quiver_packstream::{write, Map, Options};

use crate::agent::BoltAgent;
use crate::auth::AuthToken;
use crate::error::Error;
use crate::message::fields::{write_map, Field};
use crate::message::notifications::NotificationFilter;
use crate::message::tag;
use crate::version::Version;

/// HELLO: opens the session after the handshake.
///
/// Per version (`[bolt-version-bump]`): 4.4 and 5.0 carry the auth token and 4.4 asks
/// for UTC datetimes with `patch_bolt: ["utc"]`; 5.1+ authenticate with LOGON instead;
/// 5.2+ carry notification filters; 5.3+ carry `bolt_agent`.
#[derive(Debug, Clone, Copy)]
pub struct Hello<'a> {
    /// The user agent string.
    pub user_agent: &'a str,
    /// The structured agent (sent from 5.3 on).
    pub bolt_agent: &'a BoltAgent,
    /// The auth token (sent in HELLO before 5.1, ignored from 5.1 on).
    pub auth: Option<&'a AuthToken>,
    /// Routing context for `neo4j://` (server-side routing), `None` for direct.
    pub routing: Option<&'a Map>,
    /// Connection-wide notification filters (5.2+).
    pub notifications: &'a NotificationFilter,
}

impl Hello<'_> {
    pub(crate) fn write<W: Write + ?Sized>(
        &self,
        w: &mut W,
        version: Version,
        opts: &Options,
    ) -> Result<(), Error> {
        let mut e: Vec<(&str, Field<'_>)> = Vec::with_capacity(12);
        e.push(("user_agent", Field::Str(self.user_agent)));
        if let Some(r) = self.routing {
            e.push(("routing", Field::Map(r)));
        }
        // [bolt-version-bump] where the auth token goes.
        if !version.has_logon() {
            if let Some(a) = self.auth {
                a.push_fields(&mut e);
            }
        }
        if version.needs_utc_patch() {
            e.push(("patch_bolt", Field::StrSlice(&["utc"])));
        }
        self.notifications.push_fields(version, &mut e)?;
        if version.has_bolt_agent() {
            e.push(("bolt_agent", Field::Agent(self.bolt_agent)));
        }
        write::write_struct_header(w, tag::HELLO, 1)?;
        write_map(w, &e, opts)?;
        Ok(())
    }
}

/// LOGON (5.1+): authenticates with the token.
pub(crate) fn write_logon<W: Write + ?Sized>(
    w: &mut W,
    auth: &AuthToken,
    version: Version,
    opts: &Options,
) -> Result<(), Error> {
    if !version.has_logon() {
        return Err(Error::Unsupported {
            feature: "LOGON (re-authentication)",
            version,
        });
    }
    let mut e = Vec::with_capacity(5);
    auth.push_fields(&mut e);
    write::write_struct_header(w, tag::LOGON, 1)?;
    write_map(w, &e, opts)?;
    Ok(())
}
