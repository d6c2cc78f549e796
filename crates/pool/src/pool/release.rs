//! Giving a connection back: ready ones go straight onto the idle stack;
//! only one left mid-exchange takes the slow path (a RESET in a background
//! task, which holds the slot until it is done).

use std::sync::atomic::Ordering;

use super::{ConnectionHealth, Idle, Manager, Meta, Slot};

/// Takes a connection back from a guard. The slot is released by the
/// caller afterwards (after the connection is on the idle stack, so a
/// waiter woken by the permit finds it), unless it was handed over to a
/// background reset here.
pub(super) fn give_back<M: Manager>(
    slot: &mut Slot<M>,
    conn: Box<M::Connection>,
    meta: Meta,
    discard: bool,
) {
    let inner = &slot.inner;
    let health = inner.manager.health(&conn);
    if discard || health == ConnectionHealth::Broken {
        // The manager's close says GOODBYE where the wire still allows it
        // (a connection the driver's close signal ended) and nothing else.
        inner.dispose(conn, true);
        return;
    }
    let now = inner.clock.now();
    if !inner.reusable(&meta, now) {
        inner.dispose(conn, health == ConnectionHealth::Ready);
        return;
    }
    if health == ConnectionHealth::Ready {
        inner.lock_idle().push(Idle {
            conn,
            meta,
            since: now,
        });
        return;
    }
    let Some(rt) = inner.runtime() else {
        inner.dispose(conn, false);
        return;
    };
    inner.resetting.send_modify(|n| *n += 1);
    rt.spawn(reset_returned(slot.hand_over(), conn, meta));
}

/// Resets a connection given back mid-exchange and pools it if that
/// worked; the slot stays taken until then.
async fn reset_returned<M: Manager>(slot: Slot<M>, mut conn: Box<M::Connection>, meta: Meta) {
    let this = &slot.inner;
    // Bounded: a server that never answers must not hold the slot for ever.
    let limit = this.config.connect_timeout();
    let result = tokio::time::timeout(limit, this.manager.reset(&mut conn)).await;
    let ready = this.manager.health(&conn) == ConnectionHealth::Ready;
    let goodbye = match result {
        Ok(Ok(())) => {
            let now = this.clock.now();
            if ready && this.reusable(&meta, now) {
                this.lock_idle().push(Idle {
                    conn,
                    meta,
                    since: now,
                });
                None
            } else {
                Some((conn, ready))
            }
        }
        Ok(Err(e)) => {
            tracing::debug!(address = %this.address, error = %e, "reset of a returned connection failed");
            // The manager's close says GOODBYE where the wire still allows
            // it (the driver's close signal ended the reset) and nothing else.
            Some((conn, true))
        }
        Err(_) => {
            tracing::debug!(address = %this.address, "reset of a returned connection timed out");
            Some((conn, false))
        }
    };
    if let Some((conn, say_goodbye)) = goodbye {
        this.counters.closed.fetch_add(1, Ordering::Relaxed);
        if say_goodbye {
            // Here, not in a task of its own: a closing pool waits for this.
            let _ = tokio::time::timeout(limit, this.manager.close(*conn)).await;
        }
    }
    this.resetting.send_modify(|n| *n = n.saturating_sub(1));
    // `slot` is released here, after the connection is back.
}
