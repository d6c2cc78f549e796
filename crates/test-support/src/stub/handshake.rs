//! The server side of the Bolt handshake, both styles, written apart from
//! quiver-bolt's.
//!
//! Classic: the client sends the magic `60 60 B0 17` and four proposals of
//! four bytes `[0, range, minor, major]`, each standing for the versions
//! `major.minor` down to `major.(minor - range)`; the server answers with
//! the chosen `[0, 0, minor, major]`, or `00 00 00 00` for none.
//!
//! Manifest v1 (Bolt 5.7 and later): a client proposes `00 00 01 FF`; a
//! server that speaks it answers `00 00 01 FF`, a varint count, that many
//! four-byte versions and a varint capability mask; the client then sends
//! its chosen version (four bytes) and its capability mask (varint).
//! Varints are base 128, least significant group first, high bit set on
//! every byte but the last.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::script::Config;

/// The magic preamble.
pub(crate) const MAGIC: [u8; 4] = [0x60, 0x60, 0xB0, 0x17];
/// The manifest v1 proposal and answer.
pub(crate) const MANIFEST_V1: [u8; 4] = [0x00, 0x00, 0x01, 0xFF];

/// What happened in a connection's handshake.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Handshake {
    /// The four proposals as sent, `[0, range, minor, major]` each.
    pub proposals: [[u8; 4]; 4],
    /// The version agreed, `(major, minor)`.
    pub agreed: Option<(u8, u8)>,
    /// The manifest-style handshake was used.
    pub manifest: bool,
    /// The capability mask the client sent (manifest style only).
    pub client_capabilities: Option<u64>,
}

/// `true` when a proposal covers `(major, minor)`.
pub(crate) fn proposal_covers(p: [u8; 4], (major, minor): (u8, u8)) -> bool {
    let [_, range, top, maj] = p;
    maj == major && top >= minor && top.saturating_sub(range) <= minor
}

/// Appends `value` as a varint.
pub(crate) fn encode_varint(mut value: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (value & 0x7F) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Reads a varint of at most 10 bytes.
pub(crate) async fn read_varint<R: AsyncRead + Unpin>(reader: &mut R) -> Result<u64, String> {
    let mut value: u64 = 0;
    for i in 0..10u32 {
        let byte = reader
            .read_u8()
            .await
            .map_err(|e| format!("reading a varint: {e}"))?;
        value |= u64::from(byte & 0x7F).checked_shl(7 * i).unwrap_or(0);
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint longer than 10 bytes".into())
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn hex4(p: [u8; 4]) -> String {
    format!("{:02X}{:02X}{:02X}{:02X}", p[0], p[1], p[2], p[3])
}

/// Plays the server side. `Err` explains what the client got wrong.
pub(crate) async fn serve<S>(stream: &mut S, config: &Config) -> Result<Handshake, String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut magic = [0u8; 4];
    stream
        .read_exact(&mut magic)
        .await
        .map_err(|e| format!("reading the handshake magic: {e}"))?;
    if magic != MAGIC {
        return Err(format!(
            "wrong handshake magic {} (expected 6060B017)",
            hex4(magic)
        ));
    }
    let mut raw = [0u8; 16];
    stream
        .read_exact(&mut raw)
        .await
        .map_err(|e| format!("reading the handshake proposals: {e}"))?;
    let mut record = Handshake::default();
    for (slot, bytes) in record.proposals.iter_mut().zip(raw.chunks_exact(4)) {
        slot.copy_from_slice(bytes);
    }
    let proposals = record.proposals;
    let shown = proposals.map(hex4).join(" ");
    tracing::debug!(proposals = %shown, "stub: handshake");
    if let Some(delay) = config.handshake_delay {
        tokio::time::sleep(delay).await;
    }
    let write = |e: std::io::Error| format!("writing the handshake reply: {e}");

    if let Some(reply) = &config.handshake_reply {
        stream.write_all(reply).await.map_err(write)?;
        stream.flush().await.map_err(write)?;
        if let [0, 0, minor, major] = reply[..] {
            if (major, minor) != (0, 0) && major != 0xFF {
                record.agreed = Some((major, minor));
            }
        }
        if let Some(expected) = &config.handshake_response {
            let mut got = vec![0u8; expected.len()];
            stream
                .read_exact(&mut got)
                .await
                .map_err(|e| format!("reading the client's handshake response: {e}"))?;
            if &got != expected {
                return Err(format!(
                    "the client answered the handshake with {}, the script expects {}",
                    hex(&got),
                    hex(expected)
                ));
            }
            if let [0, 0, minor, major, ..] = got[..] {
                if (major, minor) != (0, 0) {
                    record.agreed = Some((major, minor));
                }
            }
        }
        return Ok(record);
    }
    let version = config.bolt.unwrap_or((0, 0));

    if let Some(offered) = &config.manifest {
        if !proposals.iter().any(|&p| proposal_covers(p, (0xFF, 1))) {
            stream.write_all(&[0; 4]).await.map_err(write)?;
            return Err(format!(
                "the script expects the manifest handshake (000001FF), the client proposed {shown}"
            ));
        }
        let versions: Vec<(u8, u8)> = if offered.is_empty() {
            vec![version]
        } else {
            offered.clone()
        };
        let mut out = MANIFEST_V1.to_vec();
        encode_varint(versions.len() as u64, &mut out);
        for (major, minor) in &versions {
            out.extend_from_slice(&[0, 0, *minor, *major]);
        }
        encode_varint(config.capabilities, &mut out);
        stream.write_all(&out).await.map_err(write)?;
        stream.flush().await.map_err(write)?;

        let mut choice = [0u8; 4];
        stream
            .read_exact(&mut choice)
            .await
            .map_err(|e| format!("reading the client's manifest choice: {e}"))?;
        let capabilities = read_varint(stream).await?;
        record.manifest = true;
        record.client_capabilities = Some(capabilities);
        let chosen = (choice[3], choice[2]);
        if choice[..2] != [0, 0] || chosen != version {
            return Err(format!(
                "in the manifest handshake the client chose {} ({}.{}), the script accepts {}.{}",
                hex4(choice),
                chosen.0,
                chosen.1,
                version.0,
                version.1
            ));
        }
        record.agreed = Some(version);
        return Ok(record);
    }

    if proposals.iter().any(|&p| proposal_covers(p, version)) {
        stream
            .write_all(&[0, 0, version.1, version.0])
            .await
            .map_err(write)?;
        stream.flush().await.map_err(write)?;
        record.agreed = Some(version);
        Ok(record)
    } else {
        stream.write_all(&[0; 4]).await.map_err(write)?;
        stream.flush().await.map_err(write)?;
        Err(format!(
            "no handshake proposal covers Bolt {}.{}: the client proposed {shown}",
            version.0, version.1
        ))
    }
}

/// How long the handshake may take before the stub gives up.
pub(crate) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(proposal_covers([0, 0, 4, 5], (5, 4)));
        assert!(proposal_covers([0, 4, 8, 5], (5, 4)));
        assert!(proposal_covers([0, 4, 8, 5], (5, 8)));
        assert!(!proposal_covers([0, 3, 8, 5], (5, 4)));
        assert!(!proposal_covers([0, 4, 8, 5], (4, 4)));
        assert!(!proposal_covers([0, 9, 3, 5], (5, 4)));
        assert!(proposal_covers([0, 9, 3, 5], (5, 0)));
        assert!(proposal_covers(MANIFEST_V1, (0xFF, 1)));
    }

    #[tokio::test]
    async fn varints() {
        for value in [0u64, 1, 127, 128, 300, 1 << 35, u64::MAX] {
            let mut out = Vec::new();
            encode_varint(value, &mut out);
            let mut reader = &out[..];
            assert_eq!(read_varint(&mut reader).await.unwrap(), value);
        }
        let mut out = Vec::new();
        encode_varint(300, &mut out);
        assert_eq!(out, [0xAC, 0x02]);
        let mut too_long: &[u8] = &[0xFF; 11];
        assert!(read_varint(&mut too_long).await.is_err());
    }
}
