//! The service manager's workspace in the API: `GET /api/v1/meetings?organization={id}`
//! (planned, booked and held meetings) and `GET /api/v1/roadmap` (the roadmap items with the
//! customers who asked), and the roadmap's CSV, which the console exports too.

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::{Value, json};
use varde_app::workspace::meetings::MeetingPlan;
use varde_app::workspace::roadmap::Roadmap;
use varde_core::ids::OrganizationId;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;

#[derive(Deserialize)]
pub struct MeetingParams {
    organization: Option<i64>,
}

/// One organisation's plan as JSON: each quarter's state, with the meeting where there is
/// one, and the action items.
fn plan_json(p: &MeetingPlan) -> Value {
    let quarters: Vec<Value> = p
        .slots
        .iter()
        .map(|s| {
            let meeting = p.meeting(s).map(|m| {
                json!({
                    "id": m.id,
                    "starts_at": m.starts_at.to_string(),
                    "minutes": m.minutes,
                    "place": m.place,
                    "status": m.status.code(),
                    "attendees": m.attendees.lines().collect::<Vec<_>>(),
                    "minutes_shared": m.shared,
                })
            });
            json!({"quarter": s.quarter.label, "state": s.state.code(), "meeting": meeting})
        })
        .collect();
    let actions: Vec<Value> = p
        .action_items
        .iter()
        .map(|a| {
            json!({
                "id": a.id, "meeting": a.meeting, "text": a.text, "owner": a.owner,
                "due_on": a.due_on.map(|d| d.to_string()),
                "ticket": a.ticket.map(|t| t.0),
                "done_at": a.done_at.map(|t| t.to_string()),
            })
        })
        .collect();
    json!({
        "organization": {"id": p.organization.id.0, "name": p.organization.details.name},
        "service_manager": p.service_manager.as_ref().map(|a| json!({"id": a.id.0, "name": a.name, "email": a.email.as_str()})),
        "quarters": quarters,
        "action_items": actions,
    })
}

/// `GET /api/v1/meetings[?organization={id}]`: one organisation's plan, or every plan.
pub async fn meetings(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<MeetingParams>,
) -> ApiResult<Json<Value>> {
    caller.require_login()?;
    let plans = match p.organization {
        Some(org) => vec![
            state
                .app
                .meeting_plan(&caller.actor, OrganizationId(org))
                .await?,
        ],
        None => state.app.meeting_plans(&caller.actor, None).await?,
    };
    Ok(Json(json!({
        "organizations": plans.iter().map(plan_json).collect::<Vec<_>>()
    })))
}

/// `GET /api/v1/organizations/{id}/health`: the score now, its parts, the trend and the part
/// that moved most in 30 days.
pub async fn organization_health(
    State(state): State<AppState>,
    caller: Caller,
    crate::api::Id(id): crate::api::Id,
) -> ApiResult<Json<Value>> {
    caller.require_login()?;
    let h = state
        .app
        .organization_health(&caller.actor, OrganizationId(id))
        .await?;
    let weights = state.app.health_weights().await?;
    Ok(Json(json!({
        "organization": id,
        "score": h.health.score,
        "parts": h.health.parts.iter().map(|p| json!({
            "part": p.part.code(), "label": p.part.label(), "penalty": p.penalty,
            "weight": weights.of(p.part), "why": p.why,
        })).collect::<Vec<_>>(),
        "trend": h.trend.iter().map(|(day, score)| json!({"day": day, "score": score})).collect::<Vec<_>>(),
        "moved_most": h.moved.map(|(p, d)| json!({"part": p.code(), "points": d})),
    })))
}

/// `GET /api/v1/roadmap`.
pub async fn roadmap(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    caller.require_login()?;
    let r = state.app.roadmap(&caller.actor).await?;
    Ok(Json(roadmap_json(&r)))
}

/// The register as JSON: items by demand, each with its customers' asks, and the feedback
/// not yet filed.
pub fn roadmap_json(r: &Roadmap) -> Value {
    let ask = |a: &varde_store::roadmap::Ask| {
        json!({
            "id": a.id,
            "organization": {"id": a.organization.0, "name": a.organization_name},
            "tier": r.tiers.get(&a.organization).map(|t| t.code()),
            "text": a.text,
            "asked_by": a.asked_by,
            "meeting": a.meeting,
            "ticket": a.ticket,
            "noted_at": a.created_at.to_string(),
        })
    };
    let items: Vec<Value> = r
        .entries
        .iter()
        .map(|e| {
            let i = &e.item.item;
            json!({
                "id": e.item.id,
                "title": i.title,
                "service": i.service.map(|s| s.code()),
                "state": i.state.code(),
                "reason": i.reason,
                "state_changed_at": e.item.state_changed_at.to_string(),
                "demand": {
                    "customers": e.demand.customers,
                    "asks": e.demand.asks,
                    "premium_customers": e.demand.premium,
                    "top_tier": e.demand.top_tier.map(|t| t.code()),
                },
                "asks": e.asks.iter().map(ask).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({"items": items, "unfiled": r.unfiled.iter().map(ask).collect::<Vec<_>>()})
}

/// A cell a spreadsheet will not run: text that starts like a formula gets a leading `'`.
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The register as CSV: one row per item and asking customer (an item nobody is filed under
/// has one row without a customer).
pub fn roadmap_csv(r: &Roadmap) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "item",
        "title",
        "service",
        "state",
        "reason",
        "customers",
        "organization",
        "tier",
        "asked",
        "asked_by",
        "noted_at",
    ]);
    for e in &r.entries {
        let i = &e.item.item;
        let head = [
            e.item.id.to_string(),
            cell(&i.title),
            i.service.map(|s| s.code()).unwrap_or_default().to_string(),
            i.state.code().to_string(),
            cell(&i.reason),
            e.demand.customers.to_string(),
        ];
        if e.asks.is_empty() {
            let _ = w.write_record(
                head.iter()
                    .cloned()
                    .chain(std::iter::repeat_n(String::new(), 5)),
            );
        }
        for a in &e.asks {
            let tail = [
                cell(&a.organization_name),
                r.tiers
                    .get(&a.organization)
                    .map(|t| t.code())
                    .unwrap_or_default()
                    .to_string(),
                cell(&a.text),
                cell(&a.asked_by),
                a.created_at.to_string(),
            ];
            let _ = w.write_record(head.iter().cloned().chain(tail));
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
