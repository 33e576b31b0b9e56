//! SLA policies in the console: each tier's targets in force, the form that saves a new
//! version (administrators), and the versions saved so far.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect};
use varde_core::access::{Action, Resource, can};
use varde_core::catalogue::SupportTier;
use varde_core::form::FieldErrors;
use varde_core::sla::{CLASSES, PolicyForm, TARGETS};

use super::{FormMap, Nav, PageError, PageResult, checked, form_value, render};
use crate::api::authorize;
use crate::app::AppState;
use crate::auth::Caller;

/// One input of the policy table: its field name, value and error.
struct Cell {
    field: String,
    value: String,
    error: String,
}

struct TierView {
    code: &'static str,
    label: &'static str,
    version: u32,
    example: bool,
    /// Per class: its three targets.
    rows: Vec<(&'static str, Vec<Cell>)>,
    pause_statuses: String,
    pause_error: String,
    calendar: String,
    calendar_error: String,
    history: Vec<(u32, String, String, String)>,
}

#[derive(Template)]
#[template(path = "sla.html")]
struct SlaPage {
    nav: Nav,
    admin: bool,
    tiers: Vec<TierView>,
    calendars: &'static [&'static str],
}

async fn page(
    state: &AppState,
    caller: &Caller,
    edited: Option<(SupportTier, PolicyForm, FieldErrors)>,
) -> PageResult {
    let now = state.now();
    let mut tiers = Vec::new();
    for tier in SupportTier::ALL {
        let err = |e: varde_store::StoreError| PageError::new(e.into(), caller);
        let current = state.store.policy_in_force(*tier, now).await.map_err(err)?;
        let history = state.store.policy_versions(*tier).await.map_err(err)?;
        let (form, errors) = match &edited {
            Some((t, f, e)) if t == tier => (f.clone(), e.clone()),
            _ => (PolicyForm::of(&current), FieldErrors::new()),
        };
        tiers.push(TierView {
            code: tier.code(),
            label: tier.label(),
            version: current.version,
            example: current.version == 1,
            rows: CLASSES
                .iter()
                .map(|(_, class)| {
                    (
                        *class,
                        TARGETS
                            .iter()
                            .map(|target| {
                                let field = format!("{class}_{target}");
                                Cell {
                                    value: form.minutes.get(&field).cloned().unwrap_or_default(),
                                    error: errors.get(&field).unwrap_or("").to_string(),
                                    field,
                                }
                            })
                            .collect(),
                    )
                })
                .collect(),
            pause_statuses: form.pause_statuses.clone(),
            pause_error: errors.get("pause_statuses").unwrap_or("").to_string(),
            calendar: form.calendar.clone(),
            calendar_error: errors.get("calendar").unwrap_or("").to_string(),
            history: history
                .iter()
                .map(|v| {
                    (
                        v.policy.version,
                        v.created_at.to_string(),
                        v.created_by.clone(),
                        v.note.clone(),
                    )
                })
                .collect(),
        });
    }
    Ok(render(&SlaPage {
        nav: Nav::of(caller),
        admin: can(&caller.actor, Action::Write, &Resource::SlaPolicies),
        tiers,
        calendars: &varde_core::calendar::NAMES,
    }))
}

pub async fn show(State(state): State<AppState>, caller: Caller) -> PageResult {
    authorize(&caller, Action::Read, Resource::SlaPolicies)
        .map_err(|e| PageError::new(e, &caller))?;
    page(&state, &caller, None).await
}

pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Path(tier): Path<String>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    authorize(&caller, Action::Write, Resource::SlaPolicies)
        .map_err(|e| PageError::new(e, &caller))?;
    let tier = SupportTier::parse(&tier)
        .map_err(|e| PageError::new(crate::error::ApiError::bad_request(e.0), &caller))?;
    let typed = PolicyForm {
        minutes: form
            .iter()
            .filter(|(k, _)| CLASSES.iter().any(|(_, c)| k.starts_with(&format!("{c}_"))))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        pause_statuses: form_value(&form, "pause_statuses"),
        calendar: form_value(&form, "calendar"),
    };
    match typed.parse(tier) {
        Ok(policy) => {
            state
                .store
                .save_policy(
                    &policy,
                    &form_value(&form, "note"),
                    &caller.audit_name(),
                    state.now(),
                )
                .await
                .map_err(|e| PageError::new(e.into(), &caller))?;
            Ok(Redirect::to("/console/sla").into_response())
        }
        Err(errors) => page(&state, &caller, Some((tier, typed, errors))).await,
    }
}
