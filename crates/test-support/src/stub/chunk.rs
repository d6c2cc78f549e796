//! Bolt chunking, written apart from quiver-bolt's so the stub tests it
//! independently.
//!
//! A message is sent as chunks `[u16 big-endian size][bytes]` followed by an
//! empty chunk `00 00`. An empty chunk with no message before it is a
//! keep-alive (NOOP).

/// The largest chunk body.
pub(crate) const MAX_CHUNK: usize = 0xFFFF;

/// Appends `body` as one chunked message.
pub(crate) fn encode(body: &[u8], out: &mut Vec<u8>) {
    for piece in body.chunks(MAX_CHUNK) {
        let size = u16::try_from(piece.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&size.to_be_bytes());
        out.extend_from_slice(piece);
    }
    out.extend_from_slice(&[0, 0]);
}

/// What the dechunker found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Frame {
    /// A whole message body.
    Message(Vec<u8>),
    /// A keep-alive empty chunk between messages.
    Noop,
}

/// Turns received bytes into message bodies.
#[derive(Debug, Default)]
pub(crate) struct Dechunker {
    buf: Vec<u8>,
    message: Vec<u8>,
    /// A non-empty chunk of the current message was seen.
    in_message: bool,
}

/// A peer that sends more than this in one message is refused.
const MAX_MESSAGE: usize = 64 * 1024 * 1024;

impl Dechunker {
    /// Adds received bytes.
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received and not yet part of a whole message.
    pub(crate) fn pending(&self) -> usize {
        self.buf.len() + self.message.len()
    }

    /// The next frame, `Ok(None)` until one is complete.
    pub(crate) fn next_frame(&mut self) -> Result<Option<Frame>, String> {
        loop {
            let Some(header) = self.buf.get(..2) else {
                return Ok(None);
            };
            let size = usize::from(u16::from_be_bytes([header[0], header[1]]));
            if size == 0 {
                self.buf.drain(..2);
                if self.in_message {
                    self.in_message = false;
                    return Ok(Some(Frame::Message(std::mem::take(&mut self.message))));
                }
                return Ok(Some(Frame::Noop));
            }
            let Some(body) = self.buf.get(2..2 + size) else {
                return Ok(None);
            };
            if self.message.len().saturating_add(size) > MAX_MESSAGE {
                return Err(format!("message larger than {MAX_MESSAGE} bytes"));
            }
            self.message.extend_from_slice(body);
            self.buf.drain(..2 + size);
            self.in_message = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_small_and_large() {
        for len in [1, 10, MAX_CHUNK, MAX_CHUNK + 1, 3 * MAX_CHUNK + 7] {
            let body: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut wire = Vec::new();
            encode(&body, &mut wire);
            assert_eq!(wire.len(), len + 2 * len.div_ceil(MAX_CHUNK) + 2);
            let mut d = Dechunker::default();
            // Feed byte slices of awkward sizes.
            let mut out = None;
            for piece in wire.chunks(7777) {
                d.push(piece);
                if let Some(frame) = d.next_frame().unwrap() {
                    out = Some(frame);
                }
            }
            assert_eq!(out, Some(Frame::Message(body)));
            assert_eq!(d.pending(), 0);
        }
    }

    #[test]
    fn noops_between_messages() {
        let mut d = Dechunker::default();
        d.push(&[0, 0, 0, 1, 0xAA, 0, 0, 0, 0]);
        assert_eq!(d.next_frame().unwrap(), Some(Frame::Noop));
        assert_eq!(d.next_frame().unwrap(), Some(Frame::Message(vec![0xAA])));
        assert_eq!(d.next_frame().unwrap(), Some(Frame::Noop));
        assert_eq!(d.next_frame().unwrap(), None);
        d.push(&[0, 2, 1]);
        assert_eq!(d.next_frame().unwrap(), None);
        assert!(d.pending() > 0);
    }
}
