//! Decode, encode, decode is stable: whatever decodes re-encodes to bytes that
//! decode to the same value (compared by its encoding, so NaNs compare equal).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quiver_packstream::{
    from_slice, from_slice_with, to_vec, to_vec_with, ErrorKind, Options, Value,
};

fn check(data: &[u8], options: &Options) {
    let Ok(value) = from_slice_with::<Value>(data, options) else {
        return;
    };
    let bytes = match to_vec_with(&value, options) {
        Ok(bytes) => bytes,
        // A legacy zoned date-time (local seconds) cannot become UTC seconds
        // without a zone database; nothing else may fail to encode.
        Err(e) if matches!(e.kind(), ErrorKind::ZoneConversion { .. }) => return,
        Err(e) => panic!("decoded value fails to encode: {e}: {value:?}"),
    };
    let again: Value = from_slice_with(&bytes, options).expect("re-encoded bytes decode");
    let bytes_again = to_vec_with(&again, options).expect("re-decoded value encodes");
    assert_eq!(bytes, bytes_again, "decode-encode-decode is not stable");
}

fuzz_target!(|data: &[u8]| {
    check(data, &Options::default());
    check(data, &Options::for_bolt(4, 4, false).uuid(true).vectors(true));
    // The default path too.
    if let Ok(v) = from_slice::<Value>(data) {
        let _ = to_vec(&v);
    }
});
