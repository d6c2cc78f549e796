//! Fake time: `FakeTimeInstall` freezes the connection's [`crate::clock::BackendClock`] (which
//! every driver created on the connection uses), `FakeTimeTick{incrementMs}` advances it,
//! `FakeTimeUninstall` returns to the system clock; each answers `FakeTimeAck`.
//!
//! Not advertised as `Backend:MockTime` until drivers are created with this clock.

use std::time::Duration;

use crate::connection::Ctx;
use crate::error::{Error, Result};
use crate::requests::{FakeTimeInstall, FakeTimeTick, FakeTimeUninstall};
use crate::responses::Response;

/// `FakeTimeInstall` → `FakeTimeAck`.
pub fn install(ctx: &Ctx, _request: FakeTimeInstall) -> Result<Response> {
    ctx.clock().install();
    Ok(Response::FakeTimeAck {})
}

/// `FakeTimeTick` → `FakeTimeAck`.
pub fn tick(ctx: &Ctx, request: FakeTimeTick) -> Result<Response> {
    let ms = u64::try_from(request.increment_ms).map_err(|_| {
        Error::Backend(format!("negative FakeTimeTick: {}ms", request.increment_ms))
    })?;
    if !ctx.clock().tick(Duration::from_millis(ms)) {
        return Err(Error::Backend(
            "FakeTimeTick without FakeTimeInstall".into(),
        ));
    }
    Ok(Response::FakeTimeAck {})
}

/// `FakeTimeUninstall` → `FakeTimeAck`.
pub fn uninstall(ctx: &Ctx, _request: FakeTimeUninstall) -> Result<Response> {
    ctx.clock().uninstall();
    Ok(Response::FakeTimeAck {})
}
