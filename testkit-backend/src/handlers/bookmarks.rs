//! Bookmark managers: each one TestKit creates is the facade's default bookmark manager, kept
//! by id for `NewSession`/`ExecuteQuery`.
//!
//! A registered supplier or consumer becomes the manager's asynchronous supplier/consumer,
//! which asks TestKit ([`crate::callbacks::supply_bookmarks`],
//! [`crate::callbacks::consume_bookmarks`]) while the request that needs bookmarks waits.

use std::sync::Arc;

use quiver::{Bookmarks, DefaultBookmarkManager};

use crate::callbacks;
use crate::connection::Ctx;
use crate::error::Result;
use crate::requests::{BookmarkManagerClose, NewBookmarkManager};
use crate::responses::Response;
use crate::state::BookmarkManagerEntry;

/// `NewBookmarkManager` → `BookmarkManager`.
pub fn new_bookmark_manager(ctx: &Ctx, request: NewBookmarkManager) -> Result<Response> {
    let initial = Bookmarks::from_raw_values(request.initial_bookmarks.unwrap_or_default());
    let id = ctx.next_id();
    let mut builder = DefaultBookmarkManager::builder().initial_bookmarks(initial);
    if request.bookmarks_supplier_registered {
        let weak = ctx.downgrade();
        builder = builder.supplier_async(move || {
            let weak = weak.clone();
            async move {
                let ctx = weak.upgrade().map_err(quiver::Error::user)?;
                let supplied = callbacks::supply_bookmarks(&ctx, id)
                    .await
                    .map_err(quiver::Error::user)?;
                Ok(Bookmarks::from_raw_values(supplied))
            }
        });
    }
    if request.bookmarks_consumer_registered {
        let weak = ctx.downgrade();
        builder = builder.consumer_async(move |bookmarks: Bookmarks| {
            let weak = weak.clone();
            async move {
                let ctx = weak.upgrade().map_err(quiver::Error::user)?;
                callbacks::consume_bookmarks(&ctx, id, bookmarks.into_iter().collect())
                    .await
                    .map_err(quiver::Error::user)
            }
        });
    }
    ctx.state().bookmark_managers.insert(
        id,
        BookmarkManagerEntry {
            manager: Arc::new(builder.build()),
        },
    );
    Ok(Response::BookmarkManager { id })
}

/// `BookmarkManagerClose` → `BookmarkManager`.
pub fn close(ctx: &Ctx, request: BookmarkManagerClose) -> Result<Response> {
    ctx.state().bookmark_managers.remove(request.id)?;
    Ok(Response::BookmarkManager { id: request.id })
}
