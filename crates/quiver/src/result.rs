//! Results: records pulled lazily, in batches of the fetch size.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use futures_util::Stream;
use serde::de::DeserializeOwned;

use crate::bookmarks::BoxFuture;
use crate::conn::Shared;
use crate::eager::EagerResult;
use crate::error::{Error, ErrorKind, Result};
use crate::graph::Graph;
use crate::record::Record;
use crate::summary::{PendingSummary, ResultSummary};
use crate::{Map, Value};

type Batch = (VecDeque<Record>, Result<Option<PendingSummary>>);

enum End {
    /// More records may wait on the server.
    Streaming,
    /// Every record arrived (some may still be in the buffer).
    Done(Box<PendingSummary>),
    /// The result failed; the error was handed out.
    Failed,
}

/// What [`QueryResult::single_optional`] found.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OptionalRecord {
    /// The (first) record, if any.
    pub record: Option<Record>,
    /// Why the result was not exactly one record or none (several records).
    pub warnings: Vec<String>,
}

/// The records of a query, pulled lazily from the server in batches of the
/// fetch size (the next batch is asked for only when the buffer runs dry).
///
/// A `QueryResult` is a [`Stream`] of `Result<Record>`; it also has async
/// methods for the common cases: [`next`](Self::next),
/// [`single`](Self::single), [`peek`](Self::peek), [`fetch`](Self::fetch),
/// [`list`](Self::list), [`value`](Self::value), [`column`](Self::column),
/// [`values`](Self::values), [`data`](Self::data), [`consume`](Self::consume),
/// [`to_eager_result`](Self::to_eager_result), [`graph`](Self::graph).
///
/// Through the `Stream` API, a batch being fetched holds the transaction's
/// connection until the stream is polled again or dropped; the async
/// methods give it up when their future is dropped (the transaction then
/// refuses further work rather than mix replies up).
///
/// ```no_run
/// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
/// #[derive(serde::Deserialize)]
/// struct Person { name: String, age: i64 }
///
/// let mut result = session.run("MATCH (p:Person) RETURN p.name AS name, p.age AS age").await?;
/// println!("columns: {:?}", result.keys());
/// while let Some(record) = result.next().await {
///     let person: Person = record?.to()?;
///     println!("{} is {}", person.name, person.age);
/// }
/// let summary = result.consume().await?;
/// println!("took {:?}", summary.result_available_after());
/// # Ok(()) }
/// ```
pub struct QueryResult {
    shared: Shared,
    id: u64,
    keys: Arc<[String]>,
    buffer: VecDeque<Record>,
    fetch_n: i64,
    open: Arc<AtomicBool>,
    end: End,
    consumed: bool,
    error_given: bool,
    fetching: Option<BoxFuture<'static, Batch>>,
}

impl fmt::Debug for QueryResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueryResult")
            .field("keys", &self.keys)
            .field("buffered", &self.buffer.len())
            .field("consumed", &self.consumed)
            .finish_non_exhaustive()
    }
}

fn consumed_error() -> Error {
    Error::new(ErrorKind::ResultConsumed, "read it before consuming it")
}

fn out_of_scope_error() -> Error {
    Error::new(
        ErrorKind::ResultOutOfScope,
        "read results inside their transaction",
    )
}

impl QueryResult {
    pub(crate) fn new(
        shared: Shared,
        id: u64,
        keys: Arc<[String]>,
        fetch_n: i64,
        open: Arc<AtomicBool>,
    ) -> Self {
        QueryResult {
            shared,
            id,
            keys,
            buffer: VecDeque::new(),
            fetch_n,
            open,
            end: End::Streaming,
            consumed: false,
            error_given: false,
            fetching: None,
        }
    }

    /// The keys (column names) of the records.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The keys, shared.
    #[cfg(feature = "arrow")]
    pub(crate) fn shared_keys(&self) -> &Arc<[String]> {
        &self.keys
    }

    /// What the server still holds comes with one `PULL` for all of it.
    #[cfg(feature = "arrow")]
    pub(crate) fn pull_all(&mut self) {
        self.fetch_n = -1;
    }

    /// Whether the result can still be read: not consumed and its
    /// transaction not ended.
    pub fn is_open(&self) -> bool {
        !self.consumed && self.open.load(Ordering::Acquire)
    }

    /// Records already fetched and not yet handed out. (Named so as not to
    /// shadow `StreamExt::buffered` once `futures` is imported.)
    pub fn buffered_count(&self) -> usize {
        self.buffer.len()
    }

    fn out_of_scope(&self) -> bool {
        self.consumed || !self.open.load(Ordering::Acquire)
    }

    /// Why the result can't be read: its transaction ended (first), or it
    /// was consumed.
    fn scope_error(&self) -> Error {
        if self.open.load(Ordering::Acquire) {
            consumed_error()
        } else {
            out_of_scope_error()
        }
    }

    /// Fills the buffer with the next batch unless records are there or the
    /// result ended.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        loop {
            if !self.buffer.is_empty() || !matches!(self.end, End::Streaming) {
                return Poll::Ready(Ok(()));
            }
            if self.fetching.is_none() {
                let shared = Arc::clone(&self.shared);
                let mut buf = std::mem::take(&mut self.buffer);
                let (id, n) = (self.id, self.fetch_n);
                self.fetching = Some(Box::pin(async move {
                    let res = shared.lock().await.fetch(id, n, &mut buf).await;
                    (buf, res)
                }));
            }
            let Some(fut) = self.fetching.as_mut() else {
                return Poll::Ready(Ok(()));
            };
            let (buf, res) = ready!(fut.as_mut().poll(cx));
            self.fetching = None;
            self.buffer = buf;
            match res {
                Ok(Some(summary)) => self.end = End::Done(Box::new(summary)),
                Ok(None) => {}
                Err(e) => {
                    self.end = End::Failed;
                    self.error_given = true;
                    return Poll::Ready(Err(e));
                }
            }
        }
    }

    fn poll_record(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Record>>> {
        if self.out_of_scope() {
            self.buffer.clear();
            if self.error_given {
                return Poll::Ready(None);
            }
            self.error_given = true;
            return Poll::Ready(Some(Err(self.scope_error())));
        }
        if let Some(r) = self.buffer.pop_front() {
            return Poll::Ready(Some(Ok(r)));
        }
        if let Err(e) = ready!(self.poll_fill(cx)) {
            return Poll::Ready(Some(Err(e)));
        }
        Poll::Ready(self.buffer.pop_front().map(Ok))
    }

    /// A record already in the buffer, without waiting (the blocking API's
    /// fast path).
    pub(crate) fn next_buffered(&mut self) -> Option<Record> {
        if self.out_of_scope() {
            return None;
        }
        self.buffer.pop_front()
    }

    /// The next record, pulling the next batch when the buffer is empty;
    /// `None` at the end.
    ///
    /// Cancelling it (dropping the future midway through a batch) keeps the
    /// records already received, but the transaction can't go on: its next
    /// request fails with [`ErrorKind::Closed`].
    #[allow(clippy::should_implement_trait)] // Stream's next comes with StreamExt
    pub async fn next(&mut self) -> Option<Result<Record>> {
        if self.out_of_scope() {
            self.buffer.clear();
            if self.error_given {
                return None;
            }
            self.error_given = true;
            return Some(Err(self.scope_error()));
        }
        if let Some(r) = self.buffer.pop_front() {
            return Some(Ok(r));
        }
        if let Err(e) = self.fill_batch().await {
            return Some(Err(e));
        }
        self.buffer.pop_front().map(Ok)
    }

    /// Fills the buffer with the next batch (if it is empty and more may
    /// come), locking the connection state only for this call.
    async fn fill_batch(&mut self) -> Result<()> {
        if self.fetching.is_some() {
            // A batch the Stream API started: finish it.
            return std::future::poll_fn(|cx| self.poll_fill(cx)).await;
        }
        while self.buffer.is_empty() && matches!(self.end, End::Streaming) {
            let res = self
                .shared
                .lock()
                .await
                .fetch(self.id, self.fetch_n, &mut self.buffer)
                .await;
            match res {
                Ok(Some(summary)) => self.end = End::Done(Box::new(summary)),
                Ok(None) => {}
                Err(e) if e.kind() == ErrorKind::ResultConsumed => {
                    // The session consumed it: keep the summary for consume().
                    let summary = self.shared.lock().await.discard(self.id).await;
                    self.end = match summary {
                        Ok(s) => End::Done(Box::new(s)),
                        Err(_) => End::Failed,
                    };
                    self.consumed = true;
                    self.error_given = true;
                    return Err(e);
                }
                Err(e) => {
                    self.end = End::Failed;
                    self.error_given = true;
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    async fn fill(&mut self) -> Result<()> {
        if self.out_of_scope() {
            return Err(self.scope_error());
        }
        self.fill_batch().await
    }

    /// The next record without taking it (`None` at the end).
    ///
    /// ```no_run
    /// # async fn demo(mut result: quiver::QueryResult) -> quiver::Result<()> {
    /// if let Some(first) = result.peek().await? {
    ///     println!("first: {first:?}");
    /// }
    /// let same = result.next().await; // the record peeked at
    /// # let _ = same; Ok(()) }
    /// ```
    pub async fn peek(&mut self) -> Result<Option<&Record>> {
        self.fill().await?;
        Ok(self.buffer.front())
    }

    /// The one record of the result; [`ErrorKind::ResultNotSingle`] when
    /// there are none or more than one. The result is used up either way.
    ///
    /// ```no_run
    /// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
    /// let n: i64 = session.run("MATCH (n) RETURN count(n) AS n").await?.single().await?.get("n")?;
    /// # let _ = n; Ok(()) }
    /// ```
    pub async fn single(&mut self) -> Result<Record> {
        let Some(first) = self.next().await.transpose()? else {
            return Err(Error::new(
                ErrorKind::ResultNotSingle,
                "expected exactly one record, got none",
            ));
        };
        if self.next().await.transpose()?.is_some() {
            let _ = self.consume().await;
            return Err(Error::new(
                ErrorKind::ResultNotSingle,
                "expected exactly one record, got more than one",
            ));
        }
        Ok(first)
    }

    /// The one record of the result, leniently: `None` when there is none,
    /// the first one with a warning when there are several. Every record is
    /// read either way (a second call gives `None`, without a warning), so
    /// this cannot stand in for [`next`](Self::next).
    ///
    /// ```no_run
    /// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
    /// let found = session
    ///     .run("MATCH (p:Person {name: 'Alice'}) RETURN p")
    ///     .await?
    ///     .single_optional()
    ///     .await?;
    /// for warning in &found.warnings {
    ///     eprintln!("{warning}");
    /// }
    /// if let Some(record) = found.record {
    ///     println!("{record:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn single_optional(&mut self) -> Result<OptionalRecord> {
        let first = self.next().await.transpose()?;
        let mut warnings = Vec::new();
        if first.is_some() && self.next().await.transpose()?.is_some() {
            // Drained rather than consumed: the result stays readable (and
            // empty), as a later `single_optional` or `next` expects.
            while let Some(rest) = self.next().await {
                rest?;
            }
            warnings.push(
                "expected a result with a single record, but found multiple; \
                 the first one was kept and the rest discarded"
                    .to_owned(),
            );
        }
        Ok(OptionalRecord {
            record: first,
            warnings,
        })
    }

    /// Up to `n` records (fewer at the end).
    pub async fn fetch(&mut self, n: usize) -> Result<Vec<Record>> {
        let mut out = Vec::with_capacity(n.min(self.buffer.len().max(16)));
        while out.len() < n {
            match self.next().await {
                Some(r) => out.push(r?),
                None => break,
            }
        }
        Ok(out)
    }

    /// Every remaining record. What the server still holds comes with one
    /// `PULL` for all of it, not in batches of the fetch size.
    pub async fn list(&mut self) -> Result<Vec<Record>> {
        self.fetch_n = -1;
        let mut out = Vec::with_capacity(self.buffer.len());
        while let Some(r) = self.next().await {
            out.push(r?);
        }
        Ok(out)
    }

    /// Every remaining record, each converted into `T` with
    /// [`Record::to`] (struct fields named like the keys).
    ///
    /// ```no_run
    /// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
    /// #[derive(serde::Deserialize)]
    /// struct Person { name: String, age: i64 }
    /// let people: Vec<Person> = session
    ///     .run("MATCH (p:Person) RETURN p.name AS name, p.age AS age").await?
    ///     .collect_as().await?;
    /// # let _ = people; Ok(()) }
    /// ```
    pub async fn collect_as<T: DeserializeOwned>(&mut self) -> Result<Vec<T>> {
        let mut out = Vec::new();
        while let Some(r) = self.next().await {
            out.push(r?.to()?);
        }
        Ok(out)
    }

    /// The first column of every remaining record (the manual's
    /// `result.value()`); see [`column`](Self::column) for another one.
    ///
    /// ```no_run
    /// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
    /// let names: Vec<String> = session
    ///     .run("MATCH (p:Person) RETURN p.name ORDER BY p.name")
    ///     .await?
    ///     .value()
    ///     .await?;
    /// # let _ = names; Ok(()) }
    /// ```
    pub async fn value<T: DeserializeOwned>(&mut self) -> Result<Vec<T>> {
        let mut out = Vec::new();
        while let Some(r) = self.next().await {
            out.push(r?.get_at(0)?);
        }
        Ok(out)
    }

    /// The column `key` of every remaining record (the manual's
    /// `result.value(key)`).
    ///
    /// ```no_run
    /// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
    /// let ages: Vec<Option<i64>> = session
    ///     .run("MATCH (p:Person) RETURN p.name AS name, p.age AS age")
    ///     .await?
    ///     .column("age")
    ///     .await?;
    /// # let _ = ages; Ok(()) }
    /// ```
    pub async fn column<T: DeserializeOwned>(&mut self, key: &str) -> Result<Vec<T>> {
        let mut out = Vec::new();
        while let Some(r) = self.next().await {
            out.push(r?.get(key)?);
        }
        Ok(out)
    }

    /// The values of every remaining record, in column order (the manual's
    /// `result.values()`).
    pub async fn values(&mut self) -> Result<Vec<Vec<Value>>> {
        let mut out = Vec::new();
        while let Some(r) = self.next().await {
            out.push(r?.values()?);
        }
        Ok(out)
    }

    /// Every remaining record as a map from key to value (the manual's
    /// `result.data()`).
    ///
    /// ```no_run
    /// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
    /// let rows = session.run("MATCH (p:Person) RETURN p.name AS name").await?.data().await?;
    /// for row in rows {
    ///     println!("{}", row["name"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn data(&mut self) -> Result<Vec<Map>> {
        let mut out = Vec::new();
        while let Some(r) = self.next().await {
            out.push(r?.data()?);
        }
        Ok(out)
    }

    /// Drops the remaining records (a DISCARD when they still wait on the
    /// server) and returns the summary. Calling it again returns the same
    /// summary; reading records afterwards fails with
    /// [`ErrorKind::ResultConsumed`] (or [`ErrorKind::ResultOutOfScope`]
    /// once its transaction ended).
    pub async fn consume(&mut self) -> Result<ResultSummary> {
        self.buffer.clear();
        if let End::Done(s) = &self.end {
            self.consumed = true;
            return s.build();
        }
        if matches!(self.end, End::Failed) {
            return Err(consumed_error());
        }
        if self.out_of_scope() {
            return Err(self.scope_error());
        }
        // A batch being fetched through the Stream API finishes first.
        if self.fetching.is_some() {
            let _ = self.fill_batch().await;
            self.buffer.clear();
            if let End::Done(s) = &self.end {
                self.consumed = true;
                return s.build();
            }
        }
        let res = self.shared.lock().await.discard(self.id).await;
        self.consumed = true;
        match res {
            Ok(summary) => {
                let built = summary.build();
                self.end = End::Done(Box::new(summary));
                built
            }
            Err(e) => {
                self.end = End::Failed;
                Err(e)
            }
        }
    }

    /// The remaining records, the keys and the summary, in memory.
    pub async fn to_eager_result(&mut self) -> Result<EagerResult> {
        let records = self.list().await?;
        let summary = self.consume().await?;
        Ok(EagerResult::new(Arc::clone(&self.keys), records, summary))
    }

    /// The nodes, relationships and paths in the remaining records (which
    /// are used up).
    pub async fn graph(&mut self) -> Result<Graph> {
        let mut graph = Graph::new();
        while let Some(r) = self.next().await {
            graph.add_record(&r?)?;
        }
        Ok(graph)
    }
}

impl Stream for QueryResult {
    type Item = Result<Record>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_record(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.buffer.len(), None)
    }
}
