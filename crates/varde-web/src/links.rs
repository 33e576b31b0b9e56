//! One-time links and the password reset, for anyone: `/password/forgot` asks for a link
//! (the answer is the same whether the address has an account), `/link/{secret}` shows the
//! form to choose a password (reading it changes nothing) and sets it once. The pages speak
//! the account's language, or the browser's.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use varde_app::AppError;
use varde_core::links::{LinkPurpose, LinkState, LinkWords, link_words};
use varde_core::values::Language;

use crate::app::AppState;
use crate::console::{FormMap, PageError, form_value, render};
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/password/forgot", get(forgot_page).post(forgot))
        .route("/link/{secret}", get(link_page).post(use_link))
}

#[derive(Template)]
#[template(path = "link.html")]
struct LinkPage {
    lang: &'static str,
    w: &'static LinkWords,
    title: &'static str,
    /// "password", "forgot", or blank for a message only.
    form: &'static str,
    notice: &'static str,
    bad: bool,
    email: String,
    error: String,
    /// What confirming an e-mail change does.
    help: String,
}

impl LinkPage {
    fn new(language: Language, title: fn(&LinkWords) -> &'static str) -> LinkPage {
        let w = link_words(language);
        LinkPage {
            lang: language.code(),
            w,
            title: title(w),
            form: "",
            notice: "",
            bad: false,
            email: String::new(),
            error: String::new(),
            help: String::new(),
        }
    }
}

fn page(status: StatusCode, p: &LinkPage) -> Response {
    // A link's secret is in the address: no cache keeps the page.
    (
        status,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        render(p),
    )
        .into_response()
}

#[derive(Deserialize)]
struct LangParam {
    lang: Option<String>,
}

async fn forgot_page(headers: HeaderMap, Query(q): Query<LangParam>) -> Response {
    let language = crate::status::language(q.lang.as_deref(), &headers);
    let mut p = LinkPage::new(language, |w| w.forgot_title);
    p.form = "forgot";
    page(StatusCode::OK, &p)
}

async fn forgot(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<FormMap>,
) -> Result<Response, PageError> {
    let language = crate::status::language(Some(&form_value(&form, "lang")), &headers);
    let mut p = LinkPage::new(language, |w| w.forgot_title);
    let email = form_value(&form, "email");
    let base = state.status.settings.url.clone();
    match state.app.request_password_reset(&email, &base).await {
        Ok(()) => {
            p.notice = p.w.forgot_sent;
            Ok(page(StatusCode::OK, &p))
        }
        Err(AppError::Invalid(errors)) => {
            p.form = "forgot";
            p.email = email;
            p.error = errors.get("email").unwrap_or_default().to_string();
            Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(PageError::from(ApiError::from(e))),
    }
}

/// The page of a link: the password form while it works, else why it does not.
async fn link_page(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<Response, PageError> {
    let link = state
        .app
        .one_time_link(&secret)
        .await
        .map_err(|e| PageError::from(ApiError::from(e)))?;
    let change = link.link.purpose == LinkPurpose::EmailChange;
    let mut p = if change {
        LinkPage::new(link.language, |w| w.confirm_email)
    } else {
        LinkPage::new(link.language, |w| w.set_password)
    };
    match link.state {
        LinkState::Usable if change => {
            p.form = "confirm";
            let new = link.link.new_email.as_deref().unwrap_or_default();
            p.help = p.w.confirm_email_help.replace("{email}", new);
            Ok(page(StatusCode::OK, &p))
        }
        LinkState::Usable => {
            p.form = "password";
            p.email = link.link.account.email.to_string();
            Ok(page(StatusCode::OK, &p))
        }
        LinkState::Used => {
            p.notice = p.w.link_used;
            p.bad = true;
            Ok(page(StatusCode::GONE, &p))
        }
        LinkState::Expired => {
            p.notice = p.w.link_expired;
            p.bad = true;
            Ok(page(StatusCode::GONE, &p))
        }
    }
}

async fn use_link(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Form(form): Form<FormMap>,
) -> Result<Response, PageError> {
    // What the link is, read before it is used (its page's language and purpose).
    let before = state.app.one_time_link(&secret).await.ok();
    let language = before.as_ref().map_or(Language::English, |l| l.language);
    let purpose = before.as_ref().map(|l| l.link.purpose);
    let used = state
        .app
        .use_one_time_link(&secret, &form_value(&form, "password"))
        .await;
    let mut p = LinkPage::new(language, |w| w.set_password);
    match used {
        Ok(account) if purpose == Some(LinkPurpose::EmailChange) => {
            tracing::info!(user = %account.email, "e-mail address changed from a one-time link");
            p.title = p.w.confirm_email;
            p.notice = p.w.email_changed;
            Ok(page(StatusCode::OK, &p))
        }
        Err(AppError::Conflict(fields)) if fields.get("email").is_some() => {
            p.title = p.w.confirm_email;
            p.notice = p.w.email_taken;
            p.bad = true;
            Ok(page(StatusCode::CONFLICT, &p))
        }
        Ok(account) => {
            tracing::info!(user = %account.email, "password set from a one-time link");
            p.notice = p.w.password_set;
            Ok(page(StatusCode::OK, &p))
        }
        Err(AppError::Invalid(errors)) => {
            p.form = "password";
            p.error = errors.get("password").unwrap_or_default().to_string();
            Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(AppError::Conflict(_)) => {
            p.notice = p.w.link_used;
            p.bad = true;
            Ok(page(StatusCode::GONE, &p))
        }
        Err(e) => Err(PageError::from(ApiError::from(e))),
    }
}
