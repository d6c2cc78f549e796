//! The stub server driven by a hand-written raw client.

mod raw_client;

use std::time::Duration;

use quiver_test_support::stub::{EventKind, Script, StubError, StubServer};
use raw_client::*;

fn script(text: &str) -> Script {
    Script::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

async fn start(text: &str) -> StubServer {
    StubServer::start(script(text)).await.unwrap()
}

/// Sends GOODBYE; the stub closes the connection.
async fn goodbye_closes(client: &mut RawClient) {
    client.send(&goodbye()).await;
    assert_eq!(client.recv().await, Frame::Closed);
}

fn failures(
    result: Result<quiver_test_support::stub::Report, StubError>,
) -> Vec<(Option<usize>, String)> {
    match result {
        Ok(_) => panic!("expected the stub to report a failure"),
        Err(e) => {
            let text = e.to_string();
            let list: Vec<_> = e
                .failures()
                .iter()
                .map(|f| (f.line, f.message.clone()))
                .collect();
            assert!(!list.is_empty(), "{text}");
            list
        }
    }
}

/// The stub reports failures, the first one's message containing `text`.
fn failure_says(result: Result<quiver_test_support::stub::Report, StubError>, text: &str) {
    let failures = failures(result);
    assert!(failures[0].1.contains(text), "{failures:?}");
}

/// The FAILURE the stub sends when the client strays, then the close; the
/// FAILURE's bytes as text.
async fn expect_mismatch_failure(client: &mut RawClient) -> String {
    let failure = client.recv_message().await;
    assert_eq!(failure[..2], [0xB1, 0x7F], "a FAILURE message");
    let text = String::from_utf8_lossy(&failure).into_owned();
    assert!(
        text.contains("Neo.ClientError.Stub.ScriptMismatch"),
        "{text}"
    );
    assert_eq!(client.recv().await, Frame::Closed);
    text
}

const HELLO_SCRIPT: &str = r#"
!: BOLT 5.4
C: HELLO {"user_agent": "*"}
S: SUCCESS {"server": "Neo4j/5.20.0"}
C: GOODBYE
S: <EXIT>
"#;

async fn hello_goodbye(client: &mut RawClient) {
    client.send(&hello()).await;
    assert_eq!(
        client.recv_message().await,
        success(&[("server", string("Neo4j/5.20.0"))])
    );
    goodbye_closes(client).await;
}

#[tokio::test]
async fn classic_handshake_with_ranges() {
    let server = start(&HELLO_SCRIPT.replace("5.4", "5.6")).await;
    // 5.8 down to 5.4 covers 5.6; 4.4 comes second.
    let (mut client, answer) =
        RawClient::connect_classic(server.addr(), [[0, 4, 8, 5], [0, 0, 4, 4], [0; 4], [0; 4]])
            .await;
    assert_eq!(answer, [0, 0, 6, 5]);
    hello_goodbye(&mut client).await;
    let report = server.finish().await.unwrap();
    let conn = report.connection(0).unwrap();
    assert_eq!(conn.handshake.agreed, Some((5, 6)));
    assert!(!conn.handshake.manifest);
    assert_eq!(conn.handshake.proposals[0], [0, 4, 8, 5]);
    assert_eq!(conn.played, vec![3, 4, 5, 6]);
}

#[tokio::test]
async fn classic_handshake_without_a_match_is_refused() {
    let server = start(HELLO_SCRIPT).await;
    let (mut client, answer) =
        RawClient::connect_classic(server.addr(), [[0, 2, 3, 5], [0, 0, 4, 4], [0; 4], [0; 4]])
            .await;
    assert_eq!(answer, [0, 0, 0, 0]);
    assert_eq!(client.recv().await, Frame::Closed);
    failure_says(
        server.finish().await,
        "no handshake proposal covers Bolt 5.4",
    );
}

#[tokio::test]
async fn wrong_magic_is_a_failure() {
    let server = start(HELLO_SCRIPT).await;
    let mut client = RawClient::connect(server.addr()).await;
    use tokio::io::AsyncWriteExt;
    client
        .stream
        .write_all(b"GET / HTTP/1.1\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(client.recv().await, Frame::Closed);
    failure_says(server.finish().await, "wrong handshake magic 47455420");
}

async fn manifest_connect(addr: std::net::SocketAddr, choice: [u8; 4]) -> (RawClient, Vec<u8>) {
    use tokio::io::AsyncWriteExt;
    let mut client = RawClient::connect(addr).await;
    let mut hello = MAGIC.to_vec();
    for p in [MANIFEST_V1, [0, 8, 8, 5], [0, 0, 4, 4], [0; 4]] {
        hello.extend_from_slice(&p);
    }
    client.stream.write_all(&hello).await.unwrap();
    // 00 00 01 FF, count 2, 5.8, 5.7, capabilities 3
    let offer = client.recv_raw(4 + 1 + 8 + 1).await;
    let mut answer = choice.to_vec();
    answer.push(0x00); // no capabilities
    client.stream.write_all(&answer).await.unwrap();
    (client, offer)
}

#[tokio::test]
async fn manifest_handshake() {
    let text = HELLO_SCRIPT.replace(
        "!: BOLT 5.4",
        "!: BOLT 5.8\n!: HANDSHAKE_MANIFEST 5.8 5.7\n!: CAPABILITIES 3",
    );
    let server = start(&text).await;
    let (mut client, offer) = manifest_connect(server.addr(), [0, 0, 8, 5]).await;
    assert_eq!(offer, [0, 0, 1, 0xFF, 2, 0, 0, 8, 5, 0, 0, 7, 5, 3]);
    hello_goodbye(&mut client).await;
    let report = server.finish().await.unwrap();
    let hs = &report.connection(0).unwrap().handshake;
    assert!(hs.manifest);
    assert_eq!(hs.agreed, Some((5, 8)));
    assert_eq!(hs.client_capabilities, Some(0));
}

#[tokio::test]
async fn manifest_handshake_wrong_choice_fails() {
    let text = HELLO_SCRIPT.replace(
        "!: BOLT 5.4",
        "!: BOLT 5.8\n!: HANDSHAKE_MANIFEST 5.8 5.7\n!: CAPABILITIES 3",
    );
    let server = start(&text).await;
    let (mut client, _) = manifest_connect(server.addr(), [0, 0, 7, 5]).await;
    assert_eq!(client.recv().await, Frame::Closed);
    failure_says(
        server.finish().await,
        "client chose 00000705 (5.7), the script accepts 5.8",
    );
}

#[tokio::test]
async fn manifest_expected_but_not_offered() {
    let text = HELLO_SCRIPT.replace("!: BOLT 5.4", "!: BOLT 5.8\n!: HANDSHAKE_MANIFEST");
    let server = start(&text).await;
    let (_client, answer) =
        RawClient::connect_classic(server.addr(), [[0, 8, 8, 5], [0; 4], [0; 4], [0; 4]]).await;
    assert_eq!(answer, [0; 4]);
    failure_says(server.finish().await, "expects the manifest handshake");
}

#[tokio::test]
async fn wildcards_optional_keys_and_open_maps() {
    let server = start(
        r#"
!: BOLT 5.4
C: HELLO {"user_agent": "*", "routing?": {"address": "*"}, "...": ""}
S: SUCCESS {}
C: RUN "*" {} "*"
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: RESET *
S: SUCCESS {}
"#,
    )
    .await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client
        .send(&message(
            HELLO,
            &[map(&[("user_agent", string("x")), ("extra", int(1))])],
        ))
        .await;
    assert_eq!(client.recv_message().await, success_empty());
    client.send_all(&[&run("RETURN 1 AS x"), &pull(1000)]).await;
    assert_eq!(
        client.recv_message().await,
        success(&[("fields", list(&[string("x")]))])
    );
    assert_eq!(
        client.recv_message().await,
        message(RECORD, &[list(&[int(1)])])
    );
    assert_eq!(
        client.recv_message().await,
        success(&[("type", string("r"))])
    );
    client.send(&reset()).await;
    assert_eq!(client.recv_message().await, success_empty());
    // The script is over: the stub closes.
    assert_eq!(client.recv().await, Frame::Closed);
    let report = server.finish().await.unwrap();
    let conn = report.connection(0).unwrap();
    assert_eq!(
        conn.received(),
        vec![
            r#"HELLO {"user_agent": "x", "extra": 1}"#,
            r#"RUN "RETURN 1 AS x" {} {}"#,
            r#"PULL {"n": 1000}"#,
            "RESET",
        ]
    );
    assert!(conn.pipelined(&["RUN", "PULL"]));
    assert!(!conn.pipelined(&["HELLO", "RUN"]));
    assert!(conn.arrived_together(&["RUN", "PULL"]));
    assert!(!conn.arrived_together(&["PULL", "RESET"]));
    // The exact bytes the client sent are kept.
    let pull_bytes = conn.events.iter().find_map(|e| match &e.kind {
        EventKind::Received { message, bytes, .. } if message.starts_with("PULL") => {
            Some(bytes.clone())
        }
        _ => None,
    });
    assert_eq!(pull_bytes, Some(pull(1000)));
}

#[tokio::test]
async fn mismatch_names_the_line() {
    let server = start(
        r#"!: BOLT 5.4
C: HELLO *
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
"#,
    )
    .await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&hello()).await;
    client.recv_message().await;
    client.send_all(&[&run("RETURN 1"), &pull(5)]).await;
    let told = expect_mismatch_failure(&mut client).await;
    assert!(told.contains(r#"line 5 `C: PULL {"n": 1000}`"#), "{told}");
    let failures = failures(server.finish().await);
    let (line, text) = &failures[0];
    assert_eq!(*line, Some(5));
    assert!(text.contains(r#"line 5 `C: PULL {"n": 1000}`"#), "{text}");
    assert!(
        text.contains(r#"the client sent `PULL {"n": 5}`"#),
        "{text}"
    );
    assert!(
        text.contains(r#"field 1: "n": expected 1000, got 5"#),
        "{text}"
    );
}

#[tokio::test]
async fn error_display_names_the_script_connection_and_line() {
    let server = start("!: BOLT 5.4\nC: HELLO {}\nS: SUCCESS {}\n").await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&reset()).await;
    expect_mismatch_failure(&mut client).await;
    let error = server.finish().await.unwrap_err().to_string();
    assert_eq!(
        error,
        "stub server: script connection #0: the client sent `RESET`, which does not match \
         line 2 `C: HELLO {}`: expected HELLO, got RESET"
    );
}

const BLOCKS: &str = r#"
!: BOLT 5.4
!: CONNECTIONS 2
C: HELLO *
S: SUCCESS {}
{*
    C: RESET
    S: SUCCESS {"reset": true}
*}
{{
    C: RUN "A" {} {}
    S: SUCCESS {"branch": "A"}
----
    C: RUN "B" {} {}
    S: SUCCESS {"branch": "B"}
}}
{+
    C: PULL {"n": "*"}
    S: RECORD [1]
+}
{?
    C: GOODBYE
?}
"#;

#[tokio::test]
async fn repeat_alternative_and_optional_blocks() {
    let server = start(BLOCKS).await;

    // First connection: two RESETs, branch B, three PULLs, GOODBYE.
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&hello()).await;
    assert_eq!(client.recv_message().await, success_empty());
    for _ in 0..2 {
        client.send(&reset()).await;
        assert_eq!(
            client.recv_message().await,
            success(&[("reset", vec![0xC3])])
        );
    }
    client.send(&run("B")).await;
    assert_eq!(
        client.recv_message().await,
        success(&[("branch", string("B"))])
    );
    for n in [1, 2, 3] {
        client.send(&pull(n)).await;
        assert_eq!(
            client.recv_message().await,
            message(RECORD, &[list(&[int(1)])])
        );
    }
    goodbye_closes(&mut client).await;

    // Second connection: no RESET, branch A, one PULL, then just closes.
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&hello()).await;
    client.recv_message().await;
    client.send(&run("A")).await;
    assert_eq!(
        client.recv_message().await,
        success(&[("branch", string("A"))])
    );
    client.send(&pull(1)).await;
    client.recv_message().await;
    drop(client);

    let report = server.finish().await.unwrap();
    assert_eq!(report.connections().len(), 2);
    assert_eq!(report.connection(1).unwrap().received().len(), 3);
    assert_eq!(report.never_played(&script(BLOCKS)), vec![]);

    // One connection taking branch A only leaves the RESET and B lines.
    let server = start(&BLOCKS.replace("!: CONNECTIONS 2", "")).await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&hello()).await;
    client.recv_message().await;
    client.send(&run("A")).await;
    client.recv_message().await;
    client.send(&pull(1)).await;
    client.recv_message().await;
    drop(client);
    let report = server.finish().await.unwrap();
    let skipped: Vec<usize> = report
        .never_played(&script(BLOCKS))
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    assert_eq!(skipped, vec![7, 8, 14, 15, 22]);
}

#[tokio::test]
async fn one_or_more_needs_one() {
    let server = start(&BLOCKS.replace("!: CONNECTIONS 2", "")).await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&hello()).await;
    client.recv_message().await;
    client.send(&run("A")).await;
    client.recv_message().await;
    client.send(&goodbye()).await;
    expect_mismatch_failure(&mut client).await;
    let failures = failures(server.finish().await);
    assert_eq!(failures[0].0, Some(18), "{failures:?}");
    assert!(
        failures[0].1.contains("the client sent `GOODBYE`"),
        "{failures:?}"
    );
}

#[tokio::test]
async fn exit_closes_cleanly_and_kill_resets() {
    let server = start("!: BOLT 5.4\nC: HELLO *\nS: SUCCESS {}\n   <EXIT>\n").await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&hello()).await;
    assert_eq!(client.recv_message().await, success_empty());
    assert_eq!(client.read_to_close().await, Ok(0));
    server.finish().await.unwrap();

    let server = start("!: BOLT 5.4\nC: HELLO *\nS: <KILL>\n").await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&hello()).await;
    assert_eq!(
        client.read_to_close().await,
        Err(std::io::ErrorKind::ConnectionReset)
    );
    let report = server.finish().await.unwrap();
    let events = &report.connection(0).unwrap().events;
    assert_eq!(events.last().map(|e| &e.kind), Some(&EventKind::Killed));
}

#[tokio::test]
async fn sleep_noop_and_raw_bytes() {
    let server = start(
        "!: BOLT 5.4\nC: HELLO *\nS: <NOOP>\n   <SLEEP 0.2>\n   <RAW> 00 03 b1 70 a0 00 00\n   <RAW> ff\n",
    ).await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&hello()).await;
    let start = std::time::Instant::now();
    assert_eq!(client.recv().await, Frame::Noop);
    assert_eq!(client.recv_message().await, success_empty());
    assert!(start.elapsed() >= Duration::from_millis(150));
    assert_eq!(client.recv_raw(1).await, [0xFF]);
    server.finish().await.unwrap();
}

#[tokio::test]
async fn auto_reset_and_auto_goodbye() {
    let server = start(
        "!: BOLT 5.4\n!: AUTO RESET GOODBYE\nC: HELLO *\nS: SUCCESS {}\nC: RUN * \nS: SUCCESS {}\n",
    )
    .await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&reset()).await;
    assert_eq!(client.recv_message().await, success_empty());
    client.send(&hello()).await;
    assert_eq!(client.recv_message().await, success_empty());
    client.send(&reset()).await;
    assert_eq!(client.recv_message().await, success_empty());
    goodbye_closes(&mut client).await;
    let report = server.finish().await.unwrap();
    assert_eq!(
        report.connection(0).unwrap().received(),
        vec![
            "RESET",
            "HELLO {\"user_agent\": \"raw/1.0\"}",
            "RESET",
            "GOODBYE"
        ]
    );
}

#[tokio::test]
async fn auto_answers_keep_every_way_open() {
    let server = start(
        "!: BOLT 5.4\n!: AUTO RESET\nC: HELLO *\nS: SUCCESS {}\n{?\n  C: RUN \"a\" {} {}\n  S: SUCCESS {}\n?}\nC: RUN \"b\" {} {}\nS: SUCCESS {\"b\": 1}\n",
    ).await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&hello()).await;
    client.recv_message().await;
    client.send(&reset()).await;
    assert_eq!(client.recv_message().await, success_empty());
    client.send(&run("b")).await;
    assert_eq!(client.recv_message().await, success(&[("b", int(1))]));
    server.finish().await.unwrap();
}

#[tokio::test]
async fn several_scripts_on_one_server_in_parallel() {
    let one = script("!: BOLT 5.4\nC: RUN \"one\" {} {}\nS: SUCCESS {\"n\": 1}\n");
    let two = script("!: BOLT 4.4\nC: RUN \"two\" {} {}\nS: SUCCESS {\"n\": 2}\n");
    let server = StubServer::start_many(vec![one, two]).await.unwrap();
    let (mut a, answer_a) =
        RawClient::connect_classic(server.addr(), [[0, 4, 4, 5], [0, 0, 4, 4], [0; 4], [0; 4]])
            .await;
    let (mut b, answer_b) =
        RawClient::connect_classic(server.addr(), [[0, 4, 4, 5], [0, 0, 4, 4], [0; 4], [0; 4]])
            .await;
    assert_eq!(answer_a, [0, 0, 4, 5]);
    assert_eq!(answer_b, [0, 0, 4, 4]);
    // Answer in the other order: the connections are independent.
    b.send(&run("two")).await;
    a.send(&run("one")).await;
    assert_eq!(b.recv_message().await, success(&[("n", int(2))]));
    assert_eq!(a.recv_message().await, success(&[("n", int(1))]));
    // A third connection is one too many.
    let mut c = RawClient::connect(server.addr()).await;
    assert_eq!(c.read_to_close().await.ok(), Some(0));
    let failures = failures(server.finish().await);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].1.contains("unexpected connection"),
        "{failures:?}"
    );
}

#[tokio::test]
async fn several_servers_and_missing_connections() {
    let a = start("!: BOLT 5.4\n!: CONNECTIONS 2\nC: RESET\nS: SUCCESS {}\n").await;
    let b = start("!: BOLT 5.4\n!: CONNECTIONS ANY\nC: RESET\nS: SUCCESS {}\n").await;
    assert_ne!(a.addr(), b.addr());
    for addr in [a.addr(), b.addr(), b.addr(), b.addr()] {
        let mut client = RawClient::connect_5_4(addr).await;
        client.send(&reset()).await;
        assert_eq!(client.recv_message().await, success_empty());
    }
    assert_eq!(b.finish().await.unwrap().connections().len(), 3);
    failure_says(a.finish().await, "expected 2 connection(s), got 1");
}

#[tokio::test]
async fn finish_reports_a_line_never_played() {
    let server = start("!: BOLT 5.4\nC: HELLO *\nS: SUCCESS {}\nC: RUN *\nS: SUCCESS {}\n").await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&hello()).await;
    client.recv_message().await;
    // The client stays connected and idle.
    let failures = failures(server.finish().await);
    assert_eq!(failures[0].0, Some(4));
    assert!(failures[0].1.contains("never played"), "{failures:?}");
    drop(client);
}

#[tokio::test]
async fn client_closing_early_is_a_failure_but_closing_at_the_end_is_not() {
    let text = "!: BOLT 5.4\nC: HELLO *\nS: SUCCESS {}\nC: RUN *\nS: SUCCESS {}\n";
    let server = start(text).await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&hello()).await;
    client.recv_message().await;
    drop(client);
    failure_says(
        server.finish().await,
        "the client closed the connection where the script expects line 4",
    );

    let server = start("!: BOLT 5.4\nC: HELLO *\nS: SUCCESS {}\nC: <EOF>\n").await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&hello()).await;
    client.recv_message().await;
    drop(client);
    let report = server.finish().await.unwrap();
    assert_eq!(report.connection(0).unwrap().played, vec![2, 3, 4]);
}

#[tokio::test]
async fn a_client_that_does_not_pipeline_times_out() {
    let server = StubServer::builder()
        .script(script(
            "!: BOLT 5.4\nC: RUN *\n   PULL *\nS: SUCCESS {}\n   SUCCESS {}\n",
        ))
        .client_timeout(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let mut client = RawClient::connect_5_4(server.addr()).await;
    // RUN alone, then wait for its reply: the stub waits for PULL.
    client.send(&run("RETURN 1")).await;
    let told = expect_mismatch_failure(&mut client).await;
    assert!(told.contains("sent nothing for 200ms"), "{told}");
    let failures = failures(server.finish().await);
    assert_eq!(failures[0].0, Some(3));
    assert!(
        failures[0].1.contains("sent nothing for 200ms"),
        "{failures:?}"
    );
}

#[tokio::test]
async fn scripts_from_files() {
    let path = std::env::temp_dir().join(format!("quiver-stub-{}.script", std::process::id()));
    std::fs::write(&path, HELLO_SCRIPT).unwrap();
    let server = StubServer::start_file(&path).await.unwrap();
    let mut client = RawClient::connect_5_4(server.addr()).await;
    hello_goodbye(&mut client).await;
    let report = server.finish().await.unwrap();
    assert_eq!(
        report.connection(0).unwrap().script,
        path.display().to_string()
    );

    std::fs::write(&path, "!: BOLT 5.4\nC: HELO {}\n").unwrap();
    let error = Script::from_file(&path).unwrap_err().to_string();
    assert_eq!(
        error,
        format!("{} line 2: unknown message \"HELO\"", path.display())
    );
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn client_noops_are_ignored_and_recorded() {
    let server = start("!: BOLT 5.4\nC: RESET\nS: SUCCESS {}\n").await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    use tokio::io::AsyncWriteExt;
    client.stream.write_all(&[0, 0]).await.unwrap();
    client.send(&reset()).await;
    assert_eq!(client.recv_message().await, success_empty());
    let report = server.finish().await.unwrap();
    assert_eq!(
        report
            .connection(0)
            .unwrap()
            .events
            .first()
            .map(|e| &e.kind),
        Some(&EventKind::ClientNoop)
    );
}

#[tokio::test]
async fn forced_handshake_reply_and_expected_response() {
    // A manifest offer written by hand: 5.9 (which the client may not know)
    // and 5.8, capabilities 0; the client must choose 5.8.
    let server = start(
        "!: HANDSHAKE 00 00 01 FF 02 00 00 09 05 00 00 08 05 00\n\
         !: HANDSHAKE_RESPONSE 00 00 08 05 00\n\
         C: RESET\nS: SUCCESS {}\n",
    )
    .await;
    let (mut client, offer) = manifest_connect(server.addr(), [0, 0, 8, 5]).await;
    assert_eq!(offer, [0, 0, 1, 0xFF, 2, 0, 0, 9, 5, 0, 0, 8, 5, 0]);
    client.send(&reset()).await;
    assert_eq!(client.recv_message().await, success_empty());
    let report = server.finish().await.unwrap();
    assert_eq!(report.connection(0).unwrap().handshake.agreed, Some((5, 8)));

    // A client that answers otherwise fails the handshake.
    let server = start(
        "!: HANDSHAKE 00 00 01 FF 02 00 00 09 05 00 00 08 05 00\n\
         !: HANDSHAKE_RESPONSE 00 00 08 05 00\n\
         C: RESET\nS: SUCCESS {}\n",
    )
    .await;
    let (mut client, _) = manifest_connect(server.addr(), [0, 0, 9, 5]).await;
    assert_eq!(client.recv().await, Frame::Closed);
    failure_says(
        server.finish().await,
        "answered the handshake with 00 00 09 05 00",
    );
}

#[tokio::test]
async fn forced_refusal_closes_without_failure() {
    let server = start("!: HANDSHAKE 00 00 00 00\n").await;
    let (mut client, answer) =
        RawClient::connect_classic(server.addr(), [[0, 4, 4, 5], [0; 4], [0; 4], [0; 4]]).await;
    assert_eq!(answer, [0; 4]);
    assert_eq!(client.recv().await, Frame::Closed);
    let report = server.finish().await.unwrap();
    assert_eq!(report.connection(0).unwrap().handshake.agreed, None);
}

#[tokio::test]
async fn a_script_can_name_its_own_address() {
    let listener = StubServer::bind().await.unwrap();
    let me = listener.addr().to_string();
    let script = Script::parse_with_vars(
        "!: BOLT #VERSION#\nC: RESET\nS: SUCCESS {\"address\": \"#ME#\"}\n",
        &[("VERSION", "5.4"), ("ME", &me)],
    )
    .unwrap();
    let server = listener.start(script);
    assert_eq!(server.addr().to_string(), me);
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&reset()).await;
    assert_eq!(
        client.recv_message().await,
        success(&[("address", string(&me))])
    );
    server.finish().await.unwrap();
}

#[tokio::test]
async fn finish_does_not_wait_for_a_silent_connection() {
    let server = start(HELLO_SCRIPT).await;
    // Connected, never says a word.
    let _client = RawClient::connect(server.addr()).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let start = std::time::Instant::now();
    let failures = failures(server.finish().await);
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(
        failures[0]
            .1
            .contains("handshake: finished before the client completed it"),
        "{failures:?}"
    );
}

#[tokio::test]
async fn structures_bytes_and_floats_in_both_directions() {
    let server = start(
        r##"!: BOLT 5.4
C: RUN "*" {"d": {"@date": ["*"]}, "b": {"#": "0102"}} {}
S: RECORD [{"@node": [1, ["L"], {}, "e1"]}, 1.5, {"#": "ff"}, {"Z": "-200"}]
"##,
    )
    .await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    let date = vec![0xB1, 0x44, 0x05];
    let bytes = vec![0xCC, 0x02, 0x01, 0x02];
    client
        .send(&message(
            RUN,
            &[
                string("RETURN $d"),
                map(&[("d", date), ("b", bytes)]),
                map(&[]),
            ],
        ))
        .await;
    let mut expected = vec![0xB1, RECORD, 0x94];
    expected.extend([0xB4, 0x4E, 0x01, 0x91, 0x81, b'L', 0xA0, 0x82, b'e', b'1']);
    expected.push(0xC1);
    expected.extend(1.5f64.to_be_bytes());
    expected.extend([0xCC, 0x01, 0xFF]);
    expected.extend([0xC9, 0xFF, 0x38]);
    assert_eq!(client.recv_message().await, expected);
    let report = server.finish().await.unwrap();
    assert_eq!(
        report.connection(0).unwrap().received(),
        vec![r##"RUN "RETURN $d" {"d": {"@date": [5]}, "b": {"#": "0102"}} {}"##]
    );
}

#[tokio::test]
async fn a_client_that_gives_up_while_the_server_sleeps_is_fine_at_the_end() {
    // The client leaves during the SLEEP; the late SUCCESS may fail to be
    // written, and the script can end there: no failure either way.
    let server = start(
        "!: BOLT 5.4\nC: RUN *\nS: <SLEEP 0.3>\n   SUCCESS {}\n   <SLEEP 0.2>\n   SUCCESS {}\n",
    )
    .await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&run("RETURN 1")).await;
    drop(client);
    server.finish().await.unwrap();

    // Where the script still needs the client, its going away fails.
    let server = start(
        "!: BOLT 5.4\nC: RUN *\nS: <SLEEP 0.3>\n   SUCCESS {}\n   <SLEEP 0.2>\n   SUCCESS {}\nC: PULL *\n",
    ).await;
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send(&run("RETURN 1")).await;
    drop(client);
    let failures = failures(server.finish().await);
    assert_eq!(failures[0].0, Some(7), "{failures:?}");
}
