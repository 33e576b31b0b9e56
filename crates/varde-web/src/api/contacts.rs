//! `/api/v1/organizations/{id}/contacts` and `/api/v1/contacts/{id}`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use varde_core::access::{Action, Resource};
use varde_core::contact::ContactForm;
use varde_core::ids::{ContactId, OrganizationId};

use super::dto::{ContactInput, ContactJson};
use super::{ApiJson, Id, authorize};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};

#[utoipa::path(get, path = "/api/v1/organizations/{id}/contacts", tag = "customers",
    responses((status = 200, body = [ContactJson]), (status = 404, body = super::dto::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<Vec<ContactJson>>> {
    let org = OrganizationId(id);
    authorize(&caller, Action::Read, Resource::Contacts(org))?;
    state
        .store
        .organization(org)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let contacts = state.store.contacts_of(org).await?;
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
    let org_id = OrganizationId(id);
    authorize(&caller, Action::Write, Resource::Contacts(org_id))?;
    let org = state
        .store
        .organization(org_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let details = input
        .apply(ContactForm::default())
        .parse(org.details.language)
        .map_err(ApiError::invalid)?;
    let contact = state
        .store
        .create_contact(&caller.audit_name(), org_id, &details, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(ContactJson::from(&contact))))
}

/// Looks a contact up and checks `action` on its organisation's contacts.
async fn load(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action: Action,
) -> ApiResult<varde_core::contact::Contact> {
    caller.require_login()?;
    let contact = state.store.contact(ContactId(id)).await?;
    // An unknown id and another organisation's contact look the same to the caller.
    let Some(contact) = contact else {
        return Err(ApiError::not_found());
    };
    authorize(caller, action, Resource::Contacts(contact.organization))?;
    Ok(contact)
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "customers",
    responses((status = 200, body = ContactJson), (status = 404, body = super::dto::ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<ContactJson>> {
    let contact = load(&state, &caller, id, Action::Read).await?;
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
    let contact = load(&state, &caller, id, Action::Write).await?;
    let details = input
        .apply(ContactForm::from_details(&contact.details))
        .parse(contact.details.language)
        .map_err(ApiError::invalid)?;
    let contact = state
        .store
        .update_contact(&caller.audit_name(), contact.id, &details, state.now())
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
    let contact = load(&state, &caller, id, Action::Delete).await?;
    state
        .store
        .delete_contact(&caller.audit_name(), contact.id, state.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
