//! `/api/v1/queues`: the queues and the custom fields defined for each.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::access::{Action, Resource};
use varde_core::form::FieldErrors;
use varde_core::ticket::custom_fields::CustomFieldDef;

use super::{ApiJson, authorize};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CustomFieldJson {
    pub name: String,
    /// The values allowed; empty means any text.
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct QueueJson {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub correspond_address: String,
    pub comment_address: String,
    pub custom_fields: Vec<CustomFieldJson>,
}

fn fields_json(defs: Vec<CustomFieldDef>) -> Vec<CustomFieldJson> {
    defs.into_iter()
        .map(|d| CustomFieldJson {
            name: d.name,
            values: d.allowed,
        })
        .collect()
}

/// Every queue, with its custom fields.
#[utoipa::path(get, path = "/api/v1/queues", tag = "tickets", responses((status = 200, body = [QueueJson]), (status = 403, body = super::dto::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<QueueJson>>> {
    authorize(&caller, Action::Read, Resource::QueueSettings)?;
    let mut out = Vec::new();
    for q in state.store.queues().await? {
        let defs = state.store.queue_custom_fields(&q.name).await?;
        out.push(QueueJson {
            id: q.id,
            name: q.name,
            description: q.description,
            correspond_address: q.correspond_address,
            comment_address: q.comment_address,
            custom_fields: fields_json(defs),
        });
    }
    Ok(Json(out))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The address replies are sent from (and customers write to).
    #[serde(default)]
    pub correspond_address: String,
    /// The address for internal comments by mail.
    #[serde(default)]
    pub comment_address: String,
}

/// Create a queue (administrators).
#[utoipa::path(post, path = "/api/v1/queues", request_body = QueueInput, tag = "tickets",
    responses((status = 201, body = QueueJson), (status = 403, body = super::dto::ErrorBody), (status = 409, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<QueueInput>,
) -> ApiResult<(axum::http::StatusCode, Json<QueueJson>)> {
    authorize(&caller, Action::Write, Resource::QueueSettings)?;
    let mut errors = FieldErrors::new();
    let name = input.name.trim();
    if name.is_empty() || name.len() > 64 || name.contains(['/', '\\', '\'']) {
        errors.add(
            "name",
            "a queue has a name of 1 to 64 characters without slashes or quotes",
        );
    }
    for (field, value) in [
        ("correspond_address", &input.correspond_address),
        ("comment_address", &input.comment_address),
    ] {
        if !value.trim().is_empty() {
            errors.take(field, varde_core::values::EmailAddress::parse(value));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let q = state
        .store
        .create_queue(
            name,
            input.description.trim(),
            input.correspond_address.trim(),
            input.comment_address.trim(),
            state.now(),
        )
        .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(QueueJson {
            id: q.id,
            name: q.name,
            description: q.description,
            correspond_address: q.correspond_address,
            comment_address: q.comment_address,
            custom_fields: vec![],
        }),
    ))
}

/// Replace the custom fields of a queue (administrators). Values already on tickets stay.
#[utoipa::path(put, path = "/api/v1/queues/{name}/custom-fields", request_body = [CustomFieldJson], tag = "tickets",
    responses((status = 200, body = [CustomFieldJson]), (status = 403, body = super::dto::ErrorBody), (status = 404, body = super::dto::ErrorBody)))]
pub async fn set_custom_fields(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    ApiJson(input): ApiJson<Vec<CustomFieldJson>>,
) -> ApiResult<Json<Vec<CustomFieldJson>>> {
    authorize(&caller, Action::Write, Resource::QueueSettings)?;
    let queue = state
        .store
        .queue(&name)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut errors = FieldErrors::new();
    let mut defs: Vec<CustomFieldDef> = Vec::new();
    for (i, f) in input.into_iter().enumerate() {
        let name = f.name.trim().to_string();
        if name.is_empty() || name.len() > 64 || name.contains(['{', '}', ',']) {
            errors.add(
                &format!("[{i}].name"),
                "a custom field has a name of 1 to 64 characters without braces or commas",
            );
        } else if defs.iter().any(|d| d.name.eq_ignore_ascii_case(&name)) {
            errors.add(&format!("[{i}].name"), format!("{name} is listed twice"));
        }
        defs.push(CustomFieldDef {
            name,
            allowed: f
                .values
                .into_iter()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect(),
        });
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    state
        .store
        .set_queue_custom_fields(&queue.name, &defs)
        .await?;
    Ok(Json(fields_json(
        state.store.queue_custom_fields(&queue.name).await?,
    )))
}

/// Who is on call for a queue's tickets.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnCallJson {
    /// Told at once (by e-mail) of SLA warnings and breaches on urgent and unowned tickets;
    /// empty: the server's `--sla-on-call`.
    #[serde(default)]
    pub email: String,
    /// Sent an SMS about urgent tickets (E.164); empty: the server's `--sla-on-call-sms`.
    #[serde(default)]
    pub phone: String,
}

/// A queue's on-call contact.
#[utoipa::path(get, path = "/api/v1/queues/{name}/on-call", tag = "tickets",
    responses((status = 200, body = OnCallJson), (status = 404, body = super::dto::ErrorBody)))]
pub async fn on_call(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> ApiResult<Json<OnCallJson>> {
    authorize(&caller, Action::Read, Resource::QueueSettings)?;
    let queue = state
        .store
        .queue(&name)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let (email, phone) = state
        .store
        .queue_on_call()
        .await?
        .remove(&queue.name)
        .unwrap_or_default();
    Ok(Json(OnCallJson { email, phone }))
}

/// Set a queue's on-call contact (administrators).
#[utoipa::path(put, path = "/api/v1/queues/{name}/on-call", request_body = OnCallJson, tag = "tickets",
    responses((status = 200, body = OnCallJson), (status = 403, body = super::dto::ErrorBody), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn set_on_call(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    ApiJson(input): ApiJson<OnCallJson>,
) -> ApiResult<Json<OnCallJson>> {
    authorize(&caller, Action::Write, Resource::QueueSettings)?;
    let queue = state
        .store
        .queue(&name)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut errors = FieldErrors::new();
    let email = if input.email.trim().is_empty() {
        Some(String::new())
    } else {
        errors.take(
            "email",
            varde_core::values::EmailAddress::parse(&input.email).map(|e| e.to_string()),
        )
    };
    let phone = if input.phone.trim().is_empty() {
        Some(String::new())
    } else {
        errors.take(
            "phone",
            varde_core::values::PhoneNumber::parse(&input.phone).map(|p| p.as_str().to_string()),
        )
    };
    let (Some(email), Some(phone)) = (email, phone) else {
        return Err(ApiError::invalid(errors));
    };
    state
        .store
        .set_queue_on_call(queue.id, &email, &phone)
        .await?;
    Ok(Json(OnCallJson { email, phone }))
}
