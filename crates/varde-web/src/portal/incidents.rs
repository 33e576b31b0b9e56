//! The incidents and maintenance that touch the contact's organisation: on the services and
//! sites of its contracts, with the status page's updates and its own tickets linked to them.

use askama::Template;
use axum::extract::State;
use axum_extra::extract::CookieJar;

use super::{Portal, PortalNav};
use crate::app::AppState;
use crate::auth::Caller;
use crate::console::{PageResult, app_err, render};

struct UpdateView {
    status: &'static str,
    at: String,
    body: String,
}

struct IncidentView {
    name: String,
    status: &'static str,
    maintenance: bool,
    /// The maintenance window, or when the incident started.
    when: String,
    affects: String,
    updates: Vec<UpdateView>,
    /// (number, subject)
    tickets: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "portal_incidents.html")]
struct IncidentsPage {
    nav: PortalNav,
    w: &'static varde_core::portal::Words,
    zone: String,
    incidents: Vec<IncidentView>,
}

pub async fn list(State(state): State<AppState>, caller: Caller, jar: CookieJar) -> PageResult {
    let p = Portal::of(&state, &caller, &jar, "/portal/incidents").await?;
    let found = state
        .app
        .portal_incidents(&caller.acting(), &p.contact)
        .await
        .map_err(app_err(&caller))?;
    let sw = varde_core::status::words(p.contact.language);
    let incidents = found
        .into_iter()
        .map(|i| {
            let e = &i.event;
            let when = match &e.window {
                Some(w) => format!("{} – {}", p.time(w.from), p.time(w.until)),
                None => p.time(e.started_at),
            };
            IncidentView {
                name: e.name.clone(),
                status: sw.event_status(e.status),
                maintenance: e.window.is_some(),
                when,
                affects: i.components.join(", "),
                updates: e
                    .updates
                    .iter()
                    .map(|u| UpdateView {
                        status: sw.event_status(u.status),
                        at: p.time(u.created_at),
                        body: u.body.clone(),
                    })
                    .collect(),
                tickets: i
                    .tickets
                    .iter()
                    .map(|t| (t.id.0, t.subject.clone()))
                    .collect(),
            }
        })
        .collect();
    Ok(render(&IncidentsPage {
        zone: p.zone_name(),
        w: p.w,
        nav: p.nav,
        incidents,
    }))
}
