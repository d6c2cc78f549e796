//! Records: one row of a result, decoded lazily from the bytes the server
//! sent.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use serde::de::{self, DeserializeSeed, Visitor};
use serde::Deserialize;

use crate::error::{Error, ErrorKind, Result};
use crate::Value;

/// One row of a result: values under the result's keys.
///
/// A record keeps the PackStream bytes the server sent and decodes a field
/// only when asked, straight into the requested type: strings and byte
/// arrays can borrow from the record instead of being copied.
///
/// ```
/// use quiver::{Record, Value};
///
/// # fn demo(record: &Record) -> quiver::Result<()> {
/// let name: &str = record.get("name")?;     // borrows from the record
/// let age: i64 = record.get("age")?;
/// let first: Value = record.get_at(0)?;     // any field as a dynamic value
///
/// #[derive(serde::Deserialize)]
/// struct Person { name: String, age: i64 }
/// let person: Person = record.to()?;        // the whole record, by key
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Record {
    keys: Arc<[String]>,
    data: Bytes,
    /// Field `i` spans `offsets[i]..offsets[i + 1]` of `data`.
    offsets: Offsets,
    /// How deep a field's value may nest
    /// ([`Config::max_nesting_depth`](crate::ConfigBuilder::max_nesting_depth)).
    depth: u32,
}

/// Decoding options holding a nesting limit.
fn depth_options(depth: u32) -> quiver_packstream::Options {
    quiver_packstream::Options::new().max_depth(depth as usize)
}

/// Up to this many offsets (records of up to 11 fields) live inline: no
/// allocation per record on the hot path.
const INLINE_OFFSETS: usize = 12;

/// Where each field starts, then where the last one ends: field `i` spans
/// `get(i)..get(i + 1)`. Inline for small records.
#[derive(Clone)]
enum Offsets {
    Inline { len: u8, at: [u32; INLINE_OFFSETS] },
    Heap(Box<[usize]>),
}

impl Offsets {
    /// Splits a record's list of `len` fields, whose header `de` has just
    /// read. The last field is not walked: it ends where the data ends, and
    /// decoding it checks that it spans exactly that (`from_slice` refuses
    /// trailing bytes).
    fn split(
        de: &mut quiver_packstream::Deserializer<'_>,
        len: usize,
        end: usize,
    ) -> std::result::Result<Offsets, quiver_packstream::Error> {
        // Offset `k` is the start of field `k` (after skipping the `k - 1`
        // fields before it), offset `len` is the end.
        let mut next = |k: usize| -> std::result::Result<usize, quiver_packstream::Error> {
            if k == len {
                return Ok(end);
            }
            if k > 0 {
                de.skip_value()?;
            }
            Ok(de.position())
        };
        match u32::try_from(end) {
            Ok(_) if len < INLINE_OFFSETS => {
                let mut at = [0u32; INLINE_OFFSETS];
                for (k, slot) in at.iter_mut().take(len + 1).enumerate() {
                    // Every offset is at most `end`, which fits a u32.
                    *slot = u32::try_from(next(k)?).unwrap_or(u32::MAX);
                }
                Ok(Offsets::Inline {
                    len: (len + 1) as u8,
                    at,
                })
            }
            _ => {
                let mut at = Vec::with_capacity(len + 1);
                for k in 0..=len {
                    at.push(next(k)?);
                }
                Ok(Offsets::Heap(at.into_boxed_slice()))
            }
        }
    }

    #[inline]
    fn get(&self, i: usize) -> Option<usize> {
        match self {
            Offsets::Inline { len, at } => {
                if i < usize::from(*len) {
                    at.get(i).map(|&o| o as usize)
                } else {
                    None
                }
            }
            Offsets::Heap(v) => v.get(i).copied(),
        }
    }
}

impl Record {
    /// A record from the result's keys and the PackStream list the server
    /// sent in a `RECORD` message (list header included).
    ///
    /// The fields before the last are skipped over once to find where each
    /// starts; nothing is decoded, and the last field is not walked (it ends
    /// where the data ends). Fails with [`ErrorKind::Protocol`] if the bytes
    /// are not a list with one value per key or a field before the last is
    /// malformed; a malformed last field fails, also with
    /// [`ErrorKind::Protocol`], when it is read.
    pub fn from_packstream(keys: Arc<[String]>, data: Bytes) -> Result<Self> {
        Record::with_depth(keys, data, quiver_packstream::DEFAULT_MAX_DEPTH)
    }

    /// [`from_packstream`](Self::from_packstream) with a nesting limit of
    /// its own for the fields' values.
    pub(crate) fn with_depth(keys: Arc<[String]>, data: Bytes, depth: usize) -> Result<Self> {
        let depth = u32::try_from(depth).unwrap_or(u32::MAX);
        let protocol = |e: quiver_packstream::Error| {
            Error::new(ErrorKind::Protocol, format!("a record is malformed: {e}")).with_source(e)
        };
        let mut de = quiver_packstream::Deserializer::with_options(&data, &depth_options(depth));
        let len = de.read_list_header().map_err(protocol)?;
        if len != keys.len() {
            return Err(Error::new(
                ErrorKind::Protocol,
                format!(
                    "a record has {len} fields but the result has {} keys",
                    keys.len()
                ),
            ));
        }
        if len == 0 && !de.is_end() {
            return Err(Error::new(
                ErrorKind::Protocol,
                "a record has bytes after its fields",
            ));
        }
        let offsets = Offsets::split(&mut de, len, data.len()).map_err(protocol)?;
        Ok(Record {
            keys,
            data,
            offsets,
            depth,
        })
    }

    /// A record from keys and values (one value per key), for results built
    /// in memory and for tests.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use quiver::{Record, Value};
    ///
    /// let keys: Arc<[String]> = Arc::from(vec!["x".to_owned()]);
    /// let record = Record::from_values(keys, vec![Value::from(1i64)])?;
    /// assert_eq!(record.get::<i64>("x")?, 1);
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn from_values(keys: Arc<[String]>, values: Vec<Value>) -> Result<Self> {
        let data = quiver_packstream::to_vec(&values).map_err(|e| {
            Error::new(ErrorKind::Serialization, "record values cannot be encoded").with_source(e)
        })?;
        Record::from_packstream(keys, Bytes::from(data))
    }

    /// The keys, in order. Every record of a result shares them.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The shared keys.
    pub fn shared_keys(&self) -> &Arc<[String]> {
        &self.keys
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The position of `key`, if the record has it.
    pub fn index_of(&self, key: &str) -> Option<usize> {
        self.keys.iter().position(|k| k == key)
    }

    /// Whether the record has `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.index_of(key).is_some()
    }

    /// The field under `key`.
    pub fn field(&self, key: &str) -> Option<Field<'_>> {
        self.index_of(key).and_then(|i| self.field_at(i))
    }

    /// The field at `index`.
    pub fn field_at(&self, index: usize) -> Option<Field<'_>> {
        let key = self.keys.get(index)?;
        let start = self.offsets.get(index)?;
        let end = self.offsets.get(index + 1)?;
        Some(Field {
            key,
            raw: self.data.get(start..end)?,
            depth: self.depth,
        })
    }

    fn missing_key(&self, key: &str) -> Error {
        Error::new(
            ErrorKind::Deserialization,
            format!(
                "the record has no key '{key}' (its keys are: {})",
                self.keys.join(", ")
            ),
        )
    }

    /// The value under `key`, decoded into `T`.
    ///
    /// Fails with [`ErrorKind::Deserialization`] if there is no such key or
    /// the value does not fit `T`.
    ///
    /// A node or relationship decodes into [`Node`](crate::Node) or
    /// [`Relationship`](crate::Relationship), and into your own struct: it
    /// then has the fields `id`, `element_id`, `labels` and `properties`
    /// (relationships: `type`, `start_node_id`, ...; see
    /// [`Node`](crate::Node)), and the properties decode into a struct too.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use quiver::{Node, Record, Value};
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Person { name: String, age: i64 }
    ///
    /// #[derive(serde::Deserialize)]
    /// struct PersonNode { element_id: String, labels: Vec<String>, properties: Person }
    ///
    /// # let node = Node {
    /// #     id: 1,
    /// #     labels: vec!["Person".into()],
    /// #     properties: [("name".to_owned(), Value::from("Alice")), ("age".to_owned(), Value::from(33))]
    /// #         .into_iter()
    /// #         .collect(),
    /// #     element_id: "4:db:1".into(),
    /// # };
    /// # let keys: Arc<[String]> = Arc::from(vec!["n".to_owned()]);
    /// # let record = Record::from_values(keys, vec![Value::from(node)])?;
    /// // record: the result of `MATCH (n:Person) RETURN n`
    /// let n: PersonNode = record.get("n")?;
    /// assert_eq!(n.properties.name, "Alice");
    /// assert_eq!(n.labels, ["Person"]);
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn get<'a, T: Deserialize<'a>>(&'a self, key: &str) -> Result<T> {
        self.field(key).ok_or_else(|| self.missing_key(key))?.get()
    }

    /// The value at `index`, decoded into `T`.
    pub fn get_at<'a, T: Deserialize<'a>>(&'a self, index: usize) -> Result<T> {
        self.field_at(index)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Deserialization,
                    format!("the record has no field {index} (it has {})", self.len()),
                )
            })?
            .get()
    }

    /// The value under `key`, or `None` when the record has no such key
    /// or the value is `null` (the manual's `record.value(key)` /
    /// `record.get(key)`).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use quiver::{Record, Value};
    ///
    /// let keys: Arc<[String]> = Arc::from(vec!["name".to_owned(), "nick".to_owned()]);
    /// let record = Record::from_values(keys, vec![Value::from("Alice"), Value::Null])?;
    /// assert_eq!(record.get_opt::<String>("name")?.as_deref(), Some("Alice"));
    /// assert_eq!(record.get_opt::<String>("nick")?, None);
    /// assert_eq!(record.get_opt::<String>("age")?, None);
    /// assert_eq!(record.get_or("nick", "none".to_owned())?, "none");
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn get_opt<'a, T: Deserialize<'a>>(&'a self, key: &str) -> Result<Option<T>> {
        match self.field(key) {
            Some(f) if f.raw != [NULL] => f.get().map(Some),
            _ => Ok(None),
        }
    }

    /// The value under `key`, or `default` when the record has no such key
    /// or the value is `null` (the manual's `record.value(key, default)`).
    pub fn get_or<'a, T: Deserialize<'a>>(&'a self, key: &str, default: T) -> Result<T> {
        Ok(self.get_opt(key)?.unwrap_or(default))
    }

    /// All values, decoded.
    pub fn values(&self) -> Result<Vec<Value>> {
        self.iter().map(|f| f.get()).collect()
    }

    /// The record as a map from key to value (the manual's `record.data()`).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use quiver::{Record, Value};
    ///
    /// let keys: Arc<[String]> = Arc::from(vec!["x".to_owned()]);
    /// let record = Record::from_values(keys, vec![Value::from(1)])?;
    /// assert_eq!(record.data()?["x"], Value::from(1));
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn data(&self) -> Result<crate::Map> {
        self.iter()
            .map(|f| Ok((f.key.to_owned(), f.get()?)))
            .collect()
    }

    /// The whole record decoded into `T`: a struct or map takes the values
    /// by key, a tuple or sequence takes them in order.
    ///
    /// A column that may be `null` needs an `Option` field, or
    /// `#[serde(default)]` (a null column then counts as missing). An error
    /// names the column and what it held:
    ///
    /// ```
    /// use std::sync::Arc;
    /// use quiver::{Record, Value};
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Person { name: String, age: i64, #[serde(default)] tags: Vec<String> }
    /// #[derive(serde::Deserialize)]
    /// struct Lenient { name: String, age: Option<i64> }
    ///
    /// let keys: Arc<[String]> = Arc::from(vec!["name".to_owned(), "age".to_owned(), "tags".to_owned()]);
    /// let record = Record::from_values(keys, vec![Value::from("Bob"), Value::Null, Value::Null])?;
    /// let e = record.to::<Person>().err().unwrap();
    /// assert!(e.to_string().contains("column 'age' holds null"));
    /// let p: Lenient = record.to()?;
    /// assert_eq!((p.name.as_str(), p.age), ("Bob", None));
    /// # Ok::<(), quiver::Error>(())
    /// ```
    ///
    /// ```
    /// use std::sync::Arc;
    /// use quiver::{Record, Value};
    ///
    /// #[derive(serde::Deserialize, Debug, PartialEq)]
    /// struct Person<'a> { name: &'a str, age: i64 }
    ///
    /// let keys: Arc<[String]> = Arc::from(vec!["name".to_owned(), "age".to_owned()]);
    /// let record = Record::from_values(keys, vec![Value::from("Alice"), Value::from(42i64)])?;
    /// assert_eq!(record.to::<Person>()?, Person { name: "Alice", age: 42 });
    /// let (name, age): (String, i64) = record.to()?;
    /// assert_eq!((name.as_str(), age), ("Alice", 42));
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn to<'a, T: Deserialize<'a>>(&'a self) -> Result<T> {
        let first = T::deserialize(RecordDeserializer {
            record: self,
            skip_nulls: false,
        });
        match first {
            Ok(v) => Ok(v),
            Err(e) => {
                // Null columns as missing fields, so that `#[serde(default)]`
                // fields take their default (on the error path only: a
                // `Value` field still reads a null as `Value::Null`).
                if !is_malformed(&e) && self.iter().any(|f| f.raw == [NULL]) {
                    let again = T::deserialize(RecordDeserializer {
                        record: self,
                        skip_nulls: true,
                    });
                    if let Ok(v) = again {
                        return Ok(v);
                    }
                }
                // Again, on the error path only, to learn where inside the
                // column it failed.
                let path = serde_path_to_error::deserialize::<_, T>(RecordDeserializer {
                    record: self,
                    skip_nulls: false,
                })
                .err()
                .map(|e| e.path().to_string());
                Err(self.to_error(e, path))
            }
        }
    }

    /// The error of [`to`](Self::to): which column, what it held, and for
    /// a missing struct field whether the column was null or absent.
    #[cold]
    fn to_error(&self, e: DeError, path: Option<String>) -> Error {
        if is_malformed(&e) {
            return Error::new(ErrorKind::Protocol, "the record is malformed").with_source(e);
        }
        let text = e.to_string();
        let missing = text
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'));
        let message = match missing {
            Some(name) => match self.field(name) {
                Some(f) if f.raw == [NULL] => format!(
                    "column '{name}' is null, and its field is neither an Option \
                     nor #[serde(default)]"
                ),
                Some(_) => format!("the record does not fit the requested type: {text}"),
                None => format!(
                    "the record has no column '{name}' for field `{name}` (its columns \
                     are: {})",
                    self.keys.join(", ")
                ),
            },
            None if text.starts_with("column '") => text,
            None => format!("the record does not fit the requested type: {text}"),
        };
        // A path below the column itself (`address.city`, `tags[2]`) is worth
        // saying; the column alone is said already.
        let message = match path {
            Some(p) if p.contains(['.', '[']) => format!("{message} (at `{p}`)"),
            _ => message,
        };
        Error::new(ErrorKind::Deserialization, message).with_source(e)
    }

    /// Iterates the fields in order.
    pub fn iter(&self) -> Fields<'_> {
        Fields {
            record: self,
            next: 0,
        }
    }
}

impl PartialEq for Record {
    fn eq(&self, other: &Self) -> bool {
        self.keys == other.keys && self.iter().map(|f| f.raw).eq(other.iter().map(|f| f.raw))
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for field in self.iter() {
            match field.get::<Value>() {
                Ok(v) => m.entry(&field.key, &v),
                Err(_) => m.entry(
                    &field.key,
                    &format_args!("<undecodable {:02x?}>", field.raw),
                ),
            };
        }
        m.finish()
    }
}

impl<'a> IntoIterator for &'a Record {
    type Item = Field<'a>;
    type IntoIter = Fields<'a>;

    fn into_iter(self) -> Fields<'a> {
        self.iter()
    }
}

/// One field of a [`Record`]: its key and its still-encoded value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    key: &'a str,
    raw: &'a [u8],
    depth: u32,
}

impl<'a> Field<'a> {
    /// The key.
    pub fn key(&self) -> &'a str {
        self.key
    }

    /// The PackStream bytes of the value.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The value decoded into `T`, borrowing from the record where `T` asks.
    ///
    /// Fails with [`ErrorKind::Deserialization`] when the value does not fit
    /// `T`, with [`ErrorKind::Protocol`] when the server sent malformed bytes.
    pub fn get<T: Deserialize<'a>>(&self) -> Result<T> {
        quiver_packstream::from_slice_with(self.raw, &depth_options(self.depth))
            .map_err(|e| field_error(self.key, self.raw, e))
    }
}

/// Whether decoding failed on bytes that are not well-formed PackStream
/// (the server's fault) rather than on a value that does not fit the
/// requested type (the caller's).
fn is_malformed(e: &quiver_packstream::Error) -> bool {
    use quiver_packstream::ErrorKind as Pk;
    matches!(
        e.kind(),
        Pk::UnexpectedEof { .. }
            | Pk::InvalidMarker { .. }
            | Pk::LengthExceedsInput { .. }
            | Pk::InvalidUtf8 { .. }
            | Pk::TrailingBytes { .. }
    )
}

/// PackStream's `null` marker.
const NULL: u8 = 0xC0;

/// What an encoded value is, for messages: `"a String"`, `"null"`...
fn held(raw: &[u8]) -> String {
    if raw == [NULL] {
        return "null".to_owned();
    }
    match quiver_packstream::from_slice::<Value>(raw) {
        Ok(v) => {
            let name = v.type_name();
            let article = if name.starts_with(['A', 'E', 'I', 'O', 'U']) {
                "an"
            } else {
                "a"
            };
            format!("{article} {name}")
        }
        Err(_) => "a malformed value".to_owned(),
    }
}

/// Why the value of column `key` does not fit: what it held, serde's
/// reason, and for a null the way out.
fn misfit(key: &str, raw: &[u8], e: &quiver_packstream::Error) -> String {
    let hint = if raw == [NULL] {
        " (a column that may be null needs an Option, or #[serde(default)] on a struct field)"
    } else {
        ""
    };
    // serde calls PackStream's null a unit value.
    let reason = e.to_string().replace("unit value", "null");
    format!("column '{key}' holds {}: {reason}{hint}", held(raw))
}

/// The error for a field that failed to decode.
#[cold]
fn field_error(key: &str, raw: &[u8], e: quiver_packstream::Error) -> Error {
    if is_malformed(&e) {
        Error::new(
            ErrorKind::Protocol,
            format!("the value of '{key}' is malformed"),
        )
        .with_source(e)
    } else {
        Error::new(ErrorKind::Deserialization, misfit(key, raw, &e)).with_source(e)
    }
}

/// A field error inside [`Record::to`]: names the column (serde's own
/// errors carry no path).
#[cold]
fn in_column(key: &str, raw: &[u8], e: DeError) -> DeError {
    if is_malformed(&e) {
        return e;
    }
    <DeError as de::Error>::custom(misfit(key, raw, &e))
}

/// Iterator over the fields of a [`Record`].
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    record: &'a Record,
    next: usize,
}

impl<'a> Iterator for Fields<'a> {
    type Item = Field<'a>;

    fn next(&mut self) -> Option<Field<'a>> {
        let f = self.record.field_at(self.next)?;
        self.next += 1;
        Some(f)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.record.len().saturating_sub(self.next);
        (left, Some(left))
    }
}

impl ExactSizeIterator for Fields<'_> {}

/// Presents a record to serde as a map (key → field) or a sequence.
struct RecordDeserializer<'a> {
    record: &'a Record,
    /// A struct target does not see null columns (they are missing fields).
    skip_nulls: bool,
}

type DeError = quiver_packstream::Error;

impl<'de> de::Deserializer<'de> for RecordDeserializer<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(FieldMap {
            fields: self.record.iter(),
            value: None,
            skip_nulls: false,
        })
    }

    /// With `skip_nulls`, null columns are missing fields to serde: an
    /// `Option` field reads `None`, a `#[serde(default)]` field its default.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_map(FieldMap {
            fields: self.record.iter(),
            value: None,
            skip_nulls: self.skip_nulls,
        })
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(FieldSeq {
            fields: self.record.iter(),
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct map enum identifier ignored_any
    }
}

/// Decodes a field that must span all of `raw` (the last field of a record
/// is not checked when the record is split).
fn decode_exact<'de, T: DeserializeSeed<'de>>(
    raw: &'de [u8],
    depth: u32,
    seed: T,
) -> Result<T::Value, DeError> {
    let mut de = quiver_packstream::Deserializer::with_options(raw, &depth_options(depth));
    let value = seed.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

struct FieldMap<'a> {
    fields: Fields<'a>,
    value: Option<Field<'a>>,
    skip_nulls: bool,
}

impl<'de> de::MapAccess<'de> for FieldMap<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let skip_nulls = self.skip_nulls;
        match self.fields.find(|f| !(skip_nulls && f.raw == [NULL])) {
            Some(f) => {
                self.value = Some(f);
                let key = de::value::BorrowedStrDeserializer::<'de, DeError>::new(f.key);
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let f = self
            .value
            .take()
            .ok_or_else(|| <DeError as de::Error>::custom("a value was asked before its key"))?;
        decode_exact(f.raw, f.depth, seed).map_err(|e| in_column(f.key, f.raw, e))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.fields.len())
    }
}

struct FieldSeq<'a> {
    fields: Fields<'a>,
}

impl<'de> de::SeqAccess<'de> for FieldSeq<'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.fields.next() {
            Some(f) => decode_exact(f.raw, f.depth, seed)
                .map(Some)
                .map_err(|e| in_column(f.key, f.raw, e)),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.fields.len())
    }
}

#[cfg(test)]
mod tests;
