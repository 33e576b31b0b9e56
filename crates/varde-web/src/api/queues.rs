//! `/api/v1/queues`: the queues and the custom fields defined for each.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::access::{Action, Resource};
use varde_core::form::FieldErrors;
use varde_core::ticket::custom_fields::CustomFieldDef;
use varde_core::ticket::queue::QueueForm;

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
    caller.require_login()?;
    let queues = state.app.queues(&caller.actor).await?;
    Ok(Json(queues.into_iter().map(queue_json).collect()))
}

fn queue_json(q: varde_app::queues::QueueWithFields) -> QueueJson {
    QueueJson {
        id: q.queue.id,
        name: q.queue.name,
        description: q.queue.description,
        correspond_address: q.queue.correspond_address,
        comment_address: q.queue.comment_address,
        custom_fields: fields_json(q.custom_fields),
    }
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
    caller.require_login()?;
    let form = QueueForm {
        name: input.name,
        description: input.description,
        correspond_address: input.correspond_address,
        comment_address: input.comment_address,
    };
    let queue = state.app.add_queue(&caller.actor, &form).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(queue_json(varde_app::queues::QueueWithFields {
            queue,
            custom_fields: vec![],
        })),
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
    caller.require_login()?;
    let fields = input.into_iter().map(|f| (f.name, f.values)).collect();
    let defs = state
        .app
        .set_queue_custom_fields(&caller.actor, &name, fields)
        .await?;
    Ok(Json(fields_json(defs)))
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
