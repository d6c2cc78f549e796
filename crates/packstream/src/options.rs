//! Codec options: what the negotiated Bolt version changes in the encoding.

/// The default nesting limit: deeper input is rejected before it can exhaust the stack.
pub const DEFAULT_MAX_DEPTH: usize = 128;

/// Options for encoding and decoding.
///
/// The defaults speak the newest protocol (Bolt 6.1): UTC date-times, element
/// ids and UUIDs on. A Bolt connection builds its options with
/// [`Options::for_bolt`] from the negotiated version.
///
/// Decoding accepts every form regardless of the options (legacy and UTC
/// date-time tags, graph structures with and without element ids); the options
/// choose what encoding writes, plus the depth limit.
///
/// ```
/// use quiver_packstream::Options;
///
/// let bolt44 = Options::for_bolt(4, 4, true);
/// assert!(bolt44.utc_datetime_enabled());
/// assert!(!bolt44.element_ids_enabled());
///
/// let custom = Options::new().max_depth(32).uuid(false);
/// assert_eq!(custom.depth_limit(), 32);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    utc_datetime: bool,
    element_ids: bool,
    uuid: bool,
    vectors: bool,
    max_depth: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            utc_datetime: true,
            element_ids: true,
            uuid: true,
            vectors: true,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

impl Options {
    /// The defaults: the newest protocol's encodings, depth limit 128.
    pub fn new() -> Self {
        Self::default()
    }

    /// The options for a negotiated Bolt version. `utc_patch` says whether a
    /// 4.3 or 4.4 server accepted the `"utc"` patch (`patch_bolt`), which
    /// switches date-times to the UTC encoding early.
    pub fn for_bolt(major: u8, minor: u8, utc_patch: bool) -> Self {
        Options {
            utc_datetime: major >= 5 || utc_patch,
            element_ids: major >= 5,
            uuid: (major, minor) >= (6, 1),
            vectors: major >= 6,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }

    /// Encode `DateTime` and `DateTimeZoneId` with the UTC structures of Bolt
    /// 5.0 (tags 0x49 and 0x69, seconds since the epoch in UTC) rather than
    /// the legacy ones (0x46 and 0x66, local seconds).
    pub fn utc_datetime(mut self, on: bool) -> Self {
        self.utc_datetime = on;
        self
    }

    /// Encode nodes and relationships with their element ids (Bolt 5.0 and
    /// later) rather than with integer ids only.
    pub fn element_ids(mut self, on: bool) -> Self {
        self.element_ids = on;
        self
    }

    /// Allow encoding UUIDs (marker 0xE0, Bolt 6.1 and later). When off,
    /// encoding a UUID fails rather than send a marker the server cannot read.
    pub fn uuid(mut self, on: bool) -> Self {
        self.uuid = on;
        self
    }

    /// Allow encoding vectors (structure 0x56, Bolt 6.0 and later). When
    /// off, encoding a `Vector` fails rather than send a structure an older
    /// server would misread.
    pub fn vectors(mut self, on: bool) -> Self {
        self.vectors = on;
        self
    }

    /// The deepest nesting of lists, maps and structures that decoding
    /// accepts. Deeper input fails with
    /// [`ErrorKind::DepthLimitExceeded`](crate::ErrorKind::DepthLimitExceeded).
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// Whether date-times use the UTC encodings.
    pub fn utc_datetime_enabled(&self) -> bool {
        self.utc_datetime
    }

    /// Whether graph structures carry element ids.
    pub fn element_ids_enabled(&self) -> bool {
        self.element_ids
    }

    /// Whether UUIDs may be encoded.
    pub fn uuid_enabled(&self) -> bool {
        self.uuid
    }

    /// Whether vectors may be encoded.
    pub fn vectors_enabled(&self) -> bool {
        self.vectors
    }

    /// The nesting limit.
    pub fn depth_limit(&self) -> usize {
        self.max_depth
    }
}
