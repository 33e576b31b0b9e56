//! Customer health in the console: one organisation's score with its parts explained and its
//! trend (`/console/organizations/{id}/health`), every organisation worst first
//! (`/console/health`), and the weights an administrator edits.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use varde_core::form::FieldErrors;
use varde_core::ids::OrganizationId;

use super::{FormMap, Nav, PageResult, app_err, checked, form_outcome, form_value, render};
use crate::api::Id;
use crate::app::AppState;
use crate::auth::Caller;

pub(super) struct PartView {
    pub label: &'static str,
    pub penalty: String,
    pub weight: String,
    pub why: String,
}

/// A trend as an SVG polyline's points (x from 0 to 300 over the year, y from 0 to 60).
pub(super) fn sparkline(trend: &[(String, i64)]) -> String {
    let n = trend.len().max(2) - 1;
    trend
        .iter()
        .enumerate()
        .map(|(i, (_, s))| format!("{},{}", i * 300 / n, 60 - (*s).clamp(0, 100) * 60 / 100))
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Template)]
#[template(path = "health.html")]
struct HealthPage {
    nav: Nav,
    id: i64,
    name: String,
    score: u8,
    band: &'static str,
    parts: Vec<PartView>,
    points: String,
    first_day: String,
    moved: String,
    can_weigh: bool,
    weights: String,
    error: String,
}

/// good | fair | poor, for the score's colour.
pub(super) fn band(score: i64) -> &'static str {
    match score {
        s if s >= 80 => "good",
        s if s >= i64::from(varde_app::workspace::health::ALERT_BELOW) => "fair",
        _ => "poor",
    }
}

async fn page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    weights_text: Option<String>,
    errors: &FieldErrors,
) -> PageResult {
    let h = state
        .app
        .organization_health(&caller.actor, OrganizationId(id))
        .await
        .map_err(app_err(caller))?;
    let org = state
        .app
        .organization(
            &caller.actor,
            OrganizationId(id),
            varde_core::access::Action::Read,
        )
        .await
        .map_err(app_err(caller))?;
    let weights = state.app.health_weights().await.map_err(app_err(caller))?;
    Ok(render(&HealthPage {
        nav: Nav::of(caller),
        id,
        name: org.details.name.clone(),
        score: h.health.score,
        band: band(i64::from(h.health.score)),
        parts: h
            .health
            .parts
            .iter()
            .map(|p| PartView {
                label: p.part.label(),
                penalty: format!("{:.1}", p.penalty),
                weight: format!("{}", weights.of(p.part)),
                why: p.why.clone(),
            })
            .collect(),
        points: sparkline(&h.trend),
        first_day: h.trend.first().map(|(d, _)| d.clone()).unwrap_or_default(),
        moved: h
            .moved
            .map(|(p, d)| format!("{} moved most in 30 days: {:+.1} points off", p.label(), d))
            .unwrap_or_default(),
        can_weigh: varde_core::access::can(
            &caller.actor,
            varde_core::access::Action::Write,
            &varde_core::access::Resource::SlaPolicies,
        ),
        weights: weights_text.unwrap_or_else(|| weights.text()),
        error: errors.get("weights").unwrap_or_default().to_string(),
    }))
}

pub async fn show(State(state): State<AppState>, caller: Caller, Id(id): Id) -> PageResult {
    page(&state, &caller, id, None, &FieldErrors::new()).await
}

/// Saves the weights (administrators), then shows the organisation scored with them.
pub async fn save_weights(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let text = form_value(&form, "weights");
    let saved = state.app.save_health_weights(&caller.acting(), &text).await;
    match form_outcome(saved, &caller)? {
        Ok(_) => Ok(Redirect::to(&format!("/console/organizations/{id}/health")).into_response()),
        Err(errors) => {
            let p = page(&state, &caller, id, Some(text), &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
    }
}

struct HealthRow {
    id: i64,
    name: String,
    score: String,
    band: &'static str,
    change: String,
    moved: String,
}

#[derive(Template)]
#[template(path = "health_list.html")]
struct HealthList {
    nav: Nav,
    threshold: u8,
    rows: Vec<HealthRow>,
}

/// Every organisation's health, the worst first.
pub async fn list(State(state): State<AppState>, caller: Caller) -> PageResult {
    let lines = state
        .app
        .health_portfolio(&caller.actor)
        .await
        .map_err(app_err(&caller))?;
    Ok(render(&HealthList {
        nav: Nav::of(&caller),
        threshold: varde_app::workspace::health::ALERT_BELOW,
        rows: lines.iter().map(health_row).collect(),
    }))
}

fn health_row(l: &varde_app::workspace::health::HealthLine) -> HealthRow {
    HealthRow {
        id: l.organization.id.0,
        name: l.organization.details.name.clone(),
        score: l
            .score
            .as_ref()
            .map(|s| s.0.to_string())
            .unwrap_or_default(),
        band: l.score.as_ref().map(|s| band(s.0)).unwrap_or("fair"),
        change: l.change.map(|c| format!("{c:+}")).unwrap_or_default(),
        moved: l
            .moved
            .map(|(p, d)| format!("{} ({:+.1} off)", p.label(), d))
            .unwrap_or_default(),
    }
}
