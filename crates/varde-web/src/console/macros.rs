//! Macros in the console: administrators keep them at `/console/macros`; on a ticket's page
//! every agent sees the ones offered there, reads what each would write, and applies one in
//! a click (`POST /console/tickets/{id}/macros/{macro}`).

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use varde_core::access::{Action, Resource, can};
use varde_core::form::FieldErrors;
use varde_core::macros::{Macro, MacroForm, MacroKind, OwnerAction, PLACEHOLDERS};
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{Ticket, TicketId};
use varde_core::values::Language;

use super::{
    FormMap, Nav, PageError, PageResult, app_err, checked, form_outcome, form_value, render,
};
use crate::app::AppState;
use crate::auth::Caller;

/// A macro as the list and the ticket page show it.
pub struct MacroView {
    pub id: i64,
    pub name: String,
    pub scope: String,
    pub kind: &'static str,
    pub effects: String,
    /// On the list: the text as written; on a ticket: as applying it would write it.
    pub text: String,
}

fn view(m: &Macro, text: String) -> MacroView {
    let d = &m.details;
    let mut effects = Vec::new();
    if let Some(s) = d.status {
        effects.push(format!("sets the status to {}", s.label().to_lowercase()));
    }
    match d.owner {
        OwnerAction::Keep => {}
        OwnerAction::Me => effects.push("you take the ticket".into()),
        OwnerAction::Nobody => effects.push("gives the ticket back".into()),
    }
    MacroView {
        id: m.id,
        name: d.name.clone(),
        scope: format!(
            "{}, {}",
            d.queue.as_deref().unwrap_or("every queue"),
            d.language.map(|l| l.label()).unwrap_or("every language")
        ),
        kind: match d.kind {
            MacroKind::Reply => "reply",
            MacroKind::Comment => "internal comment",
        },
        effects: effects.join("; "),
        text,
    }
}

#[derive(Template)]
#[template(path = "macros.html")]
struct MacrosPage {
    nav: Nav,
    admin: bool,
    placeholders: &'static [(&'static str, &'static str)],
    macros: Vec<MacroView>,
    /// The form: a new macro (`editing` 0) or the one being changed.
    editing: i64,
    form: MacroForm,
    errors: FieldErrors,
    queues: Vec<String>,
    languages: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    owners: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
}

impl MacrosPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

async fn page(
    state: &AppState,
    caller: &Caller,
    editing: i64,
    form: MacroForm,
    errors: FieldErrors,
) -> PageResult {
    let all = state
        .app
        .macros(&caller.actor)
        .await
        .map_err(app_err(caller))?;
    let queues = state
        .store
        .queues()
        .await
        .map_err(|e| PageError::new(e.into(), caller))?
        .into_iter()
        .map(|q| q.name)
        .collect();
    Ok(render(&MacrosPage {
        nav: Nav::of(caller),
        admin: can(&caller.actor, Action::Write, &Resource::Macros),
        placeholders: PLACEHOLDERS,
        macros: all
            .iter()
            .map(|m| view(m, m.details.body.clone()))
            .collect(),
        editing,
        form,
        errors,
        queues,
        languages: Language::ALL
            .iter()
            .map(|l| (l.code(), l.label()))
            .collect(),
        statuses: Status::ALL
            .iter()
            .filter(|s| **s != Status::Deleted)
            .map(|s| (s.code(), s.label()))
            .collect(),
        owners: OwnerAction::ALL
            .iter()
            .map(|o| (o.code(), o.label()))
            .collect(),
        kinds: MacroKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
    }))
}

pub async fn list(State(state): State<AppState>, caller: Caller) -> PageResult {
    let form = MacroForm {
        kind: "reply".into(),
        owner: "keep".into(),
        ..Default::default()
    };
    page(&state, &caller, 0, form, FieldErrors::new()).await
}

/// The list with one macro in the form, to change it.
pub async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> PageResult {
    let all = state
        .app
        .macros(&caller.actor)
        .await
        .map_err(app_err(&caller))?;
    let Some(m) = all.into_iter().find(|m| m.id == id) else {
        return Err(app_err(&caller)(varde_app::AppError::NotFound));
    };
    page(
        &state,
        &caller,
        id,
        MacroForm::of(&m.details),
        FieldErrors::new(),
    )
    .await
}

fn form_of(form: &FormMap) -> MacroForm {
    MacroForm {
        name: form_value(form, "name"),
        queue: form_value(form, "queue"),
        language: form_value(form, "language"),
        kind: form_value(form, "kind"),
        body: form_value(form, "body"),
        status: form_value(form, "status"),
        owner: form_value(form, "owner"),
    }
}

async fn save(state: &AppState, caller: &Caller, id: Option<i64>, form: &FormMap) -> PageResult {
    checked(caller, form)?;
    let typed = form_of(form);
    let saved = state.app.save_macro(&caller.acting(), id, &typed).await;
    match form_outcome(saved, caller)? {
        Ok(_) => Ok(Redirect::to("/console/macros").into_response()),
        Err(errors) => {
            let page = page(state, caller, id.unwrap_or(0), typed, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormMap>,
) -> PageResult {
    save(&state, &caller, None, &form).await
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    save(&state, &caller, Some(id), &form).await
}

pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    state
        .app
        .delete_macro(&caller.acting(), id)
        .await
        .map_err(app_err(&caller))?;
    Ok(Redirect::to("/console/macros").into_response())
}

/// The macros offered on a ticket, with the text each would write there.
pub(super) async fn offered(
    state: &AppState,
    caller: &Caller,
    t: &Ticket,
) -> Result<Vec<MacroView>, PageError> {
    let agent = caller.display_name();
    let offers = state
        .app
        .ticket_macros(&caller.acting(), &agent, t)
        .await
        .map_err(app_err(caller))?;
    Ok(offers.into_iter().map(|(m, text)| view(&m, text)).collect())
}

/// Applies a macro to a ticket: back to the ticket, or the ticket with why not.
pub async fn apply(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, macro_id)): Path<(i64, i64)>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let agent = caller.display_name();
    match state
        .app
        .apply_macro(&caller.acting(), &agent, TicketId(id), macro_id)
        .await
    {
        Ok(t) => Ok(Redirect::to(&format!("/console/tickets/{}", t.id)).into_response()),
        Err(varde_app::AppError::Refused(m)) => {
            let page = super::tickets::ticket_page(&state, &caller, id, m, true).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(app_err(&caller)(e)),
    }
}
