//! `/api/v1/me`, `/api/v1/users` (administrators) and `/api/v1/tokens` (one's own API tokens).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use varde_core::access::{Action, Resource};

use super::dto::{AccountInput, AccountJson, NewTokenJson, TokenInput, TokenJson};
use super::{ApiJson, Id, authorize};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;

/// The account behind the request.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", responses((status = 200, body = AccountJson), (status = 401, body = super::dto::ErrorBody)))]
pub async fn me(caller: Caller) -> ApiResult<Json<AccountJson>> {
    Ok(Json(AccountJson::from(caller.require_login()?)))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", responses((status = 200, body = [AccountJson]), (status = 403, body = super::dto::ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<AccountJson>>> {
    authorize(&caller, Action::Read, Resource::Accounts)?;
    Ok(Json(
        state
            .store
            .accounts()
            .await?
            .iter()
            .map(AccountJson::from)
            .collect(),
    ))
}

/// Create a staff account, or a portal account for a customer contact (role `customer`, with
/// the organisation of a contact that has portal access).
#[utoipa::path(post, path = "/api/v1/users", request_body = AccountInput, tag = "accounts",
    responses((status = 201, body = AccountJson), (status = 403, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<AccountInput>,
) -> ApiResult<(StatusCode, Json<AccountJson>)> {
    caller.require_login()?;
    let account = state
        .app
        .add_account(
            &caller.acting(),
            &input.email,
            &input.name,
            &input.role,
            input.organization_id,
            input.password,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(AccountJson::from(&account))))
}

/// One's own API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts", responses((status = 200, body = [TokenJson]), (status = 401, body = super::dto::ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<TokenJson>>> {
    let account = caller.require_login()?;
    authorize(&caller, Action::Read, Resource::OwnAccount(account.id))?;
    Ok(Json(
        state
            .store
            .tokens_of(account.id)
            .await?
            .iter()
            .map(TokenJson::from)
            .collect(),
    ))
}

/// Create an API token. The answer carries the token once; only its digest is stored.
#[utoipa::path(post, path = "/api/v1/tokens", request_body = TokenInput, tag = "accounts",
    responses((status = 201, body = NewTokenJson), (status = 401, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<TokenInput>,
) -> ApiResult<(StatusCode, Json<NewTokenJson>)> {
    let account = caller.require_login()?.clone();
    let (secret, info) = state
        .app
        .issue_token(
            &caller.acting(),
            &account,
            &input.name,
            input.scope.as_deref(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenJson {
            token: secret,
            info: TokenJson::from(&info),
        }),
    ))
}

/// Revoke one of one's own tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts", responses((status = 204), (status = 404, body = super::dto::ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    let account = caller.require_login()?;
    authorize(&caller, Action::Write, Resource::OwnAccount(account.id))?;
    state
        .store
        .revoke_token(account.id, id, state.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
