//! Console pages for a ticket: the new-ticket form, the ticket page with its history, and
//! every action an agent takes on a ticket (the queues and search are in `ticket_list`).
//! All writes go through the shared ticket service, exactly as REST 1.0 and REST2 do.

use askama::Template;
use axum::extract::{Form, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use varde_app::AppError;
use varde_core::access::{Action, Resource, can};
use varde_core::entitlements::entitlements_on;
use varde_core::form::FieldErrors;
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{LinkKind, Ticket, TicketId};
use varde_store::tickets::{HistoryEntry, TicketError};

use super::customers::FieldView;
use super::{FormMap, Nav, PageError, PageResult, checked, form_value, render};
use crate::api::Id;
use crate::app::AppState;
use crate::auth::{Caller, check_form_csrf};
use crate::error::{ApiError, ErrorCode};
use crate::tickets::{self, Fields, Message};

/// Staff only: customers will have the portal.
pub(super) fn staff(caller: &Caller) -> Result<(), PageError> {
    caller
        .require_login()
        .map_err(|e| PageError::new(e, caller))?;
    if can(&caller.actor, Action::Read, &Resource::StaffConsole)
        && can(&caller.actor, Action::Read, &Resource::TicketSystem)
    {
        Ok(())
    } else {
        Err(PageError::new(ApiError::forbidden(), caller))
    }
}

fn refused(caller: &Caller, e: TicketError) -> PageError {
    match e {
        TicketError::Refused(m) => {
            PageError::new(ApiError::new(ErrorCode::ValidationFailed, m), caller)
        }
        TicketError::Store(e) => PageError::new(e.into(), caller),
    }
}

#[derive(Template)]
#[template(path = "form.html")]
struct NewTicketPage {
    nav: Nav,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    problem: String,
    fields: Vec<FieldView>,
}

async fn new_ticket_page(
    state: &AppState,
    caller: &Caller,
    form: &FormMap,
    problem: String,
    errors: &FieldErrors,
) -> PageResult {
    let queues = state
        .store
        .queues()
        .await
        .map_err(|e| PageError::new(e.into(), caller))?;
    let field = |label: &'static str,
                 name: &str,
                 kind: &'static str,
                 options: Vec<(String, String)>| FieldView {
        label,
        name: name.into(),
        id: name.into(),
        value: form_value(form, name),
        error: errors.get(name).unwrap_or_default().to_string(),
        help: "",
        kind,
        options,
    };
    let fields = vec![
        field(
            "Queue",
            "Queue",
            "select",
            queues
                .iter()
                .map(|q| (q.name.clone(), q.name.clone()))
                .collect(),
        ),
        field("Requestor", "Requestor", "email", vec![]),
        field("Subject", "Subject", "text", vec![]),
        field("Message", "Text", "textarea", vec![]),
        FieldView {
            help: "Fill in to open the ticket from a phone call: the call is logged on it.",
            ..field("Phone call, minutes", "call_minutes", "text", vec![])
        },
    ];
    let status = if problem.is_empty() && errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let problem = if problem.is_empty() && !errors.is_empty() {
        "Please correct the fields marked below.".to_string()
    } else {
        problem
    };
    let page = render(&NewTicketPage {
        nav: Nav::of(caller),
        heading: "New ticket".into(),
        action: "/console/tickets".into(),
        submit: "Create ticket",
        cancel: "/console/tickets".into(),
        problem,
        fields,
    });
    Ok((status, page).into_response())
}

pub async fn new_form(State(state): State<AppState>, caller: Caller) -> PageResult {
    staff(&caller)?;
    new_ticket_page(
        &state,
        &caller,
        &FormMap::new(),
        String::new(),
        &FieldErrors::new(),
    )
    .await
}

/// What the new-ticket form must have before a ticket is opened (and a requestor mailed): a
/// requestor's e-mail address, a subject, and a message or a phone call's minutes.
fn check_new_ticket(form: &FormMap) -> (FieldErrors, Option<i64>) {
    let mut errors = FieldErrors::new();
    let requestor = form_value(form, "Requestor");
    if requestor.trim().is_empty() {
        errors.add("Requestor", "give the requestor's e-mail address");
    } else if let Some(bad) = requestor
        .split(',')
        .map(str::trim)
        .find(|r| varde_core::values::EmailAddress::parse(r).is_err())
    {
        errors.add("Requestor", format!("'{bad}' is not an e-mail address"));
    }
    if form_value(form, "Subject").trim().is_empty() {
        errors.add("Subject", "give the ticket a subject");
    }
    let minutes = form_value(form, "call_minutes");
    let call = match minutes.trim() {
        "" => None,
        m => match m.parse::<i64>() {
            Ok(m) if m >= 0 => Some(m),
            _ => {
                errors.add(
                    "call_minutes",
                    "the length of a call is a whole number of minutes",
                );
                None
            }
        },
    };
    if form_value(form, "Text").trim().is_empty() && call.is_none() {
        errors.add("Text", "write what the ticket is about");
    }
    (errors, call)
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    staff(&caller)?;
    if !can(&caller.actor, Action::Write, &Resource::TicketSystem) {
        return Err(PageError::new(ApiError::forbidden(), &caller));
    }
    let (errors, call_minutes) = check_new_ticket(&form);
    if !errors.is_empty() {
        return new_ticket_page(&state, &caller, &form, String::new(), &errors).await;
    }
    let fields: Fields = ["Queue", "Requestor", "Subject"]
        .iter()
        .map(|k| (k.to_string(), form_value(&form, k)))
        .collect();
    let creation = match tickets::creation(&fields, Some(&caller.audit_name())) {
        Ok(c) => c,
        Err(m) => {
            let none = FieldErrors::new();
            return new_ticket_page(&state, &caller, &form, m.to_string(), &none).await;
        }
    };
    let message = Message {
        content: form_value(&form, "Text"),
        content_type: "text/plain".into(),
        attachments: vec![],
        time_taken: 0,
    };
    match tickets::open(&state.app, &caller.audit_name(), creation, &message).await {
        // A ticket opened from a phone call carries the call as its own transaction.
        Ok(t) => {
            if let Some(minutes) = call_minutes {
                let caller_name = t.requestors.first().cloned().unwrap_or_default();
                state
                    .app
                    .log_call(&caller.acting(), t.id, &caller_name, minutes, "")
                    .await
                    .map_err(|e| PageError::new(e.into(), &caller))?;
            }
            Ok(Redirect::to(&format!("/console/tickets/{}", t.id)).into_response())
        }
        Err(TicketError::Refused(m)) => {
            new_ticket_page(&state, &caller, &form, m, &FieldErrors::new()).await
        }
        Err(e) => Err(refused(&caller, e)),
    }
}

pub struct HistoryView {
    pub id: i64,
    pub description: String,
    pub at: String,
    pub kind: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<(i64, String, i64)>,
    /// What Varde noted reading the mail this transaction came from (a missing From, an
    /// attachment kept only in the raw message, no autoreply and why).
    pub mail_notes: Vec<String>,
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    nav: Nav,
    id: i64,
    subject: String,
    notice: String,
    notice_bad: bool,
    status: String,
    owner: String,
    queue: String,
    requestors: String,
    first_requestor: String,
    cc: String,
    organization: String,
    organization_id: i64,
    tier: String,
    tier_label: String,
    priority: i64,
    dates: Vec<(&'static str, String)>,
    time_worked: i64,
    custom_fields: Vec<(String, String)>,
    links: Vec<(String, String)>,
    can_write: bool,
    /// The live SLA state: the reason line, then (target, due, state) per target.
    sla_reason: String,
    sla: Vec<(String, String, String)>,
    /// SLA warnings and breaches recorded for this ticket.
    sla_alerts: Vec<varde_store::sla::SlaAlert>,
    /// (what, to whom, state, when) for each outgoing mail.
    deliveries: Vec<(String, String, String, String)>,
    statuses: Vec<String>,
    owners: Vec<(String, String)>,
    take_label: &'static str,
    history: Vec<HistoryView>,
    near: Option<super::neighbourhood::NearView>,
    macros: Vec<super::macros::MacroView>,
}

/// The ticket for the console, through the one loader: a merged ticket's number gives the
/// ticket it was merged into.
pub(super) async fn load(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action: Action,
) -> Result<Ticket, PageError> {
    staff(caller)?;
    state
        .app
        .ticket(&caller.actor, TicketId(id), action)
        .await
        .map_err(|e| PageError::new(e.into(), caller))
}

pub(super) async fn ticket_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    notice: String,
    notice_bad: bool,
) -> PageResult {
    let mut t = load(state, caller, id, Action::Read).await?;
    let zone = super::zone_of(caller);
    if t.id.0 != id {
        return Ok(Redirect::to(&format!("/console/tickets/{}", t.id)).into_response());
    }
    let history = state
        .store
        .history(t.id)
        .await
        .map_err(|e| PageError::new(e.into(), caller))?;
    let mail_notes: std::collections::HashMap<i64, String> = state
        .store
        .mail_notes(t.id)
        .await
        .map_err(|e| PageError::new(e.into(), caller))?
        .into_iter()
        .collect();
    let deliveries: Vec<(String, String, String, String)> = state
        .store
        .delivery_log(t.id)
        .await
        .map_err(|e| PageError::new(e.into(), caller))?
        .into_iter()
        .map(|d| {
            let what = format!(
                "{} (transaction {})",
                if d.kind == varde_store::outbox::Kind::AutoReply {
                    "Autoreply"
                } else {
                    "Reply"
                },
                d.transaction
            );
            let status = match d.status.as_str() {
                "pending" if d.attempts > 0 => format!(
                    "waiting to retry after {} attempt(s): {}",
                    d.attempts, d.last_error
                ),
                "pending" if !state.mail_relay => "waiting: Varde runs without an SMTP relay \
                    (--smtp), so mail stays in the outbox until one is given"
                    .to_string(),
                "pending" => "queued: the mail worker sends it within seconds".to_string(),
                "failed" => format!("failed: {}", d.last_error),
                "skipped" => format!("not sent: {}", d.last_error),
                other => other.to_string(),
            };
            let when = super::when(&zone, d.finished_at.unwrap_or(d.created_at));
            // Who it goes to is settled when it is sent; until then, who it is for.
            let to = if d.recipients.is_empty() && d.status == "pending" {
                let mut to = t.requestors.clone();
                if d.kind != varde_store::outbox::Kind::AutoReply {
                    to.extend(t.cc.iter().cloned());
                }
                format!("to be sent to {}", to.join(", "))
            } else {
                d.recipients
            };
            (what, to, status, when)
        })
        .collect();
    let (organization, tier, tier_label) = match t.organization {
        Some(o) => {
            let name = state
                .store
                .organization(o)
                .await
                .map_err(|e| PageError::new(e.into(), caller))?
                .map(|x| x.details.name)
                .unwrap_or_default();
            let contracts = state
                .store
                .contracts_of(o)
                .await
                .map_err(|e| PageError::new(e.into(), caller))?;
            let today = state.now().to_zoned(state.app.office_zone()).date();
            match entitlements_on(contracts.iter().map(|c| &c.details), today) {
                Ok(e) => (name, e.tier.code().to_string(), e.tier.label().to_string()),
                Err(p) => (name, "bad".into(), p.to_string()),
            }
        }
        None => (String::new(), String::new(), String::new()),
    };
    // The live SLA clock, computed as every reader computes it (`varde_app::sla`).
    let ticket_sla = state
        .app
        .sla_of(std::slice::from_ref(&t))
        .await
        .map_err(|e| PageError::new(e.into(), caller))?
        .remove(&t.id);
    let due = varde_app::sla::due(&t, ticket_sla.as_ref());
    let support_tier = ticket_sla
        .as_ref()
        .map_or(varde_core::catalogue::SupportTier::Base, |s| s.tier);
    let fmt_left = |d: jiff::SignedDuration| {
        let m = d.as_mins().abs();
        format!("{}h {:02}m", m / 60, m % 60)
    };
    let sla_alerts = state
        .store
        .sla_alerts_of(t.id.0)
        .await
        .map_err(|e| PageError::new(e.into(), caller))?;
    let (sla_reason, sla) = match ticket_sla.and_then(|s| s.clock) {
        Some(c) => {
            let reason = format!(
                "{} v{} for {} support, {:?} priority, {} calendar{}{}",
                if c.policy_version == 1 {
                    "Example policy"
                } else {
                    "Policy"
                },
                c.policy_version,
                support_tier.code(),
                c.class,
                c.calendar,
                if c.paused {
                    "; paused: waiting on the customer"
                } else if c.ended.is_some() {
                    "; ended: the ticket is resolved, the result is final"
                } else {
                    ""
                },
                if c.pauses.is_empty() {
                    String::new()
                } else {
                    format!("; {} pause(s) credited", c.pauses.len())
                }
            );
            let rows = c
                .targets
                .iter()
                .map(|x| {
                    let name = match x.kind {
                        varde_core::sla::TargetKind::FirstResponse => "First response",
                        varde_core::sla::TargetKind::NextResponse => "Next response",
                        varde_core::sla::TargetKind::Resolution => "Resolution",
                    };
                    let due = x
                        .due
                        .map(|d| super::when(&zone, d))
                        .unwrap_or_else(|| "—".into());
                    let state = match (x.met_at, x.breached, x.due) {
                        (_, _, None) => "nothing waiting".to_string(),
                        (Some(_), false, _) => format!("met, {} to spare", fmt_left(x.left)),
                        (Some(_), true, _) => format!("met late, by {}", fmt_left(x.left)),
                        (None, true, _) => format!("BREACHED: overdue by {}", fmt_left(x.left)),
                        (None, false, _) => format!("{} left", fmt_left(x.left)),
                    };
                    (name.to_string(), due, state)
                })
                .collect();
            (reason, rows)
        }
        None => (String::new(), vec![]),
    };
    let owners = super::bulk::owner_choices(state, caller).await?;
    let me = caller.audit_name();
    let fmt = |x: Option<jiff::Timestamp>| {
        x.map(|x| super::when(&zone, x))
            .unwrap_or_else(|| "—".into())
    };
    let is_html = |e: &HistoryEntry| {
        e.attachments
            .first()
            .is_some_and(|a| a.content_type.starts_with("text/html"))
    };
    let documents = history
        .iter()
        .filter(|e| is_html(e))
        .map(|e| e.content.clone())
        .collect();
    let mut sanitised = crate::html::sanitise_all(documents).await.into_iter();
    let views = history
        .iter()
        .map(|e| {
            let tx = &e.transaction;
            let (text, html) = if is_html(e) {
                (String::new(), sanitised.next().unwrap_or_default())
            } else {
                (e.content.clone(), String::new())
            };
            HistoryView {
                id: tx.id,
                description: tx.change.describe(&tx.creator),
                at: super::when(&zone, tx.at),
                kind: tx.change.rt_type(&tx.creator).to_string(),
                text,
                html,
                attachments: e
                    .attachments
                    .iter()
                    .filter(|a| !a.filename.is_empty())
                    .map(|a| (a.id, a.filename.clone(), a.size))
                    .collect(),
                mail_notes: mail_notes
                    .get(&tx.id)
                    .map(|n| n.lines().map(str::to_string).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    t.requestors.sort();
    let near = super::neighbourhood::view(state, caller, t.organization, t.id).await?;
    let macros = super::macros::offered(state, caller, &t).await?;
    let page = TicketPage {
        near,
        macros,
        nav: Nav::of(caller),
        id: t.id.0,
        subject: t.subject.clone(),
        notice,
        notice_bad,
        status: t.status.code().into(),
        owner: t.owner_name().into(),
        queue: t.queue.clone(),
        requestors: t.requestors.join(", "),
        first_requestor: t.requestors.first().cloned().unwrap_or_default(),
        cc: t.cc.join(", "),
        organization,
        organization_id: t.organization.map(|o| o.0).unwrap_or(0),
        tier,
        tier_label,
        priority: t.priority,
        dates: vec![
            ("Created", fmt(Some(t.created))),
            ("Started", fmt(t.started)),
            ("Told", fmt(t.told)),
            ("Due", fmt(due)),
            ("Resolved", fmt(t.resolved)),
            ("Updated", fmt(Some(t.last_updated))),
        ],
        time_worked: t.time_worked,
        custom_fields: t
            .custom_fields
            .iter()
            .map(|(k, v)| (k.clone(), v.join(", ")))
            .collect(),
        links: t
            .links
            .iter()
            .map(|(k, v)| (k.name().to_string(), v.to_string()))
            .collect(),
        can_write: can(
            &caller.actor,
            Action::Write,
            &Resource::Ticket {
                organization: t.organization,
                theirs: false,
            },
        ),
        deliveries,
        sla_reason,
        sla,
        sla_alerts,
        statuses: Status::ALL.iter().map(|s| s.code().to_string()).collect(),
        owners,
        take_label: match t.owner.as_deref() {
            None => "Take",
            Some(o) if o == me => "Untake",
            Some(_) => "Steal",
        },
        history: views,
    };
    Ok(render(&page))
}

pub async fn show(State(state): State<AppState>, caller: Caller, Id(id): Id) -> PageResult {
    ticket_page(&state, &caller, id, String::new(), false).await
}

async fn writable(state: &AppState, caller: &Caller, id: i64) -> Result<Ticket, PageError> {
    load(state, caller, id, Action::Write).await
}

/// After an action: back to the ticket, with what happened or what went wrong.
async fn after(
    state: &AppState,
    caller: &Caller,
    id: i64,
    result: Result<String, TicketError>,
) -> PageResult {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/console/tickets/{id}")).into_response()),
        Err(TicketError::Refused(m)) => {
            let page = ticket_page(state, caller, id, m, true).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(refused(caller, e)),
    }
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let t = writable(&state, &caller, id).await?;
    let mut fields: Fields = ["Status", "Owner", "Priority"]
        .iter()
        .filter(|k| form.contains_key(**k))
        .map(|k| (k.to_string(), form_value(&form, k)))
        .collect();
    let cf = form_value(&form, "cf_name");
    if !cf.trim().is_empty() {
        fields.push((
            format!("CF.{{{}}}", cf.trim()),
            form_value(&form, "cf_value"),
        ));
    }
    let r = tickets::update(&state.app, t.id, &caller.audit_name(), &fields)
        .await
        .map(|(_, m)| m.join("; "));
    after(&state, &caller, id, r).await
}

pub async fn take(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let t = writable(&state, &caller, id).await?;
    let me = caller.audit_name();
    let to = if t.owner.as_deref() == Some(me.as_str()) {
        "Nobody".to_string()
    } else {
        me.clone()
    };
    let r = tickets::update(&state.app, t.id, &me, &vec![("Owner".into(), to)])
        .await
        .map(|(_, m)| m.join("; "));
    after(&state, &caller, id, r).await
}

pub async fn respond(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    multipart: Multipart,
) -> PageResult {
    let (form, files) = super::message_form(multipart).await;
    caller
        .require_login()
        .map_err(|e| PageError::new(e, &caller))?;
    check_form_csrf(&caller, &form_value(&form, "csrf")).map_err(|e| PageError::new(e, &caller))?;
    let message = Message {
        content: form_value(&form, "message"),
        content_type: "text/plain".into(),
        attachments: files,
        time_taken: form_value(&form, "time_taken").trim().parse().unwrap_or(0),
    };
    let comment = form_value(&form, "kind") == "comment";
    let me = caller.audit_name();
    let posted = state
        .app
        .post_message(&caller.acting(), TicketId(id), comment, message)
        .await;
    let mut r = match posted {
        Ok(_) => Ok(String::new()),
        Err(AppError::Invalid(fields)) => Err(TicketError::Refused(fields.summary())),
        Err(AppError::Refused(m)) => Err(TicketError::Refused(m)),
        Err(e) => return Err(PageError::new(e.into(), &caller)),
    };
    let then = form_value(&form, "then_status");
    if r.is_ok() && !then.is_empty() {
        r = tickets::update(
            &state.app,
            TicketId(id),
            &me,
            &vec![("Status".into(), then)],
        )
        .await
        .map(|(_, m)| m.join("; "));
    }
    after(&state, &caller, id, r).await
}

pub async fn phone_call(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let minutes: i64 = form_value(&form, "minutes").trim().parse().unwrap_or(0);
    let logged = state
        .app
        .log_call(
            &caller.acting(),
            TicketId(id),
            &form_value(&form, "caller"),
            minutes,
            &form_value(&form, "notes"),
        )
        .await;
    let r = match logged {
        Ok(_) => Ok(String::new()),
        Err(AppError::Refused(m)) => Err(TicketError::Refused(m)),
        Err(e) => return Err(PageError::new(e.into(), &caller)),
    };
    after(&state, &caller, id, r).await
}

pub async fn link(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let t = writable(&state, &caller, id).await?;
    let kind = LinkKind::parse(&form_value(&form, "kind"));
    let to = form_value(&form, "to")
        .trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .ok();
    let r = match (kind, to) {
        (Some(k), Some(to)) => tickets::link(
            &state.app,
            t.id,
            k,
            TicketId(to),
            &caller.audit_name(),
            false,
        )
        .await
        .map(|_| String::new()),
        _ => Err(TicketError::Refused(
            "choose a link and a ticket number".into(),
        )),
    };
    after(&state, &caller, id, r).await
}

pub async fn merge(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let t = writable(&state, &caller, id).await?;
    let r = match form_value(&form, "into")
        .trim()
        .trim_start_matches('#')
        .parse::<i64>()
    {
        Ok(into) => tickets::merge(&state.app, t.id, TicketId(into), &caller.audit_name())
            .await
            .map(|_| String::new()),
        Err(_) => Err(TicketError::Refused(
            "give the number of the ticket to merge into".into(),
        )),
    };
    match r {
        Ok(_) => {
            let into = state
                .store
                .ticket(t.id)
                .await
                .ok()
                .flatten()
                .map(|x| x.effective_id.0)
                .unwrap_or(id);
            Ok(Redirect::to(&format!("/console/tickets/{into}")).into_response())
        }
        Err(e) => after(&state, &caller, id, Err(e)).await,
    }
}
