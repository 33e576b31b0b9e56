//! Varde's HTTP face: the JSON API under `/api/v1`, the agent console, the OpenAPI document,
//! and the operator endpoints (`/healthz`, `/readyz`, `/metrics`).
//!
//! Layout:
//! - [`app`]: the shared state and the router that mounts every part.
//! - [`error`]: the one mapping from failures to HTTP status and JSON body.
//! - [`auth`]: who is calling (session cookie or API token), passwords, CSRF, login limits.
//! - [`api`]: the JSON API, one module per resource, with its wire shapes in `api::dto`.
//! - [`console`]: server-rendered pages for staff (askama templates in `templates/`).
//! - [`headers`]: security headers on every answer, panics answered 500, safe file names.
//! - [`html`]: mail HTML sanitised for display, off the async threads, bounded in size and depth.
//! - [`ops`]: health, readiness and Prometheus metrics.
//! - [`limits`]: request body limits, small until the caller's credentials are checked.
//! - [`lmtp`]: an LMTP listener for MTAs, on the same delivery as the gateway.
//! - [`mail_gateway`]: mail in, as RT's mail gateway takes it (for `rt-mailgate` and `varde mailgate`).
//! - [`rt`]: Request Tracker's REST 1.0 and REST2, for RT's own clients.
//! - [`rate`]: the page behind the rating links of the mail that says a ticket is resolved.
//! - [`status`]: the public status page, its feeds and Statuspage's `/api/v2`.
//! - [`openapi`]: the OpenAPI document and its vendored viewer.
//!
//! **Architecture Invariant:** every handler that touches customer data asks
//! `varde_core::access::can` (or `visibility`) first; no handler decides access on its own.

pub mod api;
pub mod app;
pub mod auth;
pub mod console;
pub mod error;
pub mod headers;
pub mod html;
pub mod limits;
pub mod links;
pub mod lmtp;
pub mod mail_gateway;
pub mod openapi;
pub mod ops;
pub mod portal;
pub mod rate;
pub mod report;
pub mod rt;
pub mod status;
pub use varde_app::tickets;

pub use app::{AppState, Clock, serve};

/// One value percent-encoded for a URL query string (for the paging links pages and APIs build).
pub(crate) fn query_value(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
