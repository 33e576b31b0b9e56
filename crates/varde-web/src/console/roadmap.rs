//! The roadmap register in the console (`/console/roadmap`): the items the most customers
//! asked for first, the feedback still to file, filing, merging and deciding; `?format=csv`
//! and `?format=json` export it for the product organisation's tools.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use varde_core::catalogue::Service;
use varde_core::form::FieldErrors;
use varde_core::workspace::roadmap::{ItemForm, RoadmapState};

use super::{FormMap, Nav, PageResult, app_err, checked, form_outcome, form_value, render};
use crate::app::AppState;
use crate::auth::Caller;

struct ItemView {
    id: i64,
    title: String,
    service: String,
    service_code: String,
    state: String,
    state_code: &'static str,
    reason: String,
    customers: usize,
    premium: usize,
    asks: Vec<(String, String, String)>,
}

struct AskView {
    id: i64,
    organization: String,
    text: String,
    asked_by: String,
    noted: String,
}

#[derive(Template)]
#[template(path = "roadmap.html")]
struct RoadmapPage {
    nav: Nav,
    can_write: bool,
    items: Vec<ItemView>,
    unfiled: Vec<AskView>,
    states: Vec<(&'static str, &'static str)>,
    services: Vec<(&'static str, &'static str)>,
    problem: String,
    errors: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub struct RoadmapParams {
    format: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<RoadmapParams>,
) -> PageResult {
    match p.format.as_deref() {
        Some("json") => {
            let r = state
                .app
                .roadmap(&caller.actor)
                .await
                .map_err(app_err(&caller))?;
            Ok(axum::Json(crate::api::roadmap_json(&r)).into_response())
        }
        Some("csv") => {
            let r = state
                .app
                .roadmap(&caller.actor)
                .await
                .map_err(app_err(&caller))?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"roadmap.csv\"",
                    ),
                ],
                crate::api::roadmap_csv(&r),
            )
                .into_response())
        }
        _ => page(&state, &caller, &FieldErrors::new(), StatusCode::OK).await,
    }
}

async fn page(
    state: &AppState,
    caller: &Caller,
    errors: &FieldErrors,
    status: StatusCode,
) -> PageResult {
    let r = state
        .app
        .roadmap(&caller.actor)
        .await
        .map_err(app_err(caller))?;
    let tz = &state.status.settings.time_zone;
    let day = |t: jiff::Timestamp| t.to_zoned(tz.clone()).date().to_string();
    let items = r
        .entries
        .iter()
        .map(|e| ItemView {
            id: e.item.id,
            title: e.item.item.title.clone(),
            service: e
                .item
                .item
                .service
                .map(|s| s.label())
                .unwrap_or("The platform")
                .to_string(),
            service_code: e
                .item
                .item
                .service
                .map(|s| s.code())
                .unwrap_or_default()
                .to_string(),
            state: e.item.item.state.label().to_string(),
            state_code: e.item.item.state.code(),
            reason: e.item.item.reason.clone(),
            customers: e.demand.customers,
            premium: e.demand.premium,
            asks: e
                .asks
                .iter()
                .map(|a| {
                    (
                        a.organization_name.clone(),
                        a.text.clone(),
                        day(a.created_at),
                    )
                })
                .collect(),
        })
        .collect();
    let unfiled = r
        .unfiled
        .iter()
        .map(|a| AskView {
            id: a.id,
            organization: a.organization_name.clone(),
            text: a.text.clone(),
            asked_by: a.asked_by.clone(),
            noted: day(a.created_at),
        })
        .collect();
    let page = RoadmapPage {
        nav: Nav::of(caller),
        can_write: varde_core::access::can(
            &caller.actor,
            varde_core::access::Action::Write,
            &varde_core::access::Resource::Roadmap,
        ),
        items,
        unfiled,
        states: RoadmapState::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        services: Service::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        problem: if errors.is_empty() {
            String::new()
        } else {
            "The item was not saved:".into()
        },
        errors: errors
            .iter()
            .map(|(f, m)| (f.to_string(), m.to_string()))
            .collect(),
    };
    Ok((status, render(&page)).into_response())
}

fn item_form(form: &FormMap) -> ItemForm {
    ItemForm {
        title: form_value(form, "title"),
        service: form_value(form, "service"),
        state: form_value(form, "state"),
        reason: form_value(form, "reason"),
    }
}

/// Adds an item (from a piece of feedback, when `ask` is given).
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let asks: Vec<i64> = form_value(&form, "ask").parse().into_iter().collect();
    let made = state
        .app
        .create_roadmap_item(&caller.acting(), &item_form(&form), &asks)
        .await;
    match form_outcome(made, &caller)? {
        Ok(id) => Ok(Redirect::to(&format!("/console/roadmap#item-{id}")).into_response()),
        Err(errors) => page(&state, &caller, &errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// Changes an item's words, service, state or reason.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let changed = state
        .app
        .update_roadmap_item(&caller.acting(), id, &item_form(&form))
        .await;
    match form_outcome(changed, &caller)? {
        Ok(_) => Ok(Redirect::to(&format!("/console/roadmap#item-{id}")).into_response()),
        Err(errors) => page(&state, &caller, &errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// Merges this item into the one chosen (`into`).
pub async fn merge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let into: i64 = form_value(&form, "into").parse().unwrap_or(0);
    state
        .app
        .merge_roadmap_items(&caller.acting(), into, id)
        .await
        .map_err(app_err(&caller))?;
    Ok(Redirect::to(&format!("/console/roadmap#item-{into}")).into_response())
}

/// Files a piece of feedback under an item.
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let item = form_value(&form, "item").parse::<i64>().ok();
    state
        .app
        .file_ask(&caller.acting(), id, item)
        .await
        .map_err(app_err(&caller))?;
    Ok(Redirect::to("/console/roadmap").into_response())
}
