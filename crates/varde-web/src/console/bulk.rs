//! Bulk changes on the ticket list: an agent ticks tickets and sets their status, owner or
//! queue at once. Each ticket is changed as its own page would change it (loaded for writing,
//! so each is authorised through `can`, then RT's field update); the list then says how many
//! changed and why any did not. Read-only staff are refused before anything is read.

use std::collections::HashMap;

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect};
use varde_core::access::{Action, Resource, Role, can};
use varde_core::ticket::lifecycle::Status;
use varde_store::tickets::TicketError;

use super::{FormMap, PageError, PageResult, checked, form_value};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::tickets::{self, Fields};

/// The bar above the list: what may be set, and where the form comes back to.
pub struct BulkBar {
    pub statuses: Vec<String>,
    /// (value, label)
    pub owners: Vec<(String, String)>,
    pub queues: Vec<String>,
    /// The list as it was asked for, to come back to.
    pub back: String,
    /// What the last bulk change did.
    pub notice: String,
}

/// Who a ticket may be given to, as (value, label): Nobody, then the staff who work tickets.
pub async fn owner_choices(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<(String, String)>, PageError> {
    let accounts = (state.store.accounts().await).map_err(|e| PageError::new(e.into(), caller))?;
    let mut owners = vec![("Nobody".to_string(), "Nobody".to_string())];
    owners.extend(
        accounts
            .iter()
            .filter(|a| a.role != Role::Customer && a.role != Role::ReadOnly && !a.disabled)
            .map(|a| (a.email.to_string(), format!("{} <{}>", a.name, a.email))),
    );
    Ok(owners)
}

/// The bar for the list asked for with `params`.
pub async fn bar(
    state: &AppState,
    caller: &Caller,
    params: &HashMap<String, String>,
) -> Result<BulkBar, PageError> {
    let owners = owner_choices(state, caller).await?;
    let queues = (state.store.queues().await).map_err(|e| PageError::new(e.into(), caller))?;
    let mut kept: Vec<(&String, &String)> = params
        .iter()
        .filter(|(k, _)| k.as_str() != "bulk")
        .collect();
    kept.sort();
    let query: Vec<String> = kept
        .iter()
        .map(|(k, v)| format!("{}={}", crate::query_value(k), crate::query_value(v)))
        .collect();
    Ok(BulkBar {
        statuses: Status::ALL.iter().map(|s| s.code().to_string()).collect(),
        owners,
        queues: queues
            .into_iter()
            .filter(|q| !q.disabled)
            .map(|q| q.name)
            .collect(),
        back: format!("/console/tickets?{}", query.join("&")),
        notice: params.get("bulk").cloned().unwrap_or_default(),
    })
}

/// Applies the chosen status, owner and queue to every ticked ticket.
pub async fn apply(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    super::tickets::staff(&caller)?;
    // Read-only staff read the list; changing tickets is for those who work them.
    if !can(&caller.actor, Action::Write, &Resource::TicketSystem) {
        return Err(PageError::new(ApiError::forbidden(), &caller));
    }
    let mut ids: Vec<i64> = form
        .iter()
        .filter(|(_, v)| v.as_str() == "yes")
        .filter_map(|(k, _)| k.strip_prefix("ticket_")?.parse().ok())
        .collect();
    ids.sort_unstable();
    let fields: Fields = ["Status", "Owner", "Queue"]
        .iter()
        .map(|k| (k.to_string(), form_value(&form, k)))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    let notice = if ids.is_empty() {
        "Tick the tickets to change first.".to_string()
    } else if fields.is_empty() {
        "Choose a status, an owner or a queue to set.".to_string()
    } else {
        change_each(&state, &caller, &ids, &fields).await
    };
    let back = form_value(&form, "back");
    let back = if back.starts_with("/console/tickets?") && !back.contains("//") {
        back
    } else {
        "/console/tickets?".to_string()
    };
    let to = format!("{back}&bulk={}", crate::query_value(&notice));
    Ok(Redirect::to(&to).into_response())
}

/// Changes each ticket as its page would; says how many changed and why others did not.
async fn change_each(state: &AppState, caller: &Caller, ids: &[i64], fields: &Fields) -> String {
    let (mut changed, mut problems) = (0, vec![]);
    for id in ids {
        let ticket = match super::tickets::load(state, caller, *id, Action::Write).await {
            Ok(t) => t,
            Err(_) => {
                problems.push(format!("#{id}: not found or not yours to change"));
                continue;
            }
        };
        match tickets::update(&state.app, ticket.id, &caller.audit_name(), fields).await {
            Ok(_) => changed += 1,
            Err(TicketError::Refused(m)) => problems.push(format!("#{id}: {m}")),
            Err(e) => problems.push(format!("#{id}: {e}")),
        }
    }
    let mut notice = format!(
        "{changed} of {} ticket{} changed.",
        ids.len(),
        if ids.len() == 1 { "" } else { "s" }
    );
    if !problems.is_empty() {
        notice.push_str(&format!(" Not changed: {}.", problems.join("; ")));
    }
    notice
}
