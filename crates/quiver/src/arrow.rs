//! Results as Arrow record batches (feature `arrow`): the Rust `to_df`.
//!
//! [`QueryResult::to_record_batch`] turns the rest of a result into one
//! [`RecordBatch`]; [`QueryResult::record_batches`] streams batches of a
//! given number of rows while records arrive, so a large result never sits
//! in memory twice (only the batch being built is held: columns of
//! integers, floats, strings, booleans or dates straight in Arrow buffers,
//! read from the records' bytes, other columns as [`Value`]s). [`EagerResult::to_record_batch`] does the same for a result
//! already in memory, and [`RecordBatchBuilder`] for records of your own.
//! [`ToDfOptions`] mirrors the manual's `to_df(expand, parse_dates)`.
//!
//! # Column types
//!
//! A column's Arrow type comes from the values that arrive in it:
//!
//! | Cypher | Arrow |
//! |---|---|
//! | `null` | a null of the column's type; `Null` when a column holds nothing else |
//! | `BOOLEAN` | `Boolean` |
//! | `INTEGER` | `Int64` |
//! | `FLOAT` | `Float64` |
//! | `STRING` | `Utf8` (`LargeUtf8` past 2 GiB of text in one batch) |
//! | `BYTES` | `Binary` (`LargeBinary` past 2 GiB) |
//! | `DATE` | `Date32` (with `parse_dates`: `Timestamp(ns)` at midnight) |
//! | `LOCAL TIME` | `Time64(ns)` |
//! | `ZONED TIME` | `Struct { time: Time64(ns), tz_offset_seconds: Int64 }` |
//! | `LOCAL DATETIME` | `Timestamp(ns)` without a zone |
//! | `ZONED DATETIME` | `Timestamp(ns, zone)`: the instant, with the column's one offset (`+01:00`) or zone id (`Europe/Stockholm`) |
//! | `DURATION` | `Interval(MonthDayNano)` (months, days and nanoseconds kept apart, as Cypher does) |
//! | `POINT` | `Struct { srid: Int64, x: Float64, y: Float64, z: Float64 }` (`z` null for 2D points) |
//! | `LIST` | `List` of the element type, where the elements agree (by these same rules, recursively) |
//! | `UUID` | `Utf8`, hyphenated |
//! | `MAP`, `NODE`, `RELATIONSHIP`, `PATH`, `VECTOR`, other structures | `Utf8`: the value's JSON text (see below); with `expand`, maps, nodes and relationships become columns instead |
//!
//! **Disagreeing values.** A column (or a list's elements) whose values are
//! of different types, say integers and strings, or integers and floats,
//! falls back to `Utf8`, each value as its JSON text; nulls stay nulls. The
//! same happens to a temporal column with a value out of the range of its
//! Arrow type (before 1677 or after 2262 for nanosecond timestamps), and to
//! zoned date-times in different zones (with `parse_dates` those become
//! `Timestamp(ns, "UTC")`, the instants kept, the zones not). Nothing
//! panics, no value is dropped.
//!
//! **JSON text**: `null`, booleans, numbers (`NaN`, `Infinity` and
//! `-Infinity` as strings), strings, bytes as an array of numbers, lists
//! and maps as arrays and objects; a node as
//! `{"element_id", "labels", "properties"}`, a relationship as
//! `{"element_id", "start_element_id", "end_element_id", "type", "properties"}`,
//! a path as `{"nodes", "relationships"}`, a point as `{"srid", "x", "y"[, "z"]}`;
//! temporal values and UUIDs as strings in their ISO 8601 / Cypher text.
//!
//! **Streaming.** Each batch of [`record_batches`](QueryResult::record_batches)
//! infers its types from its own rows, starting from what earlier batches
//! found: a column null throughout a batch keeps its earlier type, and with
//! `expand` a column seen before stays (null) where later rows lack it. A
//! batch's schema differs from the one before only when new values do not
//! fit it (another type, so the column falls back to JSON text from that
//! batch on) or, with `expand`, when new columns appear.
//!
//! # `expand`
//!
//! As the manual documents it, under a column `x`:
//!
//! - a node becomes `x().element_id`, `x().labels` (a list of strings) and
//!   `x().prop.<key>` for each property (the recursion stops there);
//! - a relationship becomes `x->.element_id`, `x->.start.element_id`,
//!   `x->.end.element_id`, `x->.type` and `x->.prop.<key>`;
//! - a list becomes `x[].0`, `x[].1`, ...; a map `x{}.<key>`, both
//!   recursively (`x[].0{}.foo`);
//! - anything else (paths included) stays as it is.
//!
//! Column names and map keys containing `.` or `\` are escaped with a
//! backslash (`\.`, `\\`). Columns come in the order they first appear.
//!
//! ```no_run
//! # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
//! use quiver::arrow::ToDfOptions;
//!
//! let mut result = session.run("UNWIND range(1, 10) AS n RETURN n, n + 1 AS m").await?;
//! let batch = result.to_record_batch(ToDfOptions::default()).await?;
//! assert_eq!(batch.num_rows(), 10);
//! assert_eq!(batch.schema().field(0).name(), "n");
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use arrow_array::types::{
    Date32Type, Float64Type, Int64Type, IntervalMonthDayNanoType, Time64NanosecondType,
    TimestampNanosecondType,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, GenericBinaryArray, GenericStringArray, ListArray, NullArray,
    PrimitiveArray, StructArray,
};
use arrow_buffer::{
    BooleanBuffer, BooleanBufferBuilder, Buffer, IntervalMonthDayNano, NullBuffer,
    NullBufferBuilder, OffsetBuffer, ScalarBuffer,
};
use arrow_schema::{Field, Fields, Schema};
use futures_util::Stream;

use crate::bookmarks::BoxFuture;
use crate::eager::EagerResult;
use crate::error::{Error, ErrorKind, Result};
use crate::record::Record;
use crate::result::QueryResult;
use crate::types::{Path, Vector};
use crate::{Map, Node, Relationship, UnboundRelationship, Value};

/// The `arrow-array` crate this module builds on (same version), for
/// the array types of a batch's columns.
pub use arrow_array as array;
pub use arrow_array::RecordBatch;
/// The `arrow-schema` crate this module builds on (same version).
pub use arrow_schema as schema;

/// How records become columns: the manual's `to_df(expand, parse_dates)`.
///
/// ```
/// use quiver::arrow::ToDfOptions;
///
/// let options = ToDfOptions::new().expand(true);
/// assert!(options.expand && !options.parse_dates);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ToDfOptions {
    /// Nodes, relationships, lists and maps flattened into columns (see
    /// [the module docs](self#expand)). Default: `false`.
    pub expand: bool,
    /// Columns of dates and date-times only (and nulls) become
    /// `Timestamp(ns)` columns: dates at midnight, zoned date-times in
    /// different zones as UTC instants. Default: `false` (dates are
    /// `Date32`, and zones that differ make the column JSON text).
    pub parse_dates: bool,
}

impl ToDfOptions {
    /// The defaults: no `expand`, no `parse_dates`.
    pub fn new() -> Self {
        ToDfOptions::default()
    }

    /// Sets [`expand`](Self::expand).
    pub fn expand(mut self, expand: bool) -> Self {
        self.expand = expand;
        self
    }

    /// Sets [`parse_dates`](Self::parse_dates).
    pub fn parse_dates(mut self, parse_dates: bool) -> Self {
        self.parse_dates = parse_dates;
        self
    }

    /// A result transformer for
    /// [`ExecuteQuery::run_with`](crate::ExecuteQuery::run_with): the
    /// result as one record batch with these options (the manual's
    /// `result_transformer_=Result.to_df`).
    ///
    /// ```no_run
    /// # async fn demo(driver: quiver::Driver) -> quiver::Result<()> {
    /// use quiver::arrow::ToDfOptions;
    ///
    /// let batch = driver
    ///     .execute_query("MATCH (p:Person) RETURN p")
    ///     .run_with(ToDfOptions::new().expand(true).transformer())
    ///     .await?;
    /// println!("{} rows, {:?}", batch.num_rows(), batch.schema());
    /// # Ok(()) }
    /// ```
    pub fn transformer(self) -> impl FnMut(QueryResult) -> BoxFuture<'static, Result<RecordBatch>> {
        move |mut result: QueryResult| Box::pin(async move { result.to_record_batch(self).await })
    }
}

/// The result transformer for
/// [`ExecuteQuery::run_with`](crate::ExecuteQuery::run_with) with the
/// default options: the result as one record batch.
///
/// ```no_run
/// # async fn demo(driver: quiver::Driver) -> quiver::Result<()> {
/// let batch = driver
///     .execute_query("UNWIND range(1, 10) AS n RETURN n")
///     .run_with(quiver::arrow::to_record_batch)
///     .await?;
/// assert_eq!(batch.num_rows(), 10);
/// # Ok(()) }
/// ```
pub async fn to_record_batch(mut result: QueryResult) -> Result<RecordBatch> {
    result.to_record_batch(ToDfOptions::default()).await
}

impl QueryResult {
    /// The rest of the result as one Arrow [`RecordBatch`] (the manual's
    /// `to_df`); see [the `arrow` module](crate::arrow) for the column
    /// types. The records still on the server come with one `PULL` for all
    /// of them. For large results, [`record_batches`](Self::record_batches)
    /// holds less in memory.
    pub async fn to_record_batch(&mut self, options: ToDfOptions) -> Result<RecordBatch> {
        self.pull_all();
        let mut builder = RecordBatchBuilder::new(Arc::clone(self.shared_keys()), options);
        while let Some(record) = self.next().await {
            builder.push(&record?)?;
        }
        builder.finish()
    }

    /// The rest of the result as a stream of [`RecordBatch`]es of
    /// `rows_per_batch` rows (the last one may be shorter; an empty result
    /// gives one empty batch with the columns' names), each built as its
    /// records arrive. Records are fetched in batches of the fetch size as
    /// usual.
    ///
    /// ```no_run
    /// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
    /// use quiver::arrow::ToDfOptions;
    ///
    /// let mut result = session.run("MATCH (p:Person) RETURN p.name AS name, p.born AS born").await?;
    /// let mut batches = result.record_batches(65_536, ToDfOptions::default());
    /// while let Some(batch) = batches.next_batch().await {
    ///     let batch = batch?;
    ///     println!("{} rows", batch.num_rows());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn record_batches(
        &mut self,
        rows_per_batch: usize,
        options: ToDfOptions,
    ) -> RecordBatches<'_> {
        let builder = RecordBatchBuilder::new(Arc::clone(self.shared_keys()), options);
        RecordBatches {
            result: self,
            builder,
            rows_per_batch: rows_per_batch.max(1),
            emitted: false,
            done: false,
        }
    }
}

impl EagerResult {
    /// The records as one Arrow [`RecordBatch`]; see
    /// [`QueryResult::to_record_batch`].
    pub fn to_record_batch(&self, options: ToDfOptions) -> Result<RecordBatch> {
        let mut builder = RecordBatchBuilder::new(Arc::clone(&self.keys), options);
        for record in &self.records {
            builder.push(record)?;
        }
        builder.finish()
    }
}

impl crate::blocking::QueryResult {
    /// See [`crate::QueryResult::to_record_batch`].
    pub fn to_record_batch(&mut self, options: ToDfOptions) -> Result<RecordBatch> {
        crate::blocking::wait(self.inner.to_record_batch(options))
    }

    /// See [`crate::QueryResult::record_batches`]: an iterator of batches.
    pub fn record_batches(
        &mut self,
        rows_per_batch: usize,
        options: ToDfOptions,
    ) -> impl Iterator<Item = Result<RecordBatch>> + '_ {
        let mut batches = self.inner.record_batches(rows_per_batch, options);
        std::iter::from_fn(move || {
            crate::blocking::wait(async { Ok(batches.next_batch().await) })
                .unwrap_or_else(|e| Some(Err(e)))
        })
    }
}

/// The stream of [`QueryResult::record_batches`]: a
/// [`Stream`] of `Result<RecordBatch>`, also read with
/// [`next_batch`](Self::next_batch).
#[must_use = "a stream does nothing unless polled"]
pub struct RecordBatches<'r> {
    result: &'r mut QueryResult,
    builder: RecordBatchBuilder,
    rows_per_batch: usize,
    emitted: bool,
    done: bool,
}

impl std::fmt::Debug for RecordBatches<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordBatches")
            .field("rows_per_batch", &self.rows_per_batch)
            .field("pending_rows", &self.builder.len())
            .finish_non_exhaustive()
    }
}

impl RecordBatches<'_> {
    /// The next batch; `None` after the last.
    pub async fn next_batch(&mut self) -> Option<Result<RecordBatch>> {
        std::future::poll_fn(|cx| self.poll_batch(cx)).await
    }

    fn poll_batch(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<RecordBatch>>> {
        if self.done {
            return Poll::Ready(None);
        }
        loop {
            match ready!(Pin::new(&mut *self.result).poll_next(cx)) {
                Some(Ok(record)) => {
                    if let Err(e) = self.builder.push(&record) {
                        self.done = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                    if self.builder.len() >= self.rows_per_batch {
                        self.emitted = true;
                        return Poll::Ready(Some(self.builder.finish()));
                    }
                }
                Some(Err(e)) => {
                    self.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                None => {
                    self.done = true;
                    if self.builder.is_empty() && self.emitted {
                        return Poll::Ready(None);
                    }
                    self.emitted = true;
                    return Poll::Ready(Some(self.builder.finish()));
                }
            }
        }
    }
}

impl Stream for RecordBatches<'_> {
    type Item = Result<RecordBatch>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_batch(cx)
    }
}

/// Builds record batches from records, as
/// [`QueryResult::record_batches`] does: push records, then
/// [`finish`](Self::finish) a batch of the rows pushed since the last one.
/// Types carry over from batch to batch (see [streaming](self#column-types)).
///
/// ```
/// use std::sync::Arc;
/// use quiver::arrow::{RecordBatchBuilder, ToDfOptions};
/// use quiver::{Record, Value};
///
/// let keys: Arc<[String]> = Arc::from(vec!["n".to_owned(), "name".to_owned()]);
/// let mut builder = RecordBatchBuilder::new(Arc::clone(&keys), ToDfOptions::default());
/// for i in 0..3 {
///     let record = Record::from_values(Arc::clone(&keys), vec![Value::from(i), Value::from("x")])?;
///     builder.push(&record)?;
/// }
/// let batch = builder.finish()?;
/// assert_eq!(batch.num_rows(), 3);
/// assert_eq!(batch.schema().field(0).data_type(), &quiver::arrow::schema::DataType::Int64);
/// # Ok::<(), quiver::Error>(())
/// ```
#[derive(Debug)]
pub struct RecordBatchBuilder {
    keys: Arc<[String]>,
    options: ToDfOptions,
    /// Column names (the keys, or with `expand` the flattened paths).
    names: Vec<String>,
    index: HashMap<String, usize>,
    /// Column-major values of the rows since the last batch.
    columns: Vec<Column>,
    /// What earlier batches found per column.
    kinds: Vec<Kind>,
    rows: usize,
    /// Every column through [`Value`]s (the reference the typed columns
    /// are tested against).
    values_only: bool,
}

impl RecordBatchBuilder {
    /// A builder for records with these keys.
    pub fn new(keys: Arc<[String]>, options: ToDfOptions) -> Self {
        let mut builder = RecordBatchBuilder {
            keys,
            options,
            names: Vec::new(),
            index: HashMap::new(),
            columns: Vec::new(),
            kinds: Vec::new(),
            rows: 0,
            values_only: false,
        };
        if !options.expand {
            for key in builder.keys.iter() {
                builder.names.push(key.clone());
                builder.columns.push(Column::Nulls(0));
                builder.kinds.push(Kind::Null);
            }
        }
        builder
    }

    /// A builder that decodes every field into a [`Value`] first: the path
    /// the typed columns must agree with.
    #[cfg(test)]
    fn values_only(keys: Arc<[String]>, options: ToDfOptions) -> Self {
        let mut builder = RecordBatchBuilder::new(keys, options);
        builder.values_only = true;
        for column in &mut builder.columns {
            *column = Column::Values(Vec::new());
        }
        builder
    }

    /// Rows pushed since the last batch.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether no rows were pushed since the last batch.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Adds a record's values (decoded here; a value that does not decode
    /// is an error).
    pub fn push(&mut self, record: &Record) -> Result<()> {
        if self.options.expand {
            return self.push_values(record.values()?);
        }
        let width = self.columns.len();
        let mut n = 0;
        let typed_dates = !self.options.parse_dates;
        for (column, field) in self.columns.iter_mut().zip(record.iter()) {
            column.push_field(field, typed_dates)?;
            n += 1;
        }
        for column in self.columns.iter_mut().take(width).skip(n) {
            column.push_value(Value::Null, typed_dates);
        }
        self.rows += 1;
        Ok(())
    }

    /// Adds a row of values, in the keys' order (missing ones are null,
    /// extra ones ignored).
    pub fn push_values(&mut self, values: Vec<Value>) -> Result<()> {
        if !self.options.expand {
            let mut values = values.into_iter();
            let typed_dates = !self.options.parse_dates;
            for column in &mut self.columns {
                column.push_value(values.next().unwrap_or(Value::Null), typed_dates);
            }
            self.rows += 1;
            return Ok(());
        }
        let keys = Arc::clone(&self.keys);
        for (key, value) in keys.iter().zip(values) {
            flatten(escape(key), value, &mut |name, value| self.put(name, value));
        }
        self.rows += 1;
        for column in &mut self.columns {
            if let Column::Values(column) = column {
                if column.len() < self.rows {
                    column.push(Value::Null);
                }
            }
        }
        Ok(())
    }

    /// One flattened value of the current row (`expand`).
    fn put(&mut self, name: String, value: Value) {
        let at = match self.index.get(&name) {
            Some(&at) => at,
            None => {
                let at = self.columns.len();
                self.index.insert(name.clone(), at);
                self.names.push(name);
                self.columns
                    .push(Column::Values(vec![Value::Null; self.rows]));
                self.kinds.push(Kind::Null);
                at
            }
        };
        if let Some(Column::Values(column)) = self.columns.get_mut(at) {
            if column.len() == self.rows {
                column.push(value);
            }
        }
    }

    /// A batch of the rows pushed since the last one (possibly none).
    pub fn finish(&mut self) -> Result<RecordBatch> {
        let rows = std::mem::take(&mut self.rows);
        let parse_dates = self.options.parse_dates;
        let mut fields = Vec::with_capacity(self.columns.len());
        let mut arrays = Vec::with_capacity(self.columns.len());
        for ((name, column), kind) in self
            .names
            .iter()
            .zip(self.columns.iter_mut())
            .zip(self.kinds.iter_mut())
        {
            let text_bytes = column.text_bytes();
            let array = match std::mem::replace(column, Column::Nulls(0)) {
                Column::Nulls(n) => Arc::new(NullArray::new(n)) as ArrayRef,
                Column::Typed(typed) => {
                    *kind = typed.kind();
                    typed.finish()
                }
                Column::Values(values) => {
                    let found = column_kind(&values, kind.clone(), parse_dates);
                    let refs: Vec<&Value> = values.iter().collect();
                    match build(&found, &refs, parse_dates) {
                        Some(array) => {
                            *kind = found;
                            array
                        }
                        None => {
                            *kind = Kind::Json;
                            json_array(&refs)
                        }
                    }
                }
            };
            // The next batch's column: typed when the kind found so far is
            // a simple one (expand's columns come and go: values only).
            *column = if self.values_only || self.options.expand {
                Column::Values(Vec::with_capacity(rows))
            } else {
                Column::fresh(kind, rows, text_bytes, !parse_dates)
            };
            fields.push(Field::new(name.clone(), array.data_type().clone(), true));
            arrays.push(array);
        }
        let schema = Arc::new(Schema::new(fields));
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows));
        RecordBatch::try_new_with_options(schema, arrays, &options).map_err(arrow_error)
    }
}

/// The values of one column since the last batch.
///
/// A column whose Arrow type is known to be a simple one (from an earlier
/// batch, or from its first non-null value) takes each field straight from
/// the record's PackStream bytes into a typed buffer, with no [`Value`] in
/// between. The first field that does not fit turns the column back into
/// [`Value`]s (those appended so far included), so the batch comes out
/// exactly as the general path builds it: mixed columns still fall back to
/// JSON text.
#[derive(Debug)]
enum Column {
    /// Only nulls so far, in a column with no type yet.
    Nulls(usize),
    /// Values of one simple kind, appended from the records' bytes.
    Typed(Typed),
    /// Decoded values: the general path.
    Values(Vec<Value>),
}

#[derive(Debug)]
struct Typed {
    valid: BooleanBufferBuilder,
    null_count: usize,
    data: TypedData,
}

#[derive(Debug)]
enum TypedData {
    Bool(BooleanBufferBuilder),
    Int(Vec<i64>),
    Float(Vec<f64>),
    Str { text: Vec<u8>, offsets: Vec<i64> },
    Date(Vec<i32>),
}

/// A field's value when it is a simple scalar, read from its PackStream
/// bytes (which it must span exactly); `Other` for anything else,
/// malformed bytes included (the general path then decodes, or refuses, it).
enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Date(i64),
    Other,
}

/// The integer at the start of `raw` and the bytes it takes.
fn raw_int(raw: &[u8]) -> Option<(i64, usize)> {
    let marker = *raw.first()?;
    let be = |n: usize| -> Option<[u8; 8]> {
        let bytes = raw.get(1..1 + n)?;
        // Sign-extended big-endian.
        let fill = if bytes.first()? & 0x80 != 0 { 0xFF } else { 0 };
        let mut out = [fill; 8];
        out[8 - n..].copy_from_slice(bytes);
        Some(out)
    };
    Some(match marker {
        0x00..=0x7F | 0xF0..=0xFF => (i64::from(marker as i8), 1),
        0xC8 => (i64::from_be_bytes(be(1)?), 2),
        0xC9 => (i64::from_be_bytes(be(2)?), 3),
        0xCA => (i64::from_be_bytes(be(4)?), 5),
        0xCB => (i64::from_be_bytes(be(8)?), 9),
        _ => return None,
    })
}

fn scalar(raw: &[u8]) -> Scalar<'_> {
    let Some(&marker) = raw.first() else {
        return Scalar::Other;
    };
    fn exact(raw: &[u8], value: Scalar<'static>, len: usize) -> Scalar<'static> {
        if raw.len() == len {
            value
        } else {
            Scalar::Other
        }
    }
    let exact = |value, len| exact(raw, value, len);
    match marker {
        0xC0 => exact(Scalar::Null, 1),
        0xC2 => exact(Scalar::Bool(false), 1),
        0xC3 => exact(Scalar::Bool(true), 1),
        0xC1 => match raw.get(1..9).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
            Some(b) => exact(Scalar::Float(f64::from_be_bytes(b)), 9),
            None => Scalar::Other,
        },
        0x80..=0x8F | 0xD0..=0xD2 => {
            let (len, at) = match marker {
                0xD0 => (raw.get(1).map(|&b| usize::from(b)), 2),
                0xD1 => (
                    raw.get(1..3)
                        .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]]))),
                    3,
                ),
                0xD2 => (
                    raw.get(1..5)
                        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize),
                    5,
                ),
                _ => (Some(usize::from(marker & 0x0F)), 1),
            };
            match len.and_then(|len| raw.get(at..)?.get(..len).map(|b| (b, at + len))) {
                Some((bytes, end)) if end == raw.len() => match std::str::from_utf8(bytes) {
                    Ok(s) => Scalar::Str(s),
                    Err(_) => Scalar::Other,
                },
                _ => Scalar::Other,
            }
        }
        // A Date: a structure of one field, tag `D`, the days.
        0xB1 if raw.get(1) == Some(&quiver_packstream::structure::tag::DATE) => {
            match raw.get(2..).and_then(raw_int) {
                Some((days, len)) => exact(Scalar::Date(days), 2 + len),
                None => Scalar::Other,
            }
        }
        _ => match raw_int(raw) {
            Some((i, len)) => exact(Scalar::Int(i), len),
            None => Scalar::Other,
        },
    }
}

impl Column {
    /// An empty column for a batch after one that found `kind`.
    fn fresh(kind: &Kind, rows: usize, text_bytes: usize, typed_dates: bool) -> Column {
        let data = match kind {
            Kind::Null => return Column::Nulls(0),
            Kind::Bool => TypedData::Bool(BooleanBufferBuilder::new(rows)),
            Kind::Int => TypedData::Int(Vec::with_capacity(rows)),
            Kind::Float => TypedData::Float(Vec::with_capacity(rows)),
            Kind::Str => {
                let mut offsets = Vec::with_capacity(rows + 1);
                offsets.push(0);
                TypedData::Str {
                    text: Vec::with_capacity(text_bytes),
                    offsets,
                }
            }
            Kind::Date if typed_dates => TypedData::Date(Vec::with_capacity(rows)),
            _ => return Column::Values(Vec::with_capacity(rows)),
        };
        Column::Typed(Typed {
            valid: BooleanBufferBuilder::new(rows),
            null_count: 0,
            data,
        })
    }

    /// The text bytes of a string column, for the next batch's capacity.
    fn text_bytes(&self) -> usize {
        match self {
            Column::Typed(Typed {
                data: TypedData::Str { text, .. },
                ..
            }) => text.len(),
            _ => 0,
        }
    }

    fn push_field(&mut self, field: crate::record::Field<'_>, typed_dates: bool) -> Result<()> {
        if let Column::Values(values) = self {
            values.push(field.get::<Value>()?);
            return Ok(());
        }
        let value = scalar(field.raw());
        if self.push_scalar(&value, typed_dates) {
            return Ok(());
        }
        let value = field.get::<Value>()?;
        self.values().push(value);
        Ok(())
    }

    fn push_value(&mut self, value: Value, typed_dates: bool) {
        if let Column::Values(values) = self {
            values.push(value);
            return;
        }
        let fits = match &value {
            Value::Null => self.push_scalar(&Scalar::Null, typed_dates),
            Value::Boolean(b) => self.push_scalar(&Scalar::Bool(*b), typed_dates),
            Value::Integer(i) => self.push_scalar(&Scalar::Int(*i), typed_dates),
            Value::Float(f) => self.push_scalar(&Scalar::Float(*f), typed_dates),
            Value::String(s) => self.push_scalar(&Scalar::Str(s), typed_dates),
            Value::Date(d) => self.push_scalar(&Scalar::Date(d.days), typed_dates),
            _ => false,
        };
        if !fits {
            self.values().push(value);
        }
    }

    /// Appends a scalar to a column of nulls or of its kind; `false` when
    /// it does not fit (the caller then turns to values).
    fn push_scalar(&mut self, value: &Scalar<'_>, typed_dates: bool) -> bool {
        if let Column::Nulls(n) = self {
            let n = *n;
            let kind = match value {
                Scalar::Null => {
                    *self = Column::Nulls(n + 1);
                    return true;
                }
                Scalar::Bool(_) => Kind::Bool,
                Scalar::Int(_) => Kind::Int,
                Scalar::Float(_) => Kind::Float,
                Scalar::Str(_) => Kind::Str,
                Scalar::Date(_) => Kind::Date,
                Scalar::Other => return false,
            };
            let mut column = Column::fresh(&kind, n.max(1), 0, typed_dates);
            if let Column::Typed(typed) = &mut column {
                for _ in 0..n {
                    typed.push(&Scalar::Null);
                }
            } else {
                return false;
            }
            *self = column;
        }
        match self {
            Column::Typed(typed) => typed.push(value),
            _ => false,
        }
    }

    /// The column as values (converting it if it was not), to push onto.
    fn values(&mut self) -> &mut Vec<Value> {
        let values = match self {
            Column::Values(values) => std::mem::take(values),
            Column::Nulls(n) => vec![Value::Null; *n],
            Column::Typed(typed) => typed.to_values(),
        };
        *self = Column::Values(values);
        match self {
            Column::Values(values) => values,
            _ => unreachable!("the column was just made values"),
        }
    }
}

impl Typed {
    fn kind(&self) -> Kind {
        match self.data {
            TypedData::Bool(_) => Kind::Bool,
            TypedData::Int(_) => Kind::Int,
            TypedData::Float(_) => Kind::Float,
            TypedData::Str { .. } => Kind::Str,
            TypedData::Date(_) => Kind::Date,
        }
    }

    /// Appends a value of the column's kind (or a null); `false` otherwise.
    #[inline]
    fn push(&mut self, value: &Scalar<'_>) -> bool {
        let valid = match (&mut self.data, value) {
            (TypedData::Bool(bits), Scalar::Bool(b)) => {
                bits.append(*b);
                true
            }
            (TypedData::Int(v), Scalar::Int(i)) => {
                v.push(*i);
                true
            }
            (TypedData::Float(v), Scalar::Float(f)) => {
                v.push(*f);
                true
            }
            (TypedData::Str { text, offsets }, Scalar::Str(s)) => {
                text.extend_from_slice(s.as_bytes());
                offsets.push(text.len() as i64);
                true
            }
            (TypedData::Date(v), Scalar::Date(days)) => match i32::try_from(*days) {
                Ok(days) => {
                    v.push(days);
                    true
                }
                // Out of Date32's range: the general path makes it text.
                Err(_) => return false,
            },
            (data, Scalar::Null) => {
                match data {
                    TypedData::Bool(bits) => bits.append(false),
                    TypedData::Int(v) => v.push(0),
                    TypedData::Float(v) => v.push(0.0),
                    TypedData::Str { text, offsets } => offsets.push(text.len() as i64),
                    TypedData::Date(v) => v.push(0),
                }
                false
            }
            _ => return false,
        };
        self.valid.append(valid);
        if !valid {
            self.null_count += 1;
        }
        true
    }

    /// The values appended so far, as the general path holds them.
    fn to_values(&self) -> Vec<Value> {
        let n = self.valid.len();
        let mut values = Vec::with_capacity(n.max(16) * 2);
        for i in 0..n {
            if !self.valid.get_bit(i) {
                values.push(Value::Null);
                continue;
            }
            values.push(match &self.data {
                TypedData::Bool(bits) => Value::Boolean(bits.get_bit(i)),
                TypedData::Int(v) => Value::Integer(v[i]),
                TypedData::Float(v) => Value::Float(v[i]),
                TypedData::Str { text, offsets } => {
                    let span = &text[offsets[i] as usize..offsets[i + 1] as usize];
                    Value::String(String::from_utf8_lossy(span).into_owned())
                }
                TypedData::Date(v) => Value::Date(crate::types::Date {
                    days: i64::from(v[i]),
                }),
            });
        }
        values
    }

    fn finish(mut self) -> ArrayRef {
        let nulls = if self.null_count == 0 {
            None
        } else {
            Some(NullBuffer::new(self.valid.finish()))
        };
        // The last batch is often shorter than the capacity reserved.
        fn fit<T>(mut v: Vec<T>) -> Vec<T> {
            if v.capacity() > v.len() + v.len() / 8 {
                v.shrink_to_fit();
            }
            v
        }
        match self.data {
            TypedData::Bool(mut bits) => Arc::new(BooleanArray::new(bits.finish(), nulls)),
            TypedData::Int(v) => Arc::new(PrimitiveArray::<Int64Type>::new(
                ScalarBuffer::from(fit(v)),
                nulls,
            )),
            TypedData::Float(v) => Arc::new(PrimitiveArray::<Float64Type>::new(
                ScalarBuffer::from(fit(v)),
                nulls,
            )),
            TypedData::Date(v) => Arc::new(PrimitiveArray::<Date32Type>::new(
                ScalarBuffer::from(fit(v)),
                nulls,
            )),
            TypedData::Str { text, offsets } => end_to_end(fit(text), offsets, nulls, true),
        }
    }
}

fn arrow_error(e: arrow_schema::ArrowError) -> Error {
    Error::new(
        ErrorKind::Deserialization,
        format!("could not build a record batch: {e}"),
    )
    .with_source(e)
}

/// `\` and `.` escaped with a backslash, as the manual's `expand` names them.
fn escape(name: &str) -> String {
    if !name.contains(['.', '\\']) {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len() + 2);
    for c in name.chars() {
        if c == '.' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The manual's `expand`: `(column name, value)` for each leaf of `value`.
fn flatten(prefix: String, value: Value, out: &mut dyn FnMut(String, Value)) {
    match value {
        Value::Node(node) => {
            let Node {
                labels,
                properties,
                element_id,
                ..
            } = *node;
            out(format!("{prefix}().element_id"), Value::String(element_id));
            out(
                format!("{prefix}().labels"),
                Value::List(labels.into_iter().map(Value::String).collect()),
            );
            for (key, value) in properties {
                out(format!("{prefix}().prop.{}", escape(&key)), value);
            }
        }
        Value::Relationship(rel) => {
            let Relationship {
                rel_type,
                properties,
                element_id,
                start_node_element_id,
                end_node_element_id,
                ..
            } = *rel;
            out(format!("{prefix}->.element_id"), Value::String(element_id));
            out(
                format!("{prefix}->.start.element_id"),
                Value::String(start_node_element_id),
            );
            out(
                format!("{prefix}->.end.element_id"),
                Value::String(end_node_element_id),
            );
            out(format!("{prefix}->.type"), Value::String(rel_type));
            for (key, value) in properties {
                out(format!("{prefix}->.prop.{}", escape(&key)), value);
            }
        }
        Value::List(items) => {
            for (i, item) in items.into_iter().enumerate() {
                flatten(format!("{prefix}[].{i}"), item, out);
            }
        }
        Value::Map(map) => {
            for (key, item) in map {
                flatten(format!("{prefix}{{}}.{}", escape(&key)), item, out);
            }
        }
        other => out(prefix, other),
    }
}

/// What a column (or a list's elements) holds, as far as its Arrow type goes.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Null,
    Bool,
    Int,
    Float,
    Str,
    Bytes,
    Uuid,
    Date,
    LocalTime,
    Time,
    LocalDateTime,
    /// Zoned date-times: in one zone (its Arrow name), or in several
    /// (`None`, only with `parse_dates`).
    Zoned(Option<String>),
    Duration,
    Point,
    List(Box<Kind>),
    /// The JSON text of each value.
    Json,
}

fn offset_name(seconds: i64) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, (s / 60) % 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{sec:02}")
    }
}

fn kind_of(value: &Value, parse_dates: bool) -> Kind {
    match value {
        Value::Null => Kind::Null,
        Value::Boolean(_) => Kind::Bool,
        Value::Integer(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::Str,
        Value::Bytes(_) => Kind::Bytes,
        Value::Uuid(_) => Kind::Uuid,
        Value::Date(_) => Kind::Date,
        Value::LocalTime(_) => Kind::LocalTime,
        Value::Time(_) => Kind::Time,
        Value::LocalDateTime(_) => Kind::LocalDateTime,
        Value::DateTime(d) => Kind::Zoned(Some(offset_name(d.tz_offset_seconds))),
        // Local seconds (before Bolt 5.0) need the zone's rules (feature
        // chrono-tz); without them the value is text.
        Value::DateTimeZoneId(d) if d.utc_seconds().is_ok() => Kind::Zoned(Some(d.tz_id.clone())),
        Value::Duration(_) => Kind::Duration,
        Value::Point2D(_) | Value::Point3D(_) => Kind::Point,
        Value::List(items) => {
            let mut kind = Kind::Null;
            for item in items {
                kind = merge(kind, kind_of(item, parse_dates), parse_dates);
            }
            Kind::List(Box::new(kind))
        }
        _ => Kind::Json,
    }
}

fn merge(a: Kind, b: Kind, parse_dates: bool) -> Kind {
    match (a, b) {
        (Kind::Null, k) | (k, Kind::Null) => k,
        (a, b) if a == b => a,
        (Kind::List(a), Kind::List(b)) => Kind::List(Box::new(merge(*a, *b, parse_dates))),
        (Kind::Zoned(_), Kind::Zoned(_)) if parse_dates => Kind::Zoned(None),
        (Kind::Date, Kind::LocalDateTime) | (Kind::LocalDateTime, Kind::Date) if parse_dates => {
            Kind::LocalDateTime
        }
        _ => Kind::Json,
    }
}

fn column_kind(values: &[Value], start: Kind, parse_dates: bool) -> Kind {
    let mut kind = start;
    for value in values {
        if kind == Kind::Json {
            break;
        }
        if !value.is_null() {
            kind = merge(kind, kind_of(value, parse_dates), parse_dates);
        }
    }
    kind
}

fn nulls_of(values: &[&Value]) -> Option<NullBuffer> {
    let mut nulls = NullBufferBuilder::new(values.len());
    for v in values {
        if v.is_null() {
            nulls.append_null();
        } else {
            nulls.append_non_null();
        }
    }
    nulls.finish()
}

/// A primitive array from each value's native form (`None` for a value
/// that does not fit: another type, or out of range).
fn primitive<T, F>(values: &[&Value], mut native: F) -> Option<PrimitiveArray<T>>
where
    T: arrow_array::ArrowPrimitiveType,
    F: FnMut(&Value) -> Option<T::Native>,
{
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        if v.is_null() {
            out.push(T::Native::default());
        } else {
            out.push(native(v)?);
        }
    }
    Some(PrimitiveArray::new(
        ScalarBuffer::from(out),
        nulls_of(values),
    ))
}

const NANOS: i64 = 1_000_000_000;

fn nanos(seconds: i64, nanoseconds: i64) -> Option<i64> {
    seconds.checked_mul(NANOS)?.checked_add(nanoseconds)
}

/// Nanoseconds since the epoch (UTC for zoned values, the wall clock for
/// local ones).
fn timestamp(value: &Value) -> Option<i64> {
    match value {
        Value::Date(d) => d.days.checked_mul(86_400 * NANOS),
        Value::LocalDateTime(d) => nanos(d.seconds, d.nanoseconds),
        Value::DateTime(d) => nanos(d.seconds, d.nanoseconds),
        Value::DateTimeZoneId(d) => nanos(d.utc_seconds().ok()?, d.nanoseconds),
        _ => None,
    }
}

/// Text or bytes laid end to end; `LargeUtf8`/`LargeBinary` offsets past
/// `i32::MAX` bytes.
fn bytes_array<'v>(
    values: &[&'v Value],
    text: bool,
    mut bytes: impl FnMut(&'v Value) -> Option<&'v [u8]>,
) -> Option<ArrayRef> {
    let mut data = Vec::new();
    let mut offsets = Vec::with_capacity(values.len() + 1);
    offsets.push(0i64);
    for v in values {
        if !v.is_null() {
            data.extend_from_slice(bytes(v)?);
        }
        offsets.push(i64::try_from(data.len()).ok()?);
    }
    Some(end_to_end(data, offsets, nulls_of(values), text))
}

fn end_to_end(data: Vec<u8>, offsets: Vec<i64>, nulls: Option<NullBuffer>, text: bool) -> ArrayRef {
    let data = Buffer::from_vec(data);
    let small = offsets.last().is_none_or(|&end| end <= i64::from(i32::MAX));
    // Every piece came from a `&str` (or is bytes), so building cannot fail.
    if small {
        let offsets: Vec<i32> = offsets.iter().map(|&o| o as i32).collect();
        let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
        if text {
            Arc::new(GenericStringArray::<i32>::new(offsets, data, nulls))
        } else {
            Arc::new(GenericBinaryArray::<i32>::new(offsets, data, nulls))
        }
    } else {
        let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
        if text {
            Arc::new(GenericStringArray::<i64>::new(offsets, data, nulls))
        } else {
            Arc::new(GenericBinaryArray::<i64>::new(offsets, data, nulls))
        }
    }
}

/// The column's values as an array of `kind`; `None` when one does not fit
/// (the caller then falls back to JSON text).
fn build(kind: &Kind, values: &[&Value], parse_dates: bool) -> Option<ArrayRef> {
    Some(match kind {
        Kind::Null => Arc::new(NullArray::new(values.len())),
        Kind::Bool => {
            let mut bits = Vec::with_capacity(values.len());
            for v in values {
                bits.push(match v {
                    Value::Boolean(b) => *b,
                    Value::Null => false,
                    _ => return None,
                });
            }
            Arc::new(BooleanArray::new(
                BooleanBuffer::from(bits),
                nulls_of(values),
            ))
        }
        Kind::Int => Arc::new(primitive::<Int64Type, _>(values, Value::as_i64)?),
        Kind::Float => Arc::new(primitive::<Float64Type, _>(values, Value::as_f64)?),
        Kind::Str => bytes_array(values, true, |v| v.as_str().map(str::as_bytes))?,
        Kind::Bytes => bytes_array(values, false, |v| match v {
            Value::Bytes(b) => Some(b.as_slice()),
            _ => None,
        })?,
        Kind::Uuid => {
            let mut data = Vec::new();
            let mut offsets = vec![0i64];
            for v in values {
                match v {
                    Value::Uuid(u) => {
                        data.extend_from_slice(u.to_string().as_bytes());
                    }
                    Value::Null => {}
                    _ => return None,
                }
                offsets.push(data.len() as i64);
            }
            end_to_end(data, offsets, nulls_of(values), true)
        }
        Kind::Date if parse_dates => {
            Arc::new(primitive::<TimestampNanosecondType, _>(values, timestamp)?)
        }
        Kind::Date => Arc::new(primitive::<Date32Type, _>(values, |v| match v {
            Value::Date(d) => i32::try_from(d.days).ok(),
            _ => None,
        })?),
        Kind::LocalTime => Arc::new(primitive::<Time64NanosecondType, _>(values, |v| match v {
            Value::LocalTime(t) => Some(t.nanoseconds),
            _ => None,
        })?),
        Kind::Time => {
            let mut times = Vec::with_capacity(values.len());
            let mut offsets = Vec::with_capacity(values.len());
            for v in values {
                match v {
                    Value::Time(t) => {
                        times.push(t.nanoseconds);
                        offsets.push(t.tz_offset_seconds);
                    }
                    Value::Null => {
                        times.push(0);
                        offsets.push(0);
                    }
                    _ => return None,
                }
            }
            let nulls = nulls_of(values);
            let time: ArrayRef = Arc::new(PrimitiveArray::<Time64NanosecondType>::new(
                ScalarBuffer::from(times),
                nulls.clone(),
            ));
            let offset: ArrayRef = Arc::new(PrimitiveArray::<Int64Type>::new(
                ScalarBuffer::from(offsets),
                nulls.clone(),
            ));
            struct_array(vec![("time", time), ("tz_offset_seconds", offset)], nulls)?
        }
        Kind::LocalDateTime => {
            Arc::new(primitive::<TimestampNanosecondType, _>(values, timestamp)?)
        }
        Kind::Zoned(zone) => {
            let zone = zone.clone().unwrap_or_else(|| "UTC".to_owned());
            Arc::new(
                primitive::<TimestampNanosecondType, _>(values, timestamp)?.with_timezone(zone),
            )
        }
        Kind::Duration => Arc::new(primitive::<IntervalMonthDayNanoType, _>(
            values,
            |v| match v {
                Value::Duration(d) => Some(IntervalMonthDayNano::new(
                    i32::try_from(d.months).ok()?,
                    i32::try_from(d.days).ok()?,
                    nanos(d.seconds, d.nanoseconds)?,
                )),
                _ => None,
            },
        )?),
        Kind::Point => {
            let n = values.len();
            let (mut srid, mut x, mut y, mut z) = (
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
            );
            let mut z_valid = NullBufferBuilder::new(n);
            for v in values {
                let (s, px, py, pz) = match v {
                    Value::Point2D(p) => (p.srid, p.x, p.y, None),
                    Value::Point3D(p) => (p.srid, p.x, p.y, Some(p.z)),
                    Value::Null => (0, 0.0, 0.0, None),
                    _ => return None,
                };
                srid.push(s);
                x.push(px);
                y.push(py);
                z.push(pz.unwrap_or_default());
                if pz.is_some() {
                    z_valid.append_non_null();
                } else {
                    z_valid.append_null();
                }
            }
            let nulls = nulls_of(values);
            let srid: ArrayRef = Arc::new(PrimitiveArray::<Int64Type>::new(
                ScalarBuffer::from(srid),
                nulls.clone(),
            ));
            let x: ArrayRef = Arc::new(PrimitiveArray::<Float64Type>::new(
                ScalarBuffer::from(x),
                nulls.clone(),
            ));
            let y: ArrayRef = Arc::new(PrimitiveArray::<Float64Type>::new(
                ScalarBuffer::from(y),
                nulls.clone(),
            ));
            let z: ArrayRef = Arc::new(PrimitiveArray::<Float64Type>::new(
                ScalarBuffer::from(z),
                z_valid.finish(),
            ));
            struct_array(vec![("srid", srid), ("x", x), ("y", y), ("z", z)], nulls)?
        }
        Kind::List(element) => {
            let mut items: Vec<&Value> = Vec::new();
            let mut offsets = Vec::with_capacity(values.len() + 1);
            offsets.push(0i32);
            for v in values {
                match v {
                    Value::List(list) => items.extend(list.iter()),
                    Value::Null => {}
                    _ => return None,
                }
                offsets.push(i32::try_from(items.len()).ok()?);
            }
            let child = match build(element, &items, parse_dates) {
                Some(child) => child,
                None => json_array(&items),
            };
            let field = Arc::new(Field::new("item", child.data_type().clone(), true));
            Arc::new(
                ListArray::try_new(
                    field,
                    OffsetBuffer::new(ScalarBuffer::from(offsets)),
                    child,
                    nulls_of(values),
                )
                .ok()?,
            )
        }
        Kind::Json => json_array(values),
    })
}

fn struct_array(children: Vec<(&str, ArrayRef)>, nulls: Option<NullBuffer>) -> Option<ArrayRef> {
    let fields: Fields = children
        .iter()
        .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
        .collect();
    let arrays = children.into_iter().map(|(_, a)| a).collect();
    Some(Arc::new(StructArray::try_new(fields, arrays, nulls).ok()?))
}

/// Each value's JSON text (nulls stay nulls).
fn json_array(values: &[&Value]) -> ArrayRef {
    let mut text = String::new();
    let mut offsets = Vec::with_capacity(values.len() + 1);
    offsets.push(0i64);
    for v in values {
        if !v.is_null() {
            write_json(v, &mut text);
        }
        offsets.push(text.len() as i64);
    }
    end_to_end(text.into_bytes(), offsets, nulls_of(values), true)
}

/// The JSON text of a value (see [the module docs](self#column-types)).
/// Written here rather than through serde_json: the library has no JSON
/// dependency, and graph and temporal values need their own shapes anyway.
pub(crate) fn write_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => json_float(*f, out),
        Value::String(s) => json_string(s, out),
        Value::Bytes(b) => {
            out.push('[');
            for (i, byte) in b.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{byte}");
            }
            out.push(']');
        }
        Value::List(items) => json_list(items.iter(), out),
        Value::Map(map) => json_map(map, out),
        Value::Node(n) => json_node(n, out),
        Value::Relationship(r) => {
            json_object(
                out,
                &mut [
                    ("element_id", &mut |o: &mut String| {
                        json_string(&r.element_id, o)
                    }),
                    ("start_element_id", &mut |o: &mut String| {
                        json_string(&r.start_node_element_id, o)
                    }),
                    ("end_element_id", &mut |o: &mut String| {
                        json_string(&r.end_node_element_id, o)
                    }),
                    ("type", &mut |o: &mut String| json_string(&r.rel_type, o)),
                    ("properties", &mut |o: &mut String| {
                        json_map(&r.properties, o)
                    }),
                ],
            );
        }
        Value::UnboundRelationship(r) => json_unbound(r, out),
        Value::Path(p) => json_path(p, out),
        Value::Point2D(p) => {
            let _ = write!(out, "{{\"srid\":{},\"x\":", p.srid);
            json_float(p.x, out);
            out.push_str(",\"y\":");
            json_float(p.y, out);
            out.push('}');
        }
        Value::Point3D(p) => {
            let _ = write!(out, "{{\"srid\":{},\"x\":", p.srid);
            json_float(p.x, out);
            out.push_str(",\"y\":");
            json_float(p.y, out);
            out.push_str(",\"z\":");
            json_float(p.z, out);
            out.push('}');
        }
        Value::Vector(v) => {
            // The vector's elements as numbers: its Display is `vector([..], n, TYPE)`.
            let items: Vec<Value> = match v {
                Vector::I8(x) => x.iter().map(|&e| Value::from(i64::from(e))).collect(),
                Vector::I16(x) => x.iter().map(|&e| Value::from(i64::from(e))).collect(),
                Vector::I32(x) => x.iter().map(|&e| Value::from(i64::from(e))).collect(),
                Vector::I64(x) => x.iter().map(|&e| Value::from(e)).collect(),
                Vector::F32(x) => x.iter().map(|&e| Value::from(f64::from(e))).collect(),
                Vector::F64(x) => x.iter().map(|&e| Value::from(e)).collect(),
                _ => return json_string(&value.to_string(), out),
            };
            json_list(items.iter(), out);
        }
        // Temporal values, UUIDs and unknown structures: their text.
        other => json_string(&other.to_string(), out),
    }
}

fn json_float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("\"NaN\"");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 {
            "\"Infinity\""
        } else {
            "\"-Infinity\""
        });
    } else {
        let _ = write!(out, "{f:?}");
    }
}

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_list<'a>(items: impl Iterator<Item = &'a Value>, out: &mut String) {
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json(item, out);
    }
    out.push(']');
}

fn json_map(map: &Map, out: &mut String) {
    out.push('{');
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(key, out);
        out.push(':');
        write_json(value, out);
    }
    out.push('}');
}

type Member<'a> = (&'a str, &'a mut dyn FnMut(&mut String));

fn json_object(out: &mut String, members: &mut [Member<'_>]) {
    out.push('{');
    for (i, (name, write)) in members.iter_mut().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(name, out);
        out.push(':');
        write(out);
    }
    out.push('}');
}

fn json_node(n: &Node, out: &mut String) {
    json_object(
        out,
        &mut [
            ("element_id", &mut |o: &mut String| {
                json_string(&n.element_id, o)
            }),
            ("labels", &mut |o: &mut String| {
                o.push('[');
                for (i, label) in n.labels.iter().enumerate() {
                    if i > 0 {
                        o.push(',');
                    }
                    json_string(label, o);
                }
                o.push(']');
            }),
            ("properties", &mut |o: &mut String| {
                json_map(&n.properties, o)
            }),
        ],
    );
}

fn json_unbound(r: &UnboundRelationship, out: &mut String) {
    json_object(
        out,
        &mut [
            ("element_id", &mut |o: &mut String| {
                json_string(&r.element_id, o)
            }),
            ("type", &mut |o: &mut String| json_string(&r.rel_type, o)),
            ("properties", &mut |o: &mut String| {
                json_map(&r.properties, o)
            }),
        ],
    );
}

fn json_path(p: &Path, out: &mut String) {
    json_object(
        out,
        &mut [
            ("nodes", &mut |o: &mut String| {
                o.push('[');
                for (i, n) in p.nodes.iter().enumerate() {
                    if i > 0 {
                        o.push(',');
                    }
                    json_node(n, o);
                }
                o.push(']');
            }),
            ("relationships", &mut |o: &mut String| {
                o.push('[');
                for (i, r) in p.relationships.iter().enumerate() {
                    if i > 0 {
                        o.push(',');
                    }
                    json_unbound(r, o);
                }
                o.push(']');
            }),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Date;

    fn keys(names: &[&str]) -> Arc<[String]> {
        names.iter().map(|k| (*k).to_owned()).collect()
    }

    /// The batches of `records`, `per_batch` rows each, from the typed
    /// columns (records and values pushed) and from values only: the same.
    fn same_both_ways(keys: &Arc<[String]>, records: &[Record], per_batch: usize) {
        for parse_dates in [false, true] {
            let options = ToDfOptions::new().parse_dates(parse_dates);
            let mut typed = RecordBatchBuilder::new(Arc::clone(keys), options);
            let mut pushed = RecordBatchBuilder::new(Arc::clone(keys), options);
            let mut reference = RecordBatchBuilder::values_only(Arc::clone(keys), options);
            for chunk in records.chunks(per_batch) {
                for record in chunk {
                    typed.push(record).unwrap();
                    pushed.push_values(record.values().unwrap()).unwrap();
                    reference.push(record).unwrap();
                }
                let want = reference.finish().unwrap();
                assert_eq!(typed.finish().unwrap(), want, "parse_dates {parse_dates}");
                assert_eq!(pushed.finish().unwrap(), want, "parse_dates {parse_dates}");
            }
        }
    }

    #[test]
    fn typed_columns_build_the_batches_the_values_do() {
        let keys = keys(&[
            "int", "float", "text", "date", "flag", "late", "mixed", "changes", "far_date", "list",
            "short",
        ]);
        let date = |days| Value::Date(Date { days });
        let records: Vec<Record> = (0..20i64)
            .map(|i| {
                let maybe = |v: Value| if i % 4 == 1 { Value::Null } else { v };
                Record::from_values(
                    Arc::clone(&keys),
                    vec![
                        maybe(Value::from(i * 1_000_003 - 7)),
                        maybe(Value::from(i as f64 / 3.0)),
                        maybe(Value::from(format!("row \"{i}\" é"))),
                        maybe(date(i * 400 - 3000)),
                        maybe(Value::from(i % 3 == 0)),
                        // Null for the first batches, then integers.
                        if i < 9 { Value::Null } else { Value::from(i) },
                        // An integer, then a string, in the same batch.
                        if i % 5 == 4 {
                            Value::from("four")
                        } else {
                            Value::from(i)
                        },
                        // Integers for two batches, then floats.
                        if i < 8 {
                            Value::from(i)
                        } else {
                            Value::from(i as f64)
                        },
                        // A date past Date32 (and timestamps) midway.
                        if i == 13 {
                            date(i64::from(i32::MAX) + 1)
                        } else {
                            date(i)
                        },
                        Value::List(vec![Value::from(i), Value::Null]),
                        Value::Null,
                    ],
                )
                .unwrap()
            })
            .collect();
        for per_batch in [1, 4, 7, 20] {
            same_both_ways(&keys, &records, per_batch);
        }
    }

    #[test]
    fn typed_columns_read_every_encoding_of_their_values() {
        let keys = keys(&["i", "f", "s", "d", "b"]);
        let raw = |fields: &[&[u8]]| {
            let mut data = vec![0x95];
            for f in fields {
                data.extend_from_slice(f);
            }
            Record::from_packstream(Arc::clone(&keys), bytes::Bytes::from(data)).unwrap()
        };
        let mut long = vec![0xD1, 0x01, 0x00];
        long.extend(std::iter::repeat_n(b'x', 256));
        let records = vec![
            raw(&[
                &[0x05],
                &[0xC1, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0],
                &[0x81, b'a'],
                &[0xB1, 0x44, 0x01],
                &[0xC3],
            ]),
            raw(&[
                &[0xC8, 0x85],
                &[0xC0],
                &[0xD0, 0x02, b'b', b'c'],
                &[0xB1, 0x44, 0xC9, 0x01, 0x00],
                &[0xC2],
            ]),
            raw(&[
                &[0xC9, 0xFF, 0x00],
                &[0xC1, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0],
                &long,
                &[0xB1, 0x44, 0xCA, 0xFF, 0xFF, 0xFF, 0x00],
                &[0xC0],
            ]),
            raw(&[
                &[0xCA, 0, 1, 0, 0],
                &[0xC0],
                &[0xD2, 0, 0, 0, 1, b'z'],
                &[0xB1, 0x44, 0xCB, 0, 0, 0, 0, 0, 0, 0, 9],
                &[0xC3],
            ]),
            raw(&[
                &[0xCB, 0x80, 0, 0, 0, 0, 0, 0, 0],
                &[0xC1, 0, 0, 0, 0, 0, 0, 0, 0],
                &[0x80],
                &[0xC0],
                &[0xC3],
            ]),
            raw(&[&[0xF0], &[0xC0], &[0xC0], &[0xB1, 0x44, 0xF5], &[0xC2]]),
        ];
        for per_batch in [1, 2, 6] {
            same_both_ways(&keys, &records, per_batch);
        }
    }

    #[test]
    fn a_malformed_field_is_an_error_in_a_typed_column() {
        let keys = keys(&["s"]);
        let good = Record::from_values(Arc::clone(&keys), vec![Value::from("ok")]).unwrap();
        let bad = Record::from_packstream(
            Arc::clone(&keys),
            bytes::Bytes::from_static(&[0x91, 0x82, 0xFF, 0xFE]),
        )
        .unwrap();
        let mut builder = RecordBatchBuilder::new(Arc::clone(&keys), ToDfOptions::default());
        builder.push(&good).unwrap();
        assert!(builder.push(&bad).is_err());
    }
}
