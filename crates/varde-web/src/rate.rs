//! The page a requestor reaches from the rating links in the mail that said its ticket was
//! resolved: `/rate/{ticket}/{transaction}?sig=…&r=good`. The link is signed for that ticket
//! and the transaction that resolved it; opening it changes nothing (mail scanners open
//! links), it shows the choice made with a field for a comment, and sending it records the
//! rating, once.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use varde_app::workspace::ratings::Rated;
use varde_core::ticket::TicketId;
use varde_core::values::Language;
use varde_core::workspace::words::{Rating, ResolvedWords, resolved_words};

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/rate/{ticket}/{transaction}", get(page).post(rate))
}

#[derive(Template)]
#[template(path = "rate.html")]
struct RatePage {
    lang: &'static str,
    w: &'static ResolvedWords,
    subject: String,
    action: String,
    sig: String,
    choices: Vec<(&'static str, &'static str, bool)>,
    /// The thanks (or "rated already") instead of the form.
    done: String,
}

#[derive(Deserialize)]
pub struct Link {
    #[serde(default)]
    sig: String,
    #[serde(default)]
    r: String,
}

#[derive(Deserialize)]
pub struct RateForm {
    #[serde(default)]
    sig: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html("<!doctype html><title>Not found</title><p>This link is not valid.</p>"),
    )
        .into_response()
}

fn render(t: &RatePage, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the page could not be drawn",
        )
            .into_response(),
    }
}

/// Whether the link's signature holds for the ticket and its resolution.
async fn signed(state: &AppState, ticket: i64, transaction: i64, sig: &str) -> bool {
    match state.status.load_link_key(&state.store).await {
        Ok(key) => varde_notify::links::verify_rating(&key, ticket, transaction, sig),
        Err(_) => false,
    }
}

fn view(
    language: Language,
    subject: String,
    ticket: i64,
    transaction: i64,
    sig: &str,
    chosen: &str,
    done: &str,
) -> RatePage {
    RatePage {
        lang: language.code(),
        w: resolved_words(language),
        subject,
        action: format!("/rate/{ticket}/{transaction}"),
        sig: sig.to_string(),
        choices: Rating::ALL
            .iter()
            .map(|r| (r.code(), r.word(language), r.code() == chosen))
            .collect(),
        done: done.to_string(),
    }
}

pub async fn page(
    State(state): State<AppState>,
    Path((ticket, transaction)): Path<(i64, i64)>,
    Query(link): Query<Link>,
) -> Response {
    if !signed(&state, ticket, transaction, &link.sig).await {
        return not_found();
    }
    let Ok(r) = state.app.resolution(TicketId(ticket), transaction).await else {
        return not_found();
    };
    let done = if r.rated {
        resolved_words(r.language).already
    } else {
        ""
    };
    render(
        &view(
            r.language,
            r.subject,
            ticket,
            transaction,
            &link.sig,
            &link.r,
            done,
        ),
        StatusCode::OK,
    )
}

pub async fn rate(
    State(state): State<AppState>,
    Path((ticket, transaction)): Path<(i64, i64)>,
    Form(form): Form<RateForm>,
) -> Response {
    if !signed(&state, ticket, transaction, &form.sig).await {
        return not_found();
    }
    let Ok(r) = state.app.resolution(TicketId(ticket), transaction).await else {
        return not_found();
    };
    let w = resolved_words(r.language);
    let Ok(rating) = Rating::parse(&form.rating) else {
        let page = view(
            r.language,
            r.subject,
            ticket,
            transaction,
            &form.sig,
            "",
            "",
        );
        return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let done = match state
        .app
        .rate_resolution(TicketId(ticket), transaction, rating, &form.comment)
        .await
    {
        Ok(Rated::Recorded) => w.thanks,
        Ok(Rated::Already) => w.already,
        Err(_) => return not_found(),
    };
    render(
        &view(
            r.language,
            r.subject,
            ticket,
            transaction,
            &form.sig,
            rating.code(),
            done,
        ),
        StatusCode::OK,
    )
}
