//! The dechunker on arbitrary bytes, fed in pieces: never panics, never
//! returns a message larger than its limit, and what it returns adds up to
//! no more than it was given.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use quiver_bolt::codec::ChunkCodec;
use tokio_util::codec::Decoder;

const LIMIT: usize = 100_000;

fuzz_target!(|data: &[u8]| {
    let Some((&step, rest)) = data.split_first() else {
        return;
    };
    // Feed the input `step + 1` bytes at a time, as reads would.
    let step = usize::from(step) + 1;
    let mut codec = ChunkCodec::with_max_message_size(LIMIT);
    let mut src = BytesMut::new();
    let mut out = 0usize;
    for piece in rest.chunks(step) {
        src.extend_from_slice(piece);
        loop {
            match codec.decode(&mut src) {
                Ok(Some(message)) => {
                    assert!(message.len() <= LIMIT, "a message over the limit");
                    out += message.len();
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
    assert!(out <= rest.len(), "more bytes out than in");
});
