//! The collision notice on a ticket's page: the page tells every 20 seconds (htmx) that its
//! agent has the ticket open, and whether they have started a reply, and shows who else is
//! on it (`varde_core::presence`). Without JavaScript there is no notice, and nothing else
//! changes.

use askama::Template;
use axum::extract::{Form, Path, State};
use varde_core::ticket::TicketId;

use super::{FormMap, PageResult, app_err, checked, form_value, render};
use crate::app::AppState;
use crate::auth::Caller;

#[derive(Template)]
#[template(path = "presence.html")]
struct PresenceNotice {
    notice: String,
    writing: bool,
}

/// `POST /console/tickets/{id}/presence`: the heartbeat; answers the notice to show.
pub async fn tell(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let name = caller.display_name();
    let writing = !form_value(&form, "message").trim().is_empty();
    let others = state
        .app
        .ticket_presence(&caller.acting(), &name, TicketId(id), writing)
        .await
        .map_err(app_err(&caller))?;
    Ok(render(&PresenceNotice {
        notice: varde_core::presence::notice(&others).unwrap_or_default(),
        writing: others.iter().any(|p| p.writing),
    }))
}
