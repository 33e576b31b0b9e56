//! The portal's tickets: the organisation's list, a ticket's conversation with reply, close
//! and reopen, its attachments, and a new ticket.

use askama::Template;
use axum::extract::{Form, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use varde_app::AppError;
use varde_app::tickets::Message;
use varde_core::catalogue::{Service, Site};
use varde_core::portal::{CatalogueWords, catalogue_words};
use varde_core::portal_settings::settings_words;
use varde_core::ticket::history::Change;
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{Ticket, TicketId};
use varde_store::tickets::HistoryEntry;

use super::{Portal, PortalNav};
use crate::app::AppState;
use crate::auth::Caller;
use crate::console::{
    FormMap, PageError, PageResult, app_err, checked, form_value, message_form, render,
};

struct TicketRow {
    id: i64,
    subject: String,
    status: &'static str,
    updated: String,
    sla: String,
    sla_class: &'static str,
    requestor: String,
}

#[derive(Template)]
#[template(path = "portal_tickets.html")]
struct ListPage {
    nav: PortalNav,
    w: &'static varde_core::portal::Words,
    zone: String,
    rows: Vec<TicketRow>,
}

pub async fn list(State(state): State<AppState>, caller: Caller, jar: CookieJar) -> PageResult {
    let p = Portal::of(&state, &caller, &jar, "/portal").await?;
    let tickets = state
        .app
        .portal_tickets(&caller.acting(), &p.contact)
        .await
        .map_err(app_err(&caller))?;
    let rows = tickets
        .iter()
        .map(|(t, sla)| {
            let s =
                p.w.sla(sla.as_ref().and_then(|s| s.clock.as_ref()), |x| p.time(x));
            TicketRow {
                id: t.id.0,
                subject: t.subject.clone(),
                status: p.w.status(t.status),
                updated: p.time(t.last_updated),
                sla: s.text,
                sla_class: s.tone.class(),
                requestor: t.requestors.join(", "),
            }
        })
        .collect();
    Ok(render(&ListPage {
        zone: p.zone_name(),
        w: p.w,
        nav: p.nav,
        rows,
    }))
}

struct EntryView {
    who: String,
    when: String,
    /// A status change, in words; empty for a message.
    event: String,
    text: String,
    /// (link, file name)
    files: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "portal_ticket.html")]
struct TicketPage {
    nav: PortalNav,
    w: &'static varde_core::portal::Words,
    id: i64,
    subject: String,
    status: &'static str,
    opened: String,
    sla: String,
    sla_class: &'static str,
    zone: String,
    entries: Vec<EntryView>,
    closed: bool,
    problem: String,
}

/// Who wrote a transaction, as the contact reads it: its organisation's people by address,
/// the provider's staff as its support team.
fn who(t: &Ticket, creator: &str, w: &varde_core::portal::Words) -> String {
    let theirs = t
        .requestors
        .iter()
        .chain(t.cc.iter())
        .any(|a| a.eq_ignore_ascii_case(creator));
    if theirs {
        creator.to_string()
    } else {
        w.support_team.to_string()
    }
}

/// What of the history a contact reads: the messages and the status changes; the rest
/// (owners, priorities, custom fields, links) is the provider's own bookkeeping.
fn entries(p: &Portal, t: &Ticket, history: Vec<HistoryEntry>) -> Vec<EntryView> {
    history
        .into_iter()
        .filter_map(|e| {
            let tx = &e.transaction;
            let event = match &tx.change {
                Change::Create(_) | Change::Correspond => String::new(),
                Change::Status { to, .. } => format!("{}: {}", p.w.status, p.w.status(*to)),
                _ => return None,
            };
            let files = e
                .attachments
                .iter()
                .filter(|a| !a.filename.is_empty())
                .map(|a| {
                    (
                        format!("/portal/tickets/{}/attachments/{}", t.id, a.id),
                        a.filename.clone(),
                    )
                })
                .collect();
            Some(EntryView {
                who: who(t, &tx.creator, p.w),
                when: p.time(tx.at),
                event,
                text: e.content.clone(),
                files,
            })
        })
        .collect()
}

async fn ticket_page(
    state: &AppState,
    caller: &Caller,
    jar: &CookieJar,
    id: i64,
    refused: Option<AppError>,
) -> Result<Response, PageError> {
    let here = format!("/portal/tickets/{id}");
    let p = Portal::of(state, caller, jar, &here).await?;
    let problem = match refused {
        Some(e) => mendable(e, p.w, caller)?,
        None => String::new(),
    };
    let (t, history) = state
        .app
        .ticket_history(&caller.actor, TicketId(id))
        .await
        .map_err(app_err(caller))?;
    let sla = state
        .app
        .sla_of(std::slice::from_ref(&t))
        .await
        .map_err(app_err(caller))?
        .remove(&t.id);
    let s =
        p.w.sla(sla.as_ref().and_then(|s| s.clock.as_ref()), |x| p.time(x));
    let page = TicketPage {
        id: t.id.0,
        subject: t.subject.clone(),
        status: p.w.status(t.status),
        opened: p.time(t.created),
        sla: s.text,
        sla_class: s.tone.class(),
        zone: p.zone_name(),
        entries: entries(&p, &t, history),
        closed: matches!(t.status, Status::Resolved | Status::Rejected),
        problem,
        w: p.w,
        nav: p.nav,
    };
    Ok(render(&page))
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> PageResult {
    ticket_page(&state, &caller, &jar, id, None).await
}

/// A form's words for a refusal the contact can mend (an empty message), else an error page.
fn mendable(
    e: AppError,
    w: &varde_core::portal::Words,
    caller: &Caller,
) -> Result<String, PageError> {
    match e {
        AppError::Invalid(_) => Ok(w.need_text.to_string()),
        AppError::Refused(m) => Ok(m),
        other => Err(app_err(caller)(other)),
    }
}

pub async fn reply(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> PageResult {
    let (form, files) = message_form(multipart).await;
    checked(&caller, &form)?;
    let message = Message {
        content: form_value(&form, "message"),
        content_type: "text/plain".into(),
        attachments: files,
        time_taken: 0,
    };
    match state
        .app
        .post_message(&caller.acting(), TicketId(id), false, message)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/portal/tickets/{id}")).into_response()),
        Err(e) => {
            let page = ticket_page(&state, &caller, &jar, id, Some(e)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Close (`action=close`) or reopen (`action=reopen`) a ticket.
pub async fn set_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let reopen = form_value(&form, "action") == "reopen";
    state
        .app
        .close_or_reopen(&caller.acting(), TicketId(id), reopen)
        .await
        .map_err(app_err(&caller))?;
    Ok(Redirect::to(&format!("/portal/tickets/{id}")).into_response())
}

/// A file of the conversation: shown inline only from the allowlist of safe types.
pub async fn attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, attachment)): Path<(i64, i64)>,
) -> PageResult {
    let (info, content) = state
        .app
        .ticket_attachment(&caller.actor, TicketId(id), attachment)
        .await
        .map_err(app_err(&caller))?;
    Ok(crate::headers::attachment_response(&info, content))
}

#[derive(Template)]
#[template(path = "portal_new.html")]
struct NewPage {
    nav: PortalNav,
    w: &'static varde_core::portal::Words,
    cw: &'static CatalogueWords,
    /// Why the contact may not open tickets; empty when it may.
    refused: &'static str,
    /// (value, label, chosen): the services per site on contract.
    about: Vec<(String, String, bool)>,
    /// Whether one of `about` is chosen (else: something else).
    about_chosen: bool,
    subject: String,
    message: String,
    problem: String,
}

/// The new-ticket page, with what the contact typed and chose.
async fn new_page(
    state: &AppState,
    caller: &Caller,
    p: Portal,
    (subject, message, chosen): (String, String, String),
    problem: String,
) -> Result<NewPage, PageError> {
    let choices = state
        .app
        .ticket_choices(&caller.acting(), &p.contact)
        .await
        .map_err(app_err(caller))?;
    let cw = catalogue_words(p.contact.language);
    let about = choices
        .services
        .iter()
        .map(|(service, site)| {
            let value = format!("{}@{}", service.code(), site.code());
            let label = cw.service_at(*service, *site);
            let on = value == chosen;
            (value, label, on)
        })
        .collect::<Vec<_>>();
    Ok(NewPage {
        about_chosen: about.iter().any(|a| a.2),
        refused: if choices.may_open {
            ""
        } else {
            settings_words(p.contact.language).may_not_open
        },
        cw,
        about,
        w: p.w,
        nav: p.nav,
        subject,
        message,
        problem,
    })
}

pub async fn new_form(State(state): State<AppState>, caller: Caller, jar: CookieJar) -> PageResult {
    let p = Portal::of(&state, &caller, &jar, "/portal/tickets/new").await?;
    let blank = (String::new(), String::new(), String::new());
    Ok(render(
        &new_page(&state, &caller, p, blank, String::new()).await?,
    ))
}

/// What a ticket is about, as the form's `about` gives it (`storage@no-osl1`); blank or
/// unreadable: something else.
fn about(raw: &str) -> Option<(Service, Site)> {
    let (service, site) = raw.split_once('@')?;
    Some((Service::parse(service).ok()?, Site::parse(site).ok()?))
}

/// Opens a ticket as the contact (its requestor), about a service on contract or something
/// else.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    multipart: Multipart,
) -> PageResult {
    let (form, files) = message_form(multipart).await;
    checked(&caller, &form)?;
    let p = Portal::of(&state, &caller, &jar, "/portal/tickets/new").await?;
    let subject = form_value(&form, "subject").trim().to_string();
    let text = form_value(&form, "message");
    let chosen = form_value(&form, "about");
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let problem = if subject.is_empty() {
        p.w.need_subject.to_string()
    } else if text.trim().is_empty() && files.is_empty() {
        p.w.need_text.to_string()
    } else {
        let message = Message {
            content: text.clone(),
            content_type: "text/plain".into(),
            attachments: files,
            time_taken: 0,
        };
        let opened = state
            .app
            .open_portal_ticket(
                &caller.acting(),
                &p.contact,
                &subject,
                about(&chosen),
                &message,
            )
            .await;
        match opened {
            Ok(t) => return Ok(Redirect::to(&format!("/portal/tickets/{}", t.id)).into_response()),
            Err(AppError::Forbidden) => {
                // The page says why (the contact may not open tickets).
                status = StatusCode::FORBIDDEN;
                String::new()
            }
            Err(e) => mendable(e, p.w, &caller)?,
        }
    };
    let page = new_page(&state, &caller, p, (subject, text, chosen), problem).await?;
    Ok((status, render(&page)).into_response())
}
