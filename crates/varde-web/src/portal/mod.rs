//! The customer portal at `/portal`: a customer contact's own place, in its language. Each
//! page is a `varde_app` use case (the portal's and the ticket's), translated into a page:
//! its organisation's tickets with their SLA state in plain words, a ticket's conversation
//! (never an internal comment) with reply, attachments, close and reopen, a new ticket, the
//! incidents and maintenance on the services it has, and what its organisation's contracts
//! entitle it to. Works without JavaScript.

mod colleagues;
mod incidents;
mod organization;
mod subscriptions;
mod tickets;
mod tokens;

use axum::Router;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use varde_app::portal::PortalContact;
use varde_core::portal::{Words, local_time, words};
use varde_core::values::Language;

use crate::app::AppState;

/// `?done=…`: what a portal page's last POST did, for the page to say so.
#[derive(serde::Deserialize)]
pub struct Done {
    done: Option<String>,
}
use crate::auth::Caller;
use crate::console::{FormMap, PageError, checked, form_value};

/// The cookie that keeps the language a contact picked.
const LANGUAGE_COOKIE: &str = "varde_lang";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal", get(tickets::list))
        .route("/portal/tickets", post(tickets::create))
        .route("/portal/tickets/new", get(tickets::new_form))
        .route("/portal/tickets/{id}", get(tickets::show))
        .route("/portal/tickets/{id}/reply", post(tickets::reply))
        .route("/portal/tickets/{id}/status", post(tickets::set_status))
        .route(
            "/portal/tickets/{id}/attachments/{attachment}",
            get(tickets::attachment),
        )
        .route("/portal/incidents", get(incidents::list))
        .route(
            "/portal/colleagues",
            get(colleagues::list).post(colleagues::invite),
        )
        .route("/portal/colleagues/{id}/remove", post(colleagues::remove))
        .route(
            "/portal/colleagues/{id}/tickets",
            post(colleagues::opens_tickets),
        )
        .route("/portal/settings", post(colleagues::settings))
        .route("/portal/email", post(colleagues::change_email))
        .route(
            "/portal/subscriptions",
            get(subscriptions::list).post(subscriptions::create),
        )
        .route(
            "/portal/subscriptions/{id}/remove",
            post(subscriptions::remove),
        )
        .route("/portal/tokens", get(tokens::list).post(tokens::create))
        .route("/portal/tokens/{id}/revoke", post(tokens::revoke))
        .route("/portal/organization", get(organization::show))
        .route("/portal/report", get(organization::report))
        .route("/portal/language", post(choose_language))
}

/// What every portal page knows: who reads it, in which language and time zone.
pub struct Portal {
    pub contact: PortalContact,
    pub w: &'static Words,
    pub nav: PortalNav,
}

/// The portal's header: the organisation, the links, the language switch, log out.
pub struct PortalNav {
    pub w: &'static Words,
    /// The status notices page's name.
    pub notices: &'static str,
    pub organization: String,
    pub user: String,
    pub csrf: String,
    pub lang: &'static str,
    /// (code, name in its own language, chosen)
    pub languages: Vec<(&'static str, &'static str, bool)>,
    /// Where the language switch comes back to.
    pub here: String,
}

impl Portal {
    /// The portal for `caller`: a customer contact only (staff have the console; nobody
    /// logged in is sent to log in).
    pub async fn of(
        state: &AppState,
        caller: &Caller,
        jar: &CookieJar,
        here: &str,
    ) -> Result<Portal, PageError> {
        let chosen = jar
            .get(LANGUAGE_COOKIE)
            .and_then(|c| Language::parse(c.value()).ok());
        let contact = state
            .app
            .portal_contact(&caller.acting(), chosen)
            .await
            .map_err(|e| PageError::new(e.into(), caller))?;
        let w = words(contact.language);
        let nav = PortalNav {
            w,
            notices: varde_core::portal_settings::subscription_words(contact.language).title,
            organization: contact.organization.details.name.clone(),
            user: caller.audit_name(),
            csrf: caller.csrf().to_string(),
            lang: contact.language.code(),
            languages: Language::ALL
                .iter()
                .map(|l| (l.code(), own_name(*l), *l == contact.language))
                .collect(),
            here: here.to_string(),
        };
        Ok(Portal { contact, w, nav })
    }

    /// A moment as this contact reads it, its zone named.
    pub fn time(&self, t: Timestamp) -> String {
        local_time(t, &self.contact.zone)
    }

    pub fn zone(&self) -> &TimeZone {
        &self.contact.zone
    }

    /// The zone's name as a page names it (`Europe/Oslo`).
    pub fn zone_name(&self) -> String {
        self.contact.zone.iana_name().unwrap_or("UTC").to_string()
    }
}

/// A language's name in itself, for the switch.
fn own_name(l: Language) -> &'static str {
    match l {
        Language::English => "English",
        Language::Swedish => "Svenska",
        Language::NorwegianBokmal => "Norsk (bokmål)",
        Language::Danish => "Dansk",
    }
}

/// The language switch: keeps the choice in a cookie and goes back to the page (a path under
/// `/portal` only).
async fn choose_language(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Form(form): Form<FormMap>,
) -> Result<Response, PageError> {
    checked(&caller, &form)?;
    let back = form_value(&form, "back");
    let back = if back.starts_with("/portal") && !back.contains("//") && !back.contains('\\') {
        back
    } else {
        "/portal".to_string()
    };
    let Ok(language) = Language::parse(&form_value(&form, "lang")) else {
        return Ok(Redirect::to(&back).into_response());
    };
    let cookie = Cookie::build((LANGUAGE_COOKIE, language.code()))
        .path("/")
        .http_only(true)
        .secure(state.secure_cookies)
        .same_site(SameSite::Lax)
        .permanent()
        .build();
    Ok((jar.add(cookie), Redirect::to(&back)).into_response())
}
