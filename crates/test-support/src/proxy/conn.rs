//! Accepting and forwarding: one task per proxied connection, both
//! directions in one loop so that a fault stops both at once.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::state::{Action, Direction, Shared};

const BUF: usize = 16 * 1024;

pub(crate) async fn accept_loop(listener: TcpListener, upstream: SocketAddr, shared: Arc<Shared>) {
    loop {
        let client = match listener.accept().await {
            Ok((client, _)) => client,
            Err(e) => {
                tracing::warn!(error = %e, "fault proxy: accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        shared.connections.fetch_add(1, Ordering::Relaxed);
        if shared.with(|s| s.refuse) {
            shared.refused.fetch_add(1, Ordering::Relaxed);
            reset(&client);
            continue;
        }
        tokio::spawn(serve(client, upstream, Arc::clone(&shared)));
    }
}

/// Closing with a zero linger sends RST instead of FIN.
// Deprecated because a non-zero linger blocks the dropping thread; a zero
// linger does not (the kernel discards the send buffer and resets at once).
#[allow(deprecated)]
fn reset(stream: &TcpStream) {
    // Best effort: if linger cannot be set the close is a FIN, still an end.
    let _ = stream.set_linger(Some(Duration::ZERO));
}

/// How a connection ended.
enum End {
    /// One side closed or failed: close the other (FIN).
    Peer,
    /// A fault: close both sides this way.
    Fault(Action),
}

async fn serve(mut client: TcpStream, upstream: SocketAddr, shared: Arc<Shared>) {
    let generation = shared.with(|s| s.kill_generation);
    let mut server = match TcpStream::connect(upstream).await {
        Ok(server) => server,
        Err(e) => {
            tracing::debug!(error = %e, %upstream, "fault proxy: upstream refused");
            reset(&client);
            return;
        }
    };
    // Small messages go at once, as they would without the proxy.
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    shared.open.fetch_add(1, Ordering::Relaxed);
    let end = {
        let (cr, cw) = client.split();
        let (sr, sw) = server.split();
        pump(cr, cw, sr, sw, &shared, generation).await
    };
    shared.open.fetch_sub(1, Ordering::Relaxed);
    if let End::Fault(action) = end {
        shared.killed.fetch_add(1, Ordering::Relaxed);
        if action == Action::Reset {
            reset(&client);
            reset(&server);
        }
    }
}

async fn pump<CR, CW, SR, SW>(
    mut cr: CR,
    mut cw: CW,
    mut sr: SR,
    mut sw: SW,
    shared: &Shared,
    generation: u64,
) -> End
where
    CR: AsyncRead + Unpin,
    CW: AsyncWrite + Unpin,
    SR: AsyncRead + Unpin,
    SW: AsyncWrite + Unpin,
{
    let mut changed = shared.subscribe();
    let mut cbuf = vec![0u8; BUF];
    let mut sbuf = vec![0u8; BUF];
    // Bytes read but held back by a stall that fired mid-read.
    let mut pending: Option<(Direction, Vec<u8>)> = None;
    loop {
        let (stalled, killed) =
            shared.with(|s| (s.stalled, s.shutdown || s.kill_generation != generation));
        if killed {
            return End::Fault(Action::Reset);
        }
        if stalled {
            if changed.changed().await.is_err() {
                return End::Fault(Action::Reset);
            }
            continue;
        }
        if let Some((direction, bytes)) = pending.take() {
            let sent = match direction {
                Direction::ToServer => write(&mut sw, &bytes, direction, shared).await,
                _ => write(&mut cw, &bytes, direction, shared).await,
            };
            if sent.is_err() {
                return End::Peer;
            }
            continue;
        }
        let (direction, n) = tokio::select! {
            r = cr.read(&mut cbuf) => match r {
                Ok(0) | Err(_) => return End::Peer,
                Ok(n) => (Direction::ToServer, n),
            },
            r = sr.read(&mut sbuf) => match r {
                Ok(0) | Err(_) => return End::Peer,
                Ok(n) => (Direction::ToClient, n),
            },
            r = changed.changed() => {
                if r.is_err() {
                    return End::Fault(Action::Reset);
                }
                continue;
            }
        };
        let data = match direction {
            Direction::ToServer => cbuf.get(..n).unwrap_or_default(),
            _ => sbuf.get(..n).unwrap_or_default(),
        };
        let delay = shared.with(|s| s.delay);
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        let (len, fired) = take_trigger(shared, direction, n);
        let corrupted;
        let data = match corrupt(shared, direction, data) {
            Some(changed) => {
                corrupted = changed;
                &corrupted[..]
            }
            None => data,
        };
        let (now, rest) = data.split_at(len.min(data.len()));
        let sent = match direction {
            Direction::ToServer => write(&mut sw, now, direction, shared).await,
            _ => write(&mut cw, now, direction, shared).await,
        };
        if sent.is_err() {
            return End::Peer;
        }
        match fired {
            None => {}
            Some(Action::Stall) => {
                shared.update(|s| s.stalled = true);
                if !rest.is_empty() {
                    pending = Some((direction, rest.to_vec()));
                }
            }
            Some(action) => return End::Fault(action),
        }
    }
}

/// `data` with some bytes changed, if corruption is on for `direction`.
fn corrupt(shared: &Shared, direction: Direction, data: &[u8]) -> Option<Vec<u8>> {
    let mut state = shared.lock();
    let corrupt = state.corrupt.as_mut()?;
    if !corrupt.direction.covers(direction) {
        return None;
    }
    let mut copy = data.to_vec();
    let changed = corrupt.apply(&mut copy);
    shared.corrupted.fetch_add(
        u64::try_from(changed).unwrap_or(u64::MAX),
        Ordering::Relaxed,
    );
    Some(copy)
}

/// How many of `n` bytes going `direction` may be forwarded, and the action
/// of a trigger that fires on them (disarming it).
fn take_trigger(shared: &Shared, direction: Direction, n: usize) -> (usize, Option<Action>) {
    let mut state = shared.lock();
    let Some((on, remaining, action)) = state.trigger else {
        return (n, None);
    };
    if !on.covers(direction) {
        return (n, None);
    }
    let n64 = u64::try_from(n).unwrap_or(u64::MAX);
    if n64 < remaining {
        state.trigger = Some((on, remaining - n64, action));
        return (n, None);
    }
    state.trigger = None;
    // remaining <= n, so it fits in usize.
    (usize::try_from(remaining).unwrap_or(n), Some(action))
}

async fn write<W: AsyncWrite + Unpin>(
    w: &mut W,
    bytes: &[u8],
    direction: Direction,
    shared: &Shared,
) -> std::io::Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    w.write_all(bytes).await?;
    w.flush().await?;
    let counter = match direction {
        Direction::ToServer => &shared.bytes_to_server,
        _ => &shared.bytes_to_client,
    };
    counter.fetch_add(
        u64::try_from(bytes.len()).unwrap_or(u64::MAX),
        Ordering::Relaxed,
    );
    Ok(())
}
