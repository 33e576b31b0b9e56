//! The portal's colleagues: who of the organisation's contacts may log in; a primary contact
//! invites colleagues (a one-time link by mail, in the colleague's language) and removes
//! them.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::CookieJar;
use varde_app::colleagues::{Access, ColleagueForm};
use varde_core::access::TicketSight;
use varde_core::form::FieldErrors;
use varde_core::links::{ColleagueWords, colleague_words};
use varde_core::portal_settings::{PortalSettings, SettingsWords, settings_words};
use varde_core::values::Language;

use super::{Portal, PortalNav};
use crate::app::AppState;
use crate::auth::Caller;
use crate::console::customers::{FieldView, field};
use crate::console::{FormMap, PageError, PageResult, checked, form_outcome, form_value, render};

struct Row {
    id: i64,
    name: String,
    email: String,
    access: &'static str,
    is_me: bool,
    removable: bool,
    opens: bool,
}

#[derive(Template)]
#[template(path = "portal_colleagues.html")]
struct ColleaguesPage {
    nav: PortalNav,
    c: &'static ColleagueWords,
    rows: Vec<Row>,
    may_invite: bool,
    fields: Vec<FieldView>,
    notice: &'static str,
    problem: String,
    /// The contact's own address.
    me: String,
    s: &'static SettingsWords,
    own_only: bool,
    notices: bool,
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Query(q): Query<super::Done>,
) -> PageResult {
    let p = Portal::of(&state, &caller, &jar, "/portal/colleagues").await?;
    let c = colleague_words(p.contact.language);
    let notice = match q.done.as_deref() {
        Some("invited") => c.invited_done,
        Some("removed") => c.removed_done,
        Some("address") => c.address_link_sent,
        Some("settings") => settings_words(p.contact.language).saved,
        _ => "",
    };
    page(
        &state,
        &caller,
        p,
        &FormMap::new(),
        &FieldErrors::new(),
        notice,
        StatusCode::OK,
    )
    .await
}

async fn page(
    state: &AppState,
    caller: &Caller,
    p: Portal,
    form: &FormMap,
    errors: &FieldErrors,
    notice: &'static str,
    status: StatusCode,
) -> PageResult {
    let c = colleague_words(p.contact.language);
    let (colleagues, may_invite) = state
        .app
        .colleagues(&caller.acting(), &p.contact)
        .await
        .map_err(|e| PageError::new(e.into(), caller))?;
    let rows = colleagues
        .into_iter()
        .map(|col| Row {
            id: col.contact.id.0,
            name: col.contact.details.name.clone(),
            email: col.contact.details.email.to_string(),
            access: match col.access {
                Access::None => c.no_access,
                Access::Invited => c.invited,
                Access::Active => c.active,
            },
            removable: !col.is_me && col.access != Access::None,
            is_me: col.is_me,
            opens: col.opens_tickets,
        })
        .collect();
    let value = |k: &str| form_value(form, k);
    let language = if value("language").is_empty() {
        p.contact.organization.details.language.code().to_string()
    } else {
        value("language")
    };
    let fields = vec![
        field(c.name, "name", &value("name"), errors),
        FieldView {
            kind: "email",
            ..field(c.email, "email", &value("email"), errors)
        },
        FieldView {
            kind: "select",
            options: Language::ALL
                .iter()
                .map(|l| (l.code().to_string(), super::own_name(*l).to_string()))
                .collect(),
            ..field(c.language, "language", &language, errors)
        },
    ];
    let (settings, _) = state
        .app
        .portal_settings(&caller.acting(), p.contact.organization.id)
        .await
        .map_err(|e| PageError::new(e.into(), caller))?;
    let page = ColleaguesPage {
        s: settings_words(p.contact.language),
        own_only: settings.sight == TicketSight::Own,
        notices: settings.incident_notices,
        nav: p.nav,
        c,
        rows,
        may_invite,
        fields,
        notice,
        problem: errors.get("new_email").unwrap_or_default().to_string(),
        me: caller.audit_name(),
    };
    Ok((status, render(&page)).into_response())
}

pub async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let p = Portal::of(&state, &caller, &jar, "/portal/colleagues").await?;
    let colleague = ColleagueForm {
        name: form_value(&form, "name"),
        email: form_value(&form, "email"),
        language: form_value(&form, "language"),
    };
    let base = state.status.settings.url.clone();
    let invited = state
        .app
        .invite_colleague(&caller.acting(), &p.contact, &colleague, &base)
        .await;
    match form_outcome(invited, &caller)? {
        Ok(_) => Ok(Redirect::to("/portal/colleagues?done=invited").into_response()),
        Err(errors) => {
            page(
                &state,
                &caller,
                p,
                &form,
                &errors,
                "",
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let p = Portal::of(&state, &caller, &jar, "/portal/colleagues").await?;
    state
        .app
        .remove_colleague(&caller.acting(), &p.contact, varde_core::ids::ContactId(id))
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?;
    Ok(Redirect::to("/portal/colleagues?done=removed").into_response())
}

/// A primary contact sets which tickets colleagues see (`sight=own` or `all`) and whether
/// technical contacts are told of incidents (`notices` ticked).
pub async fn settings(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let p = Portal::of(&state, &caller, &jar, "/portal/colleagues").await?;
    let to = PortalSettings::from_form(&form_value(&form, "sight"), &form_value(&form, "notices"));
    state
        .app
        .set_portal_settings(&caller.acting(), p.contact.organization.id, to)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?;
    Ok(Redirect::to("/portal/colleagues?done=settings").into_response())
}

/// A primary contact lets a colleague open tickets (`opens=yes`) or stops it (`opens=no`).
pub async fn opens_tickets(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let p = Portal::of(&state, &caller, &jar, "/portal/colleagues").await?;
    let opens = form_value(&form, "opens") == "yes";
    let contact = varde_core::ids::ContactId(id);
    state
        .app
        .let_open_tickets(&caller.acting(), &p.contact, contact, opens)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?;
    Ok(Redirect::to("/portal/colleagues?done=settings").into_response())
}

/// Asks to change one's own address: a confirmation link goes to the new one.
pub async fn change_email(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let p = Portal::of(&state, &caller, &jar, "/portal/colleagues").await?;
    let base = state.status.settings.url.clone();
    let asked = state
        .app
        .request_email_change(&caller.acting(), &form_value(&form, "email"), &base)
        .await;
    match form_outcome(asked, &caller)? {
        Ok(()) => Ok(Redirect::to("/portal/colleagues?done=address").into_response()),
        Err(errors) => {
            // Shown above the address form, apart from the invitation form's own e-mail field.
            let mut shown = FieldErrors::new();
            shown.add(
                "new_email",
                errors.get("email").unwrap_or_default().to_string(),
            );
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(&state, &caller, p, &FormMap::new(), &shown, "", status).await
        }
    }
}
