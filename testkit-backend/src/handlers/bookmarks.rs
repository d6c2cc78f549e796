//! Bookmark managers: each one TestKit creates is the facade's default bookmark manager, kept
//! by id for `NewSession`/`ExecuteQuery`.
//!
//! Supplier and consumer callbacks ([`crate::callbacks::supply_bookmarks`],
//! [`crate::callbacks::consume_bookmarks`]) need the facade's supplier/consumer hooks to be
//! asynchronous (TestKit answers over this very connection); until then a manager with
//! registered callbacks is refused as not supported.

use quiver::{bookmark_manager, Bookmarks};

use crate::connection::Ctx;
use crate::error::{Error, Result};
use crate::requests::{BookmarkManagerClose, NewBookmarkManager};
use crate::responses::Response;
use crate::state::BookmarkManagerEntry;

/// `NewBookmarkManager` → `BookmarkManager`.
pub fn new_bookmark_manager(ctx: &Ctx, request: NewBookmarkManager) -> Result<Response> {
    if request.bookmarks_supplier_registered || request.bookmarks_consumer_registered {
        return Err(Error::NotSupportedYet(
            "bookmark supplier/consumer callbacks (quiver's hooks are synchronous)",
        ));
    }
    let initial = Bookmarks::from_raw_values(request.initial_bookmarks.unwrap_or_default());
    let id = ctx.next_id();
    ctx.state().bookmark_managers.insert(
        id,
        BookmarkManagerEntry {
            manager: bookmark_manager(initial, None, None),
        },
    );
    Ok(Response::BookmarkManager { id })
}

/// `BookmarkManagerClose` → `BookmarkManager`.
pub fn close(ctx: &Ctx, request: BookmarkManagerClose) -> Result<Response> {
    ctx.state().bookmark_managers.remove(request.id)?;
    Ok(Response::BookmarkManager { id: request.id })
}
