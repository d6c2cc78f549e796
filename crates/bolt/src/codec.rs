//! Bolt chunking as a tokio-util [`Encoder`]/[`Decoder`] (no IO).
//!
//! A message travels as chunks `[len: u16 BE][len bytes]`, closed by the empty chunk
//! `00 00`. An empty chunk where no message has started is a keep-alive (NOOP) and is
//! skipped. A message is handed out without a copy (a [`Bytes`] view into the read
//! buffer): the payload of each chunk after the first is moved down over the chunk
//! headers as the chunk completes, so a message of many chunks is never held twice.
//! After a large message the read buffer is replaced by a small one, so a connection
//! does not keep a large allocation for the rest of its life.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::error::Error;

/// Largest chunk payload.
pub const MAX_CHUNK: usize = u16::MAX as usize;
/// Default limit on one message's size (sum of its chunks).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 512 * 1024 * 1024;
/// Default capacity a read buffer shrinks back to after a large message.
pub const DEFAULT_BUFFER_TARGET: usize = 64 * 1024;
/// A message whose chunks span more than this (or than the buffer target, if
/// larger) leaves the read buffer replaced by one of the target capacity.
pub const SHRINK_AFTER: usize = 1024 * 1024;

/// Chunk codec: decodes whole message bodies, encodes bodies as chunks.
#[derive(Debug, Clone)]
pub struct ChunkCodec {
    /// Offset in the buffer of the next chunk header not yet scanned.
    scanned: usize,
    /// Payload bytes of the current message scanned so far; they lie
    /// together at `2..2 + body_len` (behind the first chunk's header).
    body_len: usize,
    /// Chunks of the current message scanned so far.
    chunks: usize,
    max_message_size: usize,
    /// The capacity the read buffer shrinks back to after a large message.
    buffer_target: usize,
    /// Keep-alive chunks skipped so far.
    noops: u64,
}

impl Default for ChunkCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl ChunkCodec {
    /// A codec with the default message size limit.
    pub fn new() -> Self {
        Self::with_max_message_size(DEFAULT_MAX_MESSAGE_SIZE)
    }

    /// A codec that refuses messages larger than `max` bytes.
    pub fn with_max_message_size(max: usize) -> Self {
        ChunkCodec {
            scanned: 0,
            body_len: 0,
            chunks: 0,
            max_message_size: max,
            buffer_target: DEFAULT_BUFFER_TARGET,
            noops: 0,
        }
    }

    /// The capacity the read buffer goes back to after a message spanning
    /// more than [`SHRINK_AFTER`] (or `bytes`, if larger): the buffer is then
    /// replaced by a new one of `bytes` holding what was read past the
    /// message, and the large allocation goes with the message.
    pub fn with_buffer_target(mut self, bytes: usize) -> Self {
        self.buffer_target = bytes;
        self
    }

    /// How many keep-alive (empty, between messages) chunks were skipped.
    pub fn noops_seen(&self) -> u64 {
        self.noops
    }

    /// Appends one keep-alive chunk (`00 00`).
    pub fn encode_noop(dst: &mut BytesMut) {
        dst.put_u16(0);
    }

    /// Writes one message whose body `write` appends to the buffer it is given, chunked.
    ///
    /// The fast path writes the body in place behind a placeholder header; a body
    /// longer than one chunk is split afterwards.
    pub fn encode_with<E>(
        dst: &mut BytesMut,
        write: impl FnOnce(&mut BytesMut) -> Result<(), E>,
    ) -> Result<(), E> {
        let start = dst.len();
        dst.put_u16(0);
        if let Err(e) = write(dst) {
            dst.truncate(start);
            return Err(e);
        }
        let len = dst.len() - start - 2;
        if len == 0 {
            // An empty body would read as a NOOP; Bolt has no empty messages.
            dst.truncate(start);
            return Ok(());
        }
        if len <= MAX_CHUNK {
            dst[start..start + 2].copy_from_slice(&(len as u16).to_be_bytes());
        } else {
            chunk_in_place(dst, start, len);
        }
        dst.put_u16(0);
        Ok(())
    }
}

/// Splits the body at `start + 2..start + 2 + len` (behind its placeholder
/// header at `start`) into chunks where it lies: the buffer grows by the
/// extra headers and each chunk after the first moves up by two bytes per
/// header before it, the last first, so no byte is overwritten before it
/// has moved and the body is never copied elsewhere.
fn chunk_in_place(dst: &mut BytesMut, start: usize, len: usize) {
    let chunks = len.div_ceil(MAX_CHUNK);
    dst.resize(start + 2 + len + 2 * (chunks - 1), 0);
    for i in (1..chunks).rev() {
        let from = start + 2 + i * MAX_CHUNK;
        let size = MAX_CHUNK.min(len - i * MAX_CHUNK);
        let to = from + 2 * i;
        dst.copy_within(from..from + size, to);
        dst[to - 2..to].copy_from_slice(&(size as u16).to_be_bytes());
    }
    // The first chunk is full, and stays where it was written.
    dst[start..start + 2].copy_from_slice(&(MAX_CHUNK as u16).to_be_bytes());
}

impl Decoder for ChunkCodec {
    type Item = Bytes;
    type Error = Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Bytes>, Error> {
        loop {
            let Some(header) = src.get(self.scanned..self.scanned + 2) else {
                return Ok(None);
            };
            let len = usize::from(u16::from_be_bytes([header[0], header[1]]));
            if len == 0 {
                if self.chunks == 0 {
                    // Keep-alive between messages.
                    src.advance(2);
                    self.scanned = 0;
                    self.noops += 1;
                    continue;
                }
                return Ok(Some(self.take_message(src)));
            }
            if src.len() < self.scanned + 2 + len {
                // Incomplete chunk: make room for the rest of it.
                src.reserve(self.scanned + 2 + len - src.len());
                return Ok(None);
            }
            if self.body_len + len > self.max_message_size {
                return Err(Error::Protocol(format!(
                    "message larger than the limit of {} bytes",
                    self.max_message_size
                )));
            }
            // The payload joins the message's earlier ones (the first
            // chunk's is in place already): each byte moves once, and the
            // message is never copied out whole.
            let payload = self.scanned + 2;
            if payload != 2 + self.body_len {
                src.copy_within(payload..payload + len, 2 + self.body_len);
            }
            self.body_len += len;
            self.chunks += 1;
            self.scanned += 2 + len;
        }
    }
}

impl ChunkCodec {
    /// The message spans `src[..scanned]` followed by its `00 00` end marker;
    /// its payload lies together at `src[2..2 + body_len]`.
    fn take_message(&mut self, src: &mut BytesMut) -> Bytes {
        let end = self.scanned + 2;
        let mut body = src.split_to(end);
        body.advance(2);
        body.truncate(self.body_len);
        if end > SHRINK_AFTER.max(self.buffer_target) {
            // The buffer grew for this message, and what is left of it still
            // shares its allocation: start a small one with what was read
            // past the message, and let the large one go with the message.
            let rest = std::mem::take(src);
            *src = BytesMut::with_capacity(self.buffer_target.max(rest.len()));
            src.extend_from_slice(&rest);
        }
        self.scanned = 0;
        self.body_len = 0;
        self.chunks = 0;
        body.freeze()
    }
}

impl Encoder<&[u8]> for ChunkCodec {
    type Error = Error;

    fn encode(&mut self, body: &[u8], dst: &mut BytesMut) -> Result<(), Error> {
        ChunkCodec::encode_with::<Error>(dst, |buf| {
            buf.extend_from_slice(body);
            Ok(())
        })
    }
}

impl Encoder<Bytes> for ChunkCodec {
    type Error = Error;

    fn encode(&mut self, body: Bytes, dst: &mut BytesMut) -> Result<(), Error> {
        self.encode(&body[..], dst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(codec: &mut ChunkCodec, buf: &mut BytesMut) -> Vec<Bytes> {
        let mut out = Vec::new();
        while let Some(m) = codec.decode(buf).unwrap() {
            out.push(m);
        }
        out
    }

    #[test]
    fn single_chunk_is_zero_copy() {
        let mut buf = BytesMut::from(&[0x00, 0x03, 0xB1, 0x70, 0xA0, 0x00, 0x00][..]);
        let base = buf.as_ptr() as usize;
        let mut c = ChunkCodec::new();
        let m = c.decode(&mut buf).unwrap().unwrap();
        assert_eq!(&m[..], &[0xB1, 0x70, 0xA0]);
        assert_eq!(m.as_ptr() as usize, base + 2, "no copy");
        assert!(buf.is_empty());
    }

    #[test]
    fn multi_chunk_and_noops() {
        let mut buf = BytesMut::from(
            &[
                0x00, 0x00, // noop
                0x00, 0x02, 0xB1, 0x70, 0x00, 0x01, 0xA0, 0x00, 0x00, // split message
                0x00, 0x00, 0x00, 0x00, // two noops
                0x00, 0x02, 0xB0, 0x7E, 0x00, 0x00, // IGNORED
            ][..],
        );
        let mut c = ChunkCodec::new();
        let msgs = decode_all(&mut c, &mut buf);
        assert_eq!(msgs.len(), 2);
        assert_eq!(&msgs[0][..], &[0xB1, 0x70, 0xA0]);
        assert_eq!(&msgs[1][..], &[0xB0, 0x7E]);
        assert_eq!(c.noops_seen(), 3);
        assert!(buf.is_empty());
    }

    #[test]
    fn byte_by_byte_input() {
        let wire = [
            0x00, 0x00, 0x00, 0x02, 0xB1, 0x70, 0x00, 0x01, 0xA0, 0x00, 0x00, 0x00, 0x02, 0xB0,
            0x7E, 0x00, 0x00,
        ];
        let mut c = ChunkCodec::new();
        let mut buf = BytesMut::new();
        let mut got = Vec::new();
        for b in wire {
            buf.put_u8(b);
            got.extend(decode_all(&mut c, &mut buf));
        }
        assert_eq!(got.len(), 2);
        assert_eq!(&got[0][..], &[0xB1, 0x70, 0xA0]);
    }

    /// `body` as chunks of `chunk` bytes and the end marker.
    fn chunked(body: &[u8], chunk: usize) -> BytesMut {
        let mut out = BytesMut::new();
        for c in body.chunks(chunk) {
            out.put_u16(c.len() as u16);
            out.put_slice(c);
        }
        out.put_u16(0);
        out
    }

    #[test]
    fn a_message_of_many_chunks_is_not_copied() {
        // 3 MiB in chunks of 60,000 bytes: the message handed out is a view
        // into the read buffer (no second copy of 3 MiB), right after the
        // first chunk's header.
        let body: Vec<u8> = (0..3 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
        let mut buf = chunked(&body, 60_000);
        let base = buf.as_ptr() as usize;
        let span = buf.len();
        let mut c = ChunkCodec::new();
        let m = c.decode(&mut buf).unwrap().unwrap();
        assert_eq!(m.len(), body.len());
        assert!(m[..] == body[..]);
        assert_eq!(m.as_ptr() as usize, base + 2, "no copy");
        assert!(buf.is_empty());
        // What the message keeps alive is the span it arrived in (its
        // chunk headers, 2 bytes per 60,000, as slack), nothing more.
        assert_eq!(span - m.len(), 2 * (body.len().div_ceil(60_000) + 1));
    }

    #[test]
    fn the_read_buffer_shrinks_back_after_a_large_message() {
        // A 2 MiB message, then a small one and half of a third, all in one
        // read: after the large one the buffer is a new one of the target
        // capacity, holding what came after it.
        let body = vec![7u8; 2 * 1024 * 1024];
        let mut buf = BytesMut::with_capacity(4 * 1024 * 1024);
        buf.extend_from_slice(&chunked(&body, MAX_CHUNK));
        buf.extend_from_slice(&[0x00, 0x02, 0xB0, 0x7E, 0x00, 0x00, 0x00, 0x02, 0xB0]);
        let grown = buf.capacity();
        let mut c = ChunkCodec::new().with_buffer_target(16 * 1024);
        let large = c.decode(&mut buf).unwrap().unwrap();
        assert_eq!(large.len(), body.len());
        assert!(grown >= 2 * 1024 * 1024);
        assert_eq!(buf.capacity(), 16 * 1024);
        assert_eq!(
            &buf[..],
            &[0x00, 0x02, 0xB0, 0x7E, 0x00, 0x00, 0x00, 0x02, 0xB0]
        );
        let small = c.decode(&mut buf).unwrap().unwrap();
        assert_eq!(&small[..], &[0xB0, 0x7E]);
        assert!(c.decode(&mut buf).unwrap().is_none());
        buf.extend_from_slice(&[0x7E, 0x00, 0x00]);
        assert_eq!(&c.decode(&mut buf).unwrap().unwrap()[..], &[0xB0, 0x7E]);
        // Small messages leave the buffer alone (it only loses their bytes).
        assert!((16 * 1024 - 12..=16 * 1024).contains(&buf.capacity()));
    }

    #[test]
    fn a_large_message_cut_anywhere_decodes_the_same() {
        let body: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
        let wire = chunked(&body, 1000);
        for step in [1, 999, 1001, 1002, 65_536] {
            let mut c = ChunkCodec::new();
            let mut buf = BytesMut::new();
            let mut got = None;
            for piece in wire.chunks(step) {
                buf.extend_from_slice(piece);
                if let Some(m) = c.decode(&mut buf).unwrap() {
                    got = Some(m);
                }
            }
            assert!(got.unwrap()[..] == body[..], "step {step}");
        }
    }

    #[test]
    fn garbage_never_panics() {
        // Arbitrary bytes: the codec only ever returns messages, None, or a size error.
        let mut seed = 0x1234_5678_u32;
        for _ in 0..200 {
            let mut buf = BytesMut::new();
            for _ in 0..(seed % 300) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                buf.put_u8((seed >> 16) as u8);
            }
            let mut c = ChunkCodec::with_max_message_size(1000);
            while let Ok(Some(_)) = c.decode(&mut buf) {}
        }
    }

    #[test]
    fn size_limit() {
        let mut c = ChunkCodec::with_max_message_size(4);
        let mut buf = BytesMut::from(&[0x00, 0x03, 1, 2, 3, 0x00, 0x02, 4, 5][..]);
        assert!(matches!(c.decode(&mut buf), Err(Error::Protocol(_))));
    }

    #[test]
    fn bodies_of_many_chunks_are_chunked_in_place_at_every_boundary() {
        // Sizes around each chunk boundary, behind bytes already buffered.
        for len in [
            MAX_CHUNK + 1,
            2 * MAX_CHUNK - 1,
            2 * MAX_CHUNK,
            2 * MAX_CHUNK + 1,
            5 * MAX_CHUNK + 7,
        ] {
            let body: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut expected = vec![0xAA, 0xBB];
            for chunk in body.chunks(MAX_CHUNK) {
                expected.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
                expected.extend_from_slice(chunk);
            }
            expected.extend_from_slice(&[0, 0]);
            let mut out = BytesMut::from(&[0xAA, 0xBB][..]);
            ChunkCodec::encode_with::<()>(&mut out, |b| {
                b.extend_from_slice(&body);
                Ok(())
            })
            .unwrap();
            assert!(out[..] == expected[..], "len {len}");
            out.advance(2);
            let back = ChunkCodec::new().decode(&mut out).unwrap().unwrap();
            assert!(back[..] == body[..], "len {len}");
            assert!(out.is_empty());
        }
    }

    #[test]
    fn encode_large_and_small() {
        let mut c = ChunkCodec::new();
        let body: Vec<u8> = (0..70_000u32).map(|i| i as u8).collect();
        let mut out = BytesMut::new();
        c.encode(&body[..], &mut out).unwrap();
        assert_eq!(&out[..2], &[0xFF, 0xFF]);
        assert_eq!(out.len(), body.len() + 2 + 2 + 2);
        let back = c.decode(&mut out).unwrap().unwrap();
        assert_eq!(&back[..], &body[..]);

        let mut out = BytesMut::new();
        ChunkCodec::encode_with::<()>(&mut out, |b| {
            b.extend_from_slice(&body);
            Ok(())
        })
        .unwrap();
        let back = c.decode(&mut out).unwrap().unwrap();
        assert_eq!(&back[..], &body[..]);

        let mut out = BytesMut::new();
        ChunkCodec::encode_with::<()>(&mut out, |b| {
            b.extend_from_slice(&[0xB0, 0x0F]);
            Ok(())
        })
        .unwrap();
        assert_eq!(&out[..], &[0x00, 0x02, 0xB0, 0x0F, 0x00, 0x00]);
        ChunkCodec::encode_noop(&mut out);
        assert_eq!(&out[6..], &[0, 0]);
    }
}

/// Whole Bolt messages over the chunk codec: encodes [`Request`](crate::Request)s for a negotiated
/// version and decodes [`Response`](crate::Response)s. For callers that want a `Framed` stream; the
/// [`Connection`](crate::Connection) drives the same pieces itself so it can track state.
#[derive(Debug, Clone)]
pub struct BoltCodec {
    chunks: ChunkCodec,
    version: crate::Version,
    options: quiver_packstream::Options,
}

impl BoltCodec {
    /// A codec for `version` (with the 4.4 UTC patch when `utc_patch`).
    pub fn new(version: crate::Version, utc_patch: bool) -> Self {
        BoltCodec {
            chunks: ChunkCodec::new(),
            version,
            options: crate::message::options_for(version, utc_patch),
        }
    }
}

impl Encoder<&crate::Request<'_>> for BoltCodec {
    type Error = Error;

    fn encode(&mut self, req: &crate::Request<'_>, dst: &mut BytesMut) -> Result<(), Error> {
        let (version, opts) = (self.version, self.options);
        ChunkCodec::encode_with(dst, |buf| {
            req.write(&mut bytes::BufMut::writer(buf), version, &opts)
        })
    }
}

impl Decoder for BoltCodec {
    type Item = crate::Response;
    type Error = Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<crate::Response>, Error> {
        match self.chunks.decode(src)? {
            Some(body) => crate::Response::decode(body, self.version, &self.options).map(Some),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod bolt_codec_tests {
    use super::*;
    use crate::{Pull, Request, Response, Version};

    #[test]
    fn round_trip_bytes() {
        let mut c = BoltCodec::new(Version::V5_4, false);
        let mut out = BytesMut::new();
        c.encode(&Request::Pull(Pull::n(7)), &mut out).unwrap();
        assert_eq!(
            &out[..],
            &[0x00, 0x06, 0xB1, 0x3F, 0xA1, 0x81, b'n', 0x07, 0x00, 0x00]
        );
        let mut input = BytesMut::from(&[0x00, 0x02, 0xB0, 0x7E, 0x00][..]);
        assert!(c.decode(&mut input).unwrap().is_none());
        input.extend_from_slice(&[0x00]);
        assert!(matches!(
            c.decode(&mut input).unwrap(),
            Some(Response::Ignored)
        ));
    }

    #[test]
    fn random_input_never_panics() {
        let mut seed = 0x9E37_79B9_u32;
        for round in 0..2000 {
            let mut buf = BytesMut::new();
            let len = 2 + (round % 64);
            // a plausible header so the body reaches the message decoder
            buf.extend_from_slice(&(len as u16).to_be_bytes());
            buf.extend_from_slice(&[0xB1, [0x70, 0x71, 0x7E, 0x7F][round % 4]]);
            for _ in 2..len {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                buf.extend_from_slice(&[(seed >> 24) as u8]);
            }
            buf.extend_from_slice(&[0, 0]);
            let mut c = BoltCodec::new(Version::V5_8, false);
            let _ = c.decode(&mut buf);
        }
    }
}

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Any sequence of messages, chunked (with keep-alives between them) and fed in
        /// arbitrary slices, decodes to the same messages.
        #[test]
        fn chunk_round_trip(
            bodies in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..70_000), 1..4),
            noops in proptest::collection::vec(0usize..3, 4),
            cuts in proptest::collection::vec(1usize..70_000, 0..8),
        ) {
            let mut c = ChunkCodec::new();
            let mut wire = BytesMut::new();
            for (i, b) in bodies.iter().enumerate() {
                for _ in 0..noops[i % noops.len()] {
                    ChunkCodec::encode_noop(&mut wire);
                }
                c.encode(&b[..], &mut wire).unwrap();
            }
            let mut src = BytesMut::new();
            let mut got = Vec::new();
            let mut pos = 0;
            let mut cuts = cuts.into_iter();
            while pos < wire.len() {
                let step = cuts.next().unwrap_or(wire.len());
                let end = (pos + step).min(wire.len());
                src.extend_from_slice(&wire[pos..end]);
                pos = end;
                while let Some(m) = c.decode(&mut src).unwrap() {
                    got.push(m.to_vec());
                }
            }
            prop_assert_eq!(got, bodies);
            prop_assert!(src.is_empty());
        }

        /// Arbitrary bytes never panic the message decoder.
        #[test]
        fn arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut c = BoltCodec::new(crate::Version::V5_8, false);
            let mut src = BytesMut::from(&data[..]);
            while let Ok(Some(_)) = c.decode(&mut src) {}
        }
    }
}
