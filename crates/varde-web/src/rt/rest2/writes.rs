//! REST2's writes of users and queues, as python `rt.rest2` sends them (`create_user`,
//! `edit_user`, `delete_user`, `create_queue`, `edit_queue`, `delete_queue`): `POST /user`,
//! `PUT|DELETE /user/{id}`, `POST /queue`, `PUT|DELETE /queue/{id}`. The answers are RT
//! 5.0.3's (`201` with a reference and a `Location`, `200` with RT's change messages, `204`
//! for a delete, which disables), compared with the real RT.

use axum::http::header::LOCATION;
use varde_app::Acting;
use varde_rt::records::{NotTaken, queue_edit, user_edit};

use super::*;
use crate::rt::records::{self, MadeUser, rt_name};

/// The fields of a JSON body as RT field/value pairs.
async fn fields(headers: &HeaderMap, body: &Bytes) -> Result<Vec<(String, String)>, Response> {
    let (obj, _) = body_json(headers, body).await?;
    Ok(obj
        .iter()
        .map(|(k, v)| (k.clone(), form::field_text(v)))
        .collect())
}

/// Who writes, and the fields of the body: the preamble of every write here.
async fn who_and_fields(
    rq: &RtRequest,
    body: &Bytes,
) -> Result<(Acting, Vec<(String, String)>), Response> {
    let by = acting(rq)?;
    Ok((by, fields(&rq.headers, body).await?))
}

fn acting(rq: &RtRequest) -> Result<Acting, Response> {
    let (account, actor) = caller(rq)?;
    Ok(Acting::new(actor, account.email.to_string()))
}

/// Fields RT knows and Varde keeps nowhere, named on a create (REST2 has no way to say it
/// afterwards); RT's unknown fields are ignored, as RT's REST2 ignores them.
fn not_kept(problems: &[NotTaken]) -> Option<Response> {
    let named: Vec<&str> = problems
        .iter()
        .filter(|p| p.why != "Unknown field.")
        .map(|p| p.why.as_str())
        .collect();
    (!named.is_empty()).then(|| error(StatusCode::BAD_REQUEST, &named.join(" ")))
}

fn created(rq: &RtRequest, kind: &str, id: &str, number: &str) -> Response {
    let body = reference(&base(&rq.headers), kind, id);
    let mut response = (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response();
    if let Ok(v) = format!("/REST/2.0/{kind}/{number}").parse() {
        response.headers_mut().insert(LOCATION, v);
    }
    response
}

fn said(messages: Vec<String>, problems: &[NotTaken], label: &str) -> Response {
    let mut all = messages;
    all.extend(
        problems
            .iter()
            .filter(|p| p.why != "Unknown field.")
            .map(|p| format!("{label}: {}", p.why)),
    );
    ok_json(StatusCode::OK, &json!(all))
}

/// `POST /user`: a privileged user is an agent's account, an unprivileged one a requestor.
pub(super) async fn create_user(
    State(state): State<AppState>,
    rq: RtRequest,
    body: Bytes,
) -> Response {
    let (by, pairs) = match who_and_fields(&rq, &body).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let (edit, problems) = user_edit(&pairs);
    if let Some(refused) = not_kept(&problems) {
        return refused;
    }
    match records::create_user(&state, &by, &edit).await {
        Ok(MadeUser::Account(a)) => created(&rq, "user", &rt_name(&a), &a.id.to_string()),
        Ok(MadeUser::Requestor(email)) => created(&rq, "user", email.as_str(), email.as_str()),
        Err(e) => app_error(e),
    }
}

/// `PUT /user/{id}`: RT's change messages; `[]` when nothing changed.
pub(super) async fn update_user(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (by, pairs) = match who_and_fields(&rq, &body).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let account = match state.app.account_named(&by.actor, &id).await {
        Ok(a) => a,
        Err(e) => return not_to_update(e),
    };
    let (edit, problems) = user_edit(&pairs);
    let via = rq
        .caller
        .as_ref()
        .map_or(crate::rt::Via::Token, |c| c.via.clone());
    match records::change_user(&state, &by, &via, &account, &edit).await {
        Ok(messages) => said(messages, &problems, &format!("User {}", rt_name(&account))),
        Err(e) => app_error(e),
    }
}

/// `DELETE /user/{id}`: disables the account, as RT does (`204`).
pub(super) async fn disable_user(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
) -> Response {
    let by = match acting(&rq) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let account = match state.app.account_named(&by.actor, &id).await {
        Ok(a) => a,
        Err(e) => return app_error(e),
    };
    match state
        .app
        .change_account(&by, account.id, None, Some(true), None)
        .await
    {
        Ok(_) => deleted(),
        Err(e) => app_error(e),
    }
}

/// Why a `PUT` found nothing to change, in RT's words for a record that does not exist.
fn not_to_update(e: AppError) -> Response {
    match e {
        AppError::NotFound => error(
            StatusCode::NOT_FOUND,
            "Resource does not exist; use POST to create",
        ),
        e => app_error(e),
    }
}

fn deleted() -> Response {
    (
        StatusCode::NO_CONTENT,
        [(header::CONTENT_TYPE, "application/json; charset=\"utf-8\"")],
    )
        .into_response()
}

/// `POST /queue`.
pub(super) async fn create_queue(
    State(state): State<AppState>,
    rq: RtRequest,
    body: Bytes,
) -> Response {
    let (by, pairs) = match who_and_fields(&rq, &body).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let (edit, problems) = queue_edit(&pairs);
    if let Some(refused) = not_kept(&problems) {
        return refused;
    }
    if edit.name.as_deref().unwrap_or("").is_empty() {
        return error(StatusCode::BAD_REQUEST, "Queue name is required");
    }
    match records::create_queue(&state, &by, &edit).await {
        Ok(q) => created(&rq, "queue", &q.id.to_string(), &q.id.to_string()),
        Err(e) => app_error(e),
    }
}

/// `PUT /queue/{id}`: RT's change messages; `[]` when nothing changed.
pub(super) async fn update_queue(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (by, pairs) = match who_and_fields(&rq, &body).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let queue = match state.app.queue(&by.actor, &id).await {
        Ok(q) => q.queue,
        Err(e) => return not_to_update(e),
    };
    let (edit, problems) = queue_edit(&pairs);
    match records::change_queue(&state, &by, &queue, &edit).await {
        Ok(messages) => said(messages, &problems, &format!("Queue {}", queue.id)),
        Err(e) => app_error(e),
    }
}

/// `DELETE /queue/{id}`: disables the queue, as RT does (`204`); its tickets stay.
pub(super) async fn disable_queue(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
) -> Response {
    let by = match acting(&rq) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let change = varde_core::ticket::queue::QueueChange {
        disabled: Some(true),
        ..Default::default()
    };
    match state.app.change_queue(&by.actor, &id, &change).await {
        Ok(_) => deleted(),
        Err(e) => app_error(e),
    }
}
