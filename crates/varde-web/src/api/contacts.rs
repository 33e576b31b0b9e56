//! `/api/v1/organizations/{id}/contacts` and `/api/v1/contacts/{id}`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use varde_core::access::Action;
use varde_core::contact::ContactForm;
use varde_core::ids::{ContactId, OrganizationId};

use super::dto::{ContactInput, ContactJson};
use super::{ApiJson, Id};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;

#[utoipa::path(get, path = "/api/v1/organizations/{id}/contacts", tag = "customers",
    responses((status = 200, body = [ContactJson]), (status = 404, body = super::dto::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<Vec<ContactJson>>> {
    let contacts = state
        .app
        .contacts(&caller.actor, OrganizationId(id))
        .await?;
    Ok(Json(contacts.iter().map(ContactJson::from).collect()))
}

/// Add a contact. The language defaults to the organisation's.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/contacts", request_body = ContactInput, tag = "customers",
    responses((status = 201, body = ContactJson), (status = 409, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<(StatusCode, Json<ContactJson>)> {
    let form = input.apply(ContactForm::default());
    let contact = state
        .app
        .create_contact(&caller.acting(), OrganizationId(id), &form)
        .await?;
    Ok((StatusCode::CREATED, Json(ContactJson::from(&contact))))
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "customers",
    responses((status = 200, body = ContactJson), (status = 404, body = super::dto::ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<ContactJson>> {
    let contact = state
        .app
        .contact(&caller.actor, ContactId(id), Action::Read)
        .await?;
    Ok(Json(ContactJson::from(&contact)))
}

#[utoipa::path(patch, path = "/api/v1/contacts/{id}", request_body = ContactInput, tag = "customers",
    responses((status = 200, body = ContactJson), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<Json<ContactJson>> {
    let contact = state
        .app
        .update_contact(&caller.acting(), ContactId(id), |form| input.apply(form))
        .await?;
    Ok(Json(ContactJson::from(&contact)))
}

#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "customers",
    responses((status = 204), (status = 404, body = super::dto::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .app
        .delete_contact(&caller.acting(), ContactId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
