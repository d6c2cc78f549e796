//! UUIDs (PackStream v2, Bolt 6.1): marker 0xE0 and 16 bytes.

use std::fmt;

use serde::de::SeqAccess;
use serde::ser::SerializeTupleStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_bytes::{ByteBuf, Bytes};

use crate::structure::{deserialize_struct, FromFields, STRUCT_NAME, UUID_KIND};

/// A UUID: 16 bytes, most significant first (RFC 9562 byte order).
///
/// Encoding one needs Bolt 6.1 ([`Options::uuid`](crate::Options::uuid)).
///
/// ```
/// use quiver_packstream::{from_slice, to_vec, Uuid};
///
/// let id = Uuid::from_bytes([0x12; 16]);
/// let bytes = to_vec(&id)?;
/// assert_eq!(bytes[0], 0xE0);
/// assert_eq!(from_slice::<Uuid>(&bytes)?, id);
/// assert_eq!(id.to_string(), "12121212-1212-1212-1212-121212121212");
/// # Ok::<(), quiver_packstream::Error>(())
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uuid(pub [u8; 16]);

impl Uuid {
    /// A UUID from its 16 bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Uuid(bytes)
    }

    /// The 16 bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The 128-bit value.
    pub const fn as_u128(&self) -> u128 {
        u128::from_be_bytes(self.0)
    }
}

impl From<u128> for Uuid {
    fn from(v: u128) -> Self {
        Uuid(v.to_be_bytes())
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uuid({self})")
    }
}

impl Serialize for Uuid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return s.collect_str(self);
        }
        let mut t = s.serialize_tuple_struct(STRUCT_NAME, 2)?;
        t.serialize_field(&UUID_KIND)?;
        t.serialize_field(Bytes::new(&self.0))?;
        t.end()
    }
}

impl<'de> Deserialize<'de> for Uuid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_struct(d)
    }
}

impl FromFields for Uuid {
    const EXPECTED: &'static str = "a UUID";
    fn accepts(kind: u16) -> bool {
        kind == UUID_KIND
    }
    fn from_fields<'de, A: SeqAccess<'de>>(_: u8, mut seq: A) -> Result<Self, A::Error> {
        let bytes: ByteBuf = seq
            .next_element()?
            .ok_or_else(|| serde::de::Error::custom("UUID without bytes"))?;
        <[u8; 16]>::try_from(bytes.as_slice())
            .map(Uuid)
            .map_err(|_| serde::de::Error::custom("UUID must be 16 bytes"))
    }
}
