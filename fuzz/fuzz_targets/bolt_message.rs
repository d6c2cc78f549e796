//! The Bolt message decoder on arbitrary message bodies (every version's
//! options) and on arbitrary chunked streams: never panics; a RECORD's
//! values decode or fail cleanly.
#![no_main]

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use quiver_bolt::message::options_for;
use quiver_bolt::packstream::Value;
use quiver_bolt::{BoltCodec, Response, Version};
use tokio_util::codec::Decoder;

fuzz_target!(|data: &[u8]| {
    for (version, utc) in [(Version::V4_4, true), (Version::V5_4, false), (Version::V5_8, false)] {
        let opts = options_for(version, utc);
        match Response::decode(Bytes::copy_from_slice(data), version, &opts) {
            Ok(Response::Record(record)) => {
                let _ = record.decode::<Vec<Value>>(&opts);
            }
            Ok(Response::Success(success)) => {
                let _ = success.fields();
                let _ = success.has_more();
                let _ = success.qid();
                let _ = success.bookmark();
            }
            Ok(other) => {
                let _ = other.into_success();
            }
            Err(_) => {}
        }
    }
    let mut codec = BoltCodec::new(Version::V5_4, false);
    let mut src = BytesMut::from(data);
    while let Ok(Some(_)) = codec.decode(&mut src) {}
});
