//! Statuspage's public API, v2: the same paths and the same shapes (fields, types,
//! vocabulary), so dashboards and chat integrations written for Statuspage read Varde's page.
//! Every document is rendered once per snapshot.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use varde_notify::statuspage::{self, Page, time};
use varde_store::status::Event;

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
    let p = Page {
        id: &settings.page_id,
        name: &settings.name,
        url: &settings.url,
        time_zone: &settings.time_zone,
    };
    let components = || -> Vec<Value> {
        s.components
            .iter()
            .map(|c| statuspage::component(&p, &s.components, c))
            .collect()
    };
    let events = |list: &[Event]| -> Vec<Value> {
        list.iter()
            .map(|e| statuspage::event(&p, &s.components, e))
            .collect()
    };
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
