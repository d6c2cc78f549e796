//! Hostile input: depth bombs, forged lengths, truncation, reserved markers.

use quiver_packstream::{from_slice, from_slice_with, Deserializer, ErrorKind, Options, Value};
use serde::Deserialize;

fn kind_of<T: std::fmt::Debug>(r: Result<T, quiver_packstream::Error>) -> ErrorKind {
    r.expect_err("must fail").into_kind()
}

#[test]
fn depth_bomb_of_nested_lists_fails_cleanly() {
    let mut bytes = vec![0x91u8; 100_000];
    bytes.push(0xC0);
    let err = kind_of(from_slice::<Value>(&bytes));
    assert!(
        matches!(err, ErrorKind::DepthLimitExceeded { limit: 128 }),
        "{err:?}"
    );
    // Ignoring it or skipping it needs no recursion, and is held to the
    // same limit.
    let err = kind_of(from_slice::<serde::de::IgnoredAny>(&bytes));
    assert!(
        matches!(err, ErrorKind::DepthLimitExceeded { limit: 128 }),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "nesting deeper than the limit of 128");
    let err = kind_of(Deserializer::new(&bytes).skip_value());
    assert!(
        matches!(err, ErrorKind::DepthLimitExceeded { .. }),
        "{err:?}"
    );
}

/// Nested `depth` deep: lists, or maps, or structures (by `shape`), around a null.
fn nested(depth: usize, shape: u8) -> Vec<u8> {
    let mut bytes = Vec::new();
    for _ in 0..depth {
        match shape {
            0 => bytes.push(0x91),
            1 => bytes.extend_from_slice(&[0xA1, 0x81, b'k']),
            _ => bytes.extend_from_slice(&[0xB1, 0x7A]),
        }
    }
    bytes.push(0xC0);
    bytes
}

#[test]
fn skipping_holds_the_decoding_depth_limit_exactly() {
    for shape in 0..3 {
        for limit in [1usize, 3, 16, 17, 40, 128] {
            let opts = Options::new().max_depth(limit);
            let fits = nested(limit, shape);
            let deeper = nested(limit + 1, shape);
            assert!(
                from_slice_with::<serde::de::IgnoredAny>(&fits, &opts).is_ok(),
                "shape {shape}, limit {limit}"
            );
            let mut de = Deserializer::with_options(&fits, &opts);
            de.skip_value().unwrap();
            assert!(de.is_end());
            let err = kind_of(from_slice_with::<serde::de::IgnoredAny>(&deeper, &opts));
            assert!(
                matches!(err, ErrorKind::DepthLimitExceeded { limit: l } if l == limit),
                "{err:?}"
            );
            let err = kind_of(Deserializer::with_options(&deeper, &opts).skip_value());
            assert!(
                matches!(err, ErrorKind::DepthLimitExceeded { limit: l } if l == limit),
                "{err:?}"
            );
            // Decoding agrees on what fits.
            if shape != 2 {
                assert!(from_slice_with::<Value>(&fits, &opts).is_ok());
                assert!(from_slice_with::<Value>(&deeper, &opts).is_err());
            }
        }
    }
    // Siblings do not add up: wide and shallow is fine.
    let mut wide = vec![0xD4, 0xFF];
    wide.extend([0x91, 0x91, 0xC0].repeat(255));
    let opts = Options::new().max_depth(3);
    assert!(from_slice_with::<serde::de::IgnoredAny>(&wide, &opts).is_ok());
    let opts = Options::new().max_depth(2);
    assert!(from_slice_with::<serde::de::IgnoredAny>(&wide, &opts).is_err());
}

#[test]
fn depth_bomb_of_maps_and_structures_fails_cleanly() {
    let mut maps = Vec::new();
    for _ in 0..50_000 {
        maps.extend_from_slice(&[0xA1, 0x81, b'k']);
    }
    maps.push(0xC0);
    assert!(matches!(
        kind_of(from_slice::<Value>(&maps)),
        ErrorKind::DepthLimitExceeded { .. }
    ));
    let mut structs = [0xB1u8, 0x7A].repeat(50_000);
    structs.push(0xC0);
    assert!(matches!(
        kind_of(from_slice::<Value>(&structs)),
        ErrorKind::DepthLimitExceeded { .. }
    ));
    // Paths nest typed structures inside lists.
    let mut paths = [0xB3u8, 0x50, 0x91].repeat(50_000);
    paths.push(0xC0);
    assert!(from_slice::<Value>(&paths).is_err());
}

#[test]
fn depth_limit_is_configurable_and_exact() {
    let nested = |n: usize| {
        let mut b = vec![0x91u8; n];
        b.push(0x01);
        b
    };
    let opts = Options::new().max_depth(3);
    assert!(from_slice_with::<Value>(&nested(3), &opts).is_ok());
    assert!(from_slice_with::<Value>(&nested(4), &opts).is_err());
    assert!(from_slice::<Value>(&nested(128)).is_ok());
    assert!(from_slice::<Value>(&nested(129)).is_err());
}

#[test]
fn recursive_user_type_hits_the_depth_limit() {
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Tree(Vec<Tree>);
    let mut bytes = vec![0x91u8; 10_000];
    bytes.push(0x90);
    assert!(matches!(
        kind_of(from_slice::<Tree>(&bytes)),
        ErrorKind::DepthLimitExceeded { .. }
    ));
}

#[test]
fn forged_lengths_error_without_allocating() {
    let forged: &[&[u8]] = &[
        &[0xD2, 0xFF, 0xFF, 0xFF, 0xFF, b'a'],       // 4 GiB string
        &[0xCE, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],       // 4 GiB bytes
        &[0xD6, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],       // 2^32-1 element list
        &[0xDA, 0xFF, 0xFF, 0xFF, 0xFF, 0x81, 0x61], // 2^32-1 entry map
        &[0xD5, 0xFF, 0xFF, 0x01, 0x02],
        &[0xD9, 0x01, 0x00, 0x81, 0x61, 0x01],
        &[0xBF, 0x7A, 0x01], // 15 fields announced, 1 present
    ];
    for bytes in forged {
        let err = kind_of(from_slice::<Value>(bytes));
        assert!(
            matches!(
                err,
                ErrorKind::LengthExceedsInput { .. } | ErrorKind::UnexpectedEof { .. }
            ),
            "{bytes:02X?}: {err:?}"
        );
        assert!(from_slice::<serde::de::IgnoredAny>(bytes).is_err());
        assert!(Deserializer::new(bytes).skip_value().is_err());
        assert!(from_slice::<Vec<String>>(bytes).is_err());
    }
    let err = kind_of(from_slice::<Value>(&[0xD6, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]));
    assert!(
        matches!(
            err,
            ErrorKind::LengthExceedsInput {
                len: 0xFFFF_FFFF,
                remaining: 1,
                position: 0
            }
        ),
        "{err:?}"
    );
}

#[test]
fn reserved_markers_are_rejected() {
    for m in [
        0xC4u8, 0xC5, 0xC6, 0xC7, 0xCF, 0xD3, 0xD7, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0xE1, 0xEF,
    ] {
        let err = kind_of(from_slice::<Value>(&[m, 0, 0, 0, 0, 0, 0, 0, 0]));
        assert!(
            matches!(err, ErrorKind::InvalidMarker { marker, position: 0 } if marker == m),
            "{m:02X}: {err:?}"
        );
        assert!(Deserializer::new(&[m]).skip_value().is_err());
    }
}

#[test]
fn every_truncation_fails_without_panicking() {
    let value = Value::from(vec![
        Value::from("a string of some length"),
        Value::Integer(i64::MIN),
        Value::Float(1.5),
        Value::Bytes(vec![1; 300]),
        Value::from(quiver_packstream::Node {
            id: 3,
            labels: vec!["L".into()],
            properties: Default::default(),
            element_id: "e".into(),
        }),
        Value::Uuid(quiver_packstream::Uuid::from(7u128)),
    ]);
    let bytes = quiver_packstream::to_vec(&value).unwrap();
    for cut in 0..bytes.len() {
        assert!(from_slice::<Value>(&bytes[..cut]).is_err(), "cut at {cut}");
        assert!(
            Deserializer::new(&bytes[..cut]).skip_value().is_err(),
            "cut at {cut}"
        );
    }
    assert_eq!(from_slice::<Value>(&bytes).unwrap(), value);
}

#[test]
fn trailing_bytes_and_invalid_utf8() {
    assert!(matches!(
        kind_of(from_slice::<Value>(&[0x01, 0x02])),
        ErrorKind::TrailingBytes {
            position: 1,
            remaining: 1
        }
    ));
    assert!(matches!(
        kind_of(from_slice::<Value>(&[0x82, 0xC3, 0x28])),
        ErrorKind::InvalidUtf8 { position: 1 }
    ));
    assert!(from_slice::<Value>(&[]).unwrap_err().is_eof());
}

#[test]
fn wrong_lengths_for_fixed_targets_are_errors() {
    // A 3-list into a pair, a 1-list into a pair.
    assert!(from_slice::<(i64, i64)>(&[0x93, 1, 2, 3]).is_err());
    assert!(from_slice::<(i64, i64)>(&[0x91, 1]).is_err());
    assert!(from_slice::<[u8; 2]>(&[0x92, 1, 2]).is_ok());
}

#[test]
fn skipping_handles_every_tag_byte() {
    // Structure tags are bytes, not values: 0xC4 or 0xD2 as a tag must not be
    // read as a marker.
    for tag in [0x00u8, 0x4E, 0x7F, 0x80, 0xC4, 0xD2, 0xFF] {
        let bytes = [0x92, 0xB1, tag, 0x01, 0x02];
        let mut de = Deserializer::new(&bytes);
        assert_eq!(de.read_list_header().unwrap(), 2);
        assert_eq!(de.raw_value().unwrap(), &bytes[1..4], "tag {tag:02X}");
        assert_eq!(de.raw_value().unwrap(), &[0x02]);
        assert!(de.is_end());
        assert!(Deserializer::new(&[0xB1, tag]).skip_value().is_err());
    }
}
