//! Hostile bytes at the Bolt layer: forged chunk and value lengths, deep
//! nesting, unknown tags, wrong metadata types and random garbage into the
//! dechunker, the message decoder and the handshake parser. Each gives a
//! clear error (or asks for more bytes), never a panic or a huge
//! allocation; a connection that received an unreadable message is defunct.

mod common;

use bytes::BytesMut;
use common::*;
use proptest::prelude::*;
use quiver_bolt::codec::ChunkCodec;
use quiver_bolt::handshake::parse_server_reply;
use quiver_bolt::message::options_for;
use quiver_bolt::packstream::Value;
use quiver_bolt::{BoltCodec, Error, Pull, Request, Response, Run, Version};
use tokio_util::codec::Decoder;

fn opts() -> quiver_bolt::packstream::Options {
    options_for(Version::V5_4, false)
}

fn decode(body: &[u8]) -> Result<Response, Error> {
    Response::decode(bytes::Bytes::copy_from_slice(body), Version::V5_4, &opts())
}

fn is_protocol(e: &Error) -> bool {
    matches!(e, Error::Protocol(_) | Error::PackStream(_))
}

#[test]
fn a_message_over_the_size_limit_is_refused_before_it_is_buffered() {
    let mut codec = ChunkCodec::with_max_message_size(1000);
    let mut src = BytesMut::new();
    // Two full chunks of 600 bytes: the second passes the limit.
    for _ in 0..2 {
        src.extend_from_slice(&600u16.to_be_bytes());
        src.extend_from_slice(&[0x91; 600]);
    }
    let err = codec.decode(&mut src).unwrap_err();
    assert!(is_protocol(&err), "{err}");
    assert!(err.to_string().contains("1000"), "{err}");
}

#[test]
fn a_chunk_header_alone_asks_for_more_without_allocating_much() {
    let mut codec = ChunkCodec::new();
    let mut src = BytesMut::from(&[0xFF, 0xFF][..]);
    assert!(codec.decode(&mut src).unwrap().is_none());
    // At most one chunk's worth reserved, whatever the header says.
    assert!(src.capacity() < 70_000, "{}", src.capacity());
}

#[test]
fn unknown_message_tags_and_non_structures_are_protocol_errors() {
    for body in [
        &[0xB0, 0x55][..],
        &[0xB3, 0x70, 0xA0, 0xA0, 0xA0],
        &[0x01, 0x02],
        &[0xB1],
        &[],
        // RECORD whose field is not a list.
        &[0xB1, 0x71, 0x01],
        // SUCCESS whose metadata is not a map.
        &[0xB1, 0x70, 0x01],
        // FAILURE whose metadata is a list.
        &[0xB1, 0x7F, 0x90],
    ] {
        let err = decode(body).unwrap_err();
        assert!(is_protocol(&err), "{body:02X?}: {err}");
    }
}

#[test]
fn forged_lengths_in_metadata_are_errors() {
    for body in [
        // SUCCESS {<4 GB string>: ...}
        &[0xB1, 0x70, 0xA1, 0xD2, 0xFF, 0xFF, 0xFF, 0xFF, b'a'][..],
        // SUCCESS {"f": <list of 2^32 - 1 items>}
        &[
            0xB1, 0x70, 0xA1, 0x81, b'f', 0xD6, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
        ],
        // SUCCESS <map of 2^32 - 1 entries>
        &[0xB1, 0x70, 0xDA, 0xFF, 0xFF, 0xFF, 0xFF],
        // SUCCESS {"b": <bytes of 2^32 - 1>}
        &[0xB1, 0x70, 0xA1, 0x81, b'b', 0xCE, 0xFF, 0xFF, 0xFF, 0xFF],
    ] {
        let err = decode(body).unwrap_err();
        assert!(is_protocol(&err), "{body:02X?}: {err}");
    }
}

#[test]
fn deep_nesting_in_metadata_and_records_is_an_error_not_a_stack_overflow() {
    let mut body = vec![0xB1, 0x70, 0xA1, 0x81, b'k'];
    body.extend(std::iter::repeat_n(0x91, 100_000));
    body.push(0x01);
    assert!(is_protocol(&decode(&body).unwrap_err()));

    let mut body = vec![0xB1, 0x71, 0x91];
    body.extend(std::iter::repeat_n(0x91, 100_000));
    body.push(0x01);
    match decode(&body).unwrap() {
        Response::Record(record) => {
            let err = record.decode::<Vec<Value>>(&opts()).unwrap_err();
            assert!(
                err.to_string().contains("nesting deeper than the limit"),
                "{err}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn records_with_forged_lengths_fail_when_read() {
    for value in [
        &[0xD2, 0xFF, 0xFF, 0xFF, 0xFF][..],
        &[0xD6, 0xFF, 0xFF, 0xFF, 0xFF],
        &[0xDA, 0xFF, 0xFF, 0xFF, 0xFF],
        &[0xDD, 0xFF, 0xFF],
    ] {
        let mut body = vec![0xB1, 0x71, 0x91];
        body.extend_from_slice(value);
        let Response::Record(record) = decode(&body).unwrap() else {
            panic!("not a record");
        };
        assert!(
            record.decode::<Vec<Value>>(&opts()).is_err(),
            "{value:02X?}"
        );
    }
}

#[test]
fn success_metadata_of_the_wrong_types_reads_as_absent() {
    let Response::Success(success) = decode(&[
        0xB1, 0x70, 0xA3, 0x86, b'f', b'i', b'e', b'l', b'd', b's', 0x05, 0x88, b'h', b'a', b's',
        b'_', b'm', b'o', b'r', b'e', 0x81, b'x', 0x83, b'q', b'i', b'd', 0x81, b'1',
    ])
    .unwrap() else {
        panic!("not a success");
    };
    assert!(success.fields().is_empty());
    assert!(!success.has_more());
    assert_eq!(success.qid(), None);
}

#[test]
fn handshake_replies_that_make_no_sense() {
    // HTTP, a manifest version we do not know, a manifest offering too many
    // versions, a varint that never ends.
    assert!(parse_server_reply(b"HTTP/1.1 400").is_err());
    assert!(parse_server_reply(&[0, 0, 2, 0xFF]).is_err());
    assert!(parse_server_reply(&[0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]).is_err());
    let mut endless = vec![0, 0, 1, 0xFF];
    endless.extend_from_slice(&[0xFF; 12]);
    assert!(parse_server_reply(&endless).is_err());
    // Incomplete: ask for more.
    assert_eq!(parse_server_reply(&[0, 0, 1]).unwrap(), None);
    assert_eq!(parse_server_reply(&[0, 0, 1, 0xFF, 2, 0, 0]).unwrap(), None);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn garbage_never_panics_the_decoders(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_server_reply(&bytes);
        let _ = decode(&bytes);
        if let Ok(Response::Record(record)) = decode(&bytes) {
            let _ = record.decode::<Vec<Value>>(&opts());
        }
        let mut codec = BoltCodec::new(Version::V5_4, false);
        let mut src = BytesMut::from(&bytes[..]);
        for _ in 0..10 {
            match codec.decode(&mut src) {
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
    }

    #[test]
    fn mutated_well_formed_messages_never_panic(
        at in 0usize..40,
        byte in any::<u8>(),
    ) {
        // A SUCCESS with fields, a RECORD, and a FAILURE, one byte changed.
        let mut body = vec![
            0xB1, 0x70, 0xA2, 0x86, b'f', b'i', b'e', b'l', b'd', b's', 0x91, 0x81, b'x',
            0x83, b'q', b'i', b'd', 0x01,
        ];
        body.extend_from_slice(&[0xB1, 0x71, 0x93, 0x01, 0xC1, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x81, b'a']);
        let i = at % body.len();
        body[i] = byte;
        let _ = decode(&body);
        let _ = decode(&body[15..]);
        if let Ok(Response::Record(record)) = decode(&body[18..]) {
            let _ = record.decode::<Vec<Value>>(&opts());
        }
    }
}

/// An unreadable message from the server leaves the connection defunct.
#[tokio::test]
async fn a_connection_that_reads_an_unknown_message_is_defunct() {
    let server = start(script(
        Version::V5_4,
        "C: RUN \"RETURN 1\" {} {}\n   PULL {\"n\": 1000}\nS: <RAW> 00 02 B0 55 00 00\n",
    ))
    .await;
    let mut conn = connect(&server).await;
    conn.send(&Request::Run(Run::new("RETURN 1"))).unwrap();
    conn.send(&Request::Pull(Pull::n(1000))).unwrap();
    conn.flush().await.unwrap();
    let err = conn.recv().await.unwrap_err();
    assert!(is_protocol(&err), "{err}");
    assert!(conn.is_defunct());
    drop(conn);
    let _ = server.finish().await;
}
