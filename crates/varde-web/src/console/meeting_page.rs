//! A meeting's page: its agenda pack (`App::agenda_pack`), the invitations sent, and the forms
//! to move it, write its minutes and add action items. `?format=pdf` prints the pack on A4
//! for the customer.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use varde_app::workspace::pack::AgendaPack;
use varde_core::form::FieldErrors;
use varde_core::workspace::meetings::MeetingStatus;

use super::customers::{FieldView, field, select};
use super::meetings::when;
use super::{FormMap, Nav, PageResult, app_err, render};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};

pub(super) struct ComplianceLine {
    pub target: &'static str,
    pub priority: &'static str,
    pub met: usize,
    pub breached: usize,
    pub percent: String,
}

pub(super) struct ActionView {
    pub id: i64,
    pub text: String,
    pub owner: String,
    pub due: String,
    pub agreed_in: String,
    pub ticket: Option<i64>,
    pub ticket_status: String,
    pub done: bool,
}

pub(super) struct AskView {
    pub text: String,
    pub asked_by: String,
    pub noted: String,
    pub item: String,
    pub state: String,
    pub reason: String,
    pub news: bool,
}

/// The pack as both the page and the PDF show it.
pub(super) struct PackView {
    pub organization_id: i64,
    pub organization: String,
    pub quarter: String,
    pub when: String,
    pub place: String,
    pub status: &'static str,
    pub led_by: String,
    pub attendees: String,
    pub report_quarter: String,
    pub tickets: usize,
    pub first_response: String,
    pub compliance: Vec<ComplianceLine>,
    pub availability: Vec<(String, String)>,
    pub incidents: Vec<(String, String, String)>,
    pub breached: Vec<(i64, String)>,
    pub actions: Vec<ActionView>,
    pub asks: Vec<AskView>,
    pub maintenance: Vec<(String, String)>,
    pub contract_dates: Vec<(String, &'static str, String)>,
    pub notes: String,
    pub decisions: String,
    pub agenda: Vec<&'static str>,
}

fn duration(d: Option<jiff::SignedDuration>) -> String {
    d.map(|d| {
        let m = d.as_secs() / 60;
        format!("{} h {:02} min", m / 60, m % 60)
    })
    .unwrap_or_else(|| "–".into())
}

fn pack_view(state: &AppState, p: &AgendaPack) -> PackView {
    let r = &p.report;
    let m = &p.meeting;
    PackView {
        organization_id: p.organization.id.0,
        organization: p.organization.details.name.clone(),
        quarter: m.quarter.clone(),
        when: when(state, m.starts_at),
        place: m.place.clone(),
        status: m.status.label(),
        led_by: p
            .service_manager
            .as_ref()
            .map(|a| a.name.clone())
            .unwrap_or_default(),
        attendees: m.attendees.clone(),
        report_quarter: r.period.label.clone(),
        tickets: r.tickets,
        first_response: duration(r.first_response.median),
        compliance: r
            .compliance
            .iter()
            .map(|c| ComplianceLine {
                target: c.target,
                priority: c.priority,
                met: c.met,
                breached: c.breached,
                percent: c
                    .percent()
                    .map(|p| format!("{p:.1} %"))
                    .unwrap_or_else(|| "–".into()),
            })
            .collect(),
        availability: r
            .availability
            .iter()
            .map(|a| (a.service.clone(), format!("{:.3} %", a.percent)))
            .collect(),
        incidents: r
            .incidents
            .iter()
            .map(|i| (i.name.clone(), i.impact.clone(), when(state, i.started)))
            .collect(),
        breached: r
            .breached
            .iter()
            .map(|t| (t.id, t.subject.clone()))
            .collect(),
        actions: p
            .action_items
            .iter()
            .map(|a| ActionView {
                id: a.item.id,
                text: a.item.text.clone(),
                owner: a.item.owner.clone(),
                due: a.item.due_on.map(|d| d.to_string()).unwrap_or_default(),
                agreed_in: a.agreed_in.clone(),
                ticket: a.item.ticket.map(|t| t.0),
                ticket_status: a.ticket_status.clone().unwrap_or_default(),
                done: a.done,
            })
            .collect(),
        asks: p
            .asks
            .iter()
            .map(|a| AskView {
                text: a.ask.text.clone(),
                asked_by: a.ask.asked_by.clone(),
                noted: a
                    .ask
                    .created_at
                    .to_zoned(state.status.settings.time_zone.clone())
                    .date()
                    .to_string(),
                item: a
                    .item
                    .as_ref()
                    .map(|i| i.item.title.clone())
                    .unwrap_or_default(),
                state: a
                    .item
                    .as_ref()
                    .map(|i| i.item.state.label().to_string())
                    .unwrap_or_else(|| "Not yet filed".into()),
                reason: a
                    .item
                    .as_ref()
                    .map(|i| i.item.reason.clone())
                    .unwrap_or_default(),
                news: a.news,
            })
            .collect(),
        maintenance: p
            .maintenance
            .iter()
            .map(|e| {
                let window = e
                    .window
                    .as_ref()
                    .map(|w| format!("{} – {}", when(state, w.from), when(state, w.until)))
                    .unwrap_or_default();
                (e.name.clone(), window)
            })
            .collect(),
        contract_dates: p
            .contract_dates
            .iter()
            .map(|(r, what, d)| (r.clone(), *what, d.to_string()))
            .collect(),
        notes: m.notes.clone(),
        decisions: m.decisions.clone(),
        agenda: r.agenda.clone(),
    }
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    nav: Nav,
    id: i64,
    pack: PackView,
    booked: bool,
    shared: bool,
    can_write: bool,
    problem: String,
    letters: Vec<(String, String, String)>,
    move_fields: Vec<FieldView>,
    minute_fields: Vec<FieldView>,
    action_fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "meeting_pack.html")]
struct PackPrint {
    pack: PackView,
}

#[derive(Deserialize)]
pub struct PackParams {
    format: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(p): Query<PackParams>,
) -> PageResult {
    if p.format.as_deref() == Some("pdf") {
        return pdf(&state, &caller, id).await;
    }
    page(
        &state,
        &caller,
        id,
        &FormMap::new(),
        &FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// The pack on A4, for the customer.
async fn pdf(state: &AppState, caller: &Caller, id: i64) -> PageResult {
    let tz = &state.status.settings.time_zone;
    let pack = state
        .app
        .agenda_pack(&caller.actor, id, tz)
        .await
        .map_err(app_err(caller))?;
    let html = PackPrint {
        pack: pack_view(state, &pack),
    }
    .render()
    .map_err(|e| super::PageError::new(ApiError::internal(e), caller))?;
    let bytes = tokio::task::spawn_blocking(move || crate::report::to_pdf(&html))
        .await
        .map_err(|e| super::PageError::new(ApiError::internal(e), caller))?
        .map_err(|e| {
            let error = match e {
                crate::report::PdfError::Busy => {
                    ApiError::new(ErrorCode::Unavailable, e.to_string())
                }
                crate::report::PdfError::Failed(m) => ApiError::internal(m),
            };
            super::PageError::new(error, caller)
        })?;
    let name = format!(
        "agenda-{}-{}.pdf",
        pack.organization.id.0, pack.meeting.quarter
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The meeting's page, with `form` and `errors` in the form that was sent.
pub(super) async fn page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    form: &FormMap,
    errors: &FieldErrors,
    status: StatusCode,
) -> PageResult {
    let tz = &state.status.settings.time_zone;
    let pack = state
        .app
        .agenda_pack(&caller.actor, id, tz)
        .await
        .map_err(app_err(caller))?;
    let m = &pack.meeting;
    let letters = state
        .store
        .letters_about(&format!("meeting:{id}"))
        .await
        .map_err(|e| app_err(caller)(e.into()))?
        .into_iter()
        .map(|l| (l.letter.recipient, l.status, when(state, l.created_at)))
        .collect();
    let queues = state
        .store
        .queues()
        .await
        .map_err(|e| app_err(caller)(e.into()))?;
    let value = |k: &str, default: String| form.get(k).cloned().unwrap_or(default);
    let local = m.starts_at.to_zoned(state.app.office_zone());
    let move_fields = vec![
        FieldView {
            kind: "date",
            ..field(
                "Date",
                "date",
                &value("date", local.date().to_string()),
                errors,
            )
        },
        FieldView {
            kind: "time",
            help: "Office time (Europe/Stockholm)",
            ..field(
                "Time",
                "time",
                &value("time", local.strftime("%H:%M").to_string()),
                errors,
            )
        },
        field(
            "Length in minutes",
            "minutes",
            &value("minutes", m.minutes.to_string()),
            errors,
        ),
        field("Where", "place", &value("place", m.place.clone()), errors),
        FieldView {
            kind: "textarea",
            ..field(
                "Attendees",
                "attendees",
                &value("attendees", m.attendees.clone()),
                errors,
            )
        },
    ];
    let move_fields: Vec<FieldView> = move_fields
        .into_iter()
        .map(|f| FieldView {
            id: format!("move-{}", f.name),
            ..f
        })
        .collect();
    let minute_fields = vec![
        FieldView {
            kind: "textarea",
            help: "Who took part, one per line.",
            ..field("Attendees", "attendees", &m.attendees, errors)
        },
        FieldView {
            kind: "textarea",
            ..field("Minutes", "notes", &m.notes, errors)
        },
        FieldView {
            kind: "textarea",
            ..field("Decisions", "decisions", &m.decisions, errors)
        },
        FieldView {
            kind: "checkbox",
            ..field(
                "Share the minutes with the customer",
                "shared",
                if m.shared { "yes" } else { "" },
                errors,
            )
        },
        FieldView {
            kind: "checkbox",
            ..field(
                "The meeting was held",
                "held",
                if m.status == MeetingStatus::Held {
                    "yes"
                } else {
                    ""
                },
                errors,
            )
        },
    ];
    let mut queue_options = vec![(String::new(), "A task for us (no ticket)".to_string())];
    queue_options.extend(
        queues
            .iter()
            .filter(|q| !q.disabled)
            .map(|q| (q.name.clone(), format!("A ticket in {}", q.name))),
    );
    let action_fields = vec![
        field(
            "What is to be done",
            "text",
            &value("text", String::new()),
            errors,
        ),
        field(
            "Owner",
            "owner",
            &value(
                "owner",
                pack.service_manager
                    .as_ref()
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
            ),
            errors,
        ),
        FieldView {
            kind: "date",
            ..field("Due", "due_on", &value("due_on", String::new()), errors)
        },
        select(
            "Kind",
            "queue",
            &value("queue", String::new()),
            errors,
            queue_options,
        ),
    ];
    let page = MeetingPage {
        nav: Nav::of(caller),
        id,
        booked: m.status == MeetingStatus::Booked,
        shared: m.shared,
        can_write: varde_core::access::can(
            &caller.actor,
            varde_core::access::Action::Write,
            &varde_core::access::Resource::Meetings(m.organization),
        ),
        problem: if errors.is_empty() {
            String::new()
        } else {
            "Please correct the fields marked below.".into()
        },
        letters,
        move_fields,
        minute_fields,
        action_fields,
        pack: pack_view(state, &pack),
    };
    Ok((status, render(&page)).into_response())
}
