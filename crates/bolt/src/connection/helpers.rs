//! Round-trip helpers on top of the pipelining API.

use quiver_packstream::Map;
use tokio::io::{AsyncRead, AsyncWriteExt};
use tracing::debug;

use super::Connection;
use crate::auth::AuthToken;
use crate::error::Error;
use crate::message::{Pull, Request, Response, Route, Success, TelemetryApi};
use crate::state::{RequestKind, ServerState};

impl Connection {
    // ---------------------------------------------------------------- helpers

    /// RESET: drains every outstanding reply and brings the server back to READY
    /// (after a failure, or to abandon a result or transaction).
    ///
    /// A RESET is how a connection comes back clean, so the driver's close
    /// signal does not cut it short (its caller bounds it): a closing driver
    /// lets the reset finish and then says GOODBYE, instead of leaving a
    /// reply unread (which makes the socket's close a reset, not a FIN).
    pub async fn reset(&mut self) -> Result<(), Error> {
        let exempt = std::mem::replace(&mut self.close_exempt, true);
        let result = self.reset_exchange().await;
        self.close_exempt = exempt;
        result
    }

    async fn reset_exchange(&mut self) -> Result<(), Error> {
        self.send(&Request::Reset)?;
        self.flush().await?;
        while let Some(&req) = self.pending.front() {
            let resp = self.recv().await?;
            if req == RequestKind::Reset && self.pending.is_empty() {
                return match resp {
                    Response::Success(_) => Ok(()),
                    other => Err(self.fail(match other.into_success() {
                        Err(Error::Server(f)) => Error::Server(f),
                        _ => Error::Protocol("RESET was not answered with SUCCESS".into()),
                    })),
                };
            }
        }
        Ok(())
    }

    /// GOODBYE: tells the server the client is leaving and closes the socket. The
    /// connection is defunct afterwards. Errors are ignored (the peer may be gone).
    ///
    /// A connection the driver's close signal ended (a wait for the server
    /// cut short) still says GOODBYE: what it had not sent is dropped, and
    /// a reply it stopped reading does not matter to the server.
    pub async fn goodbye(&mut self) {
        if self.ended_by_close {
            self.wbuf.clear();
        }
        if self.sm.state() != ServerState::Defunct || self.ended_by_close {
            if self.encode(&Request::Goodbye).is_ok() {
                let _ = self.write_out().await;
            }
            let _ = self.stream.shutdown().await;
        }
        self.sm.set_defunct();
        self.pending.clear();
    }

    /// ROUTE: fetches the routing table for `db` (`None`: the home database). Returns
    /// the `rt` map (`servers`, `ttl`, `db`).
    pub async fn route(
        &mut self,
        routing_context: &Map,
        bookmarks: &[String],
        db: Option<&str>,
        impersonated_user: Option<&str>,
    ) -> Result<Map, Error> {
        let s = self
            .round_trip(&Request::Route(Route {
                routing: routing_context,
                bookmarks,
                db,
                imp_user: impersonated_user,
            }))
            .await?;
        match s.routing_table() {
            Some(rt) => Ok(rt),
            None => Err(self.fail(Error::Protocol(
                "ROUTE reply without a routing table".into(),
            ))),
        }
    }

    /// ROUTE asked as `auth`'s user: a connection logged on as someone else switches first
    /// (LOGOFF and LOGON, Bolt 5.1+), the switch leaving with the ROUTE in one write. On
    /// older versions the connection asks as whoever it is logged on as.
    pub async fn route_as(
        &mut self,
        auth: &AuthToken,
        routing_context: &Map,
        bookmarks: &[String],
        db: Option<&str>,
        impersonated_user: Option<&str>,
    ) -> Result<Map, Error> {
        if self.auth == *auth || !self.version.has_logon() {
            return self
                .route(routing_context, bookmarks, db, impersonated_user)
                .await;
        }
        self.queue_reauth(auth)?;
        let replies = async {
            self.send(&Request::Route(Route {
                routing: routing_context,
                bookmarks,
                db,
                imp_user: impersonated_user,
            }))?;
            self.flush().await?;
            self.recv().await?.into_success()?;
            self.recv().await?.into_success()?;
            self.recv().await?.into_success()
        };
        let s = match replies.await {
            Ok(s) => s,
            Err(e) => {
                // The credentials the connection holds are unknown now.
                self.sm.set_defunct();
                return Err(e);
            }
        };
        match s.routing_table() {
            Some(rt) => Ok(rt),
            None => Err(self.fail(Error::Protocol(
                "ROUTE reply without a routing table".into(),
            ))),
        }
    }

    /// Queues TELEMETRY if the version, the configuration and the server allow it;
    /// returns whether it was queued (its reply then comes like any other).
    pub fn send_telemetry(&mut self, api: TelemetryApi) -> Result<bool, Error> {
        if !self.telemetry_allowed {
            return Ok(false);
        }
        self.send(&Request::Telemetry(api))?;
        Ok(true)
    }

    /// TELEMETRY as a round trip; `Ok(false)` when not sent (not allowed).
    pub async fn telemetry(&mut self, api: TelemetryApi) -> Result<bool, Error> {
        if !self.telemetry_allowed {
            return Ok(false);
        }
        self.round_trip(&Request::Telemetry(api)).await?;
        Ok(true)
    }

    /// Re-authenticates with LOGOFF + LOGON (5.1+, pipelined, one round trip).
    pub async fn reauth(&mut self, auth: &AuthToken) -> Result<(), Error> {
        self.queue_reauth(auth)?;
        let replies = async {
            self.flush().await?;
            self.recv().await?.into_success()?;
            self.recv().await?.into_success()
        };
        if let Err(e) = replies.await {
            // The credentials the connection holds are unknown now.
            self.sm.set_defunct();
            return Err(e);
        }
        Ok(())
    }

    /// Queues LOGOFF + LOGON (5.1+) to leave with the next request, so a
    /// user switch costs no round trip of its own. Their two replies come
    /// before the next request's: the caller reads them first, and must
    /// give the connection up (not back) if either fails, since the
    /// credentials it holds are then unknown. [`auth`](Self::auth) says the
    /// new token from now on.
    pub fn queue_reauth(&mut self, auth: &AuthToken) -> Result<(), Error> {
        if !self.version.has_logon() {
            return Err(Error::Unsupported {
                feature: "re-authentication",
                version: self.version,
            });
        }
        if !self.pending.is_empty() {
            return Err(Error::InvalidState {
                request: "LOGOFF",
                state: self.sm.state(),
            });
        }
        debug!(auth = ?auth, "C: LOGOFF, LOGON");
        self.send(&Request::Logoff)?;
        self.send(&Request::Logon(auth))?;
        self.auth = auth.clone();
        Ok(())
    }

    /// Runs `PULL`/`DISCARD` for all remaining records of the open result and returns
    /// its summary, dropping records (helper for abandoning a result).
    pub async fn discard_all(&mut self) -> Result<Success, Error> {
        self.round_trip(&Request::Discard(Pull::ALL)).await
    }

    /// Checks, without waiting, that an idle connection is still open: `false` (and
    /// defunct) if the server closed it or sent something unasked (e.g. a FAILURE
    /// before closing an idle connection). For pools, before handing a connection out.
    pub async fn check_idle(&mut self) -> bool {
        self.check_idle_now()
    }

    /// [`check_idle`](Self::check_idle) without a future: one non-blocking read
    /// attempt (no more than a syscall that would block when nothing is there,
    /// the usual case). Keep-alive NOOP chunks are not unasked bytes.
    pub fn check_idle_now(&mut self) -> bool {
        if self.is_defunct() {
            return false;
        }
        if !self.pending.is_empty() {
            return true;
        }
        let mut probe = [0u8; 64];
        let mut buf = tokio::io::ReadBuf::new(&mut probe);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let outcome = match std::pin::Pin::new(&mut self.stream).poll_read(&mut cx, &mut buf) {
            std::task::Poll::Pending => Ok(None),
            std::task::Poll::Ready(r) => r.map(|()| Some(buf.filled().len())),
        };
        if let Ok(Some(n)) = outcome {
            self.rbuf
                .extend_from_slice(probe.get(..n).unwrap_or_default());
        }
        match outcome {
            Ok(Some(0)) => {
                self.fail(Error::ConnectionClosed);
                false
            }
            Ok(_) if !self.unsolicited_buffered() => true,
            Ok(_) => {
                let n = self.rbuf.len();
                self.fail(Error::Protocol(format!(
                    "{n} unsolicited bytes from the server"
                )));
                false
            }
            Err(e) => {
                self.fail(Error::Io(e));
                false
            }
        }
    }
}
