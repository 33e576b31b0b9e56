//! The agent console: server-rendered pages that work without JavaScript; htmx refines the
//! search. Templates live in `templates/`; a full page includes its partial, so an htmx
//! request and a direct load share one template.
//!
//! Every form carries the session's CSRF token; every page asks `can` through
//! `crate::api::authorize`, exactly as the API does.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use jiff::Timestamp;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::{
    Caller, Credential, SESSION_COOKIE, SESSION_HOURS, authenticate, check_form_csrf, new_secret,
    session_cookie,
};
use crate::error::{ApiError, ErrorCode};

mod account;
mod attachments;
mod bulk;
pub(crate) mod customers;
mod health;
mod macros;
mod mail_templates;
mod meeting_page;
mod meetings;
mod neighbourhood;
mod offboarding;
pub(crate) mod onboarding;
mod presence;
mod report;
mod roadmap;
mod sla;
mod status;
mod ticket_list;
mod tickets;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route(
            "/console/tickets",
            get(ticket_list::list).post(tickets::create),
        )
        .route("/console/tickets/bulk", post(bulk::apply))
        .route("/console/tickets/new", get(tickets::new_form))
        .route("/console/tickets/{id}", get(tickets::show))
        .route("/console/tickets/{id}/update", post(tickets::update))
        .route("/console/tickets/{id}/take", post(tickets::take))
        .route("/console/tickets/{id}/respond", post(tickets::respond))
        .route(
            "/console/tickets/{id}/phone-call",
            post(tickets::phone_call),
        )
        .route("/console/tickets/{id}/link", post(tickets::link))
        .route("/console/tickets/{id}/merge", post(tickets::merge))
        .route("/console/attachments/{id}", get(attachments::attachment))
        .route("/console/searches", post(ticket_list::save_search))
        .route("/console/status", get(status::overview))
        .route("/console/status/new", get(status::new_form))
        .route("/console/status/events", post(status::create))
        .route("/console/status/events/{id}", get(status::show))
        .route("/console/status/events/{id}/updates", post(status::update))
        .route(
            "/console/status/events/{id}/tickets",
            post(status::link_ticket),
        )
        .route("/console/status/components", post(status::create_component))
        .route(
            "/console/status/components/{id}",
            post(status::set_component),
        )
        .route(
            "/console/subscriptions",
            get(status::my_subscriptions).post(status::subscribe_me),
        )
        .route(
            "/console/subscriptions/{id}/unsubscribe",
            post(status::end_subscription),
        )
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route(
            "/assets/varde.css",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css")],
                    include_str!("../../assets/varde.css"),
                )
            }),
        )
        .route(
            "/assets/status-refresh.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript")],
                    include_str!("../../assets/status-refresh.js"),
                )
            }),
        )
        .route(
            "/assets/favicon.svg",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "image/svg+xml"),
                        (header::CACHE_CONTROL, "public, max-age=86400"),
                    ],
                    include_str!("../../assets/favicon.svg"),
                )
            }),
        )
        .route(
            "/assets/ticket-draft.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript")],
                    include_str!("../../assets/ticket-draft.js"),
                )
            }),
        )
        .route(
            "/assets/htmx.min.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript")],
                    include_str!("../../assets/vendor/htmx.min.js"),
                )
            }),
        )
        .route(
            "/console/organizations",
            get(customers::list).post(customers::create),
        )
        .route("/console/organizations/rows", get(customers::rows))
        .route("/console/organizations/{id}/report", get(report::show))
        .route(
            "/console/organizations/{id}/feedback",
            post(customers::add_feedback),
        )
        .route("/console/portfolio", get(report::portfolio))
        .route("/console/meetings", get(meetings::list))
        .route("/console/meetings/seen", post(meetings::seen))
        .route("/console/health", get(health::list))
        .route("/console/organizations/{id}/health", get(health::show))
        .route(
            "/console/organizations/{id}/health/weights",
            post(health::save_weights),
        )
        .route("/console/meetings/{id}", get(meeting_page::show))
        .route("/console/meetings/{id}/move", post(meetings::move_meeting))
        .route("/console/meetings/{id}/minutes", post(meetings::minutes))
        .route("/console/meetings/{id}/actions", post(meetings::add_action))
        .route("/console/actions/{id}/done", post(meetings::finish_action))
        .route(
            "/console/organizations/{id}/meetings",
            get(meetings::plan).post(meetings::book),
        )
        .route("/console/roadmap", get(roadmap::show))
        .route("/console/roadmap/items", post(roadmap::create))
        .route("/console/roadmap/items/{id}", post(roadmap::update))
        .route("/console/roadmap/items/{id}/merge", post(roadmap::merge))
        .route("/console/roadmap/asks/{id}/file", post(roadmap::file))
        .route("/console/sla", get(sla::show))
        .route("/console/templates", get(mail_templates::show))
        .route("/console/macros", get(macros::list).post(macros::create))
        .route(
            "/console/macros/{id}",
            get(macros::edit).post(macros::update),
        )
        .route("/console/macros/{id}/delete", post(macros::delete))
        .route(
            "/console/tickets/{id}/macros/{macro_id}",
            post(macros::apply),
        )
        .route("/console/tickets/{id}/presence", post(presence::tell))
        .route(
            "/console/templates/autoreply/{lang}",
            post(mail_templates::save),
        )
        .route("/console/onboarding", get(onboarding::board))
        .route("/console/onboarding/runs/{id}", get(onboarding::show_run))
        .route(
            "/console/onboarding/runs/{run}/steps/{step}/{act}",
            post(onboarding::act),
        )
        .route(
            "/console/contracts/{id}/offboard",
            get(offboarding::offboard_form).post(offboarding::offboard),
        )
        .route("/console/onboarding/templates", get(onboarding::templates))
        .route(
            "/console/onboarding/templates/{id}",
            post(onboarding::save_template),
        )
        .route(
            "/welcome/{token}",
            get(onboarding::welcome).post(onboarding::reveal),
        )
        .route("/console/sla/{tier}", post(sla::save))
        .route("/console/organizations/new", get(customers::new_form))
        .route(
            "/console/organizations/{id}",
            get(customers::show).post(customers::update),
        )
        .route(
            "/console/organizations/{id}/edit",
            get(customers::edit_form),
        )
        .route(
            "/console/organizations/{id}/portal",
            post(customers::set_portal),
        )
        .route(
            "/console/organizations/{id}/contacts/new",
            get(customers::new_contact_form).post(customers::create_contact),
        )
        .route(
            "/console/contacts/{id}/edit",
            get(customers::edit_contact_form).post(customers::update_contact),
        )
        .route(
            "/console/organizations/{id}/contracts/new",
            get(customers::new_contract_form).post(customers::create_contract),
        )
        .route(
            "/console/contracts/{id}/edit",
            get(customers::edit_contract_form).post(customers::update_contract),
        )
        .route(
            "/console/tokens",
            get(account::tokens).post(account::create_token),
        )
        .route("/console/tokens/{id}/revoke", post(account::revoke_token))
        .route("/console/account/time-zone", post(account::set_time_zone))
        .route(
            "/console/transfer",
            get(account::transfer).post(account::import),
        )
        .route(
            "/console/users",
            get(account::users).post(account::add_user),
        )
        .route("/console/users/{id}/disable", post(account::disable_user))
}

/// `/` takes each to their own: staff to the console, a customer contact to the portal,
/// anyone else to log in.
async fn home(caller: Caller) -> Redirect {
    Redirect::to(landing(&caller.actor))
}

/// Where someone starts: the console for staff, the portal for a customer contact.
fn landing(actor: &varde_core::access::Actor) -> &'static str {
    use varde_core::access::Landing;
    match varde_core::access::landing(actor) {
        Landing::Login => "/login",
        Landing::Customers => "/console/meetings",
        Landing::Tickets => "/console/tickets",
        Landing::Portal => "/portal",
    }
}

/// Console pages a customer contact still uses until the portal has its own: its status
/// subscriptions (its API tokens are at `/portal/tokens`).
const SHARED_WITH_CUSTOMERS: &[&str] = &["/console/subscriptions"];

/// A customer contact who asks for a console page is sent to the portal: it never sees the
/// staff's pages (but for [`SHARED_WITH_CUSTOMERS`]).
pub async fn customers_to_portal(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path();
    let console = path == "/console" || path.starts_with("/console/");
    if request.method() != axum::http::Method::GET
        || !console
        || SHARED_WITH_CUSTOMERS.iter().any(|p| path.starts_with(p))
    {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    if let Ok(caller) = Caller::from_request_parts(&mut parts, &state).await
        && landing(&caller.actor) == "/portal"
    {
        return Redirect::to("/portal").into_response();
    }
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}

/// What the page header shows.
pub struct Nav {
    pub logged_in: bool,
    /// Whether to show the accounts page.
    pub manages_accounts: bool,
    /// Whether to show the ticket pages (staff only).
    pub staff: bool,
    pub user: String,
    pub role: String,
    pub csrf: String,
}

impl Nav {
    pub fn of(caller: &Caller) -> Nav {
        Nav {
            logged_in: caller.account.is_some(),
            staff: varde_core::access::can(
                &caller.actor,
                varde_core::access::Action::Read,
                &varde_core::access::Resource::StaffConsole,
            ),
            manages_accounts: varde_core::access::can(
                &caller.actor,
                varde_core::access::Action::Write,
                &varde_core::access::Resource::Accounts,
            ),
            user: caller
                .account
                .as_ref()
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            role: caller
                .account
                .as_ref()
                .map(|a| a.role.label().to_string())
                .unwrap_or_default(),
            csrf: caller.csrf().to_string(),
        }
    }

    fn anonymous() -> Nav {
        Nav {
            logged_in: false,
            manages_accounts: false,
            staff: false,
            user: String::new(),
            role: String::new(),
            csrf: String::new(),
        }
    }
}

/// A page that could not be shown: logged-out callers go to the login page, the rest get an
/// HTML page with the right status.
pub struct PageError(Box<(ApiError, Nav)>);

impl PageError {
    pub fn new(error: ApiError, caller: &Caller) -> PageError {
        PageError(Box::new((error, Nav::of(caller))))
    }
}

pub fn app_err(caller: &Caller) -> impl Fn(varde_app::AppError) -> PageError + '_ {
    move |e| PageError::new(e.into(), caller)
}

/// A form's use case: done, or the field errors to show beside the fields (invalid input, or
/// a clash with what is stored); anything else is an error page.
pub fn form_outcome<T>(
    r: Result<T, varde_app::AppError>,
    caller: &Caller,
) -> Result<Result<T, varde_core::form::FieldErrors>, PageError> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(varde_app::AppError::Invalid(fields) | varde_app::AppError::Conflict(fields)) => {
            Ok(Err(fields))
        }
        Err(other) => Err(app_err(caller)(other)),
    }
}

/// A form sent as `multipart/form-data`: its text fields, and the files attached (empty file
/// inputs left out), for a message with attachments.
pub async fn message_form(
    mut multipart: axum::extract::Multipart,
) -> (FormMap, Vec<varde_store::tickets::NewAttachment>) {
    let mut form = FormMap::new();
    let mut files = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(str::to_string);
        let Ok(bytes) = field.bytes().await else {
            break;
        };
        match filename {
            Some(f) if !f.is_empty() && !bytes.is_empty() => {
                files.push(varde_store::tickets::NewAttachment {
                    filename: f,
                    content_type: content_type.unwrap_or_else(|| "application/octet-stream".into()),
                    content: bytes.to_vec(),
                })
            }
            Some(_) => {}
            None => {
                form.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    (form, files)
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> PageError {
        PageError(Box::new((error, Nav::anonymous())))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    nav: &'a Nav,
    heading: &'a str,
    message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (error, nav) = *self.0;
        if error.code == ErrorCode::Unauthenticated {
            return Redirect::to("/login").into_response();
        }
        let heading = match error.code {
            ErrorCode::NotFound => "Not found",
            ErrorCode::Forbidden => "Not allowed",
            ErrorCode::CsrfFailed => "Form expired",
            ErrorCode::Unavailable => "Try again shortly",
            _ => "Something went wrong",
        };
        let page = ErrorPage {
            nav: &nav,
            heading,
            message: &error.message,
        };
        (error.code.status(), render(&page)).into_response()
    }
}

pub type PageResult = Result<Response, PageError>;

/// The zone a staff member reads times in: their own setting (`/console/tokens`), else the
/// office's.
pub fn zone_of(caller: &Caller) -> jiff::tz::TimeZone {
    caller
        .account
        .as_ref()
        .and_then(|a| a.time_zone.as_deref())
        .and_then(|z| jiff::tz::TimeZone::get(z).ok())
        .unwrap_or_else(varde_app::office_zone)
}

/// A time as staff read it: in their zone, and the zone named.
pub fn when(zone: &jiff::tz::TimeZone, t: jiff::Timestamp) -> String {
    t.to_zoned(zone.clone())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// Renders a template; a template error is logged and shown as a plain 500.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "template error; it has been logged",
            )
                .into_response()
        }
    }
}

/// A form as name → value, the last value winning.
pub type FormMap = HashMap<String, String>;

pub fn form_value(form: &FormMap, name: &str) -> String {
    form.get(name).cloned().unwrap_or_default()
}

/// Requires a logged-in caller and the form's CSRF token.
pub fn checked(caller: &Caller, form: &FormMap) -> Result<(), PageError> {
    caller
        .require_login()
        .map_err(|e| PageError::new(e, caller))?;
    check_form_csrf(caller, &form_value(form, "csrf")).map_err(|e| PageError::new(e, caller))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Nav,
    error: String,
    email: String,
    next: String,
    /// The login form's token, also in the `varde_login` cookie (double submit): another
    /// site cannot log a browser in to an account of its choosing.
    csrf: String,
}

/// The cookie that carries the login form's token.
const LOGIN_COOKIE: &str = "varde_login";

/// The login form's token: the one the browser already holds, or a new one.
fn login_token(jar: &CookieJar) -> String {
    jar.get(LOGIN_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(|| new_secret(""))
}

/// The login page with its token, and the cookie that holds the token.
fn login_form(jar: CookieJar, status: StatusCode, mut page: LoginPage, secure: bool) -> Response {
    page.csrf = login_token(&jar);
    let cookie = Cookie::build((LOGIN_COOKIE, page.csrf.clone()))
        .http_only(true)
        .same_site(axum_extra::extract::cookie::SameSite::Strict)
        .secure(secure)
        .path("/login")
        .build();
    (status, jar.add(cookie), render(&page)).into_response()
}

#[derive(Deserialize)]
struct NextParam {
    next: Option<String>,
}

async fn login_page(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(p): Query<NextParam>,
) -> Response {
    let page = LoginPage {
        nav: Nav::anonymous(),
        error: String::new(),
        email: String::new(),
        next: p.next.unwrap_or_default(),
        csrf: String::new(),
    };
    login_form(jar, StatusCode::OK, page, state.secure_cookies)
}

async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    request: axum::extract::Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let address = crate::auth::ClientAddress::of(&parts, &state.network).ip;
    let request = axum::extract::Request::from_parts(parts, body);
    let Ok(Form(form)) = Form::<FormMap>::from_request(request, &state).await else {
        return (StatusCode::BAD_REQUEST, "send the login form").into_response();
    };
    let email = form_value(&form, "email");
    let asked = form_value(&form, "next");
    let held = jar.get(LOGIN_COOKIE).map(|c| c.value().to_string());
    let sent = form_value(&form, "csrf");
    if held.is_none_or(|h| {
        h.is_empty() || !crate::auth::constant_time_eq(h.as_bytes(), sent.as_bytes())
    }) {
        let page = LoginPage {
            nav: Nav::anonymous(),
            error: "The login form had expired or came from another site; log in again.".into(),
            email,
            next: asked,
            csrf: String::new(),
        };
        return login_form(jar, StatusCode::FORBIDDEN, page, state.secure_cookies);
    }
    match authenticate(&state, &email, &form_value(&form, "password"), address).await {
        Ok(account) => {
            // Staff start at the tickets, a customer contact in the portal.
            let next = if asked.is_empty() {
                landing(&account.actor(varde_core::access::TokenScope::Write)).to_string()
            } else {
                safe_next(&asked)
            };
            let secret = new_secret("s_");
            let csrf = new_secret("");
            let now: Timestamp = state.now();
            let expires = now + jiff::SignedDuration::from_hours(SESSION_HOURS);
            if let Err(e) = state
                .store
                .create_session(&secret, account.id, &csrf, now, expires)
                .await
            {
                return PageError::from(ApiError::from(e)).into_response();
            }
            tracing::info!(user = %account.email, "logged in");
            (
                jar.remove(Cookie::build(LOGIN_COOKIE).path("/login"))
                    .add(session_cookie(secret, state.secure_cookies)),
                Redirect::to(&next),
            )
                .into_response()
        }
        Err(e) => {
            let status = e.code.status();
            let page = LoginPage {
                nav: Nav::anonymous(),
                error: e.message,
                email,
                next: asked,
                csrf: String::new(),
            };
            login_form(jar, status, page, state.secure_cookies)
        }
    }
}

use axum::extract::{FromRequest, FromRequestParts};

/// Where to go after logging in: only a path on this site. Browsers drop tabs and newlines
/// from URLs and read `\\` as `/`, so `/\t/evil.example` would leave the site; anything with
/// a control character, white space or a backslash is refused, and what is left is resolved
/// against this site and must stay on it.
fn safe_next(next: &str) -> String {
    const HOME: &str = "/console/tickets";
    const SITE: &str = "varde.invalid";
    if !next.starts_with('/')
        || next
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return HOME.into();
    }
    let Ok(base) = url::Url::parse(&format!("http://{SITE}/")) else {
        return HOME.into();
    };
    match base.join(next) {
        Ok(u) if u.host_str() == Some(SITE) && u.port().is_none() && u.username().is_empty() => {
            match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_string(),
            }
        }
        _ => HOME.into(),
    }
}

async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    if let Credential::Session { secret, .. } = &caller.credential {
        state
            .store
            .end_session(secret)
            .await
            .map_err(|e| PageError::new(e.into(), &caller))?;
    }
    Ok((
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        Redirect::to("/login"),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        for (asked, want) in [
            ("/console/tickets/4", "/console/tickets/4"),
            (
                "/console/tickets?q=a%20b&view=new",
                "/console/tickets?q=a%20b&view=new",
            ),
            ("/console/../console/users", "/console/users"),
            ("//evil.example", "/console/tickets"),
            ("/\t/evil.example", "/console/tickets"),
            ("/\n/evil.example", "/console/tickets"),
            ("/\\evil.example", "/console/tickets"),
            ("/ /evil.example", "/console/tickets"),
            ("https://evil.example/", "/console/tickets"),
            ("evil.example", "/console/tickets"),
            ("/\u{0}x", "/console/tickets"),
            ("", "/console/tickets"),
        ] {
            assert_eq!(safe_next(asked), want, "{asked:?}");
        }
    }
}
