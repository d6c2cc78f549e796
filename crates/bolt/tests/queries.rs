//! Queries over one connection against stub scripts: pipelining, transactions,
//! failures and RESET, IGNORED, GOODBYE, broken servers, ROUTE, re-auth.

mod common;

use common::*;
use quiver_bolt::message::string_map;
use quiver_bolt::packstream::{Value, Vector};
use quiver_bolt::{
    AccessMode, AuthToken, Begin, Classification, Error, Pull, Request, Response, Run, ServerState,
    TxExtra, Version,
};

#[tokio::test]
async fn auto_commit_query_is_one_round_trip() {
    for v in [
        Version::V4_4,
        Version::V5_0,
        Version::V5_4,
        Version::V5_8,
        Version::V6_0,
    ] {
        let (server, mut c) = stub_and_connect(
            v,
            r#"C: RUN "UNWIND [1, 2] AS x RETURN x" {} {}
   PULL {"n": -1}
S: SUCCESS {"fields": ["x"], "t_first": 1}
   RECORD [1]
   <NOOP>
   RECORD [2]
   SUCCESS {"type": "r", "bookmark": "bm1", "db": "neo4j"}
C: GOODBYE
S: <EXIT>
"#,
        )
        .await;
        c.send(&Request::Run(Run::new("UNWIND [1, 2] AS x RETURN x")))
            .unwrap();
        c.send(&Request::Pull(Pull::ALL)).unwrap();
        assert_eq!(c.pending(), 2);
        c.flush().await.unwrap();
        let run = c.recv().await.unwrap().into_success().unwrap();
        assert_eq!(run.fields(), ["x"]);
        assert_eq!(c.state(), ServerState::Streaming);
        let (rows, summary) = read_result(&mut c).await;
        assert_eq!(rows, [[Value::Integer(1)], [Value::Integer(2)]]);
        assert_eq!(summary.bookmark(), Some("bm1"));
        assert!(!summary.has_more());
        assert!(c.is_idle());
        let report = goodbye(c, server).await;
        let conn = report.connection(0).unwrap();
        assert!(conn.pipelined(&["RUN", "PULL"]), "{v}");
        assert!(conn.arrived_together(&["RUN", "PULL"]), "{v}");
    }
}

#[tokio::test]
async fn auto_commit_with_extras_and_fetch_size() {
    let (server, mut c) = stub_and_connect(
        Version::V5_4,
        r#"C: RUN "RETURN $x" {"x": 1} {"bookmarks": ["bm0"], "mode": "r", "db": "movies", "imp_user": "bob"}
   PULL {"n": 1}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"has_more": true}
C: PULL {"n": 1}
S: RECORD [2]
   SUCCESS {"has_more": true}
C: DISCARD {"n": -1}
S: SUCCESS {"bookmark": "bm2"}
C: GOODBYE
S: <EXIT>
"#,
    )
    .await;
    let mut params = quiver_bolt::packstream::Map::new();
    params.insert("x".into(), Value::Integer(1));
    let bms = vec!["bm0".to_owned()];
    c.send(&Request::Run(Run {
        query: "RETURN $x",
        params: quiver_bolt::Params::Map(&params),
        extra: TxExtra {
            bookmarks: &bms,
            mode: AccessMode::Read,
            db: Some("movies"),
            imp_user: Some("bob"),
            ..TxExtra::default()
        },
    }))
    .unwrap();
    c.send(&Request::Pull(Pull::n(1))).unwrap();
    c.flush().await.unwrap();
    c.recv().await.unwrap().into_success().unwrap();
    let (rows, s) = read_result(&mut c).await;
    assert_eq!(rows.len(), 1);
    assert!(s.has_more());
    assert_eq!(c.state(), ServerState::Streaming);
    c.send(&Request::Pull(Pull::n(1))).unwrap();
    c.flush().await.unwrap();
    let (rows, s) = read_result(&mut c).await;
    assert_eq!(rows, [[Value::Integer(2)]]);
    assert!(s.has_more());
    let s = c.discard_all().await.unwrap();
    assert_eq!(s.bookmark(), Some("bm2"));
    assert_eq!(c.state(), ServerState::Ready);
    goodbye(c, server).await;
}

#[tokio::test]
async fn explicit_transaction_pipelined_with_commit_after_last_pull() {
    // 5.8: the BEGIN reply carries the resolved home database
    let (server, mut c) = stub_and_connect(
        Version::V5_8,
        r#"C: BEGIN {"tx_timeout": 2000, "tx_metadata": {"app": "t"}}
   RUN "CREATE (n) RETURN n" {} {}
   PULL {"n": -1}
   COMMIT
S: SUCCESS {"db": "neo4j"}
   SUCCESS {"fields": ["n"], "qid": 0}
   RECORD [{"@node": [1, ["L"], {}, "e1"]}]
   SUCCESS {"type": "w"}
   SUCCESS {"bookmark": "bm9"}
C: GOODBYE
S: <EXIT>
"#,
    )
    .await;
    let mut meta = quiver_bolt::packstream::Map::new();
    meta.insert("app".into(), Value::String("t".into()));
    c.send(&Request::Begin(Begin {
        extra: TxExtra {
            tx_timeout: Some(std::time::Duration::from_secs(2)),
            tx_metadata: Some(&meta),
            ..TxExtra::default()
        },
    }))
    .unwrap();
    c.send(&Request::Run(Run::new("CREATE (n) RETURN n")))
        .unwrap();
    c.send(&Request::Pull(Pull::ALL)).unwrap();
    c.send(&Request::Commit).unwrap();
    c.flush().await.unwrap();
    let begin = c.recv().await.unwrap().into_success().unwrap();
    assert_eq!(begin.db(), Some("neo4j"));
    assert_eq!(c.state(), ServerState::TxReady);
    let run = c.recv().await.unwrap().into_success().unwrap();
    assert_eq!(run.qid(), Some(0));
    assert_eq!(c.state(), ServerState::TxStreaming);
    let (rows, _) = read_result(&mut c).await;
    let Value::Node(n) = &rows[0][0] else {
        panic!("not a node: {rows:?}")
    };
    assert_eq!(n.element_id, "e1");
    assert_eq!(c.state(), ServerState::TxReady);
    let commit = c.recv().await.unwrap().into_success().unwrap();
    assert_eq!(commit.bookmark(), Some("bm9"));
    assert_eq!(c.state(), ServerState::Ready);
    let report = goodbye(c, server).await;
    assert!(report
        .connection(0)
        .unwrap()
        .arrived_together(&["BEGIN", "RUN", "PULL", "COMMIT"]));
}

#[tokio::test]
async fn failure_then_ignored_then_reset() {
    let (server, mut c) = stub_and_connect(
        Version::V5_4,
        r#"C: RUN "RETRUN 1" {} {}
   PULL {"n": -1}
S: FAILURE {"code": "Neo.ClientError.Statement.SyntaxError", "message": "Invalid input"}
   IGNORED
C: RESET
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
   PULL {"n": -1}
S: SUCCESS {"fields": ["1"]}
   RECORD [1]
   SUCCESS {}
C: GOODBYE
S: <EXIT>
"#,
    )
    .await;
    send_run_pull(&mut c, Run::new("RETRUN 1")).await;
    let Response::Failure(f) = c.recv().await.unwrap() else {
        panic!("expected FAILURE")
    };
    assert_eq!(f.code, "Neo.ClientError.Statement.SyntaxError");
    assert_eq!(f.classification(), Some(Classification::ClientError));
    assert_eq!(c.state(), ServerState::Failed);
    assert!(matches!(c.recv().await.unwrap(), Response::Ignored));
    assert_eq!(c.state(), ServerState::Failed);
    assert!(!c.is_defunct());
    c.reset().await.unwrap();
    assert_eq!(c.state(), ServerState::Ready);
    send_run_pull(&mut c, Run::new("RETURN 1")).await;
    c.recv().await.unwrap().into_success().unwrap();
    let (rows, _) = read_result(&mut c).await;
    assert_eq!(rows, [[Value::Integer(1)]]);
    goodbye(c, server).await;
}

#[tokio::test]
async fn gql_failure_with_cause_chain_5_7() {
    let (server, mut c) = stub_and_connect(
        Version::V5_7,
        r#"C: RUN "x" {} {}
S: FAILURE {"neo4j_code": "Neo.ClientError.Statement.SyntaxError", "message": "m", "gql_status": "42001", "description": "error: syntax error or access rule violation - invalid syntax", "diagnostic_record": {"_classification": "CLIENT_ERROR", "OPERATION": ""}, "cause": {"message": "inner", "gql_status": "42I06", "description": "invalid input", "diagnostic_record": {"_classification": "CLIENT_ERROR"}}}
C: RESET
S: SUCCESS {}
C: GOODBYE
S: <EXIT>
"#,
    )
    .await;
    c.send(&Request::Run(Run::new("x"))).unwrap();
    c.flush().await.unwrap();
    let err = c.recv().await.unwrap().into_success().unwrap_err();
    let f = err.as_server_error().unwrap();
    assert_eq!(f.code, "Neo.ClientError.Statement.SyntaxError");
    assert_eq!(f.gql_status.as_deref(), Some("42001"));
    assert_eq!(f.gql_classification(), Some("CLIENT_ERROR"));
    let cause = f.cause.as_deref().unwrap();
    assert_eq!(cause.gql_status.as_deref(), Some("42I06"));
    assert_eq!(cause.message, "inner");
    assert!(std::error::Error::source(f).is_some());
    c.reset().await.unwrap();
    goodbye(c, server).await;
}

#[tokio::test]
async fn reset_interrupts_pending_requests() {
    let (server, mut c) = stub_and_connect(
        Version::V5_4,
        r#"C: RUN "RETURN 1" {} {}
   PULL {"n": -1}
   RESET
S: SUCCESS {"fields": ["1"]}
   IGNORED
   SUCCESS {}
C: GOODBYE
S: <EXIT>
"#,
    )
    .await;
    c.send(&Request::Run(Run::new("RETURN 1"))).unwrap();
    c.send(&Request::Pull(Pull::ALL)).unwrap();
    c.reset().await.unwrap();
    assert!(c.is_idle());
    goodbye(c, server).await;
}

#[tokio::test]
async fn server_closes_mid_stream() {
    let (server, mut c) = stub_and_connect(
        Version::V5_4,
        r#"C: RUN "RETURN 1" {} {}
   PULL {"n": -1}
S: SUCCESS {"fields": ["1"]}
   RECORD [1]
   <EXIT>
"#,
    )
    .await;
    send_run_pull(&mut c, Run::new("RETURN 1")).await;
    c.recv().await.unwrap();
    assert!(matches!(c.recv().await.unwrap(), Response::Record(_)));
    let err = c.recv().await.unwrap_err();
    assert!(matches!(err, Error::ConnectionClosed), "{err}");
    assert!(c.is_defunct());
    assert!(matches!(c.send(&Request::Reset), Err(Error::Defunct)));
    assert!(matches!(c.recv().await, Err(Error::Defunct)));
    server.finish().await.unwrap();
}

#[tokio::test]
async fn server_killed_mid_stream() {
    let (server, mut c) = stub_and_connect(
        Version::V5_0,
        r#"C: RUN "RETURN 1" {} {}
   PULL {"n": -1}
S: SUCCESS {"fields": ["1"]}
   <KILL>
"#,
    )
    .await;
    send_run_pull(&mut c, Run::new("RETURN 1")).await;
    c.recv().await.unwrap();
    let err = c.recv().await.unwrap_err();
    assert!(err.is_fatal(), "{err}");
    assert!(c.is_defunct());
    server.finish().await.unwrap();
}

/// Each garbage reply makes the connection defunct with an error, never a panic.
#[tokio::test]
async fn server_sends_garbage() {
    let cases = [
        ("unknown signature", "00 03 b1 55 a0 00 00"),
        ("not a structure", "00 02 01 70 00 00"),
        ("undecodable metadata", "00 03 b1 70 c7 00 00"),
        ("truncated map", "00 03 b1 70 a2 00 00"),
        ("record in reply to RUN", "00 04 b1 71 91 01 00 00"),
        ("IGNORED while ready", "00 02 b0 7e 00 00"),
    ];
    for (what, raw) in cases {
        let (server, mut c) = stub_and_connect(
            Version::V5_4,
            &format!("C: RUN \"RETURN 1\" {{}} {{}}\nS: <RAW> {raw}\n   <EXIT>\n"),
        )
        .await;
        c.send(&Request::Run(Run::new("RETURN 1"))).unwrap();
        c.flush().await.unwrap();
        let err = c.recv().await.unwrap_err();
        assert!(err.is_fatal(), "{what}: {err}");
        assert!(
            matches!(err, Error::Protocol(_) | Error::PackStream(_)),
            "{what}: {err}"
        );
        assert!(c.is_defunct(), "{what}");
        server.finish().await.unwrap();
    }
}

#[tokio::test]
async fn route_per_version() {
    for v in [Version::V4_4, Version::V5_8] {
        let (server, mut c) = stub_and_connect(
            v,
            r#"C: ROUTE {"address": "db:7687"} ["bm"] {"db": "movies", "imp_user": "bob"}
S: SUCCESS {"rt": {"ttl": 300, "db": "movies", "servers": [{"addresses": ["a:7687"], "role": "WRITE"}]}}
C: GOODBYE
S: <EXIT>
"#,
        )
        .await;
        let rt = c
            .route(
                &string_map([("address", "db:7687")]),
                &["bm".to_owned()],
                Some("movies"),
                Some("bob"),
            )
            .await
            .unwrap();
        assert_eq!(rt.get("ttl"), Some(&Value::Integer(300)));
        assert_eq!(rt.get("db"), Some(&Value::String("movies".into())));
        goodbye(c, server).await;
    }
}

#[tokio::test]
async fn reauth_with_logoff_logon() {
    let (server, mut c) = stub_and_connect(
        Version::V5_1,
        r#"C: LOGOFF
   LOGON {"scheme": "bearer", "credentials": "tok"}
S: SUCCESS {}
   SUCCESS {}
C: GOODBYE
S: <EXIT>
"#,
    )
    .await;
    c.reauth(&AuthToken::bearer("tok")).await.unwrap();
    assert_eq!(c.auth().scheme(), "bearer");
    assert_eq!(c.state(), ServerState::Ready);
    let report = goodbye(c, server).await;
    assert!(report
        .connection(0)
        .unwrap()
        .pipelined(&["LOGOFF", "LOGON"]));

    let (server, mut c) = stub_and_connect(Version::V5_0, "C: GOODBYE\nS: <EXIT>\n").await;
    let err = c.reauth(&AuthToken::bearer("tok")).await.unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    assert!(!c.is_defunct());
    goodbye(c, server).await;
}

#[tokio::test]
async fn bolt_6_vector_and_unsupported_type_in_records() {
    let (server, mut c) = stub_and_connect(
        Version::V6_0,
        r##"C: RUN "RETURN v" {} {}
   PULL {"n": -1}
S: SUCCESS {"fields": ["v"]}
   RECORD [{"@struct": [86, {"#": "c8"}, {"#": "01 02 ff"}]}]
   RECORD [{"@struct": [63, "UUID", 6, 1, {"message": "needs 6.1"}]}]
   SUCCESS {}
C: GOODBYE
S: <EXIT>
"##,
    )
    .await;
    send_run_pull(&mut c, Run::new("RETURN v")).await;
    c.recv().await.unwrap();
    let Response::Record(r) = c.recv().await.unwrap() else {
        panic!("no record")
    };
    assert_eq!(r.fields().unwrap().count(), 1);
    let (v,): (Vector,) = r.decode(c.options()).unwrap();
    assert_eq!(v, Vector::I8(vec![1, 2, -1]));
    // a value the negotiated version can't carry arrives as UnsupportedType
    let Response::Record(r) = c.recv().await.unwrap() else {
        panic!("no record")
    };
    let values = r.values(c.options()).unwrap();
    let Value::Unsupported(u) = &values[0] else {
        panic!("not unsupported: {values:?}")
    };
    assert_eq!(u.name, "UUID");
    assert_eq!((u.minimum_protocol_major, u.minimum_protocol_minor), (6, 1));
    assert_eq!(u.message(), Some("needs 6.1"));
    c.recv().await.unwrap().into_success().unwrap();
    goodbye(c, server).await;
}

#[tokio::test]
async fn unsupported_requests_fail_without_breaking_the_connection() {
    let (server, mut c) = stub_and_connect(Version::V4_4, "C: GOODBYE\nS: <EXIT>\n").await;
    let err = c
        .send(&Request::Telemetry(quiver_bolt::TelemetryApi::AutoCommit))
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }));
    assert!(matches!(c.recv().await, Err(Error::NothingPending)));
    assert!(c.is_idle());
    goodbye(c, server).await;
}

#[tokio::test]
async fn bolt_6_1_uuid_in_record_and_parameters() {
    let (server, mut c) = stub_and_connect(
        Version::V6_1,
        r#"C: RUN "RETURN $u" {"u": {"U": "00112233-4455-6677-8899-aabbccddeeff"}} {}
   PULL {"n": -1}
S: SUCCESS {"fields": ["u"]}
   RECORD [{"U": "00112233-4455-6677-8899-aabbccddeeff"}]
   SUCCESS {}
C: GOODBYE
S: <EXIT>
"#,
    )
    .await;
    let uuid = quiver_bolt::packstream::Uuid([
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
        0xff,
    ]);
    let mut params = quiver_bolt::packstream::Map::new();
    params.insert("u".into(), Value::Uuid(uuid));
    send_run_pull(&mut c, run_with("RETURN $u", &params)).await;
    c.recv().await.unwrap().into_success().unwrap();
    let (rows, _) = read_result(&mut c).await;
    assert_eq!(rows, [[Value::Uuid(uuid)]]);
    goodbye(c, server).await;
}

#[tokio::test]
async fn uuid_parameter_refused_before_6_1() {
    let (server, mut c) = stub_and_connect(Version::V6_0, "C: GOODBYE\nS: <EXIT>\n").await;
    let mut params = quiver_bolt::packstream::Map::new();
    params.insert(
        "u".into(),
        Value::Uuid(quiver_bolt::packstream::Uuid([0; 16])),
    );
    let err = c
        .send(&Request::Run(run_with("RETURN $u", &params)))
        .unwrap_err();
    assert!(matches!(err, Error::Encode(_)), "{err}");
    assert!(!err.is_fatal());
    assert!(!c.is_defunct());
    assert_eq!(c.pending(), 0);
    goodbye(c, server).await;
}

#[tokio::test]
async fn two_results_in_one_transaction_with_qid_then_rollback() {
    let (server, mut c) = stub_and_connect(
        Version::V5_6,
        r#"C: BEGIN {"mode": "r", "db": "neo4j"}
   RUN "RETURN 1" {} {}
   RUN "RETURN 2" {} {}
S: SUCCESS {}
   SUCCESS {"fields": ["1"], "qid": 0}
   SUCCESS {"fields": ["2"], "qid": 1}
C: PULL {"n": -1, "qid": 0}
   PULL {"n": 1, "qid": 1}
S: RECORD [1]
   SUCCESS {"statuses": [{"gql_status": "00000", "status_description": "note: successful completion"}]}
   RECORD [2]
   SUCCESS {"has_more": true}
C: ROLLBACK
S: SUCCESS {}
C: GOODBYE
S: <EXIT>
"#,
    )
    .await;
    c.send(&Request::Begin(Begin {
        extra: TxExtra {
            mode: AccessMode::Read,
            db: Some("neo4j"),
            ..TxExtra::default()
        },
    }))
    .unwrap();
    c.send(&Request::Run(Run::new("RETURN 1"))).unwrap();
    c.send(&Request::Run(Run::new("RETURN 2"))).unwrap();
    c.flush().await.unwrap();
    c.recv().await.unwrap().into_success().unwrap();
    let q0 = c
        .recv()
        .await
        .unwrap()
        .into_success()
        .unwrap()
        .qid()
        .unwrap();
    let q1 = c
        .recv()
        .await
        .unwrap()
        .into_success()
        .unwrap()
        .qid()
        .unwrap();
    assert_eq!((q0, q1), (0, 1));
    assert_eq!(c.state(), ServerState::TxStreaming);
    c.send(&Request::Pull(Pull { n: -1, qid: q0 })).unwrap();
    c.send(&Request::Pull(Pull { n: 1, qid: q1 })).unwrap();
    c.flush().await.unwrap();
    let (rows, s) = read_result(&mut c).await;
    assert_eq!(rows, [[Value::Integer(1)]]);
    // 5.6: GQL statuses come in the summary metadata
    assert!(matches!(s.get("statuses"), Some(Value::List(l)) if l.len() == 1));
    assert_eq!(c.state(), ServerState::TxStreaming);
    let (rows, s) = read_result(&mut c).await;
    assert_eq!(rows, [[Value::Integer(2)]]);
    assert!(s.has_more());
    assert_eq!(c.state(), ServerState::TxStreaming);
    c.send(&Request::Rollback).unwrap();
    c.flush().await.unwrap();
    c.recv().await.unwrap().into_success().unwrap();
    assert_eq!(c.state(), ServerState::Ready);
    goodbye(c, server).await;
}

#[tokio::test]
async fn messages_larger_than_one_chunk_both_ways() {
    let big: String = "x".repeat(100_000);
    let (server, mut c) = stub_and_connect(
        Version::V5_4,
        &format!(
            "C: RUN \"RETURN $s\" {{\"s\": \"{big}\"}} {{}}\n   PULL {{\"n\": -1}}\n\
             S: SUCCESS {{\"fields\": [\"s\"]}}\n   RECORD [\"{big}\"]\n   SUCCESS {{}}\n\
             C: GOODBYE\nS: <EXIT>\n"
        ),
    )
    .await;
    let mut params = quiver_bolt::packstream::Map::new();
    params.insert("s".into(), Value::String(big.clone()));
    send_run_pull(&mut c, run_with("RETURN $s", &params)).await;
    c.recv().await.unwrap().into_success().unwrap();
    let (rows, _) = read_result(&mut c).await;
    assert_eq!(rows, [[Value::String(big)]]);
    goodbye(c, server).await;
}

#[tokio::test]
async fn connect_timeout_bounds_the_transport_not_the_handshake() {
    use quiver_bolt::{Address, AuthToken, Connection, ConnectionConfig, TlsConfig};
    use std::time::Duration;

    let timeout = Duration::from_millis(300);
    // A peer that accepts TCP and then says nothing: the TLS handshake
    // never ends, and the connect timeout cuts it.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let holder = tokio::spawn(async move {
        let (_socket, _) = silent.accept().await.unwrap();
        std::future::pending::<()>().await;
    });
    let cfg = ConnectionConfig::builder()
        .connect_timeout(timeout)
        .tls(TlsConfig::trust_all())
        .build()
        .unwrap();
    let err = Connection::connect(&Address::new("127.0.0.1", port), &cfg)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ConnectTimeout(t) if t == timeout),
        "{err}"
    );
    assert!(err.is_connection_error());
    holder.abort();

    // A Bolt handshake slower than the connect timeout is not cut by it
    // (the official drivers' connection timeout covers the transport only).
    let text = format!(
        "!: BOLT 5.4\n!: HANDSHAKE_DELAY 0.6\n{}C: GOODBYE\nS: <EXIT>\n",
        login(Version::V5_4, "", "")
    );
    let server = start(raw_script(&text)).await;
    let cfg = ConnectionConfig::builder()
        .auth(AuthToken::basic("neo4j", "pass"))
        .connect_timeout(timeout)
        .build()
        .unwrap();
    let c = connect_with(&server, &cfg).await;
    assert_eq!(c.version(), Version::V5_4);
    goodbye(c, server).await;

    // nothing listens on a port we just released
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = Connection::connect(&Address::new("127.0.0.1", port), &cfg)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err}");
    assert!(err.is_connection_error());
}

#[tokio::test]
async fn recv_flushes_buffered_requests() {
    let (server, mut c) = stub_and_connect(
        Version::V5_2,
        r#"C: RUN "RETURN 1" {} {}
   PULL {"n": -1}
S: SUCCESS {"fields": ["1"]}
   SUCCESS {}
C: GOODBYE
S: <EXIT>
"#,
    )
    .await;
    c.send(&Request::Run(Run::new("RETURN 1"))).unwrap();
    c.send(&Request::Pull(Pull::ALL)).unwrap();
    // no flush: recv sends what is buffered before waiting
    c.recv().await.unwrap().into_success().unwrap();
    c.recv().await.unwrap().into_success().unwrap();
    assert!(c.is_idle());
    goodbye(c, server).await;
}

#[tokio::test]
async fn message_size_limit_and_truncated_chunk() {
    let big: String = "y".repeat(5_000);
    let server = start(script(
        Version::V5_4,
        &format!(
            "C: RUN \"RETURN 1\" {{}} {{}}\n   PULL {{\"n\": -1}}\n\
             S: SUCCESS {{\"fields\": [\"s\"]}}\n   RECORD [\"{big}\"]\n   <EXIT>\n"
        ),
    ))
    .await;
    let cfg = quiver_bolt::ConnectionConfig::builder()
        .auth(AuthToken::basic("neo4j", "pass"))
        .max_message_size(1_000)
        .build()
        .unwrap();
    let mut c = connect_with(&server, &cfg).await;
    send_run_pull(&mut c, Run::new("RETURN 1")).await;
    c.recv().await.unwrap().into_success().unwrap();
    let err = c.recv().await.unwrap_err();
    assert!(matches!(err, Error::Protocol(_)), "{err}");
    assert!(c.is_defunct());
    server.finish().await.unwrap();

    // a chunk header promising more than ever arrives
    let (server, mut c) = stub_and_connect(
        Version::V5_4,
        "C: RUN \"RETURN 1\" {} {}\nS: <RAW> ff ff b1 70 a0\n   <EXIT>\n",
    )
    .await;
    c.send(&Request::Run(Run::new("RETURN 1"))).unwrap();
    c.flush().await.unwrap();
    let err = c.recv().await.unwrap_err();
    assert!(matches!(err, Error::ConnectionClosed), "{err}");
    assert!(c.is_defunct());
    server.finish().await.unwrap();
}

#[tokio::test]
async fn check_idle_notices_a_closed_connection() {
    let (server, mut c) = stub_and_connect(Version::V5_4, "S: <EXIT>\n").await;
    // give the FIN time to arrive
    let mut alive = true;
    for _ in 0..50 {
        alive = c.check_idle().await;
        if !alive {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(!alive);
    assert!(c.is_defunct());
    server.finish().await.unwrap();

    let (server, mut c) = stub_and_connect(Version::V5_4, "C: GOODBYE\nS: <EXIT>\n").await;
    assert!(c.check_idle().await);
    assert!(!c.is_defunct());
    goodbye(c, server).await;
}
