//! Bookmarks and bookmark managers: causal consistency between transactions.

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::error::Result;

pub use quiver_pool::BoxFuture;

/// A set of bookmarks: opaque strings naming points in a database's history.
///
/// A transaction started with bookmarks sees every change that led to them.
/// Sessions chain their own transactions automatically; pass bookmarks (or
/// share a [`BookmarkManager`]) to chain work across sessions.
///
/// Bookmarks serialize as a list of strings, so they can travel between
/// processes.
///
/// ```
/// use quiver::Bookmarks;
///
/// let a = Bookmarks::from_raw_values(["bm:1"]);
/// let b = Bookmarks::from_raw_values(["bm:2", "bm:1"]);
/// let all = a + b;
/// assert_eq!(all.len(), 2);
/// assert_eq!(all.iter().collect::<Vec<_>>(), ["bm:1", "bm:2"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Bookmarks(BTreeSet<String>);

impl Bookmarks {
    /// No bookmarks.
    pub fn new() -> Self {
        Bookmarks::default()
    }

    /// Bookmarks from their raw string values (as received from the server
    /// or from [`Bookmarks::raw_values`]). Empty strings are ignored.
    pub fn from_raw_values<I, S>(values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Bookmarks(
            values
                .into_iter()
                .map(Into::into)
                .filter(|s| !s.is_empty())
                .collect(),
        )
    }

    /// The raw string values, sorted.
    pub fn raw_values(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.0.iter().map(String::as_str)
    }

    /// Iterates the raw string values, sorted (same as
    /// [`raw_values`](Bookmarks::raw_values)).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.raw_values()
    }

    /// The number of bookmarks.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the set holds this bookmark.
    pub fn contains(&self, bookmark: &str) -> bool {
        self.0.contains(bookmark)
    }

    /// Adds all bookmarks of `other`.
    pub fn merge(&mut self, other: &Bookmarks) {
        self.0.extend(other.0.iter().cloned());
    }

    /// Removes every bookmark of `other`.
    pub fn remove_all(&mut self, other: &Bookmarks) {
        self.0.retain(|b| !other.0.contains(b));
    }
}

impl std::ops::Add for Bookmarks {
    type Output = Bookmarks;

    fn add(mut self, rhs: Bookmarks) -> Bookmarks {
        self.0.extend(rhs.0);
        self
    }
}

impl std::ops::AddAssign<&Bookmarks> for Bookmarks {
    fn add_assign(&mut self, rhs: &Bookmarks) {
        self.merge(rhs);
    }
}

impl<S: Into<String>> FromIterator<S> for Bookmarks {
    fn from_iter<T: IntoIterator<Item = S>>(iter: T) -> Self {
        Bookmarks::from_raw_values(iter)
    }
}

impl<S: Into<String>> Extend<S> for Bookmarks {
    fn extend<T: IntoIterator<Item = S>>(&mut self, iter: T) {
        self.0
            .extend(iter.into_iter().map(Into::into).filter(|s| !s.is_empty()));
    }
}

impl IntoIterator for Bookmarks {
    type Item = String;
    type IntoIter = std::collections::btree_set::IntoIter<String>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Keeps bookmarks for sessions that share it, so that all their work is
/// causally chained: each transaction sees what every earlier one wrote.
///
/// A session with a manager asks [`get_bookmarks`](Self::get_bookmarks)
/// before each transaction (on a routing driver twice: for the routing
/// table the connection may need, then for the transaction itself) and
/// calls [`update_bookmarks`](Self::update_bookmarks) after each commit. Sharing a
/// manager costs some performance, since every read waits for the latest
/// writes to reach its server.
///
/// [`DefaultBookmarkManager`] is the ready-made implementation. Implement this
/// trait to keep bookmarks elsewhere (in a shared cache, for instance).
pub trait BookmarkManager: Send + Sync {
    /// The bookmarks a new transaction must wait for.
    fn get_bookmarks(&self) -> BoxFuture<'_, Result<Bookmarks>>;

    /// Called after a transaction committed: `previous` are the bookmarks it
    /// started with, `new` the ones the server returned.
    fn update_bookmarks<'a>(
        &'a self,
        previous: &'a Bookmarks,
        new: &'a Bookmarks,
    ) -> BoxFuture<'a, Result<()>>;
}

/// A function supplying extra bookmarks to [`bookmark_manager`].
pub type BookmarksSupplier = Box<dyn Fn() -> Bookmarks + Send + Sync>;
/// A function told the new bookmarks by [`bookmark_manager`].
pub type BookmarksConsumer = Box<dyn Fn(&Bookmarks) + Send + Sync>;

/// Supplier and consumer as the manager keeps them: asynchronous, and able
/// to fail (a synchronous one is wrapped in a ready future).
type Supplier = Arc<dyn Fn() -> BoxFuture<'static, Result<Bookmarks>> + Send + Sync>;
type Consumer = Arc<dyn Fn(Bookmarks) -> BoxFuture<'static, Result<()>> + Send + Sync>;

fn sync_supplier(f: impl Fn() -> Bookmarks + Send + Sync + 'static) -> Supplier {
    Arc::new(move || Box::pin(std::future::ready(Ok(f()))))
}

fn sync_consumer(f: impl Fn(&Bookmarks) + Send + Sync + 'static) -> Consumer {
    Arc::new(move |b: Bookmarks| {
        f(&b);
        Box::pin(std::future::ready(Ok(())))
    })
}

/// The driver's bookmark manager: keeps a set of bookmarks in memory.
///
/// On an update it drops the bookmarks a transaction started from and adds
/// the ones the transaction ended with. An optional *supplier* adds bookmarks
/// from elsewhere to every [`get_bookmarks`](BookmarkManager::get_bookmarks)
/// (they are not stored); an optional *consumer* is told the new set after
/// each update.
///
/// ```
/// use std::sync::Arc;
/// use quiver::{Bookmarks, BookmarkManager, DefaultBookmarkManager};
///
/// # async fn demo() -> quiver::Result<()> {
/// let manager = Arc::new(
///     DefaultBookmarkManager::builder()
///         .initial_bookmarks(Bookmarks::from_raw_values(["bm:1"]))
///         .consumer(|new| println!("now at {new:?}"))
///         .build(),
/// );
/// manager
///     .update_bookmarks(
///         &Bookmarks::from_raw_values(["bm:1"]),
///         &Bookmarks::from_raw_values(["bm:2"]),
///     )
///     .await?;
/// assert_eq!(manager.get_bookmarks().await?, Bookmarks::from_raw_values(["bm:2"]));
/// # Ok(()) }
/// ```
pub struct DefaultBookmarkManager {
    bookmarks: Mutex<Bookmarks>,
    supplier: Option<Supplier>,
    consumer: Option<Consumer>,
}

impl DefaultBookmarkManager {
    /// An empty manager with no supplier and no consumer.
    pub fn new() -> Self {
        DefaultBookmarkManager::builder().build()
    }

    /// A builder to set initial bookmarks, a supplier and a consumer.
    pub fn builder() -> DefaultBookmarkManagerBuilder {
        DefaultBookmarkManagerBuilder {
            initial: Bookmarks::new(),
            supplier: None,
            consumer: None,
        }
    }

    /// The bookmarks held (without the supplier's).
    pub fn current(&self) -> Bookmarks {
        self.bookmarks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Default for DefaultBookmarkManager {
    fn default() -> Self {
        DefaultBookmarkManager::new()
    }
}

impl fmt::Debug for DefaultBookmarkManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultBookmarkManager")
            .field("bookmarks", &self.current())
            .field("supplier", &self.supplier.is_some())
            .field("consumer", &self.consumer.is_some())
            .finish()
    }
}

impl BookmarkManager for DefaultBookmarkManager {
    fn get_bookmarks(&self) -> BoxFuture<'_, Result<Bookmarks>> {
        let mut bookmarks = self.current();
        let supplied = self.supplier.as_ref().map(|supplier| supplier());
        Box::pin(async move {
            if let Some(supplied) = supplied {
                bookmarks.merge(&supplied.await?);
            }
            Ok(bookmarks)
        })
    }

    fn update_bookmarks<'a>(
        &'a self,
        previous: &'a Bookmarks,
        new: &'a Bookmarks,
    ) -> BoxFuture<'a, Result<()>> {
        if new.is_empty() {
            return Box::pin(std::future::ready(Ok(())));
        }
        let updated = {
            let mut held = self
                .bookmarks
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            held.remove_all(previous);
            held.merge(new);
            held.clone()
        };
        // Called without the lock held: the consumer may call back into the
        // manager.
        match &self.consumer {
            Some(consumer) => consumer(updated),
            None => Box::pin(std::future::ready(Ok(()))),
        }
    }
}

/// Builds a [`DefaultBookmarkManager`].
#[must_use]
pub struct DefaultBookmarkManagerBuilder {
    initial: Bookmarks,
    supplier: Option<Supplier>,
    consumer: Option<Consumer>,
}

impl DefaultBookmarkManagerBuilder {
    /// The bookmarks the manager starts with.
    pub fn initial_bookmarks(mut self, bookmarks: Bookmarks) -> Self {
        self.initial = bookmarks;
        self
    }

    /// A function whose bookmarks are added to every `get_bookmarks` (not
    /// stored by the manager).
    pub fn supplier(mut self, supplier: impl Fn() -> Bookmarks + Send + Sync + 'static) -> Self {
        self.supplier = Some(sync_supplier(supplier));
        self
    }

    /// An asynchronous supplier (replaces [`supplier`](Self::supplier)):
    /// its bookmarks are added to every `get_bookmarks`; its error fails
    /// `get_bookmarks`, and so the transaction about to begin.
    ///
    /// ```
    /// use quiver::{Bookmarks, DefaultBookmarkManager};
    ///
    /// let manager = DefaultBookmarkManager::builder()
    ///     .supplier_async(|| async { Ok(Bookmarks::from_raw_values(["bm:remote"])) })
    ///     .build();
    /// # let _ = manager;
    /// ```
    pub fn supplier_async<F, Fut>(mut self, supplier: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Bookmarks>> + Send + 'static,
    {
        self.supplier = Some(Arc::new(move || {
            Box::pin(supplier()) as BoxFuture<'static, Result<Bookmarks>>
        }));
        self
    }

    /// A function told the manager's new bookmarks after every update.
    pub fn consumer(mut self, consumer: impl Fn(&Bookmarks) + Send + Sync + 'static) -> Self {
        self.consumer = Some(sync_consumer(consumer));
        self
    }

    /// An asynchronous consumer (replaces [`consumer`](Self::consumer)),
    /// given the manager's new bookmarks after every update; its error fails
    /// the update (the bookmarks are stored anyway).
    ///
    /// ```
    /// use quiver::DefaultBookmarkManager;
    ///
    /// let manager = DefaultBookmarkManager::builder()
    ///     .consumer_async(|new| async move {
    ///         println!("now at {new:?}");
    ///         Ok(())
    ///     })
    ///     .build();
    /// # let _ = manager;
    /// ```
    pub fn consumer_async<F, Fut>(mut self, consumer: F) -> Self
    where
        F: Fn(Bookmarks) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        self.consumer = Some(Arc::new(move |b: Bookmarks| {
            Box::pin(consumer(b)) as BoxFuture<'static, Result<()>>
        }));
        self
    }

    /// The manager.
    pub fn build(self) -> DefaultBookmarkManager {
        DefaultBookmarkManager {
            bookmarks: Mutex::new(self.initial),
            supplier: self.supplier,
            consumer: self.consumer,
        }
    }
}

impl fmt::Debug for DefaultBookmarkManagerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultBookmarkManagerBuilder")
            .field("initial", &self.initial)
            .finish_non_exhaustive()
    }
}

/// A shared [`DefaultBookmarkManager`] built from optional initial
/// bookmarks, supplier and consumer, like the official drivers'
/// `bookmark_manager(initial_bookmarks, bookmarks_supplier, bookmarks_consumer)`.
///
/// ```
/// let manager = quiver::bookmark_manager(quiver::Bookmarks::new(), None, None);
/// # let _ = manager;
/// ```
pub fn bookmark_manager(
    initial: Bookmarks,
    supplier: Option<BookmarksSupplier>,
    consumer: Option<BookmarksConsumer>,
) -> Arc<dyn BookmarkManager> {
    Arc::new(DefaultBookmarkManager {
        bookmarks: Mutex::new(initial),
        supplier: supplier.map(sync_supplier),
        consumer: consumer.map(|f| sync_consumer(move |b: &Bookmarks| f(b))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Context, Poll, Waker};

    /// Polls a future that is ready at once (the default manager's are).
    fn now<T>(fut: BoxFuture<'_, T>) -> T {
        let mut fut = fut;
        let mut cx = Context::from_waker(Waker::noop());
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("future not ready"),
        }
    }

    fn bm(values: &[&str]) -> Bookmarks {
        Bookmarks::from_raw_values(values.iter().copied())
    }

    #[test]
    fn bookmarks_set_operations() {
        let mut a = bm(&["a", "b", ""]);
        assert_eq!(a.len(), 2);
        assert!(a.contains("a"));
        a.merge(&bm(&["c"]));
        a.remove_all(&bm(&["a", "zz"]));
        assert_eq!(a.raw_values().collect::<Vec<_>>(), ["b", "c"]);
        a += &bm(&["d"]);
        a.extend(["e", ""]);
        assert_eq!(a.len(), 4);
        let collected: Bookmarks = vec!["x".to_owned()].into_iter().collect();
        assert_eq!(collected, bm(&["x"]));
        assert!(Bookmarks::new().is_empty());
    }

    #[test]
    fn bookmarks_serialize_as_a_list() {
        let b = bm(&["b", "a"]);
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(json, r#"["a","b"]"#);
        let back: Bookmarks = serde_json::from_str(&json).unwrap();
        assert_eq!(back, b);
    }

    #[test]
    fn default_manager_replaces_previous_with_new() {
        let m = DefaultBookmarkManager::builder()
            .initial_bookmarks(bm(&["a", "b"]))
            .build();
        now(m.update_bookmarks(&bm(&["a"]), &bm(&["c"]))).unwrap();
        assert_eq!(now(m.get_bookmarks()).unwrap(), bm(&["b", "c"]));
        // Empty new bookmarks (a read that produced none) change nothing.
        now(m.update_bookmarks(&bm(&["b", "c"]), &Bookmarks::new())).unwrap();
        assert_eq!(m.current(), bm(&["b", "c"]));
    }

    #[test]
    fn supplier_adds_without_storing_and_consumer_sees_updates() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let seen2 = Arc::clone(&seen);
        let calls = Arc::new(AtomicUsize::new(0));
        let calls2 = Arc::clone(&calls);
        let m = DefaultBookmarkManager::builder()
            .initial_bookmarks(bm(&["a"]))
            .supplier(move || {
                calls2.fetch_add(1, Ordering::SeqCst);
                bm(&["ext"])
            })
            .consumer(move |b| seen2.lock().unwrap().push(b.clone()))
            .build();
        assert_eq!(now(m.get_bookmarks()).unwrap(), bm(&["a", "ext"]));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(m.current(), bm(&["a"]));
        now(m.update_bookmarks(&bm(&["a", "ext"]), &bm(&["z"]))).unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![bm(&["z"])]);
        now(m.update_bookmarks(&bm(&["z"]), &Bookmarks::new())).unwrap();
        assert_eq!(
            seen.lock().unwrap().len(),
            1,
            "no consumer call without new bookmarks"
        );
    }

    #[tokio::test]
    async fn async_supplier_and_consumer() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let seen2 = Arc::clone(&seen);
        let m = DefaultBookmarkManager::builder()
            .initial_bookmarks(bm(&["a"]))
            .supplier_async(|| async {
                tokio::task::yield_now().await;
                Ok(bm(&["ext"]))
            })
            .consumer_async(move |b| {
                let seen = Arc::clone(&seen2);
                async move {
                    tokio::task::yield_now().await;
                    seen.lock().unwrap().push(b);
                    Ok(())
                }
            })
            .build();
        assert_eq!(m.get_bookmarks().await.unwrap(), bm(&["a", "ext"]));
        m.update_bookmarks(&bm(&["a"]), &bm(&["b"])).await.unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![bm(&["b"])]);
        let failing = DefaultBookmarkManager::builder()
            .supplier_async(|| async { Err(crate::Error::configuration("gone")) })
            .build();
        assert!(failing.get_bookmarks().await.is_err());
    }

    #[test]
    fn free_function_builds_a_shared_manager() {
        let m = bookmark_manager(bm(&["i"]), Some(Box::new(|| bm(&["s"]))), None);
        assert_eq!(now(m.get_bookmarks()).unwrap(), bm(&["i", "s"]));
    }
}
