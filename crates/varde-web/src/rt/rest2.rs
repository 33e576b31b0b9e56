//! REST2 (`/REST/2.0/…`): RT 5's JSON API, as python `rt.rest2` and curl scripts use it.
//!
//! Shapes follow RT 5.0.3: scalars are strings (except an object's top-level `id`), dates are
//! `YYYY-MM-DDTHH:MM:SSZ` with `1970-01-01T00:00:00Z` for unset, references are
//! `{"type","id","_url"}`, lists page with `page`/`per_page`, and errors are
//! `{"message": "…"}` with the status RT gives.

// Helpers return the early answer itself (`Err(Response)`); it is built once per refused
// request and sent, so boxing it would buy nothing.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use base64::Engine;
use serde_json::{Map, Value, json};
use varde_core::access::{Action, Actor, Resource, can};
use varde_core::account::Account;
use varde_core::ticket::history::Transaction;
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{Ticket, TicketId};
use varde_store::ticket_search::SearchRequest;
use varde_store::tickets::{AttachmentInfo, HistoryEntry, NewAttachment, TicketError};

use varde_app::AppError;
use varde_rt::form;

use crate::app::AppState;
use crate::tickets::{self, Fields, Message, OwnerAction};

mod collections;
mod custom_fields;
mod objects;
mod saved;
mod search;
mod transactions;
mod writes;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/REST/2.0/ticket", post(create))
        .route(
            "/REST/2.0/ticket/{id}",
            get(read).put(update).delete(delete),
        )
        .route("/REST/2.0/ticket/{id}/correspond", post(correspond))
        .route("/REST/2.0/ticket/{id}/comment", post(comment))
        .route("/REST/2.0/ticket/{id}/take", put(take))
        .route("/REST/2.0/ticket/{id}/untake", put(untake))
        .route("/REST/2.0/ticket/{id}/steal", put(steal))
        .route("/REST/2.0/ticket/{id}/history", get(objects::history))
        .route(
            "/REST/2.0/ticket/{id}/attachments",
            get(objects::ticket_attachments).post(objects::ticket_attachments),
        )
        .route(
            "/REST/2.0/tickets",
            get(search::search).post(search::search_post),
        )
        .route(
            "/REST/2.0/searches",
            get(saved::searches).post(saved::searches),
        )
        .route("/REST/2.0/search/{id}", get(saved::search))
        .route(
            "/REST/2.0/transactions",
            get(transactions::transactions).post(transactions::transactions),
        )
        .route("/REST/2.0/transaction/{id}", get(objects::transaction))
        .route(
            "/REST/2.0/transaction/{id}/attachments",
            get(objects::transaction_attachments),
        )
        .route("/REST/2.0/attachment/{id}", get(objects::attachment))
        .route("/REST/2.0/queue", post(writes::create_queue))
        .route(
            "/REST/2.0/queue/{id}",
            get(objects::queue)
                .put(writes::update_queue)
                .delete(writes::disable_queue),
        )
        .route(
            "/REST/2.0/queue/{id}/customfields",
            get(custom_fields::of_queue),
        )
        .route(
            "/REST/2.0/customfields",
            get(custom_fields::custom_fields).post(custom_fields::custom_fields),
        )
        .route(
            "/REST/2.0/customfield/{id}",
            get(custom_fields::custom_field),
        )
        .route("/REST/2.0/queues/all", get(collections::queues))
        .route(
            "/REST/2.0/queues",
            get(collections::queues).post(collections::queues),
        )
        .route("/REST/2.0/user", post(writes::create_user))
        .route(
            "/REST/2.0/user/{id}",
            get(objects::user)
                .put(writes::update_user)
                .delete(writes::disable_user),
        )
        .route(
            "/REST/2.0/users",
            get(collections::users).post(collections::users),
        )
        .route(
            "/REST/2.0/users/privileged",
            get(collections::users).post(collections::users),
        )
        .route(
            "/REST/2.0/users/unprivileged",
            get(collections::users).post(collections::users),
        )
        .route(
            "/REST/2.0/{*rest}",
            axum::routing::any(|| async { error(StatusCode::NOT_FOUND, "Not Found") }),
        )
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        json!({ "message": message }).to_string(),
    )
        .into_response()
}

fn ok_json(status: StatusCode, v: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=\"utf-8\"")],
        v.to_string(),
    )
        .into_response()
}

fn ticket_error(e: TicketError) -> Response {
    match e {
        TicketError::Refused(m) => error(StatusCode::BAD_REQUEST, &m),
        TicketError::Store(varde_store::StoreError::NotFound) => {
            error(StatusCode::NOT_FOUND, "Not Found")
        }
        TicketError::Store(e) => {
            tracing::error!(error = %e, "REST2 store failure");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is unavailable; try again shortly",
            )
        }
    }
}

/// The base of every `_url`: RT builds them from its configured web address; Varde from the
/// Host the client used, so that the URLs work for that client.
fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}/REST/2.0")
}

fn reference(base: &str, kind: &str, id: &str) -> Value {
    json!({"type": kind, "id": id, "_url": format!("{base}/{kind}/{id}")})
}

fn date(t: Option<jiff::Timestamp>) -> Value {
    Value::String(match t {
        Some(t) => t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => "1970-01-01T00:00:00Z".into(),
    })
}

/// An RT request's headers and its caller, authenticated once (Basic, token, or a session
/// cookie) before the handler runs; a change made with the console's cookie and without its
/// CSRF token is refused there.
pub struct RtRequest {
    pub headers: HeaderMap,
    pub caller: Option<super::RtCaller>,
}

impl axum::extract::FromRequestParts<AppState> for RtRequest {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<RtRequest, Response> {
        let address = crate::auth::ClientAddress::of(parts, &state.network).ip;
        let caller = super::account_from_headers(state, &parts.headers, address).await;
        if let Some(why) = caller
            .as_ref()
            .and_then(|c| c.forgery(&parts.method, &parts.headers))
        {
            return Err(error(StatusCode::FORBIDDEN, why));
        }
        Ok(RtRequest {
            headers: parts.headers.clone(),
            caller,
        })
    }
}

/// The caller, who must be staff with access to tickets.
fn caller(rq: &RtRequest) -> Result<(Account, Actor), Response> {
    let Some(c) = &rq.caller else {
        return Err(error(StatusCode::UNAUTHORIZED, "Unauthorized"));
    };
    match super::staff_actor(&c.account, c.scope) {
        Some(actor) => Ok((c.account.clone(), actor)),
        None => Err(error(StatusCode::FORBIDDEN, "Forbidden")),
    }
}

/// REST2's answer for why a use case did not happen.
fn app_error(e: AppError) -> Response {
    match e {
        AppError::Unauthenticated => error(StatusCode::UNAUTHORIZED, "Unauthorized"),
        AppError::NotFound => error(StatusCode::NOT_FOUND, "Not Found"),
        AppError::Forbidden => error(StatusCode::FORBIDDEN, "Forbidden"),
        AppError::Refused(m) => error(StatusCode::BAD_REQUEST, &m),
        AppError::Invalid(f) | AppError::Conflict(f) => {
            error(StatusCode::BAD_REQUEST, &f.to_string())
        }
        AppError::Unavailable(m) => {
            tracing::error!(error = %m, "REST2: database unavailable");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is unavailable; try again shortly",
            )
        }
        AppError::Internal(m) => {
            tracing::error!(error = %m, "REST2: internal error");
            error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
    }
}

/// The caller and the ticket a request names, with `action` checked: the preamble of every
/// ticket route.
async fn ticket_for(
    state: &AppState,
    rq: &RtRequest,
    raw: &str,
    action: Action,
) -> Result<(Account, Actor, Ticket), Response> {
    let (account, actor) = caller(rq)?;
    let t = load(state, &actor, raw, action).await?;
    Ok((account, actor, t))
}

/// The ticket a path names, through the one loader ([`varde_app::App::ticket`]): a merged
/// ticket's number resolves to the ticket it was merged into.
async fn load(
    state: &AppState,
    actor: &Actor,
    raw: &str,
    action: Action,
) -> Result<Ticket, Response> {
    let id: i64 = raw
        .parse()
        .map_err(|_| error(StatusCode::NOT_FOUND, "Not Found"))?;
    state
        .app
        .ticket(actor, TicketId(id), action)
        .await
        .map_err(app_error)
}

/// The full REST2 object of a ticket.
async fn ticket_json(
    state: &AppState,
    base: &str,
    t: &Ticket,
    due: Option<jiff::Timestamp>,
    params: &HashMap<String, String>,
) -> Value {
    let queue = state.store.queue(&t.queue).await.ok().flatten();
    let mut q = reference(
        base,
        "queue",
        &queue
            .as_ref()
            .map(|q| q.id.to_string())
            .unwrap_or_else(|| t.queue.clone()),
    );
    if let Some(expand) = params.get("fields[Queue]") {
        for f in expand.split(',') {
            match f.trim() {
                "Name" => q["Name"] = json!(t.queue),
                "Description" => {
                    q["Description"] = json!(
                        queue
                            .as_ref()
                            .map(|q| q.description.clone())
                            .unwrap_or_default()
                    )
                }
                _ => {}
            }
        }
    }
    let users =
        |list: &[String]| Value::Array(list.iter().map(|a| reference(base, "user", a)).collect());
    let mut links = vec![
        json!({"ref": "self", "type": "ticket", "id": t.id.0, "_url": format!("{base}/ticket/{}", t.id)}),
        json!({"ref": "history", "_url": format!("{base}/ticket/{}/history", t.id)}),
        json!({"ref": "correspond", "_url": format!("{base}/ticket/{}/correspond", t.id)}),
        json!({"ref": "comment", "_url": format!("{base}/ticket/{}/comment", t.id)}),
    ];
    for to in Status::ALL
        .iter()
        .copied()
        .filter(|s| t.status.may_become(*s))
    {
        let (label, update, url) = match to {
            Status::Open => ("Open It", Some("Respond"), "correspond"),
            Status::Resolved => ("Resolve", Some("Comment"), "comment"),
            Status::Rejected => ("Reject", Some("Respond"), "correspond"),
            Status::Stalled => ("Stall", Some("Comment"), "comment"),
            Status::Deleted => ("Delete", None, ""),
            Status::New => continue,
        };
        let mut l = json!({"ref": "lifecycle", "from": t.status.code(), "to": to.code(), "label": label,
            "_url": if url.is_empty() { format!("{base}/ticket/{}", t.id) } else { format!("{base}/ticket/{}/{url}", t.id) }});
        if let Some(u) = update {
            l["update"] = json!(u);
        }
        links.push(l);
    }
    for (kind, target) in &t.links {
        let rt_ref = match kind.name() {
            "RefersTo" => "refers-to",
            "ReferredToBy" => "referred-to-by",
            "DependsOn" => "depends-on",
            "DependedOnBy" => "depended-on-by",
            "MemberOf" => "parent",
            _ => "child",
        };
        links.push(json!({"ref": rt_ref, "type": "ticket", "id": target.to_string(), "_url": format!("{base}/ticket/{target}")}));
    }
    let custom_fields: Vec<Value> = t
        .custom_fields
        .iter()
        .map(|(name, values)| json!({"id": name, "name": name, "type": "customfield", "values": values}))
        .collect();
    let mut v = json!({
        "id": t.id.0,
        "Type": "ticket",
        "Subject": t.subject,
        "Status": t.status.code(),
        "Queue": q,
        "Owner": reference(base, "user", t.owner_name()),
        "Creator": reference(base, "user", &t.creator),
        "LastUpdatedBy": reference(base, "user", &t.last_updated_by),
        "EffectiveId": reference(base, "ticket", &t.effective_id.to_string()),
        "Requestor": users(&t.requestors),
        "Cc": users(&t.cc),
        "AdminCc": users(&t.admin_cc),
        "Priority": t.priority.to_string(),
        "InitialPriority": t.initial_priority.to_string(),
        "FinalPriority": t.final_priority.to_string(),
        "TimeEstimated": t.time_estimated.to_string(),
        "TimeWorked": t.time_worked.to_string(),
        "TimeLeft": t.time_left.to_string(),
        "Created": date(Some(t.created)),
        "Starts": date(t.starts),
        "Started": date(t.started),
        "Due": date(due),
        "Resolved": date(t.resolved),
        "Told": date(t.told),
        "LastUpdated": date(Some(t.last_updated)),
        "CustomFields": custom_fields,
        "Organization": t.organization.map(|o| o.0.to_string()),
        "_hyperlinks": links,
    });
    // RT's Told is NULL until the first reply, and REST2 leaves NULL columns out.
    if t.told.is_none()
        && let Some(o) = v.as_object_mut()
    {
        o.remove("Told");
    }
    v
}

/// The JSON body of a request, which RT also accepts as a multipart form with a `JSON` field
/// and `Attachments` files.
async fn body_json(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(Map<String, Value>, Vec<NewAttachment>), Response> {
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ctype.starts_with("multipart/form-data") {
        let boundary = form::multipart_boundary(ctype)
            .ok_or_else(|| error(StatusCode::BAD_REQUEST, "multipart without a boundary"))?;
        let mut json_obj = Map::new();
        let mut attachments = Vec::new();
        for p in form::multipart(body, &boundary).await {
            if p.name == "JSON" {
                json_obj =
                    form::json_object(&p.data).map_err(|e| error(StatusCode::BAD_REQUEST, &e))?;
            } else if p.name == "Attachments" {
                attachments.push(NewAttachment {
                    filename: p.filename.unwrap_or_default(),
                    content_type: p
                        .content_type
                        .unwrap_or_else(|| "application/octet-stream".into()),
                    content: p.data,
                });
            }
        }
        return Ok((json_obj, attachments));
    }
    form::json_object(body)
        .map(|o| (o, vec![]))
        .map_err(|e| error(StatusCode::BAD_REQUEST, &e))
}

fn message_of(obj: &Map<String, Value>, attachments: Vec<NewAttachment>) -> Message {
    let content = obj.get("Content").map(form::field_text).unwrap_or_default();
    let content_type = obj
        .get("ContentType")
        .map(form::field_text)
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "text/plain".into());
    let time_taken = obj
        .get("TimeTaken")
        .map(form::field_text)
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    Message {
        content,
        content_type,
        attachments,
        time_taken,
    }
}

async fn create(State(state): State<AppState>, rq: RtRequest, body: Bytes) -> Response {
    let (account, actor) = match caller(&rq) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !can(&actor, Action::Write, &Resource::TicketSystem) {
        return error(StatusCode::FORBIDDEN, "Forbidden");
    }
    let (obj, attachments) = match body_json(&rq.headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let fields = form::json_fields(&obj);
    let creation = match tickets::creation(&fields, Some(account.email.as_str())) {
        Ok(c) => c,
        Err(m @ tickets::CreationError::NoQueue) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("Could not create ticket. {m}"),
            );
        }
        Err(m) => return error(StatusCode::BAD_REQUEST, &m.to_string()),
    };
    let message = message_of(&obj, attachments);
    let queue = creation.queue.clone();
    match tickets::open(&state.app, account.email.as_str(), creation, &message).await {
        Ok(t) => {
            let b = base(&rq.headers);
            (
                StatusCode::CREATED,
                [(header::LOCATION, format!("/REST/2.0/ticket/{}", t.id)), (header::CONTENT_TYPE, "application/json; charset=utf-8".into())],
                json!({"id": t.id.to_string(), "type": "ticket", "_url": format!("{b}/ticket/{}", t.id)}).to_string(),
            )
                .into_response()
        }
        // RT answers a queue that does not exist as one the caller may not create in. The
        // queue is read again only when the creation was refused.
        Err(TicketError::Refused(_)) if matches!(state.store.queue(&queue).await, Ok(None)) => {
            error(
                StatusCode::FORBIDDEN,
                &format!("No permission to create tickets in the queue '{queue}'"),
            )
        }
        Err(e) => ticket_error(e),
    }
}

async fn read(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let (_, _, t) = match ticket_for(&state, &rq, &id, Action::Read).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let due = crate::tickets::due(&state.app, &t).await;
    let v = ticket_json(&state, &base(&rq.headers), &t, due, &params).await;
    let mut r = ok_json(StatusCode::OK, &v);
    if let Ok(etag) = format!("\"{}\"", t.last_updated.as_microsecond()).parse() {
        r.headers_mut().insert(header::ETAG, etag);
    }
    r
}

async fn update(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (account, _, t) = match ticket_for(&state, &rq, &id, Action::Write).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (obj, _) = match body_json(&rq.headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut fields = form::json_fields(&obj);
    let mut messages = Vec::new();
    if let Some(pos) = fields.iter().position(|(k, _)| k == "MergeInto") {
        let (_, into) = fields.remove(pos);
        let Ok(into) = into.trim().parse::<i64>() else {
            return error(StatusCode::BAD_REQUEST, "MergeInto needs a ticket number");
        };
        if let Err(e) =
            tickets::merge(&state.app, t.id, TicketId(into), account.email.as_str()).await
        {
            return ticket_error(e);
        }
        messages.push("Merge Successful".to_string());
    }
    // Links are recorded on both tickets, so they go through the link service: RT's REST2
    // names them `AddDependsOn`, `DeleteRefersTo` …, or plainly `DependsOn` to add.
    let mut link_requests = Vec::new();
    fields.retain(|(k, v)| {
        let (remove, name) = match (k.strip_prefix("Add"), k.strip_prefix("Delete")) {
            (Some(n), _) => (false, n),
            (_, Some(n)) => (true, n),
            _ => (false, k.as_str()),
        };
        match varde_core::ticket::LinkKind::parse(name) {
            Some(kind) if name.len() > 4 => {
                for target in v.split(',').map(str::trim).filter(|x| !x.is_empty()) {
                    link_requests.push((kind, target.to_string(), remove));
                }
                false
            }
            _ => true,
        }
    });
    for (kind, target, remove) in link_requests {
        let Ok(to) = target.trim_start_matches("ticket/").parse::<i64>() else {
            return ok_json(
                StatusCode::OK,
                &json!([format!("Couldn't resolve '{target}' into a link.")]),
            );
        };
        match tickets::link(
            &state.app,
            t.id,
            kind,
            TicketId(to),
            account.email.as_str(),
            remove,
        )
        .await
        {
            Ok(()) => messages.push(format!(
                "Ticket {}: {} {} ticket {to}",
                t.id,
                kind.name(),
                if remove { "removed" } else { "added" }
            )),
            Err(TicketError::Refused(m)) => {
                return ok_json(
                    StatusCode::OK,
                    &json!([format!("Couldn't resolve '{target}' into a link: {m}")]),
                );
            }
            Err(e) => return ticket_error(e),
        }
    }
    match tickets::update(&state.app, t.id, account.email.as_str(), &fields).await {
        Ok((_, m)) => {
            messages.extend(m);
            ok_json(StatusCode::OK, &json!(messages))
        }
        Err(e) => ticket_error(e),
    }
}

async fn delete(State(state): State<AppState>, rq: RtRequest, Path(id): Path<String>) -> Response {
    let (account, _, t) = match ticket_for(&state, &rq, &id, Action::Write).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let fields = vec![("Status".to_string(), "deleted".to_string())];
    match tickets::update(&state.app, t.id, account.email.as_str(), &fields).await {
        Ok((_, m)) => ok_json(StatusCode::OK, &json!(m)),
        Err(e) => ticket_error(e),
    }
}

async fn respond(
    state: AppState,
    rq: RtRequest,
    id: String,
    body: Bytes,
    is_comment: bool,
) -> Response {
    let (account, _, t) = match ticket_for(&state, &rq, &id, Action::Write).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (obj, attachments) = match body_json(&rq.headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let message = message_of(&obj, attachments);
    if message.content.is_empty() && message.attachments.is_empty() {
        return error(StatusCode::BAD_REQUEST, "No content or attachments");
    }
    let (_, ids) = match tickets::respond(
        &state.app,
        t.id,
        account.email.as_str(),
        is_comment,
        &message,
    )
    .await
    {
        Ok(x) => x,
        Err(e) => return ticket_error(e),
    };
    let mut messages = vec![
        if is_comment {
            "Comments added"
        } else {
            "Correspondence added"
        }
        .to_string(),
    ];
    // RT lets a reply set fields too (e.g. resolve while answering).
    let extra: Fields = form::json_fields(&obj)
        .into_iter()
        .filter(|(k, _)| {
            !["Content", "ContentType", "TimeTaken", "Attachments"].contains(&k.as_str())
        })
        .collect();
    if !extra.is_empty() {
        match tickets::update(&state.app, t.id, account.email.as_str(), &extra).await {
            Ok((_, m)) => messages.extend(m),
            Err(e) => return ticket_error(e),
        }
    }
    let location = ids
        .first()
        .map(|i| format!("/REST/2.0/transaction/{i}"))
        .unwrap_or_default();
    (
        StatusCode::CREATED,
        [
            (header::LOCATION, location),
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".into(),
            ),
        ],
        json!(messages).to_string(),
    )
        .into_response()
}

async fn correspond(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    respond(state, rq, id, body, false).await
}

async fn comment(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    respond(state, rq, id, body, true).await
}

/// Take, untake and steal, with RT's rules: take only an unowned ticket, steal only one that
/// someone else owns, untake only one's own. A refusal is RT's message, not an error status.
async fn set_owner(state: AppState, rq: RtRequest, id: String, kind: OwnerAction) -> Response {
    let (account, _, t) = match ticket_for(&state, &rq, &id, Action::Write).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    // RT answers take, untake and steal with its message, a refusal included, as a list.
    match tickets::set_own(&state.app, &t, account.email.as_str(), kind).await {
        Ok(m) | Err(TicketError::Refused(m)) => ok_json(StatusCode::OK, &json!([m])),
        Err(e) => ticket_error(e),
    }
}

async fn take(State(state): State<AppState>, rq: RtRequest, Path(id): Path<String>) -> Response {
    set_owner(state, rq, id, OwnerAction::Take).await
}

async fn untake(State(state): State<AppState>, rq: RtRequest, Path(id): Path<String>) -> Response {
    set_owner(state, rq, id, OwnerAction::Untake).await
}

async fn steal(State(state): State<AppState>, rq: RtRequest, Path(id): Path<String>) -> Response {
    set_owner(state, rq, id, OwnerAction::Steal).await
}
