//! The server under test, read from the environment, and its known gaps.

use std::env;
use std::fmt;
use std::io::Write;
use std::process;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use quiver::{AuthToken, Config, Driver};

/// The environment variable that, set to `1`, makes every integration test
/// skip (and say so) when no server is configured.
pub const SKIP_VAR: &str = "QUIVER_SKIP_INTEGRATION";

/// Which Bolt server the suite talks to (`QUIVER_SERVER_KIND`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerKind {
    /// The embedded default: ArcadeDB's Bolt server.
    ArcadeDb,
    /// Neo4j itself.
    Neo4j,
    /// Anything else (`external` or unset): assumed to behave like Neo4j.
    Other(String),
}

impl ServerKind {
    fn parse(kind: &str) -> ServerKind {
        match kind.to_ascii_lowercase().as_str() {
            "arcadedb" => ServerKind::ArcadeDb,
            "neo4j" => ServerKind::Neo4j,
            other => ServerKind::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for ServerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerKind::ArcadeDb => f.write_str("arcadedb"),
            ServerKind::Neo4j => f.write_str("neo4j"),
            ServerKind::Other(k) if k.is_empty() => f.write_str("external"),
            ServerKind::Other(k) => f.write_str(k),
        }
    }
}

/// A feature Neo4j has and a server under test lacks, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Gap {
    /// A connection's database sticks: once a connection has used a database
    /// other than the default, every later query on it runs there, whatever
    /// database it names (measured on ArcadeDB 26.10: neo4j, otherdb, neo4j
    /// on one connection reads neo4j, otherdb, otherdb). Separate connections
    /// per database are isolated.
    DatabaseSticksToConnection,
    /// A DateTime with a fixed offset, stored as a property, comes back as a
    /// LocalDateTime in UTC (as a parameter echo it is right).
    StoredOffsetDateTimeLosesOffset,
    /// No Bolt 5.5 or newer (no GQL status objects, no 5.8 home database
    /// resolution).
    NoBolt55,
    /// EXPLAIN and PROFILE give one opaque operator holding the plan as text
    /// (no operator tree, identifiers or per-operator statistics).
    OpaquePlans,
    /// No notifications (a cartesian product, say) in result summaries.
    NoNotifications,
    /// Transaction timeouts (`TransactionConfig::with_timeout`) are not
    /// enforced.
    NoTransactionTimeout,
    /// No `tx.getMetaData()` procedure to read transaction metadata back.
    NoTransactionMetadataProcedure,
    /// An unknown procedure gives `Neo.DatabaseError.General.UnknownError`,
    /// not `Neo.ClientError.Procedure.ProcedureNotFound`.
    UnknownProcedureIsDatabaseError,
    /// Auto-commit queries leave no bookmark (only explicit transactions and
    /// transaction functions do).
    NoAutoCommitBookmarks,
    /// Malformed bookmarks are accepted instead of refused with
    /// `Neo.ClientError.Transaction.InvalidBookmark`.
    BookmarksNotValidated,
    /// Result summaries do not name the database that ran the query (no
    /// `db` in the final `SUCCESS`).
    NoDatabaseInSummary,
}

impl Gap {
    /// A short stable name, used in messages and reports.
    pub fn name(self) -> &'static str {
        match self {
            Gap::DatabaseSticksToConnection => "database-sticks-to-connection",
            Gap::StoredOffsetDateTimeLosesOffset => "stored-offset-datetime-loses-offset",
            Gap::NoBolt55 => "no-bolt-5.5",
            Gap::OpaquePlans => "opaque-plans",
            Gap::NoNotifications => "no-notifications",
            Gap::NoTransactionTimeout => "no-transaction-timeout",
            Gap::NoTransactionMetadataProcedure => "no-tx-getmetadata",
            Gap::UnknownProcedureIsDatabaseError => "unknown-procedure-is-database-error",
            Gap::BookmarksNotValidated => "bookmarks-not-validated",
            Gap::NoAutoCommitBookmarks => "no-auto-commit-bookmarks",
            Gap::NoDatabaseInSummary => "no-database-in-summary",
        }
    }

    /// What the gap is.
    pub fn description(self) -> &'static str {
        match self {
            Gap::DatabaseSticksToConnection => {
                "once a connection used a non-default database, it never switches back"
            }
            Gap::StoredOffsetDateTimeLosesOffset => {
                "a stored DateTime with a fixed offset comes back as a LocalDateTime in UTC"
            }
            Gap::NoBolt55 => "no Bolt 5.5 or newer",
            Gap::OpaquePlans => {
                "EXPLAIN and PROFILE give one operator holding the plan as text, no tree"
            }
            Gap::NoNotifications => "result summaries carry no notifications",
            Gap::NoTransactionTimeout => "transaction timeouts are not enforced",
            Gap::NoTransactionMetadataProcedure => "no tx.getMetaData() procedure",
            Gap::UnknownProcedureIsDatabaseError => {
                "an unknown procedure is a DatabaseError.General.UnknownError"
            }
            Gap::BookmarksNotValidated => "malformed bookmarks are accepted",
            Gap::NoAutoCommitBookmarks => "auto-commit queries leave no bookmark",
            Gap::NoDatabaseInSummary => "result summaries do not name their database",
        }
    }

    /// The servers known to have this gap.
    fn on(self, kind: &ServerKind) -> bool {
        match kind {
            ServerKind::ArcadeDb => matches!(
                self,
                Gap::DatabaseSticksToConnection
                    | Gap::StoredOffsetDateTimeLosesOffset
                    | Gap::NoBolt55
                    | Gap::NoDatabaseInSummary
                    | Gap::OpaquePlans
                    | Gap::NoNotifications
                    | Gap::NoTransactionTimeout
                    | Gap::NoTransactionMetadataProcedure
                    | Gap::UnknownProcedureIsDatabaseError
                    | Gap::BookmarksNotValidated
                    | Gap::NoAutoCommitBookmarks
            ),
            ServerKind::Neo4j | ServerKind::Other(_) => false,
        }
    }
}

impl fmt::Display for Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.description())
    }
}

/// The Bolt server the suite runs against.
#[derive(Debug, Clone)]
pub struct Server {
    /// `NEO4J_URI`.
    pub uri: String,
    /// `NEO4J_USER`.
    pub user: String,
    /// `NEO4J_PASSWORD`.
    pub password: String,
    /// `QUIVER_SERVER_KIND`.
    pub kind: ServerKind,
}

/// The server named by `NEO4J_URI`, `NEO4J_USER`, `NEO4J_PASSWORD` and
/// `QUIVER_SERVER_KIND`.
///
/// Returns `None` (after saying so on stderr) only when
/// `QUIVER_SKIP_INTEGRATION=1`.
///
/// # Panics
///
/// When `NEO4J_URI` is unset and the suite is not explicitly skipped: the
/// message tells how to run the suite.
pub fn server() -> Option<Server> {
    let Some(uri) = env::var("NEO4J_URI").ok().filter(|u| !u.is_empty()) else {
        if env::var(SKIP_VAR).is_ok_and(|v| v == "1") {
            say(&format!(
                "quiver-tests: skipped ({SKIP_VAR}=1 and no NEO4J_URI)"
            ));
            return None;
        }
        panic!(
            "NEO4J_URI is not set: the integration suite needs a Bolt server.\n\
             Run it with `cargo xtask test --suite integration` (starts the embedded \
             server), or start one with `set -a; eval \"$(cargo xtask server start)\"; \
             set +a` and run `cargo test -p quiver-tests` in that shell.\n\
             To skip these tests on purpose, set {SKIP_VAR}=1."
        );
    };
    Some(Server {
        uri,
        user: env::var("NEO4J_USER").unwrap_or_else(|_| "neo4j".to_owned()),
        password: env::var("NEO4J_PASSWORD").unwrap_or_default(),
        kind: ServerKind::parse(&env::var("QUIVER_SERVER_KIND").unwrap_or_default()),
    })
}

impl Server {
    /// Basic auth with the configured user and password.
    pub fn auth(&self) -> AuthToken {
        AuthToken::basic(&self.user, &self.password)
    }

    /// An async driver with the default configuration.
    pub fn driver(&self) -> Driver {
        self.driver_with(Config::default())
    }

    /// An async driver with `config`.
    pub fn driver_with(&self, config: Config) -> Driver {
        Driver::with_config(&self.uri, self.auth(), config)
            .unwrap_or_else(|e| panic!("cannot build a driver for {}: {e}", self.uri))
    }

    /// A blocking driver with the default configuration.
    pub fn blocking_driver(&self) -> quiver::blocking::Driver {
        quiver::blocking::Driver::new(&self.uri, self.auth())
            .unwrap_or_else(|e| panic!("cannot build a driver for {}: {e}", self.uri))
    }

    /// The same server under a `neo4j://` (routing) URI.
    pub fn routing_uri(&self) -> String {
        match self.uri.split_once("://") {
            Some((scheme, rest)) => {
                let scheme = scheme.replacen("bolt", "neo4j", 1);
                format!("{scheme}://{rest}")
            }
            None => self.uri.clone(),
        }
    }

    /// Whether this is Neo4j (`QUIVER_SERVER_KIND=neo4j`).
    pub fn is_neo4j(&self) -> bool {
        self.kind == ServerKind::Neo4j
    }

    /// Whether the server lacks `gap`. When it does, writes
    /// `skipped on <kind>: <gap>` for `what` to stderr, past the test
    /// harness's capture, so every skipped check shows in the output.
    pub fn lacks(&self, gap: Gap, what: &str) -> bool {
        if !gap.on(&self.kind) {
            return false;
        }
        say(&format!(
            "quiver-tests: skipped on {}: {gap}: {what} (runs in full against Neo4j)",
            self.kind
        ));
        true
    }

    /// Says that `what` is skipped because this server (as set up) lacks
    /// `missing`, found out at run time (a Neo4j Community server has a
    /// single database, say). Written to stderr like [`lacks`](Self::lacks).
    pub fn skipped(&self, missing: &str, what: &str) {
        say(&format!(
            "quiver-tests: skipped on {}: {missing}: {what}",
            self.kind
        ));
    }

    /// A user name no server knows, for wrong-credential tests: Neo4j locks
    /// a user out for a few seconds after 3 failed logins
    /// (`dbms.security.auth_max_failed_attempts`), which would break the
    /// tests running beside them if they all used the real user.
    pub fn unknown_user(&self) -> AuthToken {
        AuthToken::basic("quiver_tests_no_such_user", "not-a-password")
    }
}

/// A name no other test (nor another run) uses: `PREFIX_<pid>_<time>_<n>`,
/// a valid Cypher label, relationship type or property key.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() % 1_000_000_000_000);
    format!("{prefix}_{}_{nanos}_{n}", process::id())
}

/// Writes a line straight to stderr: the test harness captures `eprintln!`
/// but not the stream itself, so gaps show even when tests pass.
fn say(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names_differ_and_are_identifiers() {
        let a = unique("Person");
        let b = unique("Person");
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    }

    #[test]
    fn kinds_parse() {
        assert_eq!(ServerKind::parse("ArcadeDB"), ServerKind::ArcadeDb);
        assert_eq!(ServerKind::parse("neo4j"), ServerKind::Neo4j);
        assert_eq!(
            ServerKind::parse("external"),
            ServerKind::Other("external".into())
        );
    }

    #[test]
    fn gaps_belong_to_arcadedb_only() {
        assert!(Gap::NoBolt55.on(&ServerKind::ArcadeDb));
        assert!(!Gap::NoBolt55.on(&ServerKind::Neo4j));
    }

    #[test]
    fn routing_uri_swaps_the_scheme() {
        let s = Server {
            uri: "bolt+s://h:1".into(),
            user: String::new(),
            password: String::new(),
            kind: ServerKind::Neo4j,
        };
        assert_eq!(s.routing_uri(), "neo4j+s://h:1");
    }
}
