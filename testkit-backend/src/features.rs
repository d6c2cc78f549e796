//! What the backend tells TestKit about the driver: the feature list (`GetFeatures`) and which
//! tests to skip (`StartTest`/`StartSubTest`), kept as data.
//!
//! # Extending
//! * A feature goes into [`FEATURES`] only when the backend serves every request it implies
//!   against the real driver (TestKit runs the tests needing it and they must pass). Every
//!   entry must be in [`KNOWN_FEATURES`]: TestKit turns each string into its `Feature` enum and
//!   an unknown one makes every test error (a test checks this).
//! * When TestKit is upgraded and knows newer flags (`Feature:Bolt:6.0`, `Feature:API:Type.Vector`,
//!   ...), add them to [`KNOWN_FEATURES`] first.
//! * A skip goes into [`SKIPS`] with a reason that says why the test does not apply to Quiver
//!   (not "fails"): a [`Pattern`] on the dotted test id, most specific first.
//! * A test whose subtests need deciding one by one goes into [`SUBTESTS`] with a function that
//!   looks at the subtest's arguments.

use serde_json::{Map, Value as Json};

use crate::responses::Response;

/// The features the backend advertises: every one is known to both targeted TestKit
/// snapshots (official 5.0 `0c5fb949` and the fork `e2187cbf`), implemented by Quiver and
/// served end to end by the backend.
///
/// Evidence, beyond the facade's own tests: the backend's stub tests (`tests/driver_stub.rs`,
/// `tests/callbacks_stub.rs`) play each request group; `tests/optimizations_stub.rs` plays one
/// strict script in the shape of TestKit's optimization scripts (a single connection, no RESET,
/// RUN+PULL and BEGIN+RUN+PULL pipelined, default arguments left out), plus the liveness check
/// under fake time and the acquisition timeout.
pub const FEATURES: &[&str] = &[
    // API
    "Feature:API:BookmarkManager",
    "Feature:API:ConnectionAcquisitionTimeout",
    "Feature:API:Driver.ExecuteQuery",
    "Feature:API:Driver.ExecuteQuery:WithAuth",
    "Feature:API:Driver:GetServerInfo",
    "Feature:API:Driver.IsEncrypted",
    "Feature:API:Driver:NotificationsConfig",
    "Feature:API:Driver.VerifyAuthentication",
    "Feature:API:Driver.VerifyConnectivity",
    "Feature:API:Driver.SupportsSessionAuth",
    "Feature:API:Liveness.Check",
    "Feature:API:Result.List",
    "Feature:API:Result.Peek",
    "Feature:API:Result.Single",
    "Feature:API:Result.SingleOptional",
    "Feature:API:RetryableExceptions",
    "Feature:API:Session:AuthConfig",
    "Feature:API:Session:NotificationsConfig",
    "Feature:API:SSLConfig",
    "Feature:API:SSLSchemes",
    "Feature:API:Summary:GqlStatusObjects",
    "Feature:API:Type.Spatial",
    "Feature:API:Type.Temporal",
    // auth
    "Feature:Auth:Bearer",
    "Feature:Auth:Custom",
    "Feature:Auth:Kerberos",
    "Feature:Auth:Managed",
    // Bolt: the versions quiver-bolt negotiates that TestKit has scripts for
    "Feature:Bolt:4.4",
    "Feature:Bolt:5.0",
    "Feature:Bolt:5.1",
    "Feature:Bolt:5.2",
    "Feature:Bolt:5.3",
    "Feature:Bolt:5.4",
    "Feature:Bolt:5.6",
    "Feature:Bolt:5.7",
    "Feature:Bolt:Patch:UTC",
    // other
    "AuthorizationExpiredTreatment",
    "Feature:Impersonation",
    "Feature:TLS:1.2",
    "Feature:TLS:1.3",
    // optimizations
    "Optimization:AuthPipelining",
    "Optimization:EagerTransactionBegin",
    "Optimization:ConnectionReuse",
    "Optimization:ExecuteQueryPipelining",
    "Optimization:ImplicitDefaultArguments",
    "Optimization:MinimalBookmarksSet",
    "Optimization:MinimalResets",
    "Optimization:MinimalVerifyAuthentication",
    "Optimization:PullPipelining",
    "Optimization:ResultListFetchAll",
    // implementation details
    "Detail:ClosedDriverIsEncrypted",
    // configuration hints
    "ConfHint:connection.recv_timeout_seconds",
    // backend test hooks
    "Backend:MockTime",
    "Backend:RTFetch",
    "Backend:RTForceUpdate",
];

/// Features Quiver implements that only the fork (`robsdedude/testkit`, `e2187cbf`) knows:
/// advertised only when the environment variable [`FORK_FEATURES_ENV`] is `1`, since the
/// official 5.0 TestKit fails every test on an unknown feature string.
pub const FORK_FEATURES: &[&str] = &[
    "Feature:API:Driver:MaxConnectionLifetime",
    "Feature:Bolt:5.8",
    "Feature:Bolt:HandshakeManifestV1",
    "Optimization:HomeDatabaseCache",
    "Optimization:HomeDbCacheBasicPrincipalIsImpersonatedUser",
];

/// The environment variable that adds [`FORK_FEATURES`] to the advertised list.
pub const FORK_FEATURES_ENV: &str = "QUIVER_TESTKIT_FORK";

/// The feature list `GetFeatures` answers with: [`FEATURES`], plus [`FORK_FEATURES`] when
/// `fork` is set.
pub fn advertised(fork: bool) -> Vec<&'static str> {
    let mut list = FEATURES.to_vec();
    if fork {
        list.extend_from_slice(FORK_FEATURES);
    }
    list
}

/// Known features left out on purpose, and why (every [`KNOWN_FEATURES`] entry is in exactly
/// one of [`FEATURES`], [`FORK_FEATURES`] and this table; a test checks it).
pub const NOT_ADVERTISED: &[(&str, &str)] = &[
    (
        "Feature:API:SSLClientCertificate",
        "static client certificates work, but TestKit's tests under this flag also rotate \
         them through a ClientCertificateProvider, which quiver cannot do (it loads a \
         driver's certificate once)",
    ),
    ("Feature:Bolt:3.0", "quiver speaks Bolt 4.4 and newer only"),
    ("Feature:Bolt:4.1", "quiver speaks Bolt 4.4 and newer only"),
    ("Feature:Bolt:4.2", "quiver speaks Bolt 4.4 and newer only"),
    ("Feature:Bolt:4.3", "quiver speaks Bolt 4.4 and newer only"),
    (
        "Feature:Bolt:5.5",
        "withdrawn version: no server offers it and TestKit has no 5.5 scripts",
    ),
    ("Feature:TLS:1.1", "rustls supports TLS 1.2 and 1.3 only"),
    (
        "Detail:DefaultSecurityConfigValueEquality",
        "quiver refuses any explicit encrypted/trust setting with a +s/+ssc URI, even one \
         equal to the default",
    ),
    ("Detail:NumberIsNumber", "Rust tells integers from floats"),
];

/// Every feature string the targeted TestKit versions know (fork `e2187cbf`: 69 values;
/// official 5.0 `0c5fb949` lacks the five marked "fork only").
pub const KNOWN_FEATURES: &[&str] = &[
    // API
    "Feature:API:BookmarkManager",
    "Feature:API:ConnectionAcquisitionTimeout",
    "Feature:API:Driver.ExecuteQuery",
    "Feature:API:Driver.ExecuteQuery:WithAuth",
    "Feature:API:Driver:GetServerInfo",
    "Feature:API:Driver.IsEncrypted",
    "Feature:API:Driver:MaxConnectionLifetime", // fork only
    "Feature:API:Driver:NotificationsConfig",
    "Feature:API:Driver.VerifyAuthentication",
    "Feature:API:Driver.VerifyConnectivity",
    "Feature:API:Driver.SupportsSessionAuth",
    "Feature:API:Liveness.Check",
    "Feature:API:Result.List",
    "Feature:API:Result.Peek",
    "Feature:API:Result.Single",
    "Feature:API:Result.SingleOptional",
    "Feature:API:RetryableExceptions",
    "Feature:API:Session:AuthConfig",
    "Feature:API:Session:NotificationsConfig",
    "Feature:API:SSLClientCertificate",
    "Feature:API:SSLConfig",
    "Feature:API:SSLSchemes",
    "Feature:API:Summary:GqlStatusObjects",
    "Feature:API:Type.Spatial",
    "Feature:API:Type.Temporal",
    // auth
    "Feature:Auth:Bearer",
    "Feature:Auth:Custom",
    "Feature:Auth:Kerberos",
    "Feature:Auth:Managed",
    // Bolt
    "Feature:Bolt:3.0",
    "Feature:Bolt:4.1",
    "Feature:Bolt:4.2",
    "Feature:Bolt:4.3",
    "Feature:Bolt:4.4",
    "Feature:Bolt:5.0",
    "Feature:Bolt:5.1",
    "Feature:Bolt:5.2",
    "Feature:Bolt:5.3",
    "Feature:Bolt:5.4",
    "Feature:Bolt:5.5",
    "Feature:Bolt:5.6",
    "Feature:Bolt:5.7",
    "Feature:Bolt:5.8",                 // fork only
    "Feature:Bolt:HandshakeManifestV1", // fork only
    "Feature:Bolt:Patch:UTC",
    // other
    "Feature:Impersonation",
    "Feature:TLS:1.1",
    "Feature:TLS:1.2",
    "Feature:TLS:1.3",
    // optimizations
    "AuthorizationExpiredTreatment",
    "Optimization:AuthPipelining",
    "Optimization:ConnectionReuse",
    "Optimization:EagerTransactionBegin",
    "Optimization:ExecuteQueryPipelining",
    "Optimization:HomeDatabaseCache", // fork only
    "Optimization:HomeDbCacheBasicPrincipalIsImpersonatedUser", // fork only
    "Optimization:ImplicitDefaultArguments",
    "Optimization:MinimalBookmarksSet",
    "Optimization:MinimalResets",
    "Optimization:MinimalVerifyAuthentication",
    "Optimization:PullPipelining",
    "Optimization:ResultListFetchAll",
    // implementation details
    "Detail:ClosedDriverIsEncrypted",
    "Detail:DefaultSecurityConfigValueEquality",
    "Detail:NumberIsNumber",
    // configuration hints
    "ConfHint:connection.recv_timeout_seconds",
    // backend test hooks
    "Backend:MockTime",
    "Backend:RTFetch",
    "Backend:RTForceUpdate",
];

/// How a skip rule matches a dotted test id (no regexes: a plain, reviewable table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// The whole id.
    Exact(&'static str),
    /// Ids starting with this (a module or class: `"stub.routing.test_routing_v3."`).
    Prefix(&'static str),
    /// Ids ending with this (a test method in every parametrised class: `".test_no_notifications"`).
    Suffix(&'static str),
    /// Ids containing this.
    Contains(&'static str),
}

impl Pattern {
    /// Whether `test_name` matches.
    pub fn matches(&self, test_name: &str) -> bool {
        match *self {
            Pattern::Exact(p) => test_name == p,
            Pattern::Prefix(p) => test_name.starts_with(p),
            Pattern::Suffix(p) => test_name.ends_with(p),
            Pattern::Contains(p) => test_name.contains(p),
        }
    }
}

/// One skipped test (or group of tests) and why.
#[derive(Debug, Clone, Copy)]
pub struct Skip {
    /// Which tests.
    pub pattern: Pattern,
    /// Why they do not apply to Quiver.
    pub reason: &'static str,
}

/// Tests to skip: only tests whose assertions cannot hold for any driver but the one they
/// name (TestKit's own `self.fail("no error mapping is defined for ...")`).
pub const SKIPS: &[Skip] = &[
    Skip {
        pattern: Pattern::Suffix(
            ".TestResultSingleOptional.test_result_single_optional_with_2_records",
        ),
        reason: "the test checks the warning text against the Python driver only and fails \
                 for every other driver name",
    },
    Skip {
        pattern: Pattern::Suffix(
            ".TestResultSingleOptional.test_result_single_optional_with_disconnect",
        ),
        reason: "the test checks the error type against the Python driver only and fails \
                 for every other driver name",
    },
    Skip {
        pattern: Pattern::Suffix(".TestResultPeek.test_result_peek_with_disconnect"),
        reason: "TestKit defines no error mapping for the driver name `rust` here (it calls \
                 self.fail for it); the same disconnect is checked for next/single in \
                 test_result_single and tests/session.rs",
    },
    Skip {
        pattern: Pattern::Suffix(".TestResultList.test_result_list_with_disconnect"),
        reason: "TestKit defines no error mapping for the driver name `rust` here (it calls \
                 self.fail for it); the same disconnect is checked for next/single in \
                 test_result_single and tests/session.rs",
    },
];

/// A test whose subtests the backend decides one by one: `decide` gets the subtest's arguments
/// and returns a skip reason or `None` to run it.
#[derive(Debug, Clone, Copy)]
pub struct SubtestRule {
    /// The (parent) test id.
    pub test: &'static str,
    /// Decides one subtest.
    pub decide: fn(&Map<String, Json>) -> Option<String>,
}

/// Tests answered with `RunSubTests`. Empty for now.
pub const SUBTESTS: &[SubtestRule] = &[];

/// The answer to `StartTest` under the given tables.
pub fn start_test(test_name: &str, skips: &[Skip], subtests: &[SubtestRule]) -> Response {
    if let Some(skip) = skips.iter().find(|s| s.pattern.matches(test_name)) {
        return Response::SkipTest {
            reason: skip.reason.to_owned(),
        };
    }
    if subtests.iter().any(|r| r.test == test_name) {
        return Response::RunSubTests {};
    }
    Response::RunTest {}
}

/// The answer to `StartSubTest` under the given table. A subtest of a test the backend did not
/// ask about is run.
pub fn start_subtest(
    test_name: &str,
    arguments: &Map<String, Json>,
    subtests: &[SubtestRule],
) -> Response {
    match subtests.iter().find(|r| r.test == test_name) {
        Some(rule) => match (rule.decide)(arguments) {
            Some(reason) => Response::SkipTest { reason },
            None => Response::RunTest {},
        },
        None => Response::RunTest {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advertised_features_are_known_to_testkit() {
        for f in FEATURES {
            assert!(KNOWN_FEATURES.contains(f), "{f} is unknown to TestKit");
        }
    }

    #[test]
    fn every_known_feature_is_decided_exactly_once() {
        for f in KNOWN_FEATURES {
            let n = FEATURES.iter().filter(|x| *x == f).count()
                + FORK_FEATURES.iter().filter(|x| *x == f).count()
                + NOT_ADVERTISED.iter().filter(|(x, _)| x == f).count();
            assert_eq!(n, 1, "{f} is advertised/left out {n} times");
        }
        for f in FORK_FEATURES {
            assert!(KNOWN_FEATURES.contains(f), "{f} is unknown to TestKit");
        }
        for (f, reason) in NOT_ADVERTISED {
            assert!(KNOWN_FEATURES.contains(f), "{f} is unknown to TestKit");
            assert!(!reason.is_empty());
        }
        assert_eq!(advertised(false), FEATURES);
        assert_eq!(advertised(true).len(), FEATURES.len() + FORK_FEATURES.len());
    }

    #[test]
    fn skips_have_reasons() {
        for skip in SKIPS {
            assert!(!skip.reason.is_empty());
        }
        let id = "stub.iteration.test_result_optional_single.TestResultSingleOptional.";
        assert!(matches!(
            start_test(
                &format!("{id}test_result_single_optional_with_2_records"),
                SKIPS,
                SUBTESTS
            ),
            Response::SkipTest { .. }
        ));
        assert!(matches!(
            start_test(
                &format!("{id}test_result_single_optional_with_0_records"),
                SKIPS,
                SUBTESTS
            ),
            Response::RunTest {}
        ));
    }

    #[test]
    fn known_feature_list_matches_the_snapshot() {
        assert_eq!(KNOWN_FEATURES.len(), 69);
        let mut sorted = KNOWN_FEATURES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), KNOWN_FEATURES.len(), "duplicates");
    }

    #[test]
    fn patterns_match() {
        let id = "stub.routing.test_routing_v3.RoutingV3.test_should_read";
        assert!(Pattern::Exact(id).matches(id));
        assert!(Pattern::Prefix("stub.routing.").matches(id));
        assert!(Pattern::Suffix(".test_should_read").matches(id));
        assert!(Pattern::Contains("RoutingV3").matches(id));
        assert!(!Pattern::Prefix("neo4j.").matches(id));
    }

    fn skip_odd(args: &Map<String, Json>) -> Option<String> {
        let n = args.get("n").and_then(Json::as_i64)?;
        (n % 2 == 1).then(|| format!("{n} is odd"))
    }

    #[test]
    fn first_matching_rule_wins_and_subtests_are_decided() {
        let skips = [
            Skip {
                pattern: Pattern::Exact("a.b.C.test_x"),
                reason: "specific",
            },
            Skip {
                pattern: Pattern::Prefix("a.b."),
                reason: "general",
            },
        ];
        let subtests = [SubtestRule {
            test: "a.z.T.test_sub",
            decide: skip_odd,
        }];
        let reason = |r: Response| match r {
            Response::SkipTest { reason } => Some(reason),
            Response::RunTest {} => None,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            reason(start_test("a.b.C.test_x", &skips, &subtests)).as_deref(),
            Some("specific")
        );
        assert_eq!(
            reason(start_test("a.b.C.test_y", &skips, &subtests)).as_deref(),
            Some("general")
        );
        assert_eq!(reason(start_test("a.c.D.test_y", &skips, &subtests)), None);
        assert!(matches!(
            start_test("a.z.T.test_sub", &skips, &subtests),
            Response::RunSubTests {}
        ));
        let mut args = Map::new();
        args.insert("n".into(), 3.into());
        assert_eq!(
            reason(start_subtest("a.z.T.test_sub", &args, &subtests)).as_deref(),
            Some("3 is odd")
        );
        args.insert("n".into(), 4.into());
        assert_eq!(
            reason(start_subtest("a.z.T.test_sub", &args, &subtests)),
            None
        );
    }
}
