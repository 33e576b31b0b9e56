//! `/api/v1/me`, `/api/v1/users` (administrators) and `/api/v1/tokens` (one's own API tokens).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use varde_core::access::{Action, Resource, Role, TokenScope};
use varde_core::account::{Account, check_password_strength};
use varde_core::form::FieldErrors;
use varde_core::ids::OrganizationId;
use varde_core::values::EmailAddress;
use varde_store::{NewAccount, Store};

use super::dto::{AccountInput, AccountJson, NewTokenJson, TokenInput, TokenJson};
use super::{ApiJson, Id, authorize};
use crate::app::AppState;
use crate::auth::{Caller, hash_password, new_secret};
use crate::error::{ApiError, ApiResult};

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
    authorize(&caller, Action::Write, Resource::Accounts)?;
    let account = add_account(
        &state.store,
        &input.email,
        &input.name,
        &input.role,
        input.organization_id,
        input.password,
        state.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(AccountJson::from(&account))))
}

/// Creates an account after checking every rule; shared by the API and `varde user add`.
pub async fn add_account(
    store: &Store,
    email: &str,
    name: &str,
    role: &str,
    organization: Option<i64>,
    password: String,
    now: jiff::Timestamp,
) -> ApiResult<Account> {
    let mut errors = FieldErrors::new();
    let email = errors.take("email", EmailAddress::parse(email));
    let role = errors.take("role", Role::parse(role));
    if name.trim().is_empty() {
        errors.add("name", "a name is required");
    }
    if let Err(m) = check_password_strength(&password) {
        errors.add("password", m);
    }
    let organization = match (role, organization) {
        (Some(Role::Customer), None) => {
            errors.add(
                "organization_id",
                "a customer account belongs to an organisation",
            );
            None
        }
        (Some(Role::Customer), Some(o)) => Some(OrganizationId(o)),
        (Some(_), Some(_)) => {
            errors.add(
                "organization_id",
                "staff accounts belong to no organisation",
            );
            None
        }
        _ => None,
    };
    if let (Some(Role::Customer), Some(org), Some(email)) = (role, organization, &email) {
        match store.contact_by_email(email).await? {
            Some(c) if c.organization == org && c.details.portal_access => {}
            Some(c) if c.organization == org => errors.add(
                "email",
                "this contact has no portal access; grant it on the contact first",
            ),
            _ => errors.add(
                "email",
                "a customer account needs a contact with this e-mail in the organisation",
            ),
        }
    }
    let (Some(email), Some(role), true) = (email, role, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let hash = hash_password(password).await.map_err(ApiError::internal)?;
    let new = NewAccount {
        email,
        name: name.trim().to_string(),
        role,
        organization,
        password_hash: Some(hash),
    };
    Ok(store.create_account(&new, now).await?)
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
    authorize(&caller, Action::Write, Resource::OwnAccount(account.id))?;
    let (secret, info) = issue_token(
        &state.store,
        &account,
        &input.name,
        input.scope.as_deref(),
        state.now(),
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

/// Makes a new token for `account`; shared by the API, the console and `varde token create`.
pub async fn issue_token(
    store: &Store,
    account: &Account,
    name: &str,
    scope: Option<&str>,
    now: jiff::Timestamp,
) -> ApiResult<(String, varde_store::TokenInfo)> {
    let mut errors = FieldErrors::new();
    if name.trim().is_empty() || name.len() > 100 {
        errors.add("name", "a token has a name of 1 to 100 characters");
    }
    let scope = match scope.filter(|s| !s.trim().is_empty()) {
        None => Some(TokenScope::Write),
        Some(s) => errors.take("scope", TokenScope::parse(s)),
    };
    let (Some(scope), true) = (scope, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let secret = new_secret("varde_");
    let info = store
        .create_token(account.id, name.trim(), scope, &secret, now)
        .await?;
    Ok((secret, info))
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
