//! Replays the inputs fuzzing once found (`fuzz/regressions/<target>/`) through the
//! checks of the fuzz target they came from, on the stable toolchain, so a
//! finding stays fixed in every test run.

use std::path::{Path, PathBuf};

use quiver_packstream::{from_slice_with, to_vec_with, ErrorKind, Options, Value};

fn regressions(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("directory entry").path();
            let bytes = std::fs::read(&path).expect("regression input");
            (path, bytes)
        })
        .collect();
    inputs.sort();
    inputs
}

fn options() -> [Options; 2] {
    [
        Options::default(),
        Options::for_bolt(4, 4, false).uuid(true).vectors(true),
    ]
}

/// The `packstream_roundtrip` target's property: what decodes re-encodes, and
/// decode-encode-decode is stable.
fn roundtrip(data: &[u8], options: &Options) -> Result<(), String> {
    let Ok(value) = from_slice_with::<Value>(data, options) else {
        return Ok(());
    };
    let bytes = match to_vec_with(&value, options) {
        Ok(bytes) => bytes,
        Err(e) if matches!(e.kind(), ErrorKind::ZoneConversion { .. }) => return Ok(()),
        Err(e) => return Err(format!("decoded value fails to encode: {e}: {value:?}")),
    };
    let again: Value =
        from_slice_with(&bytes, options).map_err(|e| format!("re-encoded bytes: {e}"))?;
    let bytes_again = to_vec_with(&again, options).map_err(|e| format!("re-encode: {e}"))?;
    if bytes != bytes_again {
        return Err("decode-encode-decode is not stable".into());
    }
    Ok(())
}

#[test]
fn packstream_roundtrip_regressions_hold() {
    let inputs = regressions("packstream_roundtrip");
    assert!(!inputs.is_empty(), "the regression corpus is committed");
    for (path, data) in inputs {
        for options in options() {
            if let Err(e) = roundtrip(&data, &options) {
                panic!("{}: {e}", path.display());
            }
        }
    }
}

#[test]
fn packstream_decode_regressions_hold() {
    for target in ["packstream_decode", "packstream_roundtrip"] {
        for (_, data) in regressions(target) {
            for options in options() {
                // Never panics; the result itself may be an error.
                let _ = from_slice_with::<Value>(&data, &options);
                let _ = from_slice_with::<serde::de::IgnoredAny>(&data, &options);
            }
        }
    }
}
