//! The ticket page's neighbourhood panel: the customer's health, its other open tickets and
//! the incidents touching its services now (`App::ticket_neighbourhood`).

use varde_core::ids::OrganizationId;
use varde_core::ticket::TicketId;

use super::{PageError, app_err};
use crate::app::AppState;
use crate::auth::Caller;

pub struct NearView {
    pub health: String,
    pub band: &'static str,
    pub health_day: String,
    /// (number, subject, status)
    pub open: Vec<(i64, String, String)>,
    /// Open tickets beyond those listed.
    pub more: usize,
    /// (id, name, impact, kind)
    pub events: Vec<(i64, String, String, String)>,
}

/// The panel of a ticket of `org`, or none for a ticket of no organisation.
pub async fn view(
    state: &AppState,
    caller: &Caller,
    org: Option<OrganizationId>,
    id: TicketId,
) -> Result<Option<NearView>, PageError> {
    let Some(org) = org else { return Ok(None) };
    let n = state
        .app
        .ticket_neighbourhood(&caller.actor, org, id)
        .await
        .map_err(app_err(caller))?;
    let (health, band, health_day) = match n.health {
        Some((score, day)) => (score.to_string(), super::health::band(score), day),
        None => (String::new(), "fair", String::new()),
    };
    Ok(Some(NearView {
        health,
        band,
        health_day,
        more: n.open_count.saturating_sub(n.open_tickets.len()),
        open: n
            .open_tickets
            .iter()
            .map(|t| (t.id.0, t.subject.clone(), t.status.code().to_string()))
            .collect(),
        events: n
            .events
            .iter()
            .map(|e| {
                (
                    e.id,
                    e.name.clone(),
                    e.impact.label().to_lowercase(),
                    e.kind.code().to_string(),
                )
            })
            .collect(),
    }))
}
