//! Results as Arrow record batches (feature `arrow`): the Rust `to_df`.
//!
//! [`QueryResult::to_record_batch`] turns the rest of a result into one
//! [`RecordBatch`]; [`QueryResult::record_batches`] streams batches of a
//! given number of rows while records arrive, so a large result never sits
//! in memory twice (only the records of the batch being built are held as
//! [`Value`]s). [`EagerResult::to_record_batch`] does the same for a result
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
    BooleanBuffer, Buffer, IntervalMonthDayNano, NullBuffer, NullBufferBuilder, OffsetBuffer,
    ScalarBuffer,
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
    columns: Vec<Vec<Value>>,
    /// What earlier batches found per column.
    kinds: Vec<Kind>,
    rows: usize,
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
        };
        if !options.expand {
            for key in builder.keys.iter() {
                builder.names.push(key.clone());
                builder.columns.push(Vec::new());
                builder.kinds.push(Kind::Null);
            }
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
        for (column, field) in self.columns.iter_mut().zip(record.iter()) {
            column.push(field.get::<Value>()?);
            n += 1;
        }
        for column in self.columns.iter_mut().take(width).skip(n) {
            column.push(Value::Null);
        }
        self.rows += 1;
        Ok(())
    }

    /// Adds a row of values, in the keys' order (missing ones are null,
    /// extra ones ignored).
    pub fn push_values(&mut self, values: Vec<Value>) -> Result<()> {
        if !self.options.expand {
            let mut values = values.into_iter();
            for column in &mut self.columns {
                column.push(values.next().unwrap_or(Value::Null));
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
            if column.len() < self.rows {
                column.push(Value::Null);
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
                self.columns.push(vec![Value::Null; self.rows]);
                self.kinds.push(Kind::Null);
                at
            }
        };
        if let Some(column) = self.columns.get_mut(at) {
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
            let values = std::mem::replace(column, Vec::with_capacity(rows));
            let found = column_kind(&values, kind.clone(), parse_dates);
            let refs: Vec<&Value> = values.iter().collect();
            let array = match build(&found, &refs, parse_dates) {
                Some(array) => {
                    *kind = found;
                    array
                }
                None => {
                    *kind = Kind::Json;
                    json_array(&refs)
                }
            };
            fields.push(Field::new(name.clone(), array.data_type().clone(), true));
            arrays.push(array);
        }
        let schema = Arc::new(Schema::new(fields));
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows));
        RecordBatch::try_new_with_options(schema, arrays, &options).map_err(arrow_error)
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
