//! The bench server's side of the handshake: the newest version a client
//! proposes among 4.4 and 5.0 to 5.8, classic or manifest style.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const MAGIC: [u8; 4] = [0x60, 0x60, 0xB0, 0x17];
const MANIFEST_V1: [u8; 4] = [0x00, 0x00, 0x01, 0xFF];

/// `true` when a proposal `[0, range, minor, major]` covers `(major, minor)`.
fn proposal_covers([_, range, top, maj]: [u8; 4], (major, minor): (u8, u8)) -> bool {
    maj == major && top >= minor && top.saturating_sub(range) <= minor
}

/// Appends `value` as a base-128 varint, low group first.
fn encode_varint(mut value: u64, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value & 0x7F) as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads (and drops) a varint of at most 10 bytes.
async fn skip_varint<R: AsyncRead + Unpin>(reader: &mut R) -> Result<(), String> {
    for _ in 0..10 {
        let byte = reader
            .read_u8()
            .await
            .map_err(|e| format!("reading a varint: {e}"))?;
        if byte & 0x80 == 0 {
            return Ok(());
        }
    }
    Err("varint longer than 10 bytes".into())
}

/// The versions served, newest first.
/// (4.1 to 4.3 are there for clients that propose no newer 4.x: the bench
/// server's answers are the same.)
pub(crate) const VERSIONS: [(u8, u8); 13] = [
    (5, 8),
    (5, 7),
    (5, 6),
    (5, 5),
    (5, 4),
    (5, 3),
    (5, 2),
    (5, 1),
    (5, 0),
    (4, 4),
    (4, 3),
    (4, 2),
    (4, 1),
];

/// The version agreed, or why none was.
pub(crate) async fn serve<S>(stream: &mut S) -> Result<(u8, u8), String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut hello = [0u8; 20];
    stream
        .read_exact(&mut hello)
        .await
        .map_err(|e| format!("reading the handshake: {e}"))?;
    if hello[..4] != MAGIC {
        return Err("wrong handshake magic".into());
    }
    let mut proposals = [[0u8; 4]; 4];
    for (slot, bytes) in proposals.iter_mut().zip(hello[4..].chunks_exact(4)) {
        slot.copy_from_slice(bytes);
    }
    let write = |e: std::io::Error| format!("writing the handshake: {e}");
    if proposals.iter().any(|&p| proposal_covers(p, (0xFF, 1))) {
        let mut out = MANIFEST_V1.to_vec();
        encode_varint(VERSIONS.len() as u64, &mut out);
        for (major, minor) in VERSIONS {
            out.extend_from_slice(&[0, 0, minor, major]);
        }
        encode_varint(0, &mut out);
        stream.write_all(&out).await.map_err(write)?;
        let mut choice = [0u8; 4];
        stream
            .read_exact(&mut choice)
            .await
            .map_err(|e| format!("reading the manifest choice: {e}"))?;
        skip_varint(stream).await?;
        let chosen = (choice[3], choice[2]);
        return if VERSIONS.contains(&chosen) {
            Ok(chosen)
        } else {
            Err(format!("the client chose Bolt {}.{}", chosen.0, chosen.1))
        };
    }
    let agreed = proposals
        .iter()
        .find_map(|&p| VERSIONS.iter().copied().find(|&v| proposal_covers(p, v)));
    match agreed {
        Some((major, minor)) => {
            stream
                .write_all(&[0, 0, minor, major])
                .await
                .map_err(write)?;
            Ok((major, minor))
        }
        None => {
            stream.write_all(&[0; 4]).await.map_err(write)?;
            Err("no proposal covers a version served".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers() {
        assert!(proposal_covers([0, 8, 8, 5], (5, 0)));
        assert!(!proposal_covers([0, 2, 8, 5], (5, 5)));
        assert!(proposal_covers([0, 0, 4, 4], (4, 4)));
        let mut out = Vec::new();
        encode_varint(300, &mut out);
        assert_eq!(out, [0xAC, 0x02]);
    }
}
