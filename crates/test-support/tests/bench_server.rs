//! The bench server against a hand-written client.

mod raw_client;

use quiver_packstream::Deserializer;
use quiver_test_support::bench_server::BenchServer;
use raw_client::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The message's tag and its first field's raw bytes.
fn tag(message: &[u8]) -> u8 {
    let mut de = Deserializer::new(message);
    de.read_struct_header().unwrap().0
}

/// A RECORD's single int.
fn record_int(message: &[u8]) -> i64 {
    let mut de = Deserializer::new(message);
    assert_eq!(de.read_struct_header().unwrap(), (RECORD, 1));
    assert_eq!(de.read_list_header().unwrap(), 1);
    de.read_int().unwrap()
}

fn has_key(message: &[u8], key: &str) -> bool {
    message.windows(key.len()).any(|w| w == key.as_bytes())
}

#[tokio::test]
async fn handshakes() {
    let server = BenchServer::start().unwrap();
    let (_, answer) =
        RawClient::connect_classic(server.addr(), [[0, 8, 8, 5], [0, 0, 4, 4], [0; 4], [0; 4]])
            .await;
    assert_eq!(answer, [0, 0, 8, 5]);
    let (_, answer) =
        RawClient::connect_classic(server.addr(), [[0, 0, 4, 4], [0; 4], [0; 4], [0; 4]]).await;
    assert_eq!(answer, [0, 0, 4, 4]);
    let (_, answer) =
        RawClient::connect_classic(server.addr(), [[0, 0, 3, 3], [0; 4], [0; 4], [0; 4]]).await;
    assert_eq!(answer, [0; 4]);

    // Manifest: ten versions offered, the client picks 5.7.
    let (mut client, answer) =
        RawClient::connect_classic(server.addr(), [MANIFEST_V1, [0, 8, 8, 5], [0; 4], [0; 4]])
            .await;
    assert_eq!(answer, MANIFEST_V1);
    let mut rest = [0u8; 1 + 52 + 1];
    client.stream.read_exact(&mut rest).await.unwrap();
    assert_eq!(rest[0], 13);
    assert_eq!(&rest[1..5], &[0, 0, 8, 5]);
    client.stream.write_all(&[0, 0, 7, 5, 0]).await.unwrap();
    client.send(&hello()).await;
    assert_eq!(tag(&client.recv_message().await), SUCCESS);
}

#[tokio::test]
async fn pull_in_batches() {
    let server = BenchServer::start().unwrap();
    let mut client = RawClient::connect_5_4(server.addr()).await;
    client.send_all(&[&hello(), &run("INTS 5"), &pull(2)]).await;
    assert_eq!(tag(&client.recv_message().await), SUCCESS);
    let run_success = client.recv_message().await;
    assert!(has_key(&run_success, "fields"));
    assert_eq!(record_int(&client.recv_message().await), 0);
    assert_eq!(record_int(&client.recv_message().await), 1);
    let summary = client.recv_message().await;
    assert!(has_key(&summary, "has_more"));
    client.send(&pull(-1)).await;
    for expected in 2..5 {
        assert_eq!(record_int(&client.recv_message().await), expected);
    }
    let summary = client.recv_message().await;
    assert_eq!(tag(&summary), SUCCESS);
    assert!(has_key(&summary, "bookmark"));
    assert!(!has_key(&summary, "has_more"));

    // An unknown query fails; what follows is ignored until RESET.
    client
        .send_all(&[&run("MATCH (n) RETURN n"), &pull(-1)])
        .await;
    assert_eq!(tag(&client.recv_message().await), 0x7F);
    assert_eq!(tag(&client.recv_message().await), 0x7E);
    client.send(&reset()).await;
    assert_eq!(client.recv_message().await, success_empty());

    // ROUTE names the server itself.
    client
        .send(&message(0x66, &[map(&[]), list(&[]), map(&[])]))
        .await;
    let route = client.recv_message().await;
    assert!(has_key(&route, &server.addr().to_string()));
    client.send(&goodbye()).await;
    assert_eq!(client.read_to_close().await, Ok(0));
}

#[tokio::test]
async fn transactions_by_qid() {
    let server = BenchServer::start().unwrap();
    server.prepare("NODES 3");
    let mut client = RawClient::connect_5_4(server.addr()).await;
    let begin = message(0x11, &[map(&[])]);
    let pull_qid = |n: i64, qid: i64| message(PULL, &[map(&[("n", int(n)), ("qid", int(qid))])]);
    client
        .send_all(&[&hello(), &begin, &run("INTS 3"), &run("RETURN 1")])
        .await;
    for _ in 0..4 {
        assert_eq!(tag(&client.recv_message().await), SUCCESS);
    }
    client.send_all(&[&pull_qid(-1, 0), &pull_qid(-1, 1)]).await;
    for expected in [0, 1, 2] {
        assert_eq!(record_int(&client.recv_message().await), expected);
    }
    assert!(!has_key(&client.recv_message().await, "has_more"));
    assert_eq!(record_int(&client.recv_message().await), 1);
    let summary = client.recv_message().await;
    assert!(
        !has_key(&summary, "bookmark"),
        "no bookmark inside a transaction"
    );
    client.send(&message(0x12, &[])).await;
    assert!(has_key(&client.recv_message().await, "bookmark"));
}

/// `UNWIND $rows ...` is a bulk write: every row is walked, none comes
/// back, and the summary counts them as created; without `rows` it fails.
#[tokio::test]
async fn bulk_writes_count_their_rows() {
    let server = BenchServer::start().unwrap();
    let mut client = RawClient::connect_5_4(server.addr()).await;
    let rows = list(&[
        map(&[("id", int(1)), ("name", string("a"))]),
        map(&[("id", int(2)), ("name", string("b"))]),
        map(&[("id", int(3)), ("name", string("c"))]),
    ]);
    let write = message(
        RUN,
        &[
            string("UNWIND $rows AS r CREATE (:P) SET p.id = r.id"),
            map(&[("rows", rows)]),
            map(&[]),
        ],
    );
    client.send_all(&[&hello(), &write, &pull(-1)]).await;
    assert_eq!(tag(&client.recv_message().await), SUCCESS);
    assert_eq!(tag(&client.recv_message().await), SUCCESS);
    let summary = client.recv_message().await;
    assert_eq!(tag(&summary), SUCCESS);
    assert!(has_key(&summary, "nodes-created"));
    // nodes-created: 3 (a tiny int right after the key).
    let at = summary
        .windows(13)
        .position(|w| w == b"nodes-created")
        .unwrap();
    assert_eq!(summary[at + 13], 3);

    let missing = message(
        RUN,
        &[string("UNWIND $rows AS r RETURN r"), map(&[]), map(&[])],
    );
    client.send_all(&[&missing, &pull(-1)]).await;
    assert_eq!(tag(&client.recv_message().await), 0x7F);
}
