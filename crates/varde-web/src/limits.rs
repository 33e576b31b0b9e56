//! How much of a request body Varde reads, and when: a small body from anybody, a large one
//! only from a caller whose credentials (session cookie, token, Basic) were checked first.
//! Nobody can make the server buffer megabytes without logging in. The mail gateway reads its
//! own body, after it has checked where the mail comes from.
//!
//! REST 1.0 logs in with `user`/`pass` fields inside the body, so an RT client's very first
//! request (before it has a session cookie) is held to the small limit; the `rt` CLI and
//! python `rt` keep the cookie from then on.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::auth::ClientAddress;
use crate::error::{ApiError, ErrorCode};

/// The most a caller who has not proved who it is may send.
pub const ANONYMOUS_BYTES: usize = 1 << 20;
/// The most anyone may send (attachments, CSV imports).
pub const AUTHENTICATED_BYTES: usize = 64 << 20;
/// The most the mail gateway reads of one request.
pub const MAIL_BYTES: usize = 64 << 20;
/// The route that reads its body itself.
pub const MAIL_GATEWAY: &str = "/REST/1.0/NoAuth/mail-gateway";

fn declared_length(headers: &HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

fn too_large() -> Response {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!(
            "the request body is larger than {} KiB; send your credentials (session, token or \
             Basic) with the request to send up to {} MiB",
            ANONYMOUS_BYTES >> 10,
            AUTHENTICATED_BYTES >> 20
        ),
    )
    .into_response()
}

/// Holds a body to [`ANONYMOUS_BYTES`] unless the caller's credentials check out. A small or
/// empty body costs nothing here: only a large (or unannounced) one makes the check.
pub async fn body_limits(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let declared = declared_length(request.headers());
    let chunked = request.headers().contains_key(header::TRANSFER_ENCODING);
    let small = match declared {
        Some(n) => n <= ANONYMOUS_BYTES,
        None => !chunked,
    };
    if small || request.uri().path() == MAIL_GATEWAY {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let address = ClientAddress::of(&parts, &state.network).ip;
    if crate::rt::account_from_headers(&state, &parts.headers, address)
        .await
        .is_some()
    {
        return next.run(Request::from_parts(parts, body)).await;
    }
    if declared.is_some() {
        return too_large();
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    let limited = Body::new(http_body_util::Limited::new(body, ANONYMOUS_BYTES));
    next.run(Request::from_parts(parts, limited)).await
}
