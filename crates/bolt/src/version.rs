//! Bolt protocol versions and what each one can do.
//!
//! Every place that changes when a protocol version is added carries the grep tag
//! `[bolt-version-bump]`.

use std::fmt;

/// A Bolt protocol version, `major.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Major version.
    pub major: u8,
    /// Minor version.
    pub minor: u8,
}

impl Version {
    /// Bolt 4.4 (Neo4j 4.4).
    pub const V4_4: Version = Version::new(4, 4);
    /// Bolt 5.0 (Neo4j 5.0).
    pub const V5_0: Version = Version::new(5, 0);
    /// Bolt 5.1: LOGON/LOGOFF.
    pub const V5_1: Version = Version::new(5, 1);
    /// Bolt 5.2: notification filters.
    pub const V5_2: Version = Version::new(5, 2);
    /// Bolt 5.3: `bolt_agent`.
    pub const V5_3: Version = Version::new(5, 3);
    /// Bolt 5.4: TELEMETRY.
    pub const V5_4: Version = Version::new(5, 4);
    /// Bolt 5.5: never offered by a server, handled like 5.6.
    pub const V5_5: Version = Version::new(5, 5);
    /// Bolt 5.6: GQL statuses.
    pub const V5_6: Version = Version::new(5, 6);
    /// Bolt 5.7: GQL errors, manifest handshake.
    pub const V5_7: Version = Version::new(5, 7);
    /// Bolt 5.8: resolved home database in BEGIN/RUN replies.
    pub const V5_8: Version = Version::new(5, 8);
    /// Bolt 6.0: vector and unsupported types.
    pub const V6_0: Version = Version::new(6, 0);
    /// Bolt 6.1: the UUID type.
    pub const V6_1: Version = Version::new(6, 1);

    /// Every version this crate speaks, newest first.
    // [bolt-version-bump] add the new version here.
    pub const SUPPORTED: &'static [Version] = &[
        Version::V6_1,
        Version::V6_0,
        Version::V5_8,
        Version::V5_7,
        Version::V5_6,
        Version::V5_5,
        Version::V5_4,
        Version::V5_3,
        Version::V5_2,
        Version::V5_1,
        Version::V5_0,
        Version::V4_4,
    ];

    /// A version from its parts.
    pub const fn new(major: u8, minor: u8) -> Self {
        Version { major, minor }
    }

    /// Whether this crate speaks the version.
    pub fn is_supported(self) -> bool {
        Version::SUPPORTED.contains(&self)
    }

    /// The version as the 4 handshake bytes `[0, 0, minor, major]`.
    pub const fn to_handshake_bytes(self) -> [u8; 4] {
        [0, 0, self.minor, self.major]
    }

    // ---- capabilities. [bolt-version-bump] check each one for a new version. ----

    /// Authentication travels in LOGON (5.1+) rather than in HELLO.
    pub fn has_logon(self) -> bool {
        self >= Version::V5_1
    }
    /// HELLO carries `patch_bolt: ["utc"]` to ask for UTC datetimes (4.4 only).
    pub fn needs_utc_patch(self) -> bool {
        self == Version::V4_4
    }
    /// Datetimes are UTC based by default (5.0+).
    pub fn has_utc_datetimes(self) -> bool {
        self >= Version::V5_0
    }
    /// Nodes, relationships and paths carry element ids (5.0+).
    pub fn has_element_ids(self) -> bool {
        self >= Version::V5_0
    }
    /// Notification filters in HELLO, BEGIN and RUN (5.2+).
    pub fn has_notification_filters(self) -> bool {
        self >= Version::V5_2
    }
    /// The disabled notification filter key is `notifications_disabled_classifications`
    /// (5.5+) instead of `notifications_disabled_categories`.
    pub fn uses_disabled_classifications(self) -> bool {
        self >= Version::V5_5
    }
    /// HELLO carries a `bolt_agent` map (5.3+).
    pub fn has_bolt_agent(self) -> bool {
        self >= Version::V5_3
    }
    /// The TELEMETRY message exists (5.4+).
    pub fn has_telemetry(self) -> bool {
        self >= Version::V5_4
    }
    /// Summaries carry GQL statuses (5.6+; 5.5 too, never offered by servers).
    pub fn has_gql_statuses(self) -> bool {
        self >= Version::V5_5
    }
    /// FAILURE carries GQL error fields and a `cause` chain (5.7+).
    pub fn has_gql_errors(self) -> bool {
        self >= Version::V5_7
    }
    /// BEGIN/RUN replies carry the resolved home database, `db` (5.8+).
    pub fn has_resolved_db(self) -> bool {
        self >= Version::V5_8
    }
    /// Vector and unsupported-type structures may appear in records (6.0+).
    pub fn has_vector_types(self) -> bool {
        self >= Version::V6_0
    }
    /// UUIDs may appear in records and parameters (6.1+).
    pub fn has_uuid(self) -> bool {
        self >= Version::V6_1
    }
    /// Impersonation (`imp_user`) in BEGIN, RUN and ROUTE (4.4+: every supported version).
    pub fn has_impersonation(self) -> bool {
        self >= Version::V4_4
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_and_capabilities() {
        assert!(Version::V4_4 < Version::V5_0);
        assert!(Version::V5_8 < Version::V6_0);
        assert!(Version::V6_1.has_uuid() && !Version::V6_0.has_uuid());
        assert!(!Version::V5_0.has_logon());
        assert!(Version::V5_1.has_logon());
        assert!(Version::V4_4.needs_utc_patch());
        assert!(!Version::V5_0.needs_utc_patch());
        assert!(!Version::V5_4.uses_disabled_classifications());
        assert!(Version::V5_6.uses_disabled_classifications());
        assert!(Version::V5_7.has_gql_errors());
        assert!(!Version::V5_6.has_gql_errors());
        assert_eq!(Version::V5_8.to_string(), "5.8");
        assert_eq!(Version::V5_8.to_handshake_bytes(), [0, 0, 8, 5]);
        assert!(!Version::new(5, 9).is_supported());
    }
}
