//! Results as Polars data frames (feature `polars`, which includes `arrow`).
//!
//! The frame comes from the [record batches](crate::arrow): there is one
//! conversion from records (into Arrow), and the Arrow arrays then move
//! into Polars through the Arrow C Data Interface without copying, so a
//! column has the Polars type of its Arrow type (`Int64`, `Float64`,
//! `String`, `Date`, `Datetime(ns, zone)`, `Time`, `List`, `Struct`, ...).
//! Cypher durations, `Interval(MonthDayNano)` in Arrow, which Polars does
//! not import, become `Struct { months: Int32, days: Int32, nanoseconds: Int64 }`.
//!
//! The frame is a [`DataFrame`] of `polars-core`, the same type as
//! `polars::frame::DataFrame` of the `polars` crate of the same version
//! (0.55): this crate depends on `polars-core` alone, the part of Polars a
//! frame needs (no lazy engine, no IO).
//!
//! ```no_run
//! # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
//! use quiver::arrow::ToDfOptions;
//!
//! let mut result = session.run("UNWIND range(1, 10) AS n RETURN n, n + 1 AS m").await?;
//! let df = result.to_polars(ToDfOptions::default()).await?;
//! assert_eq!(df.shape(), (10, 2));
//! # Ok(()) }
//! ```
//!
//! A large result streams into a frame of chunks, batch by batch, with
//! [`QueryResult::record_batches`] and [`from_record_batches`].

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int32Array, Int64Array, ListArray, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, IntervalUnit};
use polars_core::frame::DataFrame;
use polars_core::prelude::{Column, PlSmallStr, Series};

use crate::arrow::ToDfOptions;
use crate::bookmarks::BoxFuture;
use crate::eager::EagerResult;
use crate::error::{Error, ErrorKind, Result};
use crate::result::QueryResult;

/// The `polars-core` crate the frames come from (same version).
pub use polars_core;

fn polars_error(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::new(
        ErrorKind::Deserialization,
        format!("could not build a Polars data frame: {e}"),
    )
    .with_source(e)
}

/// A data frame from record batches of one schema, such as the batches of
/// [`QueryResult::record_batches`]: each batch becomes a chunk of every
/// column (nothing is copied). Batches whose schemas differ (a column that
/// fell back to JSON text in a later batch) are an error naming the column;
/// [`QueryResult::to_polars`] infers one schema over all rows instead.
/// No batches make an empty frame.
///
/// ```no_run
/// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
/// use quiver::arrow::ToDfOptions;
///
/// let mut result = session.run("MATCH (p:Person) RETURN p.name AS name, p.age AS age").await?;
/// let mut batches = Vec::new();
/// let mut stream = result.record_batches(65_536, ToDfOptions::default());
/// while let Some(batch) = stream.next_batch().await {
///     batches.push(batch?);
/// }
/// let df = quiver::polars::from_record_batches(&batches)?;
/// println!("{df:?}");
/// # Ok(()) }
/// ```
pub fn from_record_batches(batches: &[RecordBatch]) -> Result<DataFrame> {
    let Some(first) = batches.first() else {
        return Ok(DataFrame::empty());
    };
    let schema = first.schema();
    for batch in &batches[1..] {
        let other = batch.schema();
        if other.fields() != schema.fields() {
            let column = schema
                .fields()
                .iter()
                .zip(other.fields().iter())
                .find(|(a, b)| a != b)
                .map(|(a, _)| a.name().clone())
                .unwrap_or_else(|| "(the number of columns)".to_owned());
            return Err(Error::new(
                ErrorKind::Deserialization,
                format!(
                    "the record batches differ in column {column}: one data frame needs one schema"
                ),
            ));
        }
    }
    let height = batches.iter().map(RecordBatch::num_rows).sum();
    let mut columns = Vec::with_capacity(schema.fields().len());
    for (i, field) in schema.fields().iter().enumerate() {
        let mut chunks = Vec::with_capacity(batches.len());
        for batch in batches {
            chunks.push(to_polars_array(&polars_ready(Arc::clone(batch.column(i))))?);
        }
        let series = Series::try_from((PlSmallStr::from(field.name().as_str()), chunks))
            .map_err(polars_error)?;
        columns.push(Column::from(series));
    }
    DataFrame::new(height, columns).map_err(polars_error)
}

/// A data frame from one record batch; see [`from_record_batches`].
pub fn from_record_batch(batch: &RecordBatch) -> Result<DataFrame> {
    from_record_batches(std::slice::from_ref(batch))
}

/// The result transformer for
/// [`ExecuteQuery::run_with`](crate::ExecuteQuery::run_with) with the
/// default options: the result as a data frame (the manual's
/// `result_transformer_=Result.to_df`).
///
/// ```no_run
/// # async fn demo(driver: quiver::Driver) -> quiver::Result<()> {
/// let df = driver
///     .execute_query("UNWIND range(1, 10) AS n RETURN n")
///     .run_with(quiver::polars::to_polars)
///     .await?;
/// assert_eq!(df.height(), 10);
/// # Ok(()) }
/// ```
pub async fn to_polars(mut result: QueryResult) -> Result<DataFrame> {
    result.to_polars(ToDfOptions::default()).await
}

impl ToDfOptions {
    /// A result transformer for
    /// [`ExecuteQuery::run_with`](crate::ExecuteQuery::run_with): the
    /// result as a data frame with these options.
    pub fn polars_transformer(
        self,
    ) -> impl FnMut(QueryResult) -> BoxFuture<'static, Result<DataFrame>> {
        move |mut result: QueryResult| Box::pin(async move { result.to_polars(self).await })
    }
}

impl QueryResult {
    /// The rest of the result as a Polars [`DataFrame`]: the record batch of
    /// [`to_record_batch`](Self::to_record_batch), handed to Polars
    /// without a copy.
    pub async fn to_polars(&mut self, options: ToDfOptions) -> Result<DataFrame> {
        let batch = self.to_record_batch(options).await?;
        from_record_batch(&batch)
    }
}

impl EagerResult {
    /// The records as a Polars [`DataFrame`]; see [`QueryResult::to_polars`].
    pub fn to_polars(&self, options: ToDfOptions) -> Result<DataFrame> {
        from_record_batch(&self.to_record_batch(options)?)
    }
}

impl crate::blocking::QueryResult {
    /// See [`crate::QueryResult::to_polars`].
    pub fn to_polars(&mut self, options: ToDfOptions) -> Result<DataFrame> {
        crate::blocking::wait(self.inner.to_polars(options))
    }
}

fn has_interval(data_type: &DataType) -> bool {
    match data_type {
        DataType::Interval(_) => true,
        DataType::List(f) => has_interval(f.data_type()),
        DataType::Struct(fields) => fields.iter().any(|f| has_interval(f.data_type())),
        _ => false,
    }
}

/// The array with its month-day-nano intervals as structs, which Polars
/// imports (it refuses the interval type itself).
fn polars_ready(array: ArrayRef) -> ArrayRef {
    if !has_interval(array.data_type()) {
        return array;
    }
    if let Some(list) = array.as_any().downcast_ref::<ListArray>() {
        let values = polars_ready(Arc::clone(list.values()));
        let field = Arc::new(Field::new("item", values.data_type().clone(), true));
        return match ListArray::try_new(
            field,
            list.offsets().clone(),
            values,
            list.nulls().cloned(),
        ) {
            Ok(list) => Arc::new(list),
            Err(_) => array,
        };
    }
    if let Some(s) = array.as_any().downcast_ref::<StructArray>() {
        let columns: Vec<ArrayRef> = s
            .columns()
            .iter()
            .map(|c| polars_ready(Arc::clone(c)))
            .collect();
        let fields: Vec<Field> = s
            .fields()
            .iter()
            .zip(&columns)
            .map(|(f, c)| Field::new(f.name(), c.data_type().clone(), true))
            .collect();
        return match StructArray::try_new(fields.into(), columns, s.nulls().cloned()) {
            Ok(s) => Arc::new(s),
            Err(_) => array,
        };
    }
    if array.data_type() == &DataType::Interval(IntervalUnit::MonthDayNano) {
        if let Some(iv) = array
            .as_any()
            .downcast_ref::<arrow_array::IntervalMonthDayNanoArray>()
        {
            let nulls = iv.nulls().cloned();
            let months = Int32Array::new(
                iv.values().iter().map(|v| v.months).collect(),
                nulls.clone(),
            );
            let days = Int32Array::new(iv.values().iter().map(|v| v.days).collect(), nulls.clone());
            let ns = Int64Array::new(
                iv.values().iter().map(|v| v.nanoseconds).collect(),
                nulls.clone(),
            );
            let fields = vec![
                Field::new("months", DataType::Int32, true),
                Field::new("days", DataType::Int32, true),
                Field::new("nanoseconds", DataType::Int64, true),
            ];
            let columns: Vec<ArrayRef> = vec![Arc::new(months), Arc::new(days), Arc::new(ns)];
            if let Ok(s) = StructArray::try_new(fields.into(), columns, nulls) {
                return Arc::new(s);
            }
        }
    }
    array
}

/// Moves an arrow-rs array into polars-arrow through the Arrow C Data
/// Interface: both crates implement it, and it is the way to hand Arrow
/// memory from one implementation to another without a copy (Polars has
/// no conversion from arrow-rs types of its own any more).
#[allow(unsafe_code)]
fn to_polars_array(array: &ArrayRef) -> Result<Box<dyn polars_arrow::array::Array>> {
    let (ffi_array, ffi_schema) =
        arrow_array::ffi::to_ffi(&array.to_data()).map_err(polars_error)?;
    // SAFETY: arrow-rs' FFI_ArrowArray / FFI_ArrowSchema and polars-arrow's
    // ArrowArray / ArrowSchema are both the C Data Interface's structs
    // (`#[repr(C)]`, the same fields in the same order, so the same size,
    // which transmute checks). The transmute moves ownership: arrow-rs'
    // value is consumed without its Drop, and polars-arrow calls the
    // `release` callback (arrow-rs' own) when it is done with the data.
    let schema: polars_arrow::ffi::ArrowSchema = unsafe { std::mem::transmute(ffi_schema) };
    let c_array: polars_arrow::ffi::ArrowArray = unsafe { std::mem::transmute(ffi_array) };
    // SAFETY: both structs were just made valid by arrow-rs' exporter.
    let field = unsafe { polars_arrow::ffi::import_field_from_c(&schema) }.map_err(polars_error)?;
    // SAFETY: as above; the array matches the schema it was exported with.
    unsafe { polars_arrow::ffi::import_array_from_c(c_array, field.dtype().clone()) }
        .map_err(polars_error)
}
