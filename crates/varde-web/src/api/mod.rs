//! The JSON API under `/api/v1`: one module per resource, their wire shapes in [`dto`].
//! Lists page with an opaque `cursor`; errors are `crate::error::ApiError` bodies.

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use varde_core::access::{Action, Resource};

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};

pub mod accounts;
pub mod contacts;
pub mod contracts;
pub mod dto;
pub mod organizations;
pub mod queues;
pub mod tickets;
pub mod transfer;
pub mod workspace;

pub use workspace::{roadmap_csv, roadmap_json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/organizations",
            get(organizations::list).post(organizations::create),
        )
        .route(
            "/organizations/{id}",
            get(organizations::read)
                .patch(organizations::update)
                .delete(organizations::delete),
        )
        .route(
            "/organizations/{id}/entitlements",
            get(organizations::entitlements),
        )
        .route("/organizations/{id}/audit", get(organizations::audit))
        .route(
            "/organizations/{id}/contacts",
            get(contacts::list).post(contacts::create),
        )
        .route(
            "/contacts/{id}",
            get(contacts::read)
                .patch(contacts::update)
                .delete(contacts::delete),
        )
        .route(
            "/organizations/{id}/contracts",
            get(contracts::list).post(contracts::create),
        )
        .route(
            "/contracts/{id}",
            get(contracts::read)
                .put(contracts::replace)
                .delete(contracts::delete),
        )
        .route("/products", get(contracts::products))
        .route("/me", get(accounts::me))
        .route(
            "/users",
            get(accounts::list_users).post(accounts::create_user),
        )
        .route(
            "/tokens",
            get(accounts::list_tokens).post(accounts::create_token),
        )
        .route(
            "/tokens/{id}",
            axum::routing::delete(accounts::revoke_token),
        )
        .route("/queues", get(queues::list).post(queues::create))
        .route(
            "/queues/{name}/custom-fields",
            axum::routing::put(queues::set_custom_fields),
        )
        .route(
            "/queues/{name}/on-call",
            get(queues::on_call).put(queues::set_on_call),
        )
        .route("/tickets", get(tickets::search).post(tickets::create))
        .route("/tickets/{id}", get(tickets::read).patch(tickets::update))
        .route("/tickets/{id}/replies", post(tickets::reply))
        .route("/tickets/{id}/comments", post(tickets::comment))
        .route("/tickets/{id}/phone-calls", post(tickets::phone_call))
        .route("/tickets/{id}/history", get(tickets::history))
        .route("/tickets/{id}/merge", post(tickets::merge))
        .route("/tickets/{id}/links", post(tickets::link))
        .route("/meetings", get(workspace::meetings))
        .route(
            "/organizations/{id}/health",
            get(workspace::organization_health),
        )
        .route("/roadmap", get(workspace::roadmap))
        .route("/export/{kind}", get(transfer::export))
        .route("/import/{kind}", post(transfer::import))
        .fallback(|| async { ApiError::new(ErrorCode::NotFound, "no such API route") })
}

/// Refuses unless [`can`] allows: `varde_app::authorize`, answered as the API answers.
pub fn authorize(caller: &Caller, action: Action, resource: Resource) -> Result<(), ApiError> {
    caller.require_login()?;
    Ok(varde_app::authorize(&caller.actor, action, &resource)?)
}

/// A JSON body whose errors are answered as JSON.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::bad_request(
                "send the body as JSON with 'Content-Type: application/json'",
            )),
            Err(e) => Err(ApiError::bad_request(format!(
                "the JSON body was refused: {}",
                e.body_text()
            ))),
        }
    }
}

/// The numeric id in the path.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::bad_request("the path has no id"))?;
        raw.parse::<i64>()
            .map(Id)
            .map_err(|_| ApiError::not_found())
    }
}

/// The query string, with errors answered as JSON.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| {
                ApiError::bad_request(format!("the query string was refused: {}", e.body_text()))
            })
    }
}
