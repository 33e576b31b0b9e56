//! Statuspage's public API, v2: the same paths and the same shapes (fields, types,
//! vocabulary), so dashboards and chat integrations written for Statuspage read Varde's page.
//! Every document is rendered once per snapshot.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use serde_json::{Value, json};
use varde_core::status::EventKind;
use varde_store::status::{Component, Event, EventUpdate};

use super::{Snapshot, StatusSettings};
use crate::app::AppState;
use crate::error::ApiError;

/// The documents, by their index in a snapshot's cache.
#[derive(Clone, Copy)]
enum Document {
    Summary,
    Status,
    Components,
    Incidents,
    Unresolved,
    Maintenances,
    Upcoming,
    Active,
}

pub(super) const DOCUMENTS: usize = 8;

pub(super) fn routes() -> Router<AppState> {
    use Document::*;
    let route = |d: Document| get(move |state: State<AppState>| serve(state, d));
    Router::new()
        .route("/api/v2/summary.json", route(Summary))
        .route("/api/v2/status.json", route(Status))
        .route("/api/v2/components.json", route(Components))
        .route("/api/v2/incidents.json", route(Incidents))
        .route("/api/v2/incidents/unresolved.json", route(Unresolved))
        .route("/api/v2/scheduled-maintenances.json", route(Maintenances))
        .route(
            "/api/v2/scheduled-maintenances/upcoming.json",
            route(Upcoming),
        )
        .route("/api/v2/scheduled-maintenances/active.json", route(Active))
}

async fn serve(State(state): State<AppState>, d: Document) -> Result<Response, ApiError> {
    let snapshot = state.status.snapshot(&state.store, state.now()).await?;
    let body = snapshot.docs[d as usize]
        .get_or_init(|| Bytes::from(render(&snapshot, &state.status.settings, d).to_string()))
        .clone();
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (header::CACHE_CONTROL, "public, max-age=5"),
        ],
        body,
    )
        .into_response())
}

fn render(s: &Snapshot, settings: &StatusSettings, d: Document) -> Value {
    let page = json!({
        "id": settings.page_id,
        "name": settings.name,
        "url": settings.url,
        "time_zone": settings.time_zone.iana_name().unwrap_or("Etc/UTC"),
        "updated_at": time(s.updated_at),
    });
    let indicator = s.indicator();
    let status = json!({"indicator": indicator.code(), "description": indicator.label()});
    let components = || -> Vec<Value> {
        s.components
            .iter()
            .map(|c| component(s, settings, c))
            .collect()
    };
    let events =
        |list: &[Event]| -> Vec<Value> { list.iter().map(|e| event(s, settings, e)).collect() };
    let maintenance_now: Vec<Event> = s.active.iter().chain(s.upcoming.iter()).cloned().collect();
    match d {
        Document::Summary => json!({
            "page": page,
            "components": components(),
            "incidents": events(&s.open_incidents),
            "scheduled_maintenances": events(&maintenance_now),
            "status": status,
        }),
        Document::Status => json!({"page": page, "status": status}),
        Document::Components => json!({"page": page, "components": components()}),
        Document::Incidents => json!({"page": page, "incidents": events(&s.recent_incidents)}),
        Document::Unresolved => json!({"page": page, "incidents": events(&s.open_incidents)}),
        Document::Maintenances => {
            json!({"page": page, "scheduled_maintenances": events(&s.maintenances)})
        }
        Document::Upcoming => json!({"page": page, "scheduled_maintenances": events(&s.upcoming)}),
        Document::Active => json!({"page": page, "scheduled_maintenances": events(&s.active)}),
    }
}

/// Statuspage's time format: ISO 8601 with milliseconds.
pub(super) fn time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn optional_time(t: Option<Timestamp>) -> Value {
    t.map(|t| Value::String(time(t))).unwrap_or(Value::Null)
}

fn component(s: &Snapshot, settings: &StatusSettings, c: &Component) -> Value {
    let mut v = json!({
        "id": c.id.to_string(),
        "name": c.name,
        "status": c.status.code(),
        "created_at": time(c.created_at),
        "updated_at": time(c.updated_at),
        "position": c.position,
        "description": if c.description.is_empty() { Value::Null } else { Value::String(c.description.clone()) },
        "showcase": c.showcase,
        "start_date": c.created_at.to_zoned(settings.time_zone.clone()).date().to_string(),
        "group_id": c.group_id.map(|g| g.to_string()),
        "page_id": settings.page_id,
        "group": c.is_group,
        "only_show_if_degraded": c.only_show_if_degraded,
    });
    if c.is_group {
        let members: Vec<String> = s
            .components
            .iter()
            .filter(|m| m.group_id == Some(c.id))
            .map(|m| m.id.to_string())
            .collect();
        v["components"] = json!(members);
    }
    v
}

fn update(e: &Event, u: &EventUpdate) -> Value {
    let affected: Vec<Value> = u
        .affected
        .iter()
        .map(|a| {
            json!({"code": a.component.to_string(), "name": a.name, "old_status": a.old, "new_status": a.new})
        })
        .collect();
    json!({
        "id": u.id.to_string(),
        "status": u.status.code(),
        "body": u.body,
        "incident_id": e.id.to_string(),
        "created_at": time(u.created_at),
        "updated_at": time(u.created_at),
        "display_at": time(u.created_at),
        "affected_components": if affected.is_empty() { Value::Null } else { Value::Array(affected) },
        "deliver_notifications": true,
        "custom_tweet": Value::Null,
        "tweet_id": Value::Null,
    })
}

fn event(s: &Snapshot, settings: &StatusSettings, e: &Event) -> Value {
    let components: Vec<Value> = e
        .components
        .iter()
        .filter_map(|id| s.component(*id))
        .map(|c| component(s, settings, c))
        .collect();
    let mut v = json!({
        "id": e.id.to_string(),
        "name": e.name,
        "status": e.status.code(),
        "created_at": time(e.created_at),
        "updated_at": time(e.updated_at),
        "monitoring_at": optional_time(e.monitoring_at),
        "resolved_at": optional_time(e.resolved_at),
        "impact": match e.kind { EventKind::Maintenance => "maintenance", EventKind::Incident => e.impact.code() },
        "shortlink": format!("{}/status/incidents/{}", settings.url, e.id),
        "started_at": time(e.started_at),
        "page_id": settings.page_id,
        "incident_updates": e.updates.iter().map(|u| update(e, u)).collect::<Vec<_>>(),
        "components": components,
    });
    if let Some(w) = e.window {
        v["scheduled_for"] = json!(time(w.from));
        v["scheduled_until"] = json!(time(w.until));
    }
    v
}
