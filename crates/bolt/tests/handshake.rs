//! Handshake with each version, classic and manifest style, and HELLO/LOGON per
//! version (the stub's maps are strict: a key too many or too few fails).

mod common;

use std::time::Duration;

use common::*;
use quiver_bolt::{
    ConnectionConfig, Error, MinimumSeverity, NotificationClassification, NotificationFilter,
    ServerState, Version,
};
use quiver_test_support::stub::Script;

const CLASSIC: &[Version] = &[
    Version::V4_4,
    Version::V5_0,
    Version::V5_1,
    Version::V5_2,
    Version::V5_3,
    Version::V5_4,
    Version::V5_6,
    Version::V5_7,
    Version::V5_8,
    Version::V6_0,
    Version::V6_1,
];

#[tokio::test]
async fn classic_handshake_and_login_per_version() {
    for &v in CLASSIC {
        let (server, mut c) = stub_and_connect(v, "C: GOODBYE\nS: <EXIT>\n").await;
        assert_eq!(c.version(), v);
        assert_eq!(c.state(), ServerState::Ready);
        assert_eq!(c.server_agent(), "Neo4j/5.26.0");
        assert_eq!(c.connection_id(), "bolt-7");
        // [bolt-version-bump] PackStream options follow the version
        assert_eq!(c.options().element_ids_enabled(), v >= Version::V5_0, "{v}");
        assert_eq!(
            c.options().utc_datetime_enabled(),
            v >= Version::V5_0,
            "{v}"
        );
        c.goodbye().await;
        let report = server.finish().await.unwrap_or_else(|e| panic!("{v}: {e}"));
        let conn = report.connection(0).unwrap();
        assert_eq!(conn.handshake.agreed, Some((v.major, v.minor)));
        // HELLO and LOGON travel in one write
        if v.has_logon() {
            assert!(conn.pipelined(&["HELLO", "LOGON"]), "{v}");
        }
    }
}

#[tokio::test]
async fn bolt_4_4_utc_patch_accepted() {
    let text = r#"!: BOLT 4.4
C: HELLO {"user_agent": "*", "scheme": "basic", "principal": "neo4j", "credentials": "pass", "patch_bolt": ["utc"]}
S: SUCCESS {"server": "Neo4j/4.4.0", "connection_id": "bolt-1", "patch_bolt": ["utc"]}
C: GOODBYE
S: <EXIT>
"#;
    let server = start(Script::parse(text).unwrap()).await;
    let c = connect(&server).await;
    assert!(c.options().utc_datetime_enabled());
    assert!(!c.options().element_ids_enabled());
    goodbye(c, server).await;
}

#[tokio::test]
async fn manifest_handshake() {
    for v in [Version::V5_7, Version::V5_8, Version::V6_0, Version::V6_1] {
        let text = format!(
            "!: BOLT {v}\n!: HANDSHAKE_MANIFEST\n{}C: GOODBYE\nS: <EXIT>\n",
            login(v, "", "")
        );
        let server = start(Script::parse(&text).unwrap()).await;
        let c = connect(&server).await;
        assert_eq!(c.version(), v);
        let report = goodbye(c, server).await;
        let hs = &report.connection(0).unwrap().handshake;
        assert_eq!(hs.agreed, Some((v.major, v.minor)));
        assert_eq!(hs.client_capabilities, Some(0));
    }
}

#[tokio::test]
async fn manifest_offering_several_versions_picks_newest_allowed() {
    let text = format!(
        "!: BOLT 5.8\n!: HANDSHAKE_MANIFEST 6.0 5.8 5.7\n{}C: GOODBYE\nS: <EXIT>\n",
        login(Version::V5_8, "", "")
    );
    let server = start(Script::parse(&text).unwrap()).await;
    let cfg = ConnectionConfig::builder()
        .auth(quiver_bolt::AuthToken::basic("neo4j", "pass"))
        .versions(&[Version::V5_8, Version::V5_7, Version::V4_4])
        .build()
        .unwrap();
    let c = connect_with(&server, &cfg).await;
    assert_eq!(c.version(), Version::V5_8);
    goodbye(c, server).await;
}

#[tokio::test]
async fn handshake_refused_or_http() {
    let server = start(raw_script("!: HANDSHAKE 00 00 00 00\n")).await;
    let err = connect_err(&server, &config()).await;
    assert!(matches!(err, Error::NoCommonVersion), "{err}");
    let _ = server.finish().await;

    let server = start(raw_script("!: HANDSHAKE 48 54 54 50\n")).await;
    let err = connect_err(&server, &config()).await;
    assert!(matches!(err, Error::Protocol(_)), "{err}");
    let _ = server.finish().await;
}

#[tokio::test]
async fn handshake_version_not_offered_is_rejected() {
    // the server claims 5.5, which a client offering 5.8..5.6 and 4.4 did not offer
    let server = start(raw_script("!: HANDSHAKE 00 00 05 05\n")).await;
    let cfg = ConnectionConfig::builder()
        .versions(&[Version::V5_8, Version::V5_7, Version::V5_6, Version::V4_4])
        .build()
        .unwrap();
    let err = connect_err(&server, &cfg).await;
    assert!(matches!(err, Error::Protocol(_)), "{err}");
    let _ = server.finish().await;
}

#[tokio::test]
async fn hello_failure_is_an_error_and_defunct() {
    let text = r#"!: BOLT 5.0
C: HELLO {"user_agent": "*", "scheme": "basic", "principal": "neo4j", "credentials": "pass"}
S: FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "bad credentials"}
   <EXIT>
"#;
    let server = start(Script::parse(text).unwrap()).await;
    let err = connect_err(&server, &config()).await;
    let se = err.as_server_error().expect("server error");
    assert_eq!(se.code, "Neo.ClientError.Security.Unauthorized");
    server.finish().await.unwrap();
}

#[tokio::test]
async fn logon_failure_is_an_error() {
    let text = r#"!: BOLT 5.4
C: HELLO {"user_agent": "*", "bolt_agent": "*"}
   LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pass"}
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1"}
   FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "no"}
   <EXIT>
"#;
    let server = start(Script::parse(text).unwrap()).await;
    let err = connect_err(&server, &config()).await;
    assert!(err.as_server_error().is_some(), "{err}");
    server.finish().await.unwrap();
}

#[tokio::test]
async fn routing_context_and_notification_filters_in_hello() {
    // [bolt-version-bump] categories (5.2) vs classifications (5.6)
    for (v, key) in [
        (Version::V5_2, "notifications_disabled_categories"),
        (Version::V5_6, "notifications_disabled_classifications"),
    ] {
        let extra = format!(
            r#", "routing": {{"address": "db:7687"}}, "notifications_minimum_severity": "WARNING", "{key}": ["HINT"]"#
        );
        let text = format!(
            "!: BOLT {v}\n{}C: GOODBYE\nS: <EXIT>\n",
            login(v, &extra, "")
        );
        let server = start(Script::parse(&text).unwrap()).await;
        let cfg = ConnectionConfig::builder()
            .auth(quiver_bolt::AuthToken::basic("neo4j", "pass"))
            .routing_context(Some(quiver_bolt::message::string_map([(
                "address", "db:7687",
            )])))
            .notification_filter(
                NotificationFilter::default()
                    .with_minimum_severity(MinimumSeverity::Warning)
                    .with_disabled_classification(NotificationClassification::Hint),
            )
            .build()
            .unwrap();
        let mut c = connect_with(&server, &cfg).await;
        c.goodbye().await;
        server.finish().await.unwrap_or_else(|e| panic!("{v}: {e}"));
    }
}

#[tokio::test]
async fn notification_filters_unsupported_before_5_2() {
    let server = start(Script::parse("!: BOLT 5.1\n").unwrap()).await;
    let cfg = ConnectionConfig::builder()
        .notification_filter(NotificationFilter::none())
        .build()
        .unwrap();
    let err = connect_err(&server, &cfg).await;
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    let _ = server.finish().await;
}

#[tokio::test]
async fn hints_recv_timeout_and_telemetry() {
    let v = Version::V5_4;
    let text = format!(
        "!: BOLT 5.4\n{}C: TELEMETRY 2\nS: SUCCESS {{}}\nC: RUN \"RETURN 1\" {{}} {{}}\n   PULL {{\"n\": -1}}\nS: <SLEEP 1.5>\n",
        login(
            v,
            "",
            r#", "hints": {"connection.recv_timeout_seconds": 1, "telemetry.enabled": true}"#
        )
    );
    let server = start(Script::parse(&text).unwrap()).await;
    let mut c = connect(&server).await;
    assert_eq!(c.recv_timeout(), Some(Duration::from_secs(1)));
    assert!(c.telemetry_allowed());
    assert!(c
        .telemetry(quiver_bolt::TelemetryApi::AutoCommit)
        .await
        .unwrap());
    c.send(&quiver_bolt::Request::Run(quiver_bolt::Run::new(
        "RETURN 1",
    )))
    .unwrap();
    c.send(&quiver_bolt::Request::Pull(quiver_bolt::Pull::ALL))
        .unwrap();
    c.flush().await.unwrap();
    let err = c.recv().await.unwrap_err();
    assert!(matches!(err, Error::ReadTimeout(_)), "{err}");
    assert!(c.is_defunct());
    drop(c);
    let _ = server.finish().await;
}

/// A RUN + PULL the server never answers; `hints` go in the HELLO reply.
fn stalled_run(hints: &str) -> Script {
    let v = Version::V5_4;
    let text = format!(
        "!: BOLT 5.4\n{}C: RUN \"RETURN 1\" {{}} {{}}\n   PULL {{\"n\": -1}}\nS: <SLEEP 2>\n",
        login(v, "", hints)
    );
    Script::parse(&text).unwrap()
}

/// Sends RUN + PULL and returns the error of the first read.
async fn first_read_error(c: &mut quiver_bolt::Connection) -> Error {
    c.send(&quiver_bolt::Request::Run(quiver_bolt::Run::new(
        "RETURN 1",
    )))
    .unwrap();
    c.send(&quiver_bolt::Request::Pull(quiver_bolt::Pull::ALL))
        .unwrap();
    c.flush().await.unwrap();
    c.recv().await.unwrap_err()
}

fn with_read_timeout(t: Duration) -> ConnectionConfig {
    ConnectionConfig::builder()
        .auth(quiver_bolt::AuthToken::basic("neo4j", "pass"))
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(t)
        .build()
        .unwrap()
}

/// The client's read timeout bounds reads when the server sends no hint;
/// with a hint too, the smaller of the two holds (the error names it).
#[tokio::test]
async fn the_client_read_timeout_holds_alone_or_when_smaller_than_the_hint() {
    let own = Duration::from_millis(200);
    for hints in ["", r#", "hints": {"connection.recv_timeout_seconds": 1}"#] {
        let server = start(stalled_run(hints)).await;
        let mut c = connect_with(&server, &with_read_timeout(own)).await;
        assert_eq!(c.recv_timeout(), Some(own), "{hints}");
        let err = first_read_error(&mut c).await;
        assert!(matches!(err, Error::ReadTimeout(t) if t == own), "{err}");
        assert!(err.is_connection_error());
        assert!(c.is_defunct());
        drop(c);
        let _ = server.finish().await;
    }
}

/// A hint smaller than the client's read timeout wins.
#[tokio::test]
async fn a_hint_smaller_than_the_client_read_timeout_wins() {
    let server = start(stalled_run(
        r#", "hints": {"connection.recv_timeout_seconds": 1}"#,
    ))
    .await;
    let mut c = connect_with(&server, &with_read_timeout(Duration::from_secs(60))).await;
    assert_eq!(c.recv_timeout(), Some(Duration::from_secs(1)));
    let err = first_read_error(&mut c).await;
    assert!(
        matches!(err, Error::ReadTimeout(t) if t == Duration::from_secs(1)),
        "{err}"
    );
    drop(c);
    let _ = server.finish().await;
}

/// The client's read timeout bounds the handshake's read too.
#[tokio::test]
async fn the_client_read_timeout_bounds_the_handshake() {
    let server = start(raw_script("!: BOLT 5.4\n!: HANDSHAKE_DELAY 3\n")).await;
    let own = Duration::from_millis(200);
    let cfg = ConnectionConfig::builder()
        .connect_timeout(None)
        .read_timeout(own)
        .build()
        .unwrap();
    let err = connect_err(&server, &cfg).await;
    assert!(matches!(err, Error::ReadTimeout(t) if t == own), "{err}");
    drop(server);
}

#[tokio::test]
async fn telemetry_not_sent_unless_server_enables_it() {
    let (server, mut c) = stub_and_connect(Version::V5_4, "C: GOODBYE\nS: <EXIT>\n").await;
    assert!(!c
        .telemetry(quiver_bolt::TelemetryApi::ExecuteQuery)
        .await
        .unwrap());
    goodbye(c, server).await;
}
