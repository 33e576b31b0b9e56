//! The portal's API tokens: a contact makes tokens for its own scripts (read only, or read
//! and write; they reach its organisation only, as it does), sees when each was last used,
//! and revokes them. The secret is shown once.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::CookieJar;
use varde_core::api_tokens::{TokenWords, token_words};

use super::{Portal, PortalNav};
use crate::app::AppState;
use crate::auth::Caller;
use crate::console::{FormMap, PageError, PageResult, checked, form_value, render};

struct Row {
    id: i64,
    name: String,
    prefix: String,
    scope: &'static str,
    created: String,
    used: String,
    revoked: String,
}

#[derive(Template)]
#[template(path = "portal_tokens.html")]
struct TokensPage {
    nav: PortalNav,
    t: &'static TokenWords,
    rows: Vec<Row>,
    new_token: String,
    error: String,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    jar: &CookieJar,
    new_token: String,
    error: impl FnOnce(&TokenWords) -> String,
    status: StatusCode,
) -> PageResult {
    let p = Portal::of(state, caller, jar, "/portal/tokens").await?;
    let t = token_words(p.contact.language);
    let tokens = state
        .app
        .tokens(&caller.acting())
        .await
        .map_err(|e| PageError::new(e.into(), caller))?;
    let rows = tokens
        .iter()
        .rev()
        .map(|k| Row {
            id: k.id,
            name: k.name.clone(),
            prefix: k.prefix.clone(),
            scope: t.scope(k.scope),
            created: p.time(k.created_at),
            used: k
                .last_used_at
                .map(|u| p.time(u))
                .unwrap_or_else(|| t.never.into()),
            revoked: k.revoked_at.map(|r| p.time(r)).unwrap_or_default(),
        })
        .collect();
    let page = TokensPage {
        error: error(t),
        nav: p.nav,
        t,
        rows,
        new_token,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn list(State(state): State<AppState>, caller: Caller, jar: CookieJar) -> PageResult {
    page(
        &state,
        &caller,
        &jar,
        String::new(),
        |_| String::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let account = caller
        .require_login()
        .map_err(|e| PageError::new(e, &caller))?
        .clone();
    let issued = state
        .app
        .issue_token(
            &caller.acting(),
            &account,
            &form_value(&form, "name"),
            Some(&form_value(&form, "scope")),
        )
        .await;
    match issued {
        Ok((secret, _)) => {
            page(
                &state,
                &caller,
                &jar,
                secret,
                |_| String::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(varde_app::AppError::Invalid(_)) => {
            let error = |t: &TokenWords| t.name_required.to_string();
            page(
                &state,
                &caller,
                &jar,
                String::new(),
                error,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(PageError::new(e.into(), &caller)),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    state
        .app
        .revoke_token(&caller.acting(), id)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?;
    Ok(Redirect::to("/portal/tokens").into_response())
}
