//! The handshake reply parser on arbitrary bytes: never panics; a parsed
//! reply used no more bytes than it was given, and every prefix of it is
//! incomplete or an error, never a different reply.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quiver_bolt::handshake::{choose_from_manifest, parse_server_reply, read_varint, ServerReply};
use quiver_bolt::Version;

fuzz_target!(|data: &[u8]| {
    let _ = read_varint(data);
    if let Ok(Some((reply, used))) = parse_server_reply(data) {
        assert!(used <= data.len(), "used more bytes than given");
        for end in 0..used {
            if let Ok(Some((shorter, _))) = parse_server_reply(&data[..end]) {
                assert_eq!(shorter, reply, "a prefix parsed as another reply");
            }
        }
        if let ServerReply::Manifest { offers, .. } = reply {
            let _ = choose_from_manifest(&offers, &[Version::V5_8, Version::V5_4, Version::V4_4]);
        }
    }
});
