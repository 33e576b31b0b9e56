//! `/api/v1/organizations/{id}/contracts`, `/api/v1/contracts/{id}` and the product catalogue.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use varde_core::access::Action;
use varde_core::catalogue::{CATALOGUE, ProductKind};
use varde_core::ids::{ContractId, OrganizationId};

use super::dto::{ContractInput, ContractJson, ProductJson};
use super::{ApiJson, Id};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;

#[utoipa::path(get, path = "/api/v1/organizations/{id}/contracts", tag = "customers",
    responses((status = 200, body = [ContractJson]), (status = 404, body = super::dto::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<Vec<ContractJson>>> {
    let contracts = state
        .app
        .contracts(&caller.actor, OrganizationId(id))
        .await?;
    Ok(Json(contracts.iter().map(ContractJson::from).collect()))
}

/// Add a contract with its product lines. Without `signed_on` it is a draft and grants
/// nothing; a signed one starts the organisation's onboarding.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/contracts", request_body = ContractInput, tag = "customers",
    responses((status = 201, body = ContractJson), (status = 409, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<ContractInput>,
) -> ApiResult<(StatusCode, Json<ContractJson>)> {
    let contract = state
        .app
        .create_contract(&caller.acting(), OrganizationId(id), &input.form())
        .await?;
    Ok((StatusCode::CREATED, Json(ContractJson::from(&contract))))
}

#[utoipa::path(get, path = "/api/v1/contracts/{id}", tag = "customers",
    responses((status = 200, body = ContractJson), (status = 404, body = super::dto::ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<ContractJson>> {
    let contract = state
        .app
        .contract(&caller.actor, ContractId(id), Action::Read)
        .await?;
    Ok(Json(ContractJson::from(&contract)))
}

/// Replace a contract and all of its lines.
#[utoipa::path(put, path = "/api/v1/contracts/{id}", request_body = ContractInput, tag = "customers",
    responses((status = 200, body = ContractJson), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<ContractInput>,
) -> ApiResult<Json<ContractJson>> {
    let contract = state
        .app
        .replace_contract(&caller.acting(), ContractId(id), &input.form())
        .await?;
    Ok(Json(ContractJson::from(&contract)))
}

#[utoipa::path(delete, path = "/api/v1/contracts/{id}", tag = "customers",
    responses((status = 204), (status = 404, body = super::dto::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .app
        .delete_contract(&caller.acting(), ContractId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The product catalogue: every code a contract line may carry.
#[utoipa::path(get, path = "/api/v1/products", tag = "customers", responses((status = 200, body = [ProductJson])))]
pub async fn products(caller: Caller) -> ApiResult<Json<Vec<ProductJson>>> {
    caller.require_login()?;
    Ok(Json(
        CATALOGUE
            .iter()
            .map(|p| ProductJson {
                code: p.code.into(),
                name: p.name.into(),
                kind: match p.kind {
                    ProductKind::Support(_) => "support".into(),
                    ProductKind::Service(_) => "service".into(),
                },
                tier: match p.kind {
                    ProductKind::Support(t) => Some(t.code().into()),
                    ProductKind::Service(_) => None,
                },
                service: match p.kind {
                    ProductKind::Service(s) => Some(s.code().into()),
                    ProductKind::Support(_) => None,
                },
            })
            .collect(),
    ))
}
