//! Quarterly meetings in the console: the service manager's list (`/console/meetings`), an
//! organisation's plan with the booking form, and a meeting's page with its agenda pack, the
//! minutes and action items. Every page asks the use cases of `varde_app::workspace`.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use varde_app::workspace::changes::FIRST_LOOK_DAYS;
use varde_app::workspace::meetings::{MeetingPlan, Sender};
use varde_core::form::FieldErrors;
use varde_core::ids::OrganizationId;
use varde_core::workspace::meetings::{ActionItemForm, MeetingForm};
use varde_store::workspace::Minutes;

use super::customers::{FieldView, field};
use super::{FormMap, Nav, PageResult, app_err, checked, form_outcome, form_value, render};
use crate::api::Id;
use crate::app::AppState;
use crate::auth::Caller;

/// Times on staff pages: the console's zone, labelled.
pub(super) fn when(state: &AppState, t: jiff::Timestamp) -> String {
    varde_core::portal::local_time(t, &state.status.settings.time_zone)
}

/// Who invitations come from (`--mail-from`, else `support@<rtname>`), and the host part of
/// their UIDs.
pub(super) fn sender(state: &AppState) -> Sender {
    Sender {
        from: match state.mail_from.as_str() {
            "" => format!("support@{}", state.rtname),
            from => from.to_string(),
        },
        host: state.rtname.clone(),
    }
}

/// One quarter's line in a plan.
pub(super) struct SlotView {
    pub quarter: String,
    pub state: &'static str,
    pub code: &'static str,
    pub meeting: Option<i64>,
    pub when: String,
}

pub(super) fn slot_views(state: &AppState, plan: &MeetingPlan) -> Vec<SlotView> {
    plan.slots
        .iter()
        .map(|s| SlotView {
            quarter: s.quarter.label.clone(),
            state: s.state.label(),
            code: s.state.code(),
            meeting: s.state.meeting(),
            when: plan
                .meeting(s)
                .map(|m| when(state, m.starts_at))
                .unwrap_or_default(),
        })
        .collect()
}

struct PlanRow {
    id: i64,
    name: String,
    manager: String,
    health: String,
    band: &'static str,
    change: String,
    slots: Vec<SlotView>,
    open_items: usize,
    attention: bool,
    /// What changed since the service manager last looked, and whether each asks to act.
    changes: Vec<(String, bool)>,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    nav: Nav,
    all: bool,
    rows: Vec<PlanRow>,
    /// "since Tuesday 1 December 09:12 (CET)" or "in the last 7 days".
    since: String,
}

#[derive(Deserialize)]
pub struct ListParams {
    all: Option<String>,
}

/// The service manager's meetings: each of their organisations with its quarters, the ones
/// needing action first; `?all=1` for every organisation with meetings.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<ListParams>,
) -> PageResult {
    let mine = caller.account.as_ref().map(|a| a.id);
    let all = p.all.is_some_and(|a| !a.is_empty()) || mine.is_none();
    let plans = state
        .app
        .meeting_plans(&caller.actor, if all { None } else { mine })
        .await
        .map_err(app_err(&caller))?;
    let health: std::collections::HashMap<i64, varde_app::workspace::health::HealthLine> = state
        .app
        .health_portfolio(&caller.actor)
        .await
        .map_err(app_err(&caller))?
        .into_iter()
        .map(|l| (l.organization.id.0, l))
        .collect();
    let ids: Vec<OrganizationId> = plans.iter().map(|p| p.organization.id).collect();
    let mut changes = state
        .app
        .customer_changes(&caller.actor, &ids)
        .await
        .map_err(app_err(&caller))?;
    let today = state.now().to_zoned(state.app.office_zone()).date();
    let this = varde_core::report::Period::quarter_of(today);
    let around: Vec<String> = varde_core::workspace::meetings::quarters_from(
        this.from.yesterday().unwrap_or(this.from),
        3,
    )
    .into_iter()
    .map(|q| q.label)
    .collect();
    let mut rows: Vec<PlanRow> = plans
        .iter()
        .filter(|p| !p.slots.is_empty())
        .map(|p| {
            // Last quarter, this one and the next.
            let slots: Vec<SlotView> = slot_views(&state, p)
                .into_iter()
                .filter(|s| around.contains(&s.quarter))
                .collect();
            let h = health.get(&p.organization.id.0);
            let score = h.and_then(|h| h.score.as_ref()).map(|s| s.0);
            PlanRow {
                health: score.map(|s| s.to_string()).unwrap_or_default(),
                band: score.map(super::health::band).unwrap_or("fair"),
                change: h
                    .map(|h| {
                        let change = h
                            .change
                            .map(|c| format!("{c:+} in 30 days"))
                            .unwrap_or_default();
                        match h.moved {
                            Some((part, d)) => format!("{change}; {} {:+.1} off", part.label(), d),
                            None => change,
                        }
                    })
                    .unwrap_or_default(),
                id: p.organization.id.0,
                name: p.organization.details.name.clone(),
                manager: p
                    .service_manager
                    .as_ref()
                    .map(|a| a.name.clone())
                    .unwrap_or_else(|| "none".into()),
                changes: changes
                    .by_organization
                    .remove(&p.organization.id)
                    .unwrap_or_default()
                    .iter()
                    .map(|c| (c.line(), c.needs_attention()))
                    .collect(),
                attention: p.slots.iter().any(|s| s.state.needs_action()),
                slots,
                open_items: p
                    .action_items
                    .iter()
                    .filter(|i| i.done_at.is_none())
                    .count(),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.attention.cmp(&a.attention).then(a.name.cmp(&b.name)));
    Ok(render(&MeetingsPage {
        nav: Nav::of(&caller),
        all,
        rows,
        since: if changes.first_look {
            format!("in the last {FIRST_LOOK_DAYS} days")
        } else {
            format!("since {}", when(&state, changes.since))
        },
    }))
}

/// "Mark as seen": what changed is counted from now on.
pub async fn seen(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    state
        .app
        .mark_customers_seen(&caller.acting())
        .await
        .map_err(app_err(&caller))?;
    Ok(Redirect::to("/console/meetings").into_response())
}

#[derive(Template)]
#[template(path = "organization_meetings.html")]
struct PlanPage {
    nav: Nav,
    id: i64,
    name: String,
    manager: String,
    slots: Vec<SlotView>,
    can_book: bool,
    problem: String,
    fields: Vec<FieldView>,
}

/// The booking form's fields: attendees default to the primary and technical contacts and
/// the service manager.
fn booking_fields(form: &FormMap, errors: &FieldErrors, attendees: String) -> Vec<FieldView> {
    let value = |k: &str| form.get(k).cloned();
    vec![
        FieldView {
            kind: "date",
            ..field("Date", "date", &value("date").unwrap_or_default(), errors)
        },
        FieldView {
            kind: "time",
            help: "Office time (Europe/Stockholm)",
            ..field(
                "Time",
                "time",
                &value("time").unwrap_or_else(|| "10:00".into()),
                errors,
            )
        },
        field(
            "Length in minutes",
            "minutes",
            &value("minutes").unwrap_or_else(|| "60".into()),
            errors,
        ),
        field(
            "Where (room or video link)",
            "place",
            &value("place").unwrap_or_default(),
            errors,
        ),
        FieldView {
            kind: "textarea",
            help: "One per line: Name <address>. Each gets the invitation in their language.",
            ..field(
                "Attendees",
                "attendees",
                &value("attendees").unwrap_or(attendees),
                errors,
            )
        },
    ]
}

async fn plan_page(
    state: &AppState,
    caller: &Caller,
    org: i64,
    form: &FormMap,
    errors: &FieldErrors,
) -> PageResult {
    let plan = state
        .app
        .meeting_plan(&caller.actor, OrganizationId(org))
        .await
        .map_err(app_err(caller))?;
    let contacts = state
        .store
        .contacts_of(OrganizationId(org))
        .await
        .map_err(|e| app_err(caller)(e.into()))?;
    let mut invited: Vec<String> = contacts
        .iter()
        .filter(|c| {
            use varde_core::contact::ContactRole::{Primary, Technical};
            c.details
                .roles
                .iter()
                .any(|r| matches!(r, Primary | Technical))
        })
        .map(|c| format!("{} <{}>", c.details.name, c.details.email))
        .collect();
    if let Some(m) = &plan.service_manager {
        invited.push(format!("{} <{}>", m.name, m.email));
    }
    Ok(render(&PlanPage {
        nav: Nav::of(caller),
        id: org,
        name: plan.organization.details.name.clone(),
        manager: plan
            .service_manager
            .as_ref()
            .map(|a| a.name.clone())
            .unwrap_or_else(|| "none".into()),
        slots: slot_views(state, &plan),
        can_book: varde_core::access::can(
            &caller.actor,
            varde_core::access::Action::Write,
            &varde_core::access::Resource::Meetings(OrganizationId(org)),
        ),
        problem: if errors.is_empty() {
            String::new()
        } else {
            "Please correct the fields marked below.".into()
        },
        fields: booking_fields(form, errors, invited.join("\n")),
    }))
}

pub async fn plan(State(state): State<AppState>, caller: Caller, Id(id): Id) -> PageResult {
    plan_page(&state, &caller, id, &FormMap::new(), &FieldErrors::new()).await
}

fn meeting_form(form: &FormMap) -> MeetingForm {
    MeetingForm {
        date: form_value(form, "date"),
        time: form_value(form, "time"),
        minutes: form_value(form, "minutes"),
        place: form_value(form, "place"),
        attendees: form_value(form, "attendees"),
    }
}

/// Books the quarter's meeting and sends the invitations.
pub async fn book(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let booked = state
        .app
        .book_meeting(
            &caller.acting(),
            OrganizationId(id),
            &meeting_form(&form),
            &sender(&state),
        )
        .await;
    match form_outcome(booked, &caller)? {
        Ok(m) => Ok(Redirect::to(&format!("/console/meetings/{}", m.id)).into_response()),
        Err(errors) => {
            let page = plan_page(&state, &caller, id, &form, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Moves a booked meeting; the attendees get the updated invitation.
pub async fn move_meeting(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let moved = state
        .app
        .move_meeting(&caller.acting(), id, &meeting_form(&form), &sender(&state))
        .await;
    match form_outcome(moved, &caller)? {
        Ok(_) => Ok(Redirect::to(&format!("/console/meetings/{id}")).into_response()),
        Err(errors) => {
            super::meeting_page::page(
                &state,
                &caller,
                id,
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// Writes the minutes (and marks the meeting held).
pub async fn minutes(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let minutes = Minutes {
        attendees: form_value(&form, "attendees"),
        notes: form_value(&form, "notes"),
        decisions: form_value(&form, "decisions"),
        shared: form_value(&form, "shared") == "yes",
    };
    state
        .app
        .record_meeting(
            &caller.acting(),
            id,
            &minutes,
            form_value(&form, "held") == "yes",
        )
        .await
        .map_err(app_err(&caller))?;
    Ok(Redirect::to(&format!("/console/meetings/{id}#minutes-h")).into_response())
}

/// Adds an action item: a task, or a ticket in the chosen queue.
pub async fn add_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let item = ActionItemForm {
        text: form_value(&form, "text"),
        owner: form_value(&form, "owner"),
        due_on: form_value(&form, "due_on"),
    };
    let queue = form_value(&form, "queue");
    let added = state
        .app
        .add_action_item(&caller.acting(), id, &item, Some(queue.as_str()))
        .await;
    match form_outcome(added, &caller)? {
        Ok(_) => Ok(Redirect::to(&format!("/console/meetings/{id}#actions-h")).into_response()),
        Err(errors) => {
            super::meeting_page::page(
                &state,
                &caller,
                id,
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// Marks an action item done or open again.
pub async fn finish_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let item = state
        .app
        .finish_action_item(&caller.acting(), id, form_value(&form, "done") == "yes")
        .await
        .map_err(app_err(&caller))?;
    Ok(Redirect::to(&format!("/console/meetings/{}#actions-h", item.meeting)).into_response())
}
