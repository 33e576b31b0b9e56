//! Statuspage's JSON shapes: the component, incident (and scheduled maintenance) and incident
//! update objects, as its public API and its webhooks carry them. The public API
//! (`varde-web`'s `/api/v2`) and the webhook payloads are built from these, so both stay the
//! same shape.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Value, json};
use varde_store::status::{Component, Event, EventUpdate};

/// What every object names: the page.
#[derive(Clone, Debug)]
pub struct Page<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub url: &'a str,
    pub time_zone: &'a TimeZone,
}

/// Statuspage's time format: ISO 8601 in UTC with milliseconds.
pub fn time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn optional_time(t: Option<Timestamp>) -> Value {
    t.map(|t| Value::String(time(t))).unwrap_or(Value::Null)
}

/// A component; a group lists its members' ids.
pub fn component(page: &Page, all: &[Component], c: &Component) -> Value {
    let mut v = json!({
        "id": c.id.to_string(),
        "name": c.name,
        "status": c.status.code(),
        "created_at": time(c.created_at),
        "updated_at": time(c.updated_at),
        "position": c.position,
        "description": if c.description.is_empty() { Value::Null } else { Value::String(c.description.clone()) },
        "showcase": c.showcase,
        "start_date": c.created_at.to_zoned(page.time_zone.clone()).date().to_string(),
        "group_id": c.group_id.map(|g| g.to_string()),
        "page_id": page.id,
        "group": c.is_group,
        "only_show_if_degraded": c.only_show_if_degraded,
    });
    if c.is_group {
        let members: Vec<String> = all
            .iter()
            .filter(|m| m.group_id == Some(c.id))
            .map(|m| m.id.to_string())
            .collect();
        v["components"] = json!(members);
    }
    v
}

/// One entry of an incident's timeline.
pub fn update(e: &Event, u: &EventUpdate) -> Value {
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

/// An incident, or a scheduled maintenance (with its window), with its timeline newest first.
pub fn event(page: &Page, all: &[Component], e: &Event) -> Value {
    let components: Vec<Value> = e
        .components
        .iter()
        .filter_map(|id| all.iter().find(|c| c.id == *id))
        .map(|c| component(page, all, c))
        .collect();
    let mut v = json!({
        "id": e.id.to_string(),
        "name": e.name,
        "status": e.status.code(),
        "created_at": time(e.created_at),
        "updated_at": time(e.updated_at),
        "monitoring_at": optional_time(e.monitoring_at),
        "resolved_at": optional_time(e.resolved_at),
        "impact": e.kind.impact_code(e.impact),
        "shortlink": format!("{}/status/incidents/{}", page.url, e.id),
        "started_at": time(e.started_at),
        "page_id": page.id,
        "incident_updates": e.updates.iter().map(|u| update(e, u)).collect::<Vec<_>>(),
        "components": components,
    });
    if let Some(w) = e.window {
        v["scheduled_for"] = json!(time(w.from));
        v["scheduled_until"] = json!(time(w.until));
    }
    v
}
