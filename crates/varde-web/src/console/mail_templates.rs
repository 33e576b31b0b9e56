//! Mail templates in the console: the autoreply that acknowledges a new ticket, in each
//! language Varde writes, with its placeholders. Administrators edit them (as they do queue
//! settings); staff read them.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use varde_core::access::{Action, Resource, can};
use varde_core::mail_template::{MailTemplate, PLACEHOLDERS};
use varde_core::values::Language;

use super::{FormMap, Nav, PageError, PageResult, checked, form_value, render};
use crate::api::authorize;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

#[derive(Clone)]
struct LanguageView {
    code: &'static str,
    label: &'static str,
    subject: String,
    body: String,
    changed: String,
    subject_error: String,
    body_error: String,
}

#[derive(Template)]
#[template(path = "mail_templates.html")]
struct TemplatesPage {
    nav: Nav,
    admin: bool,
    placeholders: &'static [(&'static str, &'static str)],
    languages: Vec<LanguageView>,
}

async fn page(state: &AppState, caller: &Caller, edited: Option<LanguageView>) -> PageResult {
    let mut languages = Vec::new();
    for lang in Language::ALL {
        let saved = state
            .store
            .mail_template("autoreply", lang)
            .await
            .map_err(|e| PageError::new(e.into(), caller))?;
        let (t, changed) = match saved {
            Some(s) => (
                s.template,
                format!(
                    "changed {} by {}",
                    super::when(&super::zone_of(caller), s.updated_at),
                    s.updated_by
                ),
            ),
            None => (MailTemplate::autoreply(lang), "as shipped".into()),
        };
        languages.push(match &edited {
            Some(e) if e.code == lang.code() => LanguageView {
                changed,
                ..e.clone()
            },
            _ => LanguageView {
                code: lang.code(),
                label: lang.label(),
                subject: t.subject,
                body: t.body,
                changed,
                subject_error: String::new(),
                body_error: String::new(),
            },
        });
    }
    Ok(render(&TemplatesPage {
        nav: Nav::of(caller),
        admin: can(&caller.actor, Action::Write, &Resource::QueueSettings),
        placeholders: PLACEHOLDERS,
        languages,
    }))
}

pub async fn show(State(state): State<AppState>, caller: Caller) -> PageResult {
    authorize(&caller, Action::Read, Resource::QueueSettings)
        .map_err(|e| PageError::new(e, &caller))?;
    page(&state, &caller, None).await
}

/// Saves (or, with `reset`, forgets) the autoreply of one language.
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    authorize(&caller, Action::Write, Resource::QueueSettings)
        .map_err(|e| PageError::new(e, &caller))?;
    let lang =
        Language::parse(&code).map_err(|_| PageError::new(ApiError::not_found(), &caller))?;
    if form.contains_key("reset") {
        state
            .store
            .reset_mail_template("autoreply", lang)
            .await
            .map_err(|e| PageError::new(e.into(), &caller))?;
        return Ok(Redirect::to("/console/templates").into_response());
    }
    let (subject, body) = (form_value(&form, "subject"), form_value(&form, "body"));
    match MailTemplate::parse(&subject, &body) {
        Ok(t) => {
            state
                .store
                .save_mail_template("autoreply", lang, &t, &caller.audit_name(), state.now())
                .await
                .map_err(|e| PageError::new(e.into(), &caller))?;
            Ok(Redirect::to("/console/templates").into_response())
        }
        Err(errors) => {
            let view = LanguageView {
                code: lang.code(),
                label: lang.label(),
                subject,
                body,
                changed: String::new(),
                subject_error: errors.get("subject").unwrap_or_default().to_string(),
                body_error: errors.get("body").unwrap_or_default().to_string(),
            };
            let page = page(&state, &caller, Some(view)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
