//! Fake time (`Backend:MockTime`). Needs the driver's injectable clock; until then these answer
//! `BackendError("not supported yet: <request>")`.
//!
//! To wire in: `FakeTimeInstall` freezes a shared fake clock that every driver created on this
//! connection uses, `FakeTimeTick{incrementMs}` advances it, `FakeTimeUninstall` returns to the
//! real clock; each answers `FakeTimeAck`.

use super::not_yet;
use crate::connection::Ctx;
use crate::error::Result;
use crate::requests::{FakeTimeInstall, FakeTimeTick, FakeTimeUninstall};
use crate::responses::Response;

/// `FakeTimeInstall` → `FakeTimeAck`.
pub fn install(_ctx: &Ctx, _request: FakeTimeInstall) -> Result<Response> {
    not_yet("FakeTimeInstall")
}

/// `FakeTimeTick` → `FakeTimeAck`.
pub fn tick(_ctx: &Ctx, _request: FakeTimeTick) -> Result<Response> {
    not_yet("FakeTimeTick")
}

/// `FakeTimeUninstall` → `FakeTimeAck`.
pub fn uninstall(_ctx: &Ctx, _request: FakeTimeUninstall) -> Result<Response> {
    not_yet("FakeTimeUninstall")
}
