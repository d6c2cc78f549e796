//! The block framing: requests arrive between `#request begin` and `#request end` lines,
//! responses leave between `#response begin` and `#response end` lines. Text outside a block is
//! ignored (TestKit does the same with ours, so the backend may log there).

use std::io;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

/// Marker line opening a request block.
pub const REQUEST_BEGIN: &str = "#request begin";
/// Marker line closing a request block.
pub const REQUEST_END: &str = "#request end";
/// Marker line opening a response block.
pub const RESPONSE_BEGIN: &str = "#response begin";
/// Marker line closing a response block.
pub const RESPONSE_END: &str = "#response end";

/// Largest request block accepted (TestKit's requests are small; this only bounds memory).
pub const MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

/// What reading the next block gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Block {
    /// The text between the markers.
    Request(String),
    /// The framing was broken (the text says how); the reader has resynchronised.
    Broken(String),
}

/// Reads request blocks from TestKit.
#[derive(Debug)]
pub struct BlockReader<R> {
    inner: R,
    max_bytes: usize,
    pending_begin: bool,
}

impl<R: AsyncBufRead + Unpin> BlockReader<R> {
    /// A reader over a buffered stream.
    pub fn new(inner: R) -> Self {
        Self::with_limit(inner, MAX_REQUEST_BYTES)
    }

    /// A reader that refuses blocks larger than `max_bytes`.
    pub fn with_limit(inner: R, max_bytes: usize) -> Self {
        Self {
            inner,
            max_bytes,
            pending_begin: false,
        }
    }

    /// The next block, or `None` at end of stream (a block cut off by the end is dropped).
    pub async fn next_block(&mut self) -> io::Result<Option<Block>> {
        let mut line = Vec::new();
        // Find the opening marker (unless a previous broken block already consumed it).
        if !self.pending_begin {
            loop {
                match self.read_line(&mut line).await? {
                    None => return Ok(None),
                    Some(()) if trimmed(&line) == REQUEST_BEGIN.as_bytes() => break,
                    Some(()) => {}
                }
            }
        }
        self.pending_begin = false;
        let mut body: Vec<u8> = Vec::new();
        let mut oversized = false;
        loop {
            if self.read_line(&mut line).await?.is_none() {
                return Ok(None);
            }
            let text = trimmed(&line);
            if text == REQUEST_END.as_bytes() {
                break;
            }
            if text == REQUEST_BEGIN.as_bytes() {
                // A new block started before this one ended: report, and read the new one next.
                self.pending_begin = true;
                return Ok(Some(Block::Broken(format!(
                    "'{REQUEST_BEGIN}' inside a request block"
                ))));
            }
            if oversized || body.len().saturating_add(line.len()) > self.max_bytes {
                oversized = true;
                continue;
            }
            body.extend_from_slice(&line);
        }
        if oversized {
            return Ok(Some(Block::Broken(format!(
                "request block larger than {} bytes",
                self.max_bytes
            ))));
        }
        match String::from_utf8(body) {
            Ok(text) => Ok(Some(Block::Request(text))),
            Err(_) => Ok(Some(Block::Broken("request block is not UTF-8".into()))),
        }
    }

    /// Reads one line (with its terminator) into `line`, keeping at most `max_bytes + 1` bytes
    /// of it (the rest of an overlong line is dropped). `None` at end of stream with no data.
    async fn read_line(&mut self, line: &mut Vec<u8>) -> io::Result<Option<()>> {
        line.clear();
        loop {
            let available = self.inner.fill_buf().await?;
            if available.is_empty() {
                return Ok(if line.is_empty() { None } else { Some(()) });
            }
            let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
                Some(pos) => (&available[..=pos], true),
                None => (available, false),
            };
            let room = self.max_bytes.saturating_add(1).saturating_sub(line.len());
            line.extend_from_slice(&chunk[..chunk.len().min(room)]);
            let used = chunk.len();
            self.inner.consume(used);
            if done {
                return Ok(Some(()));
            }
        }
    }
}

fn trimmed(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

/// Writes one response block and flushes.
pub async fn write_block<W: AsyncWrite + Unpin>(w: &mut W, json: &str) -> io::Result<()> {
    let mut buf = Vec::with_capacity(json.len() + RESPONSE_BEGIN.len() + RESPONSE_END.len() + 3);
    buf.extend_from_slice(RESPONSE_BEGIN.as_bytes());
    buf.push(b'\n');
    buf.extend_from_slice(json.as_bytes());
    buf.push(b'\n');
    buf.extend_from_slice(RESPONSE_END.as_bytes());
    buf.push(b'\n');
    w.write_all(&buf).await?;
    w.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn blocks(input: &str, limit: usize) -> Vec<Block> {
        let mut reader = BlockReader::with_limit(input.as_bytes(), limit);
        let mut out = Vec::new();
        while let Some(b) = reader.next_block().await.unwrap() {
            out.push(b);
        }
        out
    }

    #[tokio::test]
    async fn reads_blocks_and_ignores_noise() {
        let input = "hello\n#request begin\n{\"a\":\n1}\n#request end\nnoise\r\n\
                     #request begin\r\n{}\r\n#request end\r\n";
        assert_eq!(
            blocks(input, 1024).await,
            vec![
                Block::Request("{\"a\":\n1}\n".into()),
                Block::Request("{}\r\n".into())
            ]
        );
    }

    #[tokio::test]
    async fn nested_begin_is_reported_and_resynchronised() {
        let input = "#request begin\n{\n#request begin\n{}\n#request end\n";
        assert_eq!(
            blocks(input, 1024).await,
            vec![
                Block::Broken("'#request begin' inside a request block".into()),
                Block::Request("{}\n".into())
            ]
        );
    }

    #[tokio::test]
    async fn oversized_block_is_refused_then_reading_goes_on() {
        let input = format!(
            "#request begin\n{}\n#request end\n#request begin\n{{}}\n#request end\n",
            "x".repeat(100)
        );
        let got = blocks(&input, 16).await;
        assert!(matches!(&got[0], Block::Broken(m) if m.contains("larger")));
        assert_eq!(got[1], Block::Request("{}\n".into()));
    }

    #[tokio::test]
    async fn truncated_block_is_dropped() {
        assert!(blocks("#request begin\n{\"a\": 1", 1024).await.is_empty());
    }

    #[tokio::test]
    async fn writes_marked_block() {
        let mut out = Vec::new();
        write_block(&mut out, "{\"x\":1}").await.unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "#response begin\n{\"x\":1}\n#response end\n"
        );
    }
}
