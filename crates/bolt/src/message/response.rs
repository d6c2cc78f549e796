//! Replies: SUCCESS, RECORD, IGNORED and FAILURE.

use bytes::Bytes;
use quiver_packstream::{Deserializer, Kind, Map, Options, Value};
use serde::Deserialize;

use crate::error::{Error, ServerError};
use crate::message::tag;
use crate::version::Version;

/// One reply from the server.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Response {
    /// The request succeeded; its metadata.
    Success(Success),
    /// One record of a result (answers PULL).
    Record(Record),
    /// The request was ignored (the connection was failed or interrupted).
    Ignored,
    /// The request failed.
    Failure(Box<ServerError>),
}

impl Response {
    /// Decodes a message body (one dechunked message).
    pub fn decode(body: Bytes, version: Version, opts: &Options) -> Result<Response, Error> {
        let (marker, sig) = match (body.first(), body.get(1)) {
            (Some(&m), Some(&s)) => (m, s),
            _ => {
                return Err(Error::Protocol(format!(
                    "message too short: {:02X?}",
                    &body[..]
                )))
            }
        };
        if marker & 0xF0 != 0xB0 {
            return Err(Error::Protocol(format!(
                "message is not a structure (marker {marker:#04X})"
            )));
        }
        let fields = marker & 0x0F;
        match (sig, fields) {
            (tag::RECORD, 1) => {
                let raw = body.slice(2..);
                match raw.first() {
                    Some(0x90..=0x9F | 0xD4..=0xD6) => Ok(Response::Record(Record { raw })),
                    _ => Err(Error::Protocol("RECORD does not hold a list".into())),
                }
            }
            (tag::SUCCESS, 0) => Ok(Response::Success(Success::empty(*opts))),
            (tag::SUCCESS, 1) => {
                let raw = body.slice(2..);
                let known = check_metadata(&raw, opts)?;
                Ok(Response::Success(Success {
                    raw,
                    opts: *opts,
                    known,
                }))
            }
            (tag::IGNORED, 0 | 1) => Ok(Response::Ignored),
            (tag::FAILURE, 1) => {
                let meta = decode_map(&body[2..], opts)?;
                Ok(Response::Failure(Box::new(parse_failure(meta, version))))
            }
            _ => Err(Error::Protocol(format!(
                "unexpected message: signature {sig:#04X} with {fields} fields"
            ))),
        }
    }

    /// The success metadata, or the failure as an error ([`Error::Ignored`] for
    /// IGNORED, a protocol error for a RECORD).
    pub fn into_success(self) -> Result<Success, Error> {
        match self {
            Response::Success(s) => Ok(s),
            Response::Failure(f) => Err(Error::Server(f)),
            Response::Ignored => Err(Error::Ignored),
            Response::Record(_) => Err(Error::Protocol("unexpected RECORD".into())),
        }
    }
}

pub(crate) fn decode_map(bytes: &[u8], opts: &Options) -> Result<Map, Error> {
    let v: Value = quiver_packstream::from_slice_with(bytes, opts)?;
    match v {
        Value::Map(m) => Ok(m),
        other => Err(Error::Protocol(format!(
            "expected a metadata map, got {other:?}"
        ))),
    }
}

/// Parses FAILURE metadata: `code`/`message` before 5.7, GQL fields and `cause` from 5.7.
pub(crate) fn parse_failure(mut meta: Map, version: Version) -> ServerError {
    // [bolt-version-bump] FAILURE fields.
    let code = take_string(
        &mut meta,
        if version.has_gql_errors() {
            "neo4j_code"
        } else {
            "code"
        },
    )
    .or_else(|| take_string(&mut meta, "code"))
    .unwrap_or_else(|| "Neo.DatabaseError.General.UnknownError".to_owned());
    let message =
        take_string(&mut meta, "message").unwrap_or_else(|| "an unknown error occurred".to_owned());
    let mut err = ServerError {
        code,
        message,
        gql_status: None,
        description: None,
        diagnostic_record: None,
        cause: None,
    };
    if version.has_gql_errors() {
        err.gql_status = take_string(&mut meta, "gql_status");
        err.description = take_string(&mut meta, "description");
        if let Some(Value::Map(d)) = meta.remove("diagnostic_record") {
            err.diagnostic_record = Some(d);
        }
        if let Some(Value::Map(c)) = meta.remove("cause") {
            err.cause = Some(Box::new(parse_failure(c, version)));
        }
    }
    err
}

fn take_string(m: &mut Map, key: &str) -> Option<String> {
    match m.remove(key)? {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// Checks SUCCESS metadata without building it: a map with string keys,
/// every string in it valid UTF-8, every length within the message, nothing
/// after the map. What passes can be scanned by key without surprises.
/// Notes where the keys read on every request are, on the way.
fn check_metadata(bytes: &[u8], opts: &Options) -> Result<KnownKeys, Error> {
    let mut de = Deserializer::new(bytes);
    let depth = opts.depth_limit().saturating_sub(1);
    if de.peek_kind()? != Kind::Map {
        return Err(Error::Protocol(format!(
            "expected a metadata map, got marker {:#04X}",
            de.peek_marker()?
        )));
    }
    let n = de.read_map_header()?;
    let mut known = KnownKeys::default();
    for _ in 0..n {
        let key = de.read_string()?;
        let at = u32::try_from(de.position()).unwrap_or(0);
        if key == "has_more" {
            known.has_more = de.peek_marker()? == 0xC3;
        } else if let Some(slot) = KnownKeys::slot(key) {
            known.at[slot] = at;
        }
        check_value(&mut de, depth)?;
    }
    de.end()?;
    Ok(known)
}

/// Whether `has_more` is true, and where the values of the other keys read
/// on every request ([`KnownKeys::NOTED`]) sit in the metadata (0: absent;
/// the map header is at 0, so no value is).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct KnownKeys {
    has_more: bool,
    at: [u32; 3],
}

impl KnownKeys {
    /// The keys whose values' positions are noted on arrival.
    const NOTED: [&'static str; 3] = ["fields", "bookmark", "db"];

    fn slot(key: &str) -> Option<usize> {
        Self::NOTED.iter().position(|k| *k == key)
    }
}

/// Walks one value, checking the UTF-8 of its strings and its nesting
/// (recursion is bounded by the options' depth limit).
fn check_value(de: &mut Deserializer<'_>, depth: usize) -> Result<(), Error> {
    let nested = |de: &mut Deserializer<'_>, n: usize| -> Result<(), Error> {
        if depth == 0 {
            return Err(Error::Protocol(
                "SUCCESS metadata has nesting deeper than the limit".into(),
            ));
        }
        for _ in 0..n {
            check_value(de, depth - 1)?;
        }
        Ok(())
    };
    match de.peek_kind()? {
        Kind::String => {
            de.read_string()?;
        }
        Kind::List => {
            let n = de.read_list_header()?;
            nested(de, n)?;
        }
        Kind::Map => {
            let n = de.read_map_header()?;
            nested(de, n.saturating_mul(2))?;
        }
        Kind::Structure => {
            let n = de.read_struct_header()?.1;
            nested(de, n)?;
        }
        _ => de.skip_value()?,
    }
    Ok(())
}

/// SUCCESS metadata, kept as the bytes of its map and read by key on demand.
///
/// The few keys the driver needs on every request (`has_more`, `fields`,
/// `bookmark`, `db`, ...) are found by scanning the bytes, without building
/// a [`Map`]; [`metadata`](Self::metadata) decodes the whole map.
#[derive(Clone, PartialEq)]
pub struct Success {
    /// The PackStream map (empty when the SUCCESS had no metadata field).
    raw: Bytes,
    opts: Options,
    known: KnownKeys,
}

impl Default for Success {
    fn default() -> Self {
        Success::empty(Options::default())
    }
}

impl std::fmt::Debug for Success {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.metadata() {
            Ok(m) => f.debug_struct("Success").field("metadata", &m).finish(),
            Err(_) => f.debug_struct("Success").field("raw", &self.raw).finish(),
        }
    }
}

impl Success {
    fn empty(opts: Options) -> Self {
        Success {
            raw: Bytes::new(),
            opts,
            known: KnownKeys::default(),
        }
    }

    /// SUCCESS metadata from a map (for tests and fakes).
    pub fn from_map(metadata: &Map, opts: &Options) -> Result<Self, Error> {
        let raw = Bytes::from(quiver_packstream::to_vec_with(metadata, opts)?);
        let known = check_metadata(&raw, opts)?;
        Ok(Success {
            raw,
            opts: *opts,
            known,
        })
    }

    /// The raw PackStream bytes of the metadata map (empty for none).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The decoding options of the connection it came from.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// Decodes the whole metadata map.
    pub fn metadata(&self) -> Result<Map, Error> {
        if self.raw.is_empty() {
            return Ok(Map::new());
        }
        let v: Value = quiver_packstream::from_slice_with(&self.raw, &self.opts)?;
        match v {
            Value::Map(m) => Ok(m),
            _ => Err(Error::Protocol("SUCCESS metadata is not a map".into())),
        }
    }

    /// A deserializer positioned on the value of `key`, if present.
    fn find(&self, key: &str) -> Option<Deserializer<'_>> {
        if self.raw.is_empty() {
            return None;
        }
        if let Some(slot) = KnownKeys::slot(key) {
            let at = *self.known.at.get(slot)?;
            let rest = self.raw.get(usize::try_from(at).ok()?..)?;
            return (at != 0).then(|| Deserializer::with_options(rest, &self.opts));
        }
        let mut de = Deserializer::with_options(&self.raw, &self.opts);
        let n = de.read_map_header().ok()?;
        for _ in 0..n {
            let k = de.read_string().ok()?;
            if k == key {
                return Some(de);
            }
            de.skip_value().ok()?;
        }
        None
    }

    /// Whether the metadata has `key`.
    pub fn contains(&self, key: &str) -> bool {
        self.find(key).is_some()
    }

    /// The value of `key`, decoded (`None` when absent or not decodable).
    pub fn get(&self, key: &str) -> Option<Value> {
        let mut de = self.find(key)?;
        Value::deserialize(&mut de).ok()
    }

    /// The value of `key` if it is a string.
    pub fn str(&self, key: &str) -> Option<&str> {
        let mut de = self.find(key)?;
        match de.peek_kind().ok()? {
            Kind::String => de.read_string().ok(),
            _ => None,
        }
    }

    /// The value of `key` if it is an integer.
    pub fn int(&self, key: &str) -> Option<i64> {
        let mut de = self.find(key)?;
        match de.peek_kind().ok()? {
            Kind::Integer => de.read_int().ok(),
            _ => None,
        }
    }

    /// The value of `key` if it is a boolean.
    pub fn bool(&self, key: &str) -> Option<bool> {
        let mut de = self.find(key)?;
        match de.peek_kind().ok()? {
            Kind::Boolean => de.read_bool().ok(),
            _ => None,
        }
    }

    /// The value of `key` if it is a map.
    pub fn map(&self, key: &str) -> Option<Map> {
        match self.get(key)? {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// `has_more` of a PULL/DISCARD summary (false when absent).
    pub fn has_more(&self) -> bool {
        self.known.has_more
    }

    /// The result's field names (RUN reply), leniently: entries that are
    /// not strings are left out, and anything but a list gives none. See
    /// [`try_fields`](Self::try_fields) for the strict reading.
    pub fn fields(&self) -> Vec<String> {
        match self.get("fields") {
            Some(Value::List(l)) => l
                .into_iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The result's field names (RUN reply): none when absent, `None` when
    /// `fields` is not a list of strings.
    pub fn try_fields(&self) -> Option<Vec<String>> {
        let Some(mut de) = self.find("fields") else {
            return Some(Vec::new());
        };
        let n = de.read_list_header().ok()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            if de.peek_kind().ok()? != Kind::String {
                return None;
            }
            out.push(de.read_string().ok()?.to_owned());
        }
        Some(out)
    }

    /// The query id inside a transaction (RUN reply).
    pub fn qid(&self) -> Option<i64> {
        self.int("qid")
    }

    /// The bookmark (COMMIT or auto-commit PULL reply).
    pub fn bookmark(&self) -> Option<&str> {
        self.str("bookmark")
    }

    /// The database the request ran against (5.8+ BEGIN/RUN replies carry the resolved
    /// home database; summaries carry it in every version).
    pub fn db(&self) -> Option<&str> {
        self.str("db")
    }

    /// `server` agent (HELLO reply), e.g. `Neo4j/5.20.0`.
    pub fn server(&self) -> Option<&str> {
        self.str("server")
    }

    /// `connection_id` (HELLO reply).
    pub fn connection_id(&self) -> Option<&str> {
        self.str("connection_id")
    }

    /// `hints` (HELLO reply).
    pub fn hints(&self) -> Option<Map> {
        self.map("hints")
    }

    /// `t_first` in ms (RUN reply).
    pub fn t_first(&self) -> Option<i64> {
        self.int("t_first")
    }

    /// `rt`, the routing table (ROUTE reply).
    pub fn routing_table(&self) -> Option<Map> {
        self.map("rt")
    }
}

/// One record: the raw PackStream bytes of its field list, decoded lazily.
///
/// The bytes share the connection's read buffer (no copy); decode them into
/// [`Value`]s with [`Record::values`], into any `Deserialize` type with
/// [`Record::decode`], or walk the raw fields with [`Record::fields`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    raw: Bytes,
}

impl Record {
    /// A record from the raw bytes of a PackStream list (for tests and fakes).
    pub fn from_raw(raw: Bytes) -> Self {
        Record { raw }
    }

    /// The PackStream list holding the fields (list header included).
    pub fn raw(&self) -> &Bytes {
        &self.raw
    }

    /// The PackStream list holding the fields, taken out of the record.
    pub fn into_raw(self) -> Bytes {
        self.raw
    }

    /// Decodes the whole field list into `T` (a tuple, a `Vec<Value>`, a struct
    /// deserialized from a sequence, ...), borrowing strings from the record.
    pub fn decode<'de, T: serde::Deserialize<'de>>(&'de self, opts: &Options) -> Result<T, Error> {
        Ok(quiver_packstream::from_slice_with(&self.raw, opts)?)
    }

    /// Decodes the fields into values.
    pub fn values(&self, opts: &Options) -> Result<Vec<Value>, Error> {
        self.decode(opts)
    }

    /// The number of fields (reads the list header only).
    pub fn len(&self) -> Result<usize, Error> {
        Ok(quiver_packstream::Deserializer::new(&self.raw).read_list_header()?)
    }

    /// Whether the record has no fields.
    pub fn is_empty(&self) -> Result<bool, Error> {
        Ok(self.len()? == 0)
    }

    /// The raw bytes of field `index` (a complete PackStream value), if it exists.
    pub fn field(&self, index: usize) -> Result<Option<&[u8]>, Error> {
        match self.fields()?.nth(index) {
            Some(f) => f.map(Some),
            None => Ok(None),
        }
    }

    /// The raw bytes of each field, without decoding them.
    pub fn fields(&self) -> Result<RecordFields<'_>, Error> {
        let mut de = quiver_packstream::Deserializer::new(&self.raw);
        let len = de.read_list_header()?;
        Ok(RecordFields { de, remaining: len })
    }
}

/// Iterator over a record's raw fields (each a complete PackStream value).
pub struct RecordFields<'a> {
    de: quiver_packstream::Deserializer<'a>,
    remaining: usize,
}

impl<'a> Iterator for RecordFields<'a> {
    type Item = Result<&'a [u8], Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        Some(self.de.raw_value().map_err(Error::from))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl std::fmt::Debug for RecordFields<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordFields")
            .field("remaining", &self.remaining)
            .finish()
    }
}
