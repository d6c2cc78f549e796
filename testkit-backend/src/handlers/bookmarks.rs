//! Bookmark managers. The backend keeps each manager's settings; the supplier and consumer
//! callbacks are [`crate::callbacks::supply_bookmarks`] and
//! [`crate::callbacks::consume_bookmarks`].
//!
//! To wire in: create the driver's default bookmark manager here (initial bookmarks, and
//! supplier/consumer adapters holding a [`Ctx`] and the id when registered), keep it in the
//! entry, and hand it to `NewSession`/`ExecuteQuery` by id.

use crate::connection::Ctx;
use crate::error::Result;
use crate::requests::{BookmarkManagerClose, NewBookmarkManager};
use crate::responses::Response;
use crate::state::BookmarkManagerEntry;

/// `NewBookmarkManager` → `BookmarkManager`.
pub fn new_bookmark_manager(ctx: &Ctx, request: NewBookmarkManager) -> Response {
    let id = ctx.next_id();
    ctx.state().bookmark_managers.insert(
        id,
        BookmarkManagerEntry {
            initial_bookmarks: request.initial_bookmarks.unwrap_or_default(),
            supplier_registered: request.bookmarks_supplier_registered,
            consumer_registered: request.bookmarks_consumer_registered,
        },
    );
    Response::BookmarkManager { id }
}

/// `BookmarkManagerClose` → `BookmarkManager`.
pub fn close(ctx: &Ctx, request: BookmarkManagerClose) -> Result<Response> {
    ctx.state().bookmark_managers.remove(request.id)?;
    Ok(Response::BookmarkManager { id: request.id })
}
