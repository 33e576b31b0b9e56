//! An attachment downloaded from the console, in the browser's hands: only an allowlist of
//! types is shown inline; the rest, HTML above all, is a download.

use axum::extract::State;

use varde_core::access::Action;

use super::tickets::{load, staff};
use super::{PageError, PageResult};
use crate::api::Id;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

/// Downloads an attachment. Only an exact allowlist of types (plain text, PNG, JPEG, GIF) is
/// shown inline; everything else (HTML above all, and any type that does not parse) is a
/// download, so that no customer-supplied page runs in the console.
pub async fn attachment(State(state): State<AppState>, caller: Caller, Id(id): Id) -> PageResult {
    staff(&caller)?;
    let (info, ticket) = state
        .store
        .attachment(id)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?
        .ok_or_else(|| PageError::new(ApiError::not_found(), &caller))?;
    load(&state, &caller, ticket.0, Action::Read).await?;
    let content = state
        .store
        .attachment_content(id)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?
        .unwrap_or_default();
    Ok(crate::headers::attachment_response(&info, content))
}
