//! What the connection logs of each message, as the official drivers do:
//! at DEBUG every request with its fields (query text, bookmarks,
//! database, mode, metadata) and every SUCCESS with its metadata; query
//! parameters only at TRACE. Credentials never appear: HELLO and LOGON are
//! logged where the connection authenticates, through `AuthToken`'s
//! redacting `Debug`.

use tracing::{debug, enabled, trace, Level};

use super::{Params, Request, Success, TxExtra};

/// The transaction extras of BEGIN and auto-commit RUN, as log fields.
macro_rules! extra_fields {
    ($level:ident, $e:expr, $($field:tt)+) => {
        $level!(
            bookmarks = ?$e.bookmarks,
            db = ?$e.db,
            mode = ?$e.mode,
            imp_user = ?$e.imp_user,
            tx_timeout = ?$e.tx_timeout,
            tx_metadata = ?$e.tx_metadata,
            $($field)+
        )
    };
}

fn run_fields(query: &str, params: &Params<'_>, extra: &TxExtra<'_>) {
    if enabled!(Level::TRACE) {
        extra_fields!(trace, extra, query, params = ?params, "C: RUN");
    } else {
        extra_fields!(debug, extra, query, "C: RUN");
    }
}

/// Logs a request as it is queued.
pub(crate) fn request(r: &Request<'_>) {
    if !enabled!(Level::DEBUG) {
        return;
    }
    match r {
        Request::Run(run) => run_fields(run.query, &run.params, &run.extra),
        Request::Begin(b) => extra_fields!(debug, b.extra, "C: BEGIN"),
        Request::Pull(p) => debug!(n = p.n, qid = p.qid, "C: PULL"),
        Request::Discard(p) => debug!(n = p.n, qid = p.qid, "C: DISCARD"),
        Request::Route(route) => debug!(
            routing = ?route.routing,
            bookmarks = ?route.bookmarks,
            db = ?route.db,
            imp_user = ?route.imp_user,
            "C: ROUTE"
        ),
        Request::Telemetry(api) => debug!(api = ?api, "C: TELEMETRY"),
        Request::Commit => debug!("C: COMMIT"),
        Request::Rollback => debug!("C: ROLLBACK"),
        Request::Reset => debug!("C: RESET"),
        Request::Goodbye => debug!("C: GOODBYE"),
        // Logged with redacted credentials where the connection authenticates.
        Request::Hello(_) | Request::Logon(_) | Request::Logoff => {
            trace!(request = r.kind().name(), "C: queued")
        }
    }
}

/// Logs a SUCCESS reply to `request`.
pub(crate) fn success(request: &'static str, has_more: bool, s: &Success) {
    if enabled!(Level::DEBUG) {
        match s.metadata() {
            Ok(metadata) => debug!(request, has_more, ?metadata, "S: SUCCESS"),
            Err(_) => debug!(request, has_more, "S: SUCCESS"),
        }
    }
}
