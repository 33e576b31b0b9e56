//! `/api/v1/organizations`: the customer database's organisations, their entitlements and
//! their audit history.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use varde_core::access::{Action, visibility};
use varde_core::customer::{FrameworkAgreement, Lifecycle, OrganizationForm, Sector};
use varde_core::form::FieldErrors;
use varde_core::ids::OrganizationId;
use varde_store::OrganizationQuery;

use super::dto::{
    AuditEventJson, EntitlementsJson, OrganizationInput, OrganizationJson, OrganizationPage,
};
use super::{ApiJson, ApiQuery, Id};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};

#[derive(Deserialize, IntoParams, Default)]
pub struct ListParams {
    /// Matches the name, organisation number or a mail domain.
    pub q: Option<String>,
    pub country: Option<String>,
    pub sector: Option<String>,
    pub framework: Option<String>,
    pub lifecycle: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
}

impl ListParams {
    pub fn query(&self, caller: &Caller) -> Result<OrganizationQuery, ApiError> {
        let mut errors = FieldErrors::new();
        let mut q = OrganizationQuery::new(visibility(&caller.actor));
        q.text = self.q.clone();
        q.country = self.country.clone();
        let nonempty = |s: &Option<String>| {
            s.as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
        };
        q.sector = nonempty(&self.sector).and_then(|s| errors.take("sector", Sector::parse(&s)));
        q.framework = nonempty(&self.framework)
            .and_then(|s| errors.take("framework", FrameworkAgreement::parse(&s)));
        q.lifecycle =
            nonempty(&self.lifecycle).and_then(|s| errors.take("lifecycle", Lifecycle::parse(&s)));
        q.after = self.cursor.clone();
        q.limit = self.limit.unwrap_or(50);
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(ApiError::invalid(errors))
        }
    }
}

/// List organisations in name order. A customer contact sees only its own.
#[utoipa::path(get, path = "/api/v1/organizations", params(ListParams), tag = "customers",
    responses((status = 200, body = OrganizationPage), (status = 401, body = super::dto::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<OrganizationPage>> {
    caller.require_login()?;
    let page = state
        .app
        .organizations(&caller.actor, params.query(&caller)?)
        .await?;
    Ok(Json(OrganizationPage {
        items: page.items.iter().map(OrganizationJson::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Create an organisation. `name` and `country` are required; the rest take defaults.
#[utoipa::path(post, path = "/api/v1/organizations", request_body = OrganizationInput, tag = "customers",
    responses((status = 201, body = OrganizationJson), (status = 401, body = super::dto::ErrorBody),
        (status = 409, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<OrganizationInput>,
) -> ApiResult<(StatusCode, Json<OrganizationJson>)> {
    let form = input.apply(OrganizationForm::default());
    let org = state
        .app
        .create_organization(&caller.acting(), &form)
        .await?;
    Ok((StatusCode::CREATED, Json(OrganizationJson::from(&org))))
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}", tag = "customers",
    responses((status = 200, body = OrganizationJson), (status = 404, body = super::dto::ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<OrganizationJson>> {
    let org = state
        .app
        .organization(&caller.actor, OrganizationId(id), Action::Read)
        .await?;
    Ok(Json(OrganizationJson::from(&org)))
}

/// Change some fields of an organisation; fields not sent stay as they are.
#[utoipa::path(patch, path = "/api/v1/organizations/{id}", request_body = OrganizationInput, tag = "customers",
    responses((status = 200, body = OrganizationJson), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<OrganizationInput>,
) -> ApiResult<Json<OrganizationJson>> {
    let org = state
        .app
        .update_organization(&caller.acting(), OrganizationId(id), |form| {
            input.apply(form)
        })
        .await?;
    Ok(Json(OrganizationJson::from(&org)))
}

/// Remove an organisation with its contacts and contracts (administrators only). Its audit
/// history is kept.
#[utoipa::path(delete, path = "/api/v1/organizations/{id}", tag = "customers",
    responses((status = 204), (status = 403, body = super::dto::ErrorBody), (status = 404, body = super::dto::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .app
        .delete_organization(&caller.acting(), OrganizationId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct OnParams {
    /// The day (YYYY-MM-DD) to derive entitlements for; today in the provider's office time
    /// zone by default.
    pub on: Option<String>,
}

/// What the organisation is entitled to on a day, from its contracts in force.
#[utoipa::path(get, path = "/api/v1/organizations/{id}/entitlements", params(OnParams), tag = "customers",
    responses((status = 200, body = EntitlementsJson), (status = 404, body = super::dto::ErrorBody)))]
pub async fn entitlements(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiQuery(p): ApiQuery<OnParams>,
) -> ApiResult<Json<EntitlementsJson>> {
    let on = match p.on.as_deref() {
        Some(d) => Some(
            d.parse()
                .map_err(|_| ApiError::bad_request(format!("'{d}' is not a date (YYYY-MM-DD)")))?,
        ),
        None => None,
    };
    let (day, result) = state
        .app
        .entitlements(&caller.actor, OrganizationId(id), on)
        .await?;
    Ok(Json(EntitlementsJson::new(day, &result)))
}

/// The organisation's audit history, newest first.
#[utoipa::path(get, path = "/api/v1/organizations/{id}/audit", tag = "customers",
    responses((status = 200, body = [AuditEventJson]), (status = 404, body = super::dto::ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<Vec<AuditEventJson>>> {
    let events = state
        .app
        .audit_history(&caller.actor, OrganizationId(id))
        .await?;
    Ok(Json(events.iter().map(AuditEventJson::from).collect()))
}
