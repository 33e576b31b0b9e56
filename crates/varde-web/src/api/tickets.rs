//! `/api/v1/tickets`: Varde's own JSON API for tickets, for what RT's APIs cannot express
//! (organisations and entitlements, phone calls, customer access).
//!
//! Staff see every ticket. A customer contact sees its organisation's tickets only, opens
//! tickets as itself, and never sees internal comments.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use varde_core::access::{Action, Resource, can, visibility};
use varde_core::ticket::{LinkKind, Ticket, TicketId};
use varde_store::ticket_search::SearchRequest;
use varde_store::tickets::TicketError;

use super::{ApiJson, ApiQuery, Id};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::tickets::{self as service, Fields, Message};

#[derive(Serialize, ToSchema)]
pub struct TicketJson {
    pub id: i64,
    /// The ticket this one was merged into, or its own id.
    pub effective_id: i64,
    pub queue: String,
    pub subject: String,
    /// new | open | stalled | resolved | rejected | deleted
    pub status: String,
    /// The owner's e-mail address; null for Nobody.
    pub owner: Option<String>,
    pub requestors: Vec<String>,
    pub cc: Vec<String>,
    pub admin_cc: Vec<String>,
    pub priority: i64,
    pub initial_priority: i64,
    pub final_priority: i64,
    /// Minutes.
    pub time_worked: i64,
    pub created: String,
    pub started: Option<String>,
    pub resolved: Option<String>,
    /// RT's `Due`: the SLA's next deadline, unless one was set by hand.
    pub due: Option<String>,
    pub told: Option<String>,
    pub last_updated: String,
    pub custom_fields: BTreeMap<String, Vec<String>>,
    /// `{"kind": "DependsOn", "ticket": 3}` …
    pub links: Vec<LinkJson>,
    pub organization_id: Option<i64>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct LinkJson {
    /// RefersTo | ReferredToBy | DependsOn | DependedOnBy | MemberOf | Members
    pub kind: String,
    pub ticket: i64,
}

fn time(t: Option<jiff::Timestamp>) -> Option<String> {
    t.map(|t| t.to_string())
}

/// The tickets as JSON, each with RT's `Due` (its SLA's next deadline unless set by hand), as
/// REST 1.0, REST2 and the console show it.
async fn tickets_json(state: &AppState, tickets: &[Ticket]) -> Vec<TicketJson> {
    let mut due = varde_app::tickets::due_of(&state.app, tickets).await;
    tickets
        .iter()
        .map(|t| TicketJson::new(t, due.remove(&t.id)))
        .collect()
}

async fn ticket_json(state: &AppState, t: &Ticket) -> Json<TicketJson> {
    Json(TicketJson::new(
        t,
        varde_app::tickets::due(&state.app, t).await,
    ))
}

impl TicketJson {
    fn new(t: &Ticket, due: Option<jiff::Timestamp>) -> Self {
        TicketJson {
            id: t.id.0,
            effective_id: t.effective_id.0,
            queue: t.queue.clone(),
            subject: t.subject.clone(),
            status: t.status.code().into(),
            owner: t.owner.clone(),
            requestors: t.requestors.clone(),
            cc: t.cc.clone(),
            admin_cc: t.admin_cc.clone(),
            priority: t.priority,
            initial_priority: t.initial_priority,
            final_priority: t.final_priority,
            time_worked: t.time_worked,
            created: t.created.to_string(),
            started: time(t.started),
            resolved: time(t.resolved),
            due: time(due),
            told: time(t.told),
            last_updated: t.last_updated.to_string(),
            custom_fields: t.custom_fields.clone(),
            links: t
                .links
                .iter()
                .map(|(k, id)| LinkJson {
                    kind: k.name().into(),
                    ticket: id.0,
                })
                .collect(),
            organization_id: t.organization.map(|o| o.0),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<TicketJson>,
    pub total: i64,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct SearchParams {
    /// A TicketSQL query, e.g. `Status = '__Active__' AND Queue = 'General'`. Empty: every ticket.
    pub query: Option<String>,
    /// An RT field to order by (`id`, `Created`, `LastUpdated`, `Priority` …).
    pub order_by: Option<String>,
    /// `desc` for newest first.
    pub order: Option<String>,
    pub cursor: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
}

fn ticket_error(e: TicketError) -> ApiError {
    match e {
        TicketError::Refused(m) => ApiError::new(ErrorCode::ValidationFailed, m),
        TicketError::Store(e) => e.into(),
    }
}

/// Search tickets with TicketSQL. A customer contact finds its organisation's tickets only.
#[utoipa::path(get, path = "/api/v1/tickets", params(SearchParams), tag = "tickets",
    responses((status = 200, body = TicketPage), (status = 400, body = super::dto::ErrorBody), (status = 401, body = super::dto::ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<TicketPage>> {
    caller.require_login()?;
    if !can(&caller.actor, Action::Read, &Resource::TicketSystem) {
        return Err(ApiError::forbidden());
    }
    let query = varde_rt::ticketsql::parse(p.query.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::bad_request(format!("the query could not be read: {e}")))?;
    let limit = i64::from(p.limit.unwrap_or(50).clamp(1, 500));
    let offset: i64 = match p.cursor.as_deref() {
        Some(c) => c
            .parse()
            .map_err(|_| ApiError::bad_request("that cursor is not one this API gave out"))?,
        None => 0,
    };
    let request = SearchRequest {
        query: &query,
        visibility: visibility(&caller.actor),
        order_by: p.order_by.as_deref().unwrap_or("id"),
        descending: p
            .order
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case("desc")),
        offset,
        limit,
        now: state.now(),
    };
    let page = state
        .store
        .search_tickets(&request)
        .await?
        .map_err(|e| ApiError::bad_request(format!("the query could not run: {e}")))?;
    let items = tickets_json(&state, &state.store.tickets(&page.ids).await?).await;
    let next = offset + limit;
    Ok(Json(TicketPage {
        items,
        total: page.total,
        next_cursor: (next < page.total).then(|| next.to_string()),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    pub queue: String,
    pub subject: String,
    /// Who asked; staff may name anyone (default: themselves). A customer contact is always
    /// the requestor of what it opens.
    #[serde(default)]
    pub requestors: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    pub content: String,
    #[serde(default)]
    pub priority: Option<i64>,
    #[serde(default)]
    pub custom_fields: BTreeMap<String, Vec<String>>,
}

/// Open a ticket. It belongs to the organisation of its requestor.
#[utoipa::path(post, path = "/api/v1/tickets", request_body = NewTicket, tag = "tickets",
    responses((status = 201, body = TicketJson), (status = 422, body = super::dto::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<NewTicket>,
) -> ApiResult<(StatusCode, Json<TicketJson>)> {
    caller.require_login()?;
    let mut fields: Fields = vec![
        ("Queue".into(), input.queue),
        ("Subject".into(), input.subject),
        ("Requestor".into(), input.requestors.join(", ")),
        ("Cc".into(), input.cc.join(", ")),
        ("Priority".into(), input.priority.unwrap_or(0).to_string()),
    ];
    for (name, values) in input.custom_fields {
        fields.push((format!("CF.{{{name}}}"), values.join(",")));
    }
    let message = Message {
        content: input.content,
        content_type: "text/plain".into(),
        attachments: vec![],
        time_taken: 0,
    };
    let t = state
        .app
        .open_ticket(&caller.acting(), fields, &message)
        .await?;
    Ok((StatusCode::CREATED, ticket_json(&state, &t).await))
}

/// Whether the caller, who can see the ticket, may also change `resource` of it: 403 if not
/// (not 404: the ticket itself is visible).
fn may(caller: &Caller, resource: Resource) -> ApiResult<()> {
    if can(&caller.actor, Action::Write, &resource) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

async fn load(state: &AppState, caller: &Caller, id: i64, action: Action) -> ApiResult<Ticket> {
    caller.require_login()?;
    Ok(state
        .app
        .ticket(&caller.actor, TicketId(id), action)
        .await?)
}

#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets",
    responses((status = 200, body = TicketJson), (status = 404, body = super::dto::ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<TicketJson>> {
    Ok(ticket_json(&state, &load(&state, &caller, id, Action::Read).await?).await)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TicketChanges {
    pub subject: Option<String>,
    pub queue: Option<String>,
    pub status: Option<String>,
    /// An e-mail address, or null for Nobody.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub owner: Option<Option<String>>,
    pub priority: Option<i64>,
    pub final_priority: Option<i64>,
    /// RFC 3339, or null to clear.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub due: Option<Option<String>>,
    pub requestors: Option<Vec<String>>,
    pub cc: Option<Vec<String>>,
    pub custom_fields: Option<BTreeMap<String, Vec<String>>>,
}

fn some<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Change fields of a ticket (staff only); fields not sent stay as they are.
#[utoipa::path(patch, path = "/api/v1/tickets/{id}", request_body = TicketChanges, tag = "tickets",
    responses((status = 200, body = TicketJson), (status = 403, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(c): ApiJson<TicketChanges>,
) -> ApiResult<Json<TicketJson>> {
    let t = load(&state, &caller, id, Action::Write).await?;
    may(&caller, Resource::TicketHandling(t.organization))?;
    let mut fields: Fields = Vec::new();
    let mut push = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            fields.push((k.into(), v));
        }
    };
    push("Subject", c.subject);
    push("Queue", c.queue);
    push("Status", c.status);
    push(
        "Owner",
        c.owner.map(|o| o.unwrap_or_else(|| "Nobody".into())),
    );
    push("Priority", c.priority.map(|p| p.to_string()));
    push("FinalPriority", c.final_priority.map(|p| p.to_string()));
    push("Due", c.due.map(|d| d.unwrap_or_default()));
    push("Requestors", c.requestors.map(|r| r.join(", ")));
    push("Cc", c.cc.map(|r| r.join(", ")));
    for (name, values) in c.custom_fields.unwrap_or_default() {
        fields.push((format!("CF.{{{name}}}"), values.join(",")));
    }
    let creator = caller.audit_name();
    let (t, _) = service::update(&state.app, t.id, &creator, &fields)
        .await
        .map_err(ticket_error)?;
    Ok(ticket_json(&state, &t).await)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    pub content: String,
    /// Minutes worked (staff only).
    #[serde(default)]
    pub time_taken: i64,
}

async fn respond(
    state: &AppState,
    caller: &Caller,
    id: i64,
    comment: bool,
    input: MessageInput,
) -> ApiResult<Json<TicketJson>> {
    caller.require_login()?;
    let message = Message {
        content: input.content,
        content_type: "text/plain".into(),
        attachments: vec![],
        time_taken: input.time_taken,
    };
    let t = state
        .app
        .post_message(&caller.acting(), TicketId(id), comment, message)
        .await?;
    Ok(ticket_json(state, &t).await)
}

/// Reply to the requestors (a customer contact answers its own ticket the same way).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/replies", request_body = MessageInput, tag = "tickets",
    responses((status = 200, body = TicketJson), (status = 404, body = super::dto::ErrorBody)))]
pub async fn reply(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<MessageInput>,
) -> ApiResult<Json<TicketJson>> {
    respond(&state, &caller, id, false, input).await
}

/// Add an internal comment (staff only; never mailed to the customer).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/comments", request_body = MessageInput, tag = "tickets",
    responses((status = 200, body = TicketJson), (status = 403, body = super::dto::ErrorBody)))]
pub async fn comment(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<MessageInput>,
) -> ApiResult<Json<TicketJson>> {
    respond(&state, &caller, id, true, input).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneCallInput {
    /// Who called (or was called).
    pub caller: String,
    pub minutes: i64,
    #[serde(default)]
    pub notes: String,
}

/// Log a phone call on a ticket (staff only).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/phone-calls", request_body = PhoneCallInput, tag = "tickets",
    responses((status = 200, body = TicketJson), (status = 422, body = super::dto::ErrorBody)))]
pub async fn phone_call(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<PhoneCallInput>,
) -> ApiResult<Json<TicketJson>> {
    caller.require_login()?;
    let t = state
        .app
        .log_call(
            &caller.acting(),
            TicketId(id),
            &input.caller,
            input.minutes,
            &input.notes,
        )
        .await?;
    Ok(ticket_json(&state, &t).await)
}

#[derive(Serialize, ToSchema)]
pub struct TransactionJson {
    pub id: i64,
    /// RT's type: Create, Correspond, Comment, Status, Take, Set, PhoneCall …
    pub r#type: String,
    pub creator: String,
    pub created: String,
    pub description: String,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
    pub time_taken: i64,
    pub content: String,
    pub attachments: Vec<AttachmentJson>,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentJson {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// The ticket's history, oldest first. Customer contacts do not see internal comments.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/history", tag = "tickets",
    responses((status = 200, body = [TransactionJson]), (status = 404, body = super::dto::ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<Vec<TransactionJson>>> {
    caller.require_login()?;
    let (_, entries) = state
        .app
        .ticket_history(&caller.actor, TicketId(id))
        .await?;
    Ok(Json(
        entries
            .iter()
            .map(|e| {
                let tx = &e.transaction;
                let (field, old, new) = tx.change.rt_field();
                TransactionJson {
                    id: tx.id,
                    r#type: tx.change.rt_type(&tx.creator).into(),
                    creator: tx.creator.clone(),
                    created: tx.at.to_string(),
                    description: tx.change.describe(&tx.creator),
                    field: field.into(),
                    old_value: old,
                    new_value: new,
                    time_taken: tx.time_taken,
                    content: e.content.clone(),
                    attachments: e
                        .attachments
                        .iter()
                        .map(|a| AttachmentJson {
                            id: a.id,
                            filename: a.filename.clone(),
                            content_type: a.content_type.clone(),
                            size: a.size,
                        })
                        .collect(),
                }
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    pub into: i64,
}

/// Merge this ticket into another (staff only); its number keeps resolving to the survivor.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/merge", request_body = MergeInput, tag = "tickets",
    responses((status = 200, body = TicketJson), (status = 422, body = super::dto::ErrorBody)))]
pub async fn merge(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<MergeInput>,
) -> ApiResult<Json<TicketJson>> {
    let t = load(&state, &caller, id, Action::Write).await?;
    may(&caller, Resource::TicketHandling(t.organization))?;
    load(&state, &caller, input.into, Action::Write).await?;
    service::merge(&state.app, t.id, TicketId(input.into), &caller.audit_name())
        .await
        .map_err(ticket_error)?;
    Ok(ticket_json(
        &state,
        &load(&state, &caller, input.into, Action::Read).await?,
    )
    .await)
}

/// Link this ticket to another (staff only); the link is recorded on both.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/links", request_body = LinkJson, tag = "tickets",
    responses((status = 200, body = TicketJson), (status = 422, body = super::dto::ErrorBody)))]
pub async fn link(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<LinkJson>,
) -> ApiResult<Json<TicketJson>> {
    let t = load(&state, &caller, id, Action::Write).await?;
    may(&caller, Resource::TicketHandling(t.organization))?;
    let kind = LinkKind::parse(&input.kind).ok_or_else(|| {
        ApiError::bad_request(
            "kind is one of RefersTo, ReferredToBy, DependsOn, DependedOnBy, MemberOf, Members",
        )
    })?;
    load(&state, &caller, input.ticket, Action::Write).await?;
    service::link(
        &state.app,
        t.id,
        kind,
        TicketId(input.ticket),
        &caller.audit_name(),
        false,
    )
    .await
    .map_err(ticket_error)?;
    Ok(ticket_json(&state, &load(&state, &caller, id, Action::Read).await?).await)
}
