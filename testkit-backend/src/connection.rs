//! One TestKit connection: reads request blocks, runs a handler task per request, writes
//! responses, and routes callback answers to the handler waiting for them.
//!
//! Every handler runs as its own task on a per-connection [`LocalSet`], so
//! * a panic in a handler (or in driver code it calls) becomes a `BackendError` response and
//!   the connection goes on;
//! * a handler can wait for a callback answer while the loop keeps reading requests;
//! * a handler may outlive its request (a managed transaction function waits for
//!   `RetryablePositive` while TestKit sends `TransactionRun`s) and answer a later request.
//!
//! When the connection ends, the `LocalSet` is dropped and with it every task still running.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};
use tokio::task::{JoinError, JoinSet, LocalSet};

use crate::callbacks::CallbackAnswer;
use crate::clock::BackendClock;
use crate::error::{Error, Result};
use crate::framing::{write_block, Block, BlockReader};
use crate::ids::{Id, IdGenerator};
use crate::requests::{parse_request, Request};
use crate::responses::Response;
use crate::state::State;

/// What a handler produced.
#[derive(Debug)]
pub enum Reply {
    /// Send this response.
    Respond(Response),
    /// Send nothing for this request: another, still running handler answers it (e.g. the
    /// managed transaction handler answers `RetryablePositive` with `RetryableDone`).
    AnsweredElsewhere,
}

impl From<Response> for Reply {
    fn from(response: Response) -> Self {
        Reply::Respond(response)
    }
}

/// A boxed handler future.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Reply>>>>;

/// The function that serves one request; [`crate::handlers::dispatch`] in production, anything
/// in tests.
pub type Dispatch = fn(Ctx, Request) -> HandlerFuture;

type Writer = Box<dyn AsyncWrite + Unpin + Send>;

struct Shared {
    ids: IdGenerator,
    clock: BackendClock,
    state: Mutex<State>,
    writer: tokio::sync::Mutex<Writer>,
    pending: Mutex<HashMap<Id, oneshot::Sender<CallbackAnswer>>>,
}

/// A handler's view of its connection: object state, ids, and the way to send callback
/// requests. Cheap to clone.
#[derive(Clone)]
pub struct Ctx {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx").finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking handler must not poison the connection for the others.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Ctx {
    fn new(writer: Writer) -> Self {
        Self {
            shared: Arc::new(Shared {
                ids: IdGenerator::new(),
                clock: BackendClock::default(),
                state: Mutex::new(State::default()),
                writer: tokio::sync::Mutex::new(writer),
                pending: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// A fresh object id.
    pub fn next_id(&self) -> Id {
        self.shared.ids.next_id()
    }

    /// The connection's clock (fake between `FakeTimeInstall` and `FakeTimeUninstall`); give
    /// it to every driver created on the connection.
    pub fn clock(&self) -> &BackendClock {
        &self.shared.clock
    }

    /// A handle that does not keep the connection alive, for adapters stored inside driver
    /// objects (which live in the connection's state: a strong handle would be a cycle).
    pub fn downgrade(&self) -> WeakCtx {
        WeakCtx {
            shared: Arc::downgrade(&self.shared),
        }
    }

    /// The connection's objects. Do not hold the guard across an `.await`.
    pub fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.shared.state)
    }

    /// Sends one message block to TestKit now (a callback request or an intermediate response
    /// such as `RetryableTry`).
    pub async fn send(&self, response: &Response) -> Result<()> {
        let json = serde_json::to_string(response)
            .map_err(|e| Error::Backend(format!("cannot encode response: {e}")))?;
        let mut writer = self.shared.writer.lock().await;
        write_block(&mut *writer, &json).await?;
        Ok(())
    }

    /// Sends the callback request `make(id)` under a fresh id and waits for TestKit's
    /// `...Completed` answer with that id. Returns the id and the answer.
    pub async fn callback(
        &self,
        make: impl FnOnce(Id) -> Response,
    ) -> Result<(Id, CallbackAnswer)> {
        let id = self.next_id();
        let (tx, rx) = oneshot::channel();
        lock(&self.shared.pending).insert(id, tx);
        if let Err(e) = self.send(&make(id)).await {
            lock(&self.shared.pending).remove(&id);
            return Err(e);
        }
        let answer = rx.await.map_err(|_| Error::ConnectionClosed)?;
        Ok((id, answer))
    }

    /// Hands a callback answer to the handler waiting for it.
    fn complete(&self, answer: CallbackAnswer) -> Result<()> {
        let request_id = answer.request_id();
        let waiting = lock(&self.shared.pending).remove(&request_id);
        match waiting {
            Some(tx) => tx
                .send(answer)
                .map_err(|answer| Error::UnexpectedCallbackAnswer {
                    name: answer.name(),
                    request_id,
                }),
            None => Err(Error::UnexpectedCallbackAnswer {
                name: answer.name(),
                request_id,
            }),
        }
    }
}

/// A [`Ctx`] that does not keep its connection alive.
#[derive(Clone)]
pub struct WeakCtx {
    shared: std::sync::Weak<Shared>,
}

impl std::fmt::Debug for WeakCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeakCtx").finish_non_exhaustive()
    }
}

impl WeakCtx {
    /// The connection, while it is still served.
    pub fn upgrade(&self) -> Result<Ctx> {
        self.shared
            .upgrade()
            .map(|shared| Ctx { shared })
            .ok_or(Error::ConnectionClosed)
    }
}

/// Serves one TestKit connection until TestKit closes it, with the production handlers.
pub async fn serve_connection<S>(stream: S) -> Result<()>
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    serve_connection_with(stream, crate::handlers::dispatch).await
}

/// Serves one TestKit connection with `dispatch` serving each request.
pub async fn serve_connection_with<S>(stream: S, dispatch: Dispatch) -> Result<()>
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let local = LocalSet::new();
    local.run_until(run_connection(stream, dispatch)).await
}

async fn run_connection<S>(stream: S, dispatch: Dispatch) -> Result<()>
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (read_half, write_half) = tokio::io::split(stream);
    let ctx = Ctx::new(Box::new(write_half));

    // Reading runs in its own task so that waiting for a block is cancel-safe in `select!`.
    let (block_tx, mut block_rx) = mpsc::channel::<std::io::Result<Block>>(1);
    tokio::task::spawn_local(async move {
        let mut reader = BlockReader::new(BufReader::new(read_half));
        loop {
            let next = reader.next_block().await;
            let item = match next {
                Ok(Some(block)) => Ok(block),
                Ok(None) => break,
                Err(e) => Err(e),
            };
            let failed = item.is_err();
            if block_tx.send(item).await.is_err() || failed {
                break;
            }
        }
    });

    let mut tasks: JoinSet<Option<Response>> = JoinSet::new();
    let mut task_names: HashMap<tokio::task::Id, &'static str> = HashMap::new();
    let outcome = loop {
        tokio::select! {
            block = block_rx.recv() => match block {
                None => break Ok(()),
                Some(Err(e)) => break Err(Error::Io(e)),
                Some(Ok(block)) => {
                    if let Some(response) = on_block(&ctx, block, dispatch, &mut tasks, &mut task_names) {
                        if let Err(e) = ctx.send(&response).await {
                            break Err(e);
                        }
                    }
                }
            },
            Some(joined) = tasks.join_next_with_id() => {
                let response = match joined {
                    Ok((id, response)) => {
                        task_names.remove(&id);
                        response
                    }
                    Err(e) => {
                        let name = task_names.remove(&e.id()).unwrap_or("request");
                        panic_response(name, e)
                    }
                };
                if let Some(response) = response {
                    if let Err(e) = ctx.send(&response).await {
                        break Err(e);
                    }
                }
            }
        }
    };
    tasks.abort_all();
    // Handlers still waiting for a callback answer learn that none will come.
    lock(&ctx.shared.pending).clear();
    // Drop every object of the test (drivers close, adapters release the connection).
    let objects = std::mem::take(&mut *ctx.state());
    drop(objects);
    // Best effort: the peer may already be gone.
    let _ = ctx.shared.writer.lock().await.shutdown().await;
    outcome
}

/// Handles one block; returns a response to send right away, if any.
fn on_block(
    ctx: &Ctx,
    block: Block,
    dispatch: Dispatch,
    tasks: &mut JoinSet<Option<Response>>,
    task_names: &mut HashMap<tokio::task::Id, &'static str>,
) -> Option<Response> {
    let text = match block {
        Block::Request(text) => text,
        Block::Broken(why) => {
            return Some(Response::BackendError {
                msg: format!("broken request framing: {why}"),
            })
        }
    };
    let request = match parse_request(&text) {
        Ok(request) => request,
        Err(e) => return Some(e.into_response()),
    };
    let request = match CallbackAnswer::from_request(request) {
        Ok(answer) => return ctx.complete(answer).err().map(Error::into_response),
        Err(request) => *request,
    };
    let name = request.name();
    let handler_ctx = ctx.clone();
    let handle = tasks.spawn_local(async move {
        match dispatch(handler_ctx, request).await {
            Ok(Reply::Respond(response)) => Some(response),
            Ok(Reply::AnsweredElsewhere) => None,
            Err(e) => Some(e.into_response()),
        }
    });
    task_names.insert(handle.id(), name);
    None
}

fn panic_response(request: &'static str, e: JoinError) -> Option<Response> {
    if !e.is_panic() {
        return None; // cancelled: only at shutdown
    }
    let payload = e.into_panic();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(non-string panic payload)".to_owned());
    Some(Error::Panicked { request, message }.into_response())
}

/// Test helpers for other modules.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// A handle to a connection that is already gone.
    pub(crate) fn dangling_ctx() -> WeakCtx {
        test_ctx().downgrade()
    }

    /// A connection context whose output goes nowhere.
    pub(crate) fn test_ctx() -> Ctx {
        Ctx::new(Box::new(tokio::io::sink()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::AuthorizationToken;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, DuplexStream};

    /// A dispatcher exercising the plumbing: `GetFeatures` asks TestKit's resolver and answers
    /// with the addresses as features; `StartTest` panics; everything else is a backend error.
    fn test_dispatch(ctx: Ctx, request: Request) -> HandlerFuture {
        Box::pin(async move {
            match request {
                Request::GetFeatures(_) => {
                    let addresses = crate::callbacks::resolve_address(&ctx, "a:1").await?;
                    Ok(Response::FeatureList {
                        features: addresses,
                    }
                    .into())
                }
                Request::NewAuthTokenManager(_) => {
                    let token: AuthorizationToken =
                        crate::callbacks::get_auth(&ctx, Id::from(42)).await?;
                    Ok(Response::FeatureList {
                        features: vec![token.data().scheme.clone()],
                    }
                    .into())
                }
                Request::StartTest(_) => panic!("handler exploded"),
                other => Err(Error::NotSupportedYet(other.name())),
            }
        })
    }

    struct Peer {
        lines: tokio::io::Lines<BufReader<tokio::io::ReadHalf<DuplexStream>>>,
        write: tokio::io::WriteHalf<DuplexStream>,
    }

    impl Peer {
        async fn send(&mut self, json: serde_json::Value) {
            let text = format!("#request begin\n{json}\n#request end\n");
            self.write.write_all(text.as_bytes()).await.unwrap();
        }

        async fn recv(&mut self) -> serde_json::Value {
            let mut body = String::new();
            let mut inside = false;
            while let Some(line) = self.lines.next_line().await.unwrap() {
                match line.as_str() {
                    "#response begin" => inside = true,
                    "#response end" => return serde_json::from_str(&body).unwrap(),
                    _ if inside => body.push_str(&line),
                    _ => {}
                }
            }
            panic!("connection closed");
        }
    }

    /// Runs `scenario` as TestKit against a backend connection with `test_dispatch`; the
    /// connection must end cleanly once the scenario drops its end.
    async fn scenario<F, Fut>(scenario: F)
    where
        F: FnOnce(Peer) -> Fut,
        Fut: Future<Output = ()>,
    {
        let (ours, theirs) = tokio::io::duplex(1 << 16);
        let (read, write) = tokio::io::split(ours);
        let peer = Peer {
            lines: BufReader::new(read).lines(),
            write,
        };
        let (served, ()) =
            tokio::join!(serve_connection_with(theirs, test_dispatch), scenario(peer));
        served.unwrap();
    }

    #[tokio::test]
    async fn callback_round_trip() {
        scenario(|mut peer| async move {
            peer.send(serde_json::json!({"name": "GetFeatures", "data": {}}))
                .await;
            let cb = peer.recv().await;
            assert_eq!(cb["name"], "ResolverResolutionRequired");
            assert_eq!(cb["data"]["address"], "a:1");
            let id = cb["data"]["id"].clone();
            peer.send(serde_json::json!({"name": "ResolverResolutionCompleted",
            "data": {"requestId": id, "addresses": ["x:1", "y:2"]}}))
                .await;
            let resp = peer.recv().await;
            assert_eq!(
                resp,
                serde_json::json!({"name": "FeatureList", "data": {"features": ["x:1", "y:2"]}})
            );
        })
        .await;
    }

    #[tokio::test]
    async fn wrong_callback_answer_fails_the_waiting_request() {
        scenario(|mut peer| async move {
            peer.send(serde_json::json!({"name": "NewAuthTokenManager", "data": {}}))
                .await;
            let cb = peer.recv().await;
            assert_eq!(cb["name"], "AuthTokenManagerGetAuthRequest");
            assert_eq!(cb["data"]["authTokenManagerId"], 42);
            let id = cb["data"]["id"].clone();
            peer.send(serde_json::json!({"name": "BookmarksConsumerCompleted",
            "data": {"requestId": id}}))
                .await;
            let resp = peer.recv().await;
            assert_eq!(resp["name"], "BackendError");
            assert!(resp["data"]["msg"]
                .as_str()
                .unwrap()
                .contains("expected AuthTokenManagerGetAuthCompleted"));
        })
        .await;
    }

    #[tokio::test]
    async fn stray_callback_answer_is_a_backend_error() {
        scenario(|mut peer| async move {
            peer.send(serde_json::json!({"name": "BookmarksConsumerCompleted",
            "data": {"requestId": 99}}))
                .await;
            let resp = peer.recv().await;
            assert_eq!(resp["name"], "BackendError");
            assert!(resp["data"]["msg"].as_str().unwrap().contains("99"));
        })
        .await;
    }

    #[tokio::test]
    async fn panic_becomes_backend_error_and_connection_lives() {
        scenario(|mut peer| async move {
        peer.send(serde_json::json!({"name": "StartTest", "data": {"testName": "t"}}))
            .await;
        let resp = peer.recv().await;
        assert_eq!(resp["name"], "BackendError");
        let msg = resp["data"]["msg"].as_str().unwrap();
        assert!(msg.contains("StartTest") && msg.contains("handler exploded"), "{msg}");
        peer.send(serde_json::json!({"name": "DriverClose", "data": {"driverId": 1}}))
            .await;
        let resp = peer.recv().await;
        assert_eq!(
            resp,
            serde_json::json!({"name": "BackendError", "data": {"msg": "not supported yet: DriverClose"}})
        );
        })
        .await;
    }
}
