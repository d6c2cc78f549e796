//! The crate's error type.

use std::fmt;

/// The result type of every fallible operation in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error while encoding or decoding PackStream.
///
/// The error is one pointer wide (the details live in a box), which keeps
/// `Result<T>` small on the hot decoding path. Inspect it with [`Error::kind`].
#[derive(thiserror::Error)]
#[error(transparent)]
pub struct Error(Box<ErrorKind>);

/// What went wrong, with the details a caller may act on.
///
/// Positions are byte offsets into the input being decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input ended in the middle of a value.
    #[error("unexpected end of input at byte {position}")]
    UnexpectedEof {
        /// Offset where more bytes were needed.
        position: usize,
    },
    /// A byte that is not a PackStream marker (0xC4..=0xC7, 0xCE, 0xCF, 0xD3, 0xD7,
    /// 0xDB, 0xDD..=0xDF and 0xE1..=0xEF are reserved).
    #[error("invalid marker byte 0x{marker:02X} at byte {position}")]
    InvalidMarker {
        /// The marker byte.
        marker: u8,
        /// Its offset.
        position: usize,
    },
    /// A valid marker, but not one of the kinds the caller asked for.
    #[error("expected {expected}, found marker 0x{marker:02X} at byte {position}")]
    UnexpectedMarker {
        /// What the caller expected ("a structure", "a list", ...).
        expected: &'static str,
        /// The marker found.
        marker: u8,
        /// Its offset.
        position: usize,
    },
    /// A length header that announces more bytes or items than the input holds
    /// (a forged or truncated length). Nothing was allocated for it.
    #[error("length {len} at byte {position} exceeds the {remaining} bytes left in the input")]
    LengthExceedsInput {
        /// The announced length (bytes for strings and bytes, items for lists and maps).
        len: u64,
        /// Bytes left in the input after the header.
        remaining: usize,
        /// Offset of the header.
        position: usize,
    },
    /// A string that is not valid UTF-8.
    #[error("invalid UTF-8 in string at byte {position}")]
    InvalidUtf8 {
        /// Offset of the string's first byte.
        position: usize,
    },
    /// Values nested deeper than the configured limit
    /// ([`Options::max_depth`](crate::Options::max_depth)).
    #[error("nesting deeper than the limit of {limit}")]
    DepthLimitExceeded {
        /// The limit in force.
        limit: usize,
    },
    /// Bytes left over after the one value the input should hold.
    #[error("{remaining} trailing bytes after the value, at byte {position}")]
    TrailingBytes {
        /// Offset of the first trailing byte.
        position: usize,
        /// How many bytes are left.
        remaining: usize,
    },
    /// A structure whose fields do not have the shape its tag requires.
    #[error("invalid structure 0x{tag:02X}: {reason}")]
    InvalidStructure {
        /// The structure tag.
        tag: u8,
        /// What was wrong.
        reason: String,
    },
    /// A structure with a different tag than the target type accepts.
    #[error("expected structure {expected}, found tag 0x{found:02X}")]
    UnexpectedStructTag {
        /// The structure the target type accepts.
        expected: &'static str,
        /// The tag found.
        found: u8,
    },
    /// A [`Value`](crate::Value) of another type than the conversion asked for.
    #[error("expected {expected}, found {found}")]
    UnexpectedType {
        /// The type asked for.
        expected: &'static str,
        /// The value's type ([`Value::type_name`](crate::Value::type_name)).
        found: &'static str,
    },
    /// A value that PackStream cannot represent (an integer above `i64::MAX`,
    /// a string longer than `u32::MAX` bytes, a structure with more than 15 fields...).
    #[error("cannot encode: {0}")]
    Unrepresentable(String),
    /// The value needs a newer protocol than the [`Options`](crate::Options) allow
    /// (a UUID before Bolt 6.1, say).
    #[error("not supported by the negotiated protocol: {0}")]
    UnsupportedByProtocol(&'static str),
    /// A zoned date-time holds its seconds in one basis (UTC or local) and the
    /// encoding needs the other, which needs a time-zone database.
    #[error("cannot convert date-time in zone {tz_id:?} between local and UTC seconds: {reason}")]
    ZoneConversion {
        /// The zone.
        tz_id: String,
        /// Why it failed.
        reason: &'static str,
    },
    /// A conversion to or from another type (a chrono type, a narrower integer...)
    /// where the value does not fit.
    #[error("{what} out of range: {reason}")]
    OutOfRange {
        /// The target or source type.
        what: &'static str,
        /// Why it does not fit.
        reason: &'static str,
    },
    /// The output sink failed.
    #[error("write failed: {0}")]
    Io(#[from] std::io::Error),
    /// A message from a `Serialize` or `Deserialize` implementation.
    #[error("{0}")]
    Message(String),
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// Consumes the error, returning its kind.
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }

    /// The byte offset in the input where decoding failed, when known.
    pub fn position(&self) -> Option<usize> {
        match *self.0 {
            ErrorKind::UnexpectedEof { position }
            | ErrorKind::InvalidMarker { position, .. }
            | ErrorKind::UnexpectedMarker { position, .. }
            | ErrorKind::LengthExceedsInput { position, .. }
            | ErrorKind::InvalidUtf8 { position }
            | ErrorKind::TrailingBytes { position, .. } => Some(position),
            _ => None,
        }
    }

    /// True when the input ended early; a streaming caller may retry with more bytes.
    pub fn is_eof(&self) -> bool {
        matches!(*self.0, ErrorKind::UnexpectedEof { .. })
    }

    pub(crate) fn invalid_structure(tag: u8, reason: impl Into<String>) -> Self {
        ErrorKind::InvalidStructure {
            tag,
            reason: reason.into(),
        }
        .into()
    }

    pub(crate) fn out_of_range(what: &'static str, reason: &'static str) -> Self {
        ErrorKind::OutOfRange { what, reason }.into()
    }

    pub(crate) fn unrepresentable(msg: impl Into<String>) -> Self {
        ErrorKind::Unrepresentable(msg.into()).into()
    }
}

impl From<ErrorKind> for Error {
    #[cold]
    fn from(kind: ErrorKind) -> Self {
        Error(Box::new(kind))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        ErrorKind::Io(e).into()
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl serde::ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ErrorKind::Message(msg.to_string()).into()
    }
}

impl serde::de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ErrorKind::Message(msg.to_string()).into()
    }
}
