//! Exact bytes of every request, per version where the fields differ.

use std::time::Duration;

use bytes::Bytes;
use quiver_packstream::{Map, Value};

use super::*;
use crate::agent::BoltAgent;
use crate::error::{Classification, Error};

/// A tiny string (< 16 bytes): marker + bytes.
fn s(x: &str) -> Vec<u8> {
    assert!(x.len() < 16);
    let mut v = vec![0x80 | x.len() as u8];
    v.extend_from_slice(x.as_bytes());
    v
}

/// A string of 16..=255 bytes.
fn s8(x: &str) -> Vec<u8> {
    let mut v = vec![0xD0, x.len() as u8];
    v.extend_from_slice(x.as_bytes());
    v
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn agent() -> BoltAgent {
    BoltAgent {
        product: "q/1".into(),
        platform: None,
        language: None,
        language_details: None,
    }
}

#[test]
fn simple_messages() {
    let v = Version::V5_8;
    assert_eq!(Request::Commit.to_vec(v).unwrap(), [0xB0, 0x12]);
    assert_eq!(Request::Rollback.to_vec(v).unwrap(), [0xB0, 0x13]);
    assert_eq!(Request::Reset.to_vec(v).unwrap(), [0xB0, 0x0F]);
    assert_eq!(Request::Goodbye.to_vec(v).unwrap(), [0xB0, 0x02]);
    assert_eq!(Request::Logoff.to_vec(v).unwrap(), [0xB0, 0x6B]);
    assert!(matches!(
        Request::Logoff.to_vec(Version::V5_0),
        Err(Error::Unsupported { .. })
    ));
}

#[test]
fn pull_and_discard() {
    let v = Version::V4_4;
    assert_eq!(
        Request::Pull(Pull::ALL).to_vec(v).unwrap(),
        cat(&[&[0xB1, 0x3F, 0xA1], &s("n"), &[0xFF]])
    );
    assert_eq!(
        Request::Pull(Pull { n: 1000, qid: 3 }).to_vec(v).unwrap(),
        cat(&[
            &[0xB1, 0x3F, 0xA2],
            &s("n"),
            &[0xC9, 0x03, 0xE8],
            &s("qid"),
            &[0x03]
        ])
    );
    assert_eq!(
        Request::Discard(Pull::n(5)).to_vec(v).unwrap(),
        cat(&[&[0xB1, 0x2F, 0xA1], &s("n"), &[0x05]])
    );
}

#[test]
fn run_auto_commit_and_in_tx() {
    let v = Version::V5_0;
    assert_eq!(
        Request::Run(Run::new("RETURN 1")).to_vec(v).unwrap(),
        cat(&[&[0xB3, 0x10], &s("RETURN 1"), &[0xA0, 0xA0]])
    );
    let mut params = Map::new();
    params.insert("x".into(), Value::Integer(1));
    let bookmarks = vec!["bm1".to_owned()];
    let run = Run {
        query: "RETURN $x",
        params: Params::Map(&params),
        extra: TxExtra {
            bookmarks: &bookmarks,
            tx_timeout: Some(Duration::from_micros(1_500_500)),
            mode: AccessMode::Read,
            db: Some("neo4j"),
            imp_user: Some("bob"),
            ..TxExtra::default()
        },
    };
    assert_eq!(
        Request::Run(run).to_vec(v).unwrap(),
        cat(&[
            &[0xB3, 0x10],
            &s("RETURN $x"),
            &[0xA1],
            &s("x"),
            &[0x01],
            &[0xA5],
            &s("bookmarks"),
            &[0x91],
            &s("bm1"),
            &s("tx_timeout"),
            &[0xC9, 0x05, 0xDD], // 1500.5 ms rounds up to 1501
            &s("mode"),
            &s("r"),
            &s("db"),
            &s("neo4j"),
            &s("imp_user"),
            &s("bob"),
        ])
    );
    // pre-encoded parameters go out as they are
    let enc = cat(&[&[0xA1], &s("x"), &[0x01]]);
    let run = Run {
        query: "RETURN $x",
        params: Params::Encoded(&enc),
        extra: TxExtra::default(),
    };
    assert_eq!(
        Request::Run(run).to_vec(v).unwrap(),
        cat(&[&[0xB3, 0x10], &s("RETURN $x"), &enc, &[0xA0]])
    );
    let bad = [0x01u8];
    let run = Run {
        query: "x",
        params: Params::Encoded(&bad),
        extra: TxExtra::default(),
    };
    assert!(Request::Run(run).to_vec(v).is_err());
}

#[test]
fn begin_with_metadata_and_notifications_per_version() {
    let mut meta = Map::new();
    meta.insert("app".into(), Value::String("x".into()));
    let filter = NotificationFilter::default()
        .with_minimum_severity(MinimumSeverity::Warning)
        .with_disabled_classification(NotificationClassification::Hint);
    let begin = Begin {
        extra: TxExtra {
            tx_metadata: Some(&meta),
            notifications: Some(&filter),
            ..TxExtra::default()
        },
    };
    let expect = |key: &str| {
        cat(&[
            &[0xB1, 0x11, 0xA3],
            &s("tx_metadata"),
            &[0xA1],
            &s("app"),
            &s("x"),
            &s8("notifications_minimum_severity"),
            &s("WARNING"),
            &s8(key),
            &[0x91],
            &s("HINT"),
        ])
    };
    // [bolt-version-bump] categories until 5.4, classifications from 5.5
    assert_eq!(
        Request::Begin(begin).to_vec(Version::V5_2).unwrap(),
        expect("notifications_disabled_categories")
    );
    assert_eq!(
        Request::Begin(begin).to_vec(Version::V5_4).unwrap(),
        expect("notifications_disabled_categories")
    );
    assert_eq!(
        Request::Begin(begin).to_vec(Version::V5_6).unwrap(),
        expect("notifications_disabled_classifications")
    );
    assert!(matches!(
        Request::Begin(begin).to_vec(Version::V5_1),
        Err(Error::Unsupported { .. })
    ));
    assert_eq!(
        Request::Begin(Begin::default())
            .to_vec(Version::V4_4)
            .unwrap(),
        [0xB1, 0x11, 0xA0]
    );
}

#[test]
fn hello_per_version() {
    let auth = AuthToken::basic("u", "p");
    let agent = agent();
    let none = NotificationFilter::default();
    let hello = Hello {
        user_agent: "ua",
        bolt_agent: &agent,
        auth: Some(&auth),
        routing: None,
        notifications: &none,
    };
    let auth_fields = cat(&[
        &s("scheme"),
        &s("basic"),
        &s("principal"),
        &s("u"),
        &s("credentials"),
        &s("p"),
    ]);
    // 4.4: auth inline and the UTC patch
    assert_eq!(
        Request::Hello(hello).to_vec(Version::V4_4).unwrap(),
        cat(&[
            &[0xB1, 0x01, 0xA5],
            &s("user_agent"),
            &s("ua"),
            &auth_fields,
            &s("patch_bolt"),
            &[0x91],
            &s("utc"),
        ])
    );
    // 5.0: auth inline, no patch
    assert_eq!(
        Request::Hello(hello).to_vec(Version::V5_0).unwrap(),
        cat(&[
            &[0xB1, 0x01, 0xA4],
            &s("user_agent"),
            &s("ua"),
            &auth_fields
        ])
    );
    // 5.1, 5.2: user agent only (auth goes to LOGON)
    for v in [Version::V5_1, Version::V5_2] {
        assert_eq!(
            Request::Hello(hello).to_vec(v).unwrap(),
            cat(&[&[0xB1, 0x01, 0xA1], &s("user_agent"), &s("ua")])
        );
    }
    // 5.3+: bolt_agent
    for v in [
        Version::V5_3,
        Version::V5_4,
        Version::V5_6,
        Version::V5_7,
        Version::V5_8,
        Version::V6_0,
    ] {
        assert_eq!(
            Request::Hello(hello).to_vec(v).unwrap(),
            cat(&[
                &[0xB1, 0x01, 0xA2],
                &s("user_agent"),
                &s("ua"),
                &s("bolt_agent"),
                &[0xA1],
                &s("product"),
                &s("q/1"),
            ]),
            "{v}"
        );
    }
    // routing context
    let routing = string_map([("address", "h:1")]);
    let hello = Hello {
        routing: Some(&routing),
        ..hello
    };
    assert_eq!(
        Request::Hello(hello).to_vec(Version::V5_1).unwrap(),
        cat(&[
            &[0xB1, 0x01, 0xA2],
            &s("user_agent"),
            &s("ua"),
            &s("routing"),
            &[0xA1],
            &s("address"),
            &s("h:1"),
        ])
    );
}

#[test]
fn logon_per_scheme() {
    assert_eq!(
        Request::Logon(&AuthToken::bearer("tok"))
            .to_vec(Version::V5_1)
            .unwrap(),
        cat(&[
            &[0xB1, 0x6A, 0xA2],
            &s("scheme"),
            &s("bearer"),
            &s("credentials"),
            &s("tok")
        ])
    );
    assert_eq!(
        Request::Logon(&AuthToken::none())
            .to_vec(Version::V5_4)
            .unwrap(),
        cat(&[&[0xB1, 0x6A, 0xA1], &s("scheme"), &s("none")])
    );
    assert_eq!(
        Request::Logon(&AuthToken::basic_with_realm("u", "p", "r"))
            .to_vec(Version::V5_1)
            .unwrap(),
        cat(&[
            &[0xB1, 0x6A, 0xA4],
            &s("scheme"),
            &s("basic"),
            &s("principal"),
            &s("u"),
            &s("credentials"),
            &s("p"),
            &s("realm"),
            &s("r"),
        ])
    );
    assert!(Request::Logon(&AuthToken::none())
        .to_vec(Version::V5_0)
        .is_err());
}

#[test]
fn route_and_telemetry() {
    let routing = string_map([("address", "h:1")]);
    let bms = vec!["b".to_owned()];
    let route = Route {
        routing: &routing,
        bookmarks: &bms,
        db: Some("neo4j"),
        imp_user: Some("bob"),
    };
    assert_eq!(
        Request::Route(route).to_vec(Version::V4_4).unwrap(),
        cat(&[
            &[0xB3, 0x66, 0xA1],
            &s("address"),
            &s("h:1"),
            &[0x91],
            &s("b"),
            &[0xA2],
            &s("db"),
            &s("neo4j"),
            &s("imp_user"),
            &s("bob"),
        ])
    );
    assert_eq!(
        Request::Telemetry(TelemetryApi::AutoCommit)
            .to_vec(Version::V5_4)
            .unwrap(),
        [0xB1, 0x54, 0x02]
    );
    assert!(Request::Telemetry(TelemetryApi::AutoCommit)
        .to_vec(Version::V5_3)
        .is_err());
}

fn decode(bytes: &[u8], v: Version) -> Result<Response, Error> {
    Response::decode(Bytes::copy_from_slice(bytes), v, &options_for(v, false))
}

#[test]
fn responses() {
    let v = Version::V5_8;
    let Response::Success(ok) = decode(
        &cat(&[
            &[0xB1, 0x70, 0xA2],
            &s("has_more"),
            &[0xC3],
            &s("db"),
            &s("neo4j"),
        ]),
        v,
    )
    .unwrap() else {
        panic!("not SUCCESS")
    };
    assert!(ok.has_more());
    assert_eq!(ok.db(), Some("neo4j"));
    assert!(matches!(
        decode(&[0xB0, 0x7E], v).unwrap(),
        Response::Ignored
    ));
    let Response::Record(r) = decode(&[0xB1, 0x71, 0x92, 0x01, 0x81, b'a'], v).unwrap() else {
        panic!("not RECORD")
    };
    assert_eq!(&r.raw()[..], &[0x92, 0x01, 0x81, b'a']);
    let fields: Vec<&[u8]> = r.fields().unwrap().map(Result::unwrap).collect();
    assert_eq!(fields, [&[0x01][..], &[0x81, b'a'][..]]);
    assert_eq!(r.len().unwrap(), 2);
    assert_eq!(r.field(1).unwrap(), Some(&[0x81, b'a'][..]));
    assert_eq!(r.field(2).unwrap(), None);
    assert_eq!(
        r.values(&options_for(v, false)).unwrap(),
        vec![Value::Integer(1), Value::String("a".into())]
    );
    // garbage
    assert!(decode(&[], v).is_err());
    assert!(decode(&[0xB1], v).is_err());
    assert!(decode(&[0x01, 0x70], v).is_err());
    assert!(decode(&[0xB1, 0x55, 0xA0], v).is_err());
    assert!(decode(&[0xB1, 0x71, 0x01], v).is_err());
    assert!(decode(&[0xB1, 0x70, 0x01], v).is_err());
    assert!(decode(&[0xB1, 0x70, 0xA1], v).is_err());
}

#[test]
fn failure_before_and_after_gql() {
    let old = cat(&[
        &[0xB1, 0x7F, 0xA2],
        &s("code"),
        &s8("Neo.ClientError.Statement.SyntaxError"),
        &s("message"),
        &s("bad"),
    ]);
    let Response::Failure(f) = decode(&old, Version::V5_6).unwrap() else {
        panic!()
    };
    assert_eq!(f.code, "Neo.ClientError.Statement.SyntaxError");
    assert_eq!(f.classification(), Some(Classification::ClientError));
    assert_eq!(f.message, "bad");
    assert!(f.gql_status.is_none());

    // 5.7: GQL error with a cause chain
    let cause = cat(&[
        &[0xA4],
        &s("gql_status"),
        &s("22N00"),
        &s("description"),
        &s("inner"),
        &s("message"),
        &s("m2"),
        &s8("diagnostic_record"),
        &[0xA1],
        &s8("_classification"),
        &s("CLIENT_ERROR"),
    ]);
    let new = cat(&[
        &[0xB1, 0x7F, 0xA5],
        &s("neo4j_code"),
        &s8("Neo.TransientError.General.X"),
        &s("message"),
        &s("m1"),
        &s("gql_status"),
        &s("50N00"),
        &s("description"),
        &s("outer"),
        &s("cause"),
        &cause,
    ]);
    let Response::Failure(f) = decode(&new, Version::V5_7).unwrap() else {
        panic!()
    };
    assert_eq!(f.classification(), Some(Classification::TransientError));
    assert_eq!(f.gql_status.as_deref(), Some("50N00"));
    assert_eq!(f.description.as_deref(), Some("outer"));
    let c = f.cause.as_deref().unwrap();
    assert_eq!(c.gql_status.as_deref(), Some("22N00"));
    assert_eq!(c.gql_classification(), Some("CLIENT_ERROR"));
    assert_eq!(f.chain().count(), 2);
}

#[test]
fn success_metadata_is_read_by_key_without_building_a_map() {
    let v = Version::V5_8;
    let body = cat(&[
        &[0xB1, 0x70, 0xA6],
        &s("fields"),
        &[0x92],
        &s("a"),
        &s("b"),
        &s("t_first"),
        &[0x07],
        &s("has_more"),
        &[0xC2],
        &s("bookmark"),
        &s("bm:1"),
        &s("stats"),
        &[0xA1],
        &s("nodes-created"),
        &[0x02],
        &s("odd"),
        &[0x92, 0x81, b'x', 0x01],
    ]);
    let Response::Success(ok) = decode(&body, v).unwrap() else {
        panic!("not SUCCESS")
    };
    assert_eq!(ok.try_fields(), Some(vec!["a".to_owned(), "b".to_owned()]));
    assert_eq!(ok.fields(), ["a", "b"]);
    assert_eq!(ok.t_first(), Some(7));
    assert!(!ok.has_more());
    assert_eq!(ok.bookmark(), Some("bm:1"));
    assert_eq!(ok.db(), None);
    assert_eq!(ok.str("t_first"), None, "an int is not a string");
    assert_eq!(ok.int("bookmark"), None, "a string is not an int");
    let stats = ok.map("stats").unwrap();
    assert_eq!(stats.get("nodes-created"), Some(&Value::Integer(2)));
    assert!(ok.contains("odd") && !ok.contains("missing"));
    // `fields` that are not all strings: strict reading refuses, lenient skips.
    let mut bad = ok.metadata().unwrap();
    bad.insert("fields".into(), ok.get("odd").unwrap());
    let bad = Success::from_map(&bad, &options_for(v, false)).unwrap();
    assert_eq!(bad.try_fields(), None);
    assert_eq!(bad.fields(), ["x"]);
    // No `fields` at all: no keys.
    assert_eq!(Success::default().try_fields(), Some(vec![]));
    assert_eq!(ok.metadata().unwrap().len(), 6);
    // Malformed metadata is refused when the message arrives.
    for body in [
        // a key that is not a string
        &[0xB1, 0x70, 0xA1, 0x01, 0x01][..],
        // invalid UTF-8 in a nested string value
        &[0xB1, 0x70, 0xA1, 0x81, b'k', 0x91, 0x81, 0xFF][..],
        // bytes after the map
        &[0xB1, 0x70, 0xA0, 0x01][..],
        // a map cut short
        &[0xB1, 0x70, 0xA2, 0x81, b'k', 0x01][..],
    ] {
        assert!(decode(body, v).is_err(), "{body:02X?}");
    }
}
