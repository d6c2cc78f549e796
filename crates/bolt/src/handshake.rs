//! The Bolt handshake as pure functions over bytes (no IO).
//!
//! Classic style: the client sends the magic preamble and four 4-byte slots, each
//! `[0, range, minor, major]` meaning `major.minor` down to `major.(minor - range)`;
//! the server answers 4 bytes, the agreed version or zeros.
//!
//! Manifest style (5.7+): one slot holds `00 00 01 FF`; a server that speaks it answers
//! `00 00 01 FF`, a varint count, that many 4-byte version ranges and a varint
//! capability mask. The client then sends the chosen version (4 bytes) and a varint of
//! the capabilities it wants (none: `00`).

use crate::error::Error;
use crate::version::Version;

/// The 4-byte magic preamble that opens every Bolt connection.
pub const MAGIC: [u8; 4] = [0x60, 0x60, 0xB0, 0x17];
/// The slot that offers the version 1 handshake manifest.
pub const MANIFEST_V1: [u8; 4] = [0x00, 0x00, 0x01, 0xFF];
/// The first version that servers answer with a manifest. `[bolt-version-bump]`
const FIRST_MANIFEST_VERSION: Version = Version::V5_7;
/// Longest varint we accept (a u64 needs 10 groups of 7 bits).
const MAX_VARINT_LEN: usize = 10;

/// A range of versions as the handshake encodes it: `major.minor` down to
/// `major.(minor - range)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionRange {
    /// Newest version in the range.
    pub top: Version,
    /// How many minor versions below `top` the range reaches.
    pub range: u8,
}

impl VersionRange {
    /// Whether `v` lies in the range.
    pub fn contains(&self, v: Version) -> bool {
        v.major == self.top.major
            && v.minor <= self.top.minor
            && v.minor >= self.top.minor.saturating_sub(self.range)
    }

    fn from_bytes(b: [u8; 4]) -> Self {
        VersionRange {
            top: Version::new(b[3], b[2]),
            range: b[1],
        }
    }

    fn to_bytes(self) -> [u8; 4] {
        [0, self.range, self.top.minor, self.top.major]
    }
}

/// Builds the 20 bytes the client opens with: magic plus four slots.
///
/// `allowed` are the versions the client accepts (any order; unsupported ones are
/// ignored). With `manifest` the first slot offers the manifest handshake when some
/// allowed version is 5.7 or newer.
pub fn client_hello(allowed: &[Version], manifest: bool) -> [u8; 20] {
    let mut versions: Vec<Version> = allowed
        .iter()
        .copied()
        .filter(|v| v.is_supported())
        .collect();
    versions.sort_unstable_by(|a, b| b.cmp(a));
    versions.dedup();

    let mut slots: Vec<[u8; 4]> = Vec::with_capacity(4);
    if manifest
        && versions
            .first()
            .is_some_and(|v| *v >= FIRST_MANIFEST_VERSION)
    {
        slots.push(MANIFEST_V1);
    }
    for r in group_ranges(&versions) {
        if slots.len() == 4 {
            break;
        }
        slots.push(r.to_bytes());
    }
    let mut out = [0u8; 20];
    out[..4].copy_from_slice(&MAGIC);
    for (i, slot) in slots.iter().enumerate() {
        out[4 + i * 4..8 + i * 4].copy_from_slice(slot);
    }
    out
}

/// Groups versions (sorted newest first) into ranges of consecutive minors.
fn group_ranges(sorted_desc: &[Version]) -> Vec<VersionRange> {
    let mut out: Vec<VersionRange> = Vec::new();
    for &v in sorted_desc {
        if let Some(last) = out.last_mut() {
            let bottom = last.top.minor - last.range;
            if last.top.major == v.major && bottom > 0 && bottom - 1 == v.minor {
                last.range += 1;
                continue;
            }
        }
        out.push(VersionRange { top: v, range: 0 });
    }
    out
}

/// What the server answered to the client's opening.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerReply {
    /// Classic handshake: the agreed version.
    Version(Version),
    /// Manifest v1: the ranges the server offers and its capability mask.
    Manifest {
        /// Version ranges the server speaks.
        offers: Vec<VersionRange>,
        /// Capability mask the server offers.
        capabilities: u64,
    },
}

/// Parses the server's handshake reply from `buf`.
///
/// Returns `Ok(None)` while the reply is incomplete, else the reply and how many bytes
/// it used.
pub fn parse_server_reply(buf: &[u8]) -> Result<Option<(ServerReply, usize)>, Error> {
    let Some(head) = buf.get(..4) else {
        return Ok(None);
    };
    let head: [u8; 4] = [head[0], head[1], head[2], head[3]];
    if &head == b"HTTP" {
        return Err(Error::Protocol(
            "the server answered the Bolt handshake with HTTP: wrong port?".into(),
        ));
    }
    if head == [0, 0, 0, 0] {
        return Err(Error::NoCommonVersion);
    }
    if head[3] == 0xFF {
        if head != MANIFEST_V1 {
            return Err(Error::Protocol(format!(
                "unsupported handshake manifest version {}",
                head[2]
            )));
        }
        let mut pos = 4;
        let Some((count, used)) = read_varint(&buf[pos..])? else {
            return Ok(None);
        };
        pos += used;
        // Each offer takes 4 bytes: bound the count by what a sane server could send.
        if count > 256 {
            return Err(Error::Protocol(format!(
                "handshake manifest offers {count} versions"
            )));
        }
        let mut offers = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let Some(b) = buf.get(pos..pos + 4) else {
                return Ok(None);
            };
            offers.push(VersionRange::from_bytes([b[0], b[1], b[2], b[3]]));
            pos += 4;
        }
        let Some((capabilities, used)) = read_varint(buf.get(pos..).unwrap_or_default())? else {
            return Ok(None);
        };
        pos += used;
        return Ok(Some((
            ServerReply::Manifest {
                offers,
                capabilities,
            },
            pos,
        )));
    }
    Ok(Some((
        ServerReply::Version(Version::new(head[3], head[2])),
        4,
    )))
}

/// Picks the newest allowed version inside the server's manifest offers.
pub fn choose_from_manifest(offers: &[VersionRange], allowed: &[Version]) -> Option<Version> {
    allowed
        .iter()
        .copied()
        .filter(|v| v.is_supported() && offers.iter().any(|o| o.contains(*v)))
        .max()
}

/// The client's answer to a manifest: the chosen version and no capabilities.
pub fn manifest_choice(version: Version) -> [u8; 5] {
    let v = version.to_handshake_bytes();
    [v[0], v[1], v[2], v[3], 0x00]
}

/// Reads a base-128 little-endian varint. `Ok(None)` when incomplete.
pub fn read_varint(buf: &[u8]) -> Result<Option<(u64, usize)>, Error> {
    let mut value: u64 = 0;
    for (i, &b) in buf.iter().enumerate() {
        if i >= MAX_VARINT_LEN {
            return Err(Error::Protocol("handshake varint too long".into()));
        }
        let bits = u64::from(b & 0x7F);
        let shift = 7 * i as u32;
        if shift == 63 && bits > 1 {
            return Err(Error::Protocol("handshake varint overflows u64".into()));
        }
        value |= bits << shift;
        if b & 0x80 == 0 {
            return Ok(Some((value, i + 1)));
        }
    }
    if buf.len() >= MAX_VARINT_LEN {
        return Err(Error::Protocol("handshake varint too long".into()));
    }
    Ok(None)
}

/// Writes a base-128 little-endian varint.
pub fn write_varint(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7F) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_offer_bytes() {
        let hello = client_hello(Version::SUPPORTED, true);
        assert_eq!(
            hello,
            [
                0x60, 0x60, 0xB0, 0x17, // magic
                0x00, 0x00, 0x01, 0xFF, // manifest v1
                0x00, 0x01, 0x01, 0x06, // 6.1 .. 6.0
                0x00, 0x08, 0x08, 0x05, // 5.8 .. 5.0
                0x00, 0x00, 0x04, 0x04, // 4.4
            ]
        );
    }

    #[test]
    fn classic_offer_without_manifest() {
        let hello = client_hello(&[Version::V5_4, Version::V5_3, Version::V4_4], false);
        assert_eq!(
            &hello[4..],
            &[0, 1, 4, 5, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        // manifest only when a 5.7+ version is allowed
        let hello = client_hello(&[Version::V5_4], true);
        assert_eq!(&hello[4..8], &[0, 0, 4, 5]);
    }

    #[test]
    fn gaps_split_ranges() {
        let hello = client_hello(
            &[Version::V5_8, Version::V5_6, Version::V5_5, Version::V5_0],
            false,
        );
        assert_eq!(
            &hello[4..],
            &[0, 0, 8, 5, 0, 1, 6, 5, 0, 0, 0, 5, 0, 0, 0, 0]
        );
    }

    #[test]
    fn classic_reply() {
        assert_eq!(parse_server_reply(&[0, 0]).unwrap(), None);
        assert_eq!(
            parse_server_reply(&[0, 0, 4, 5]).unwrap(),
            Some((ServerReply::Version(Version::V5_4), 4))
        );
        assert!(matches!(
            parse_server_reply(&[0, 0, 0, 0]),
            Err(Error::NoCommonVersion)
        ));
        assert!(matches!(
            parse_server_reply(b"HTTP/1.1"),
            Err(Error::Protocol(_))
        ));
        assert!(matches!(
            parse_server_reply(&[0, 0, 2, 0xFF]),
            Err(Error::Protocol(_))
        ));
    }

    #[test]
    fn manifest_reply_incremental() {
        let full = [0, 0, 1, 0xFF, 2, 0, 0, 0, 6, 0, 8, 8, 5, 0];
        for cut in 0..full.len() {
            assert_eq!(parse_server_reply(&full[..cut]).unwrap(), None, "cut {cut}");
        }
        let (reply, used) = parse_server_reply(&full).unwrap().unwrap();
        assert_eq!(used, full.len());
        let ServerReply::Manifest {
            offers,
            capabilities,
        } = reply
        else {
            panic!("not a manifest")
        };
        assert_eq!(capabilities, 0);
        assert_eq!(
            choose_from_manifest(&offers, Version::SUPPORTED),
            Some(Version::V6_0)
        );
        assert_eq!(
            choose_from_manifest(&offers, &[Version::V5_7, Version::V4_4]),
            Some(Version::V5_7)
        );
        assert_eq!(choose_from_manifest(&offers, &[Version::V4_4]), None);
        assert_eq!(manifest_choice(Version::V5_8), [0, 0, 8, 5, 0]);
    }

    #[test]
    fn varints() {
        for n in [
            0u64,
            1,
            127,
            128,
            300,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut out = Vec::new();
            write_varint(n, &mut out);
            assert_eq!(read_varint(&out).unwrap(), Some((n, out.len())));
            assert_eq!(read_varint(&out[..out.len() - 1]).unwrap(), None);
        }
        assert!(read_varint(&[0xFF; 11]).is_err());
        assert!(
            read_varint(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]).is_err()
        );
    }
}
