//! Console pages for one's API tokens, and for CSV import and export.

use askama::Template;
use axum::extract::{Form, Multipart, State};
use axum::response::{IntoResponse, Redirect};
use varde_core::access::{Action, Resource, can};
use varde_store::transfer::{ImportOptions, ImportReport, Kind};

use super::{FormMap, Nav, PageError, PageResult, checked, form_value, render};
use crate::api::{Id, authorize};
use crate::app::AppState;
use crate::auth::{Caller, check_form_csrf};
use crate::error::ApiError;

pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub scope: String,
    pub created: String,
    pub used: String,
    pub revoked: String,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    nav: Nav,
    tokens: Vec<TokenView>,
    new_token: String,
    error: String,
    /// The zone the person has chosen (blank: the office's), and the usual choices.
    zone: String,
    zones: &'static [&'static str],
}

/// The zones offered (any IANA name is taken).
const ZONES: &[&str] = &[
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Helsinki",
    "Europe/London",
    "UTC",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
];

async fn tokens_page(
    state: &AppState,
    caller: &Caller,
    new_token: String,
    error: String,
) -> PageResult {
    let zone = super::zone_of(caller);
    let fmt = |t: jiff::Timestamp| super::when(&zone, t);
    let tokens = state
        .app
        .tokens(&caller.acting())
        .await
        .map_err(|e| PageError::new(e.into(), caller))?
        .iter()
        .map(|t| TokenView {
            id: t.id,
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            scope: t.scope.label().into(),
            created: fmt(t.created_at),
            used: t.last_used_at.map(fmt).unwrap_or_else(|| "never".into()),
            revoked: t.revoked_at.map(fmt).unwrap_or_default(),
        })
        .collect();
    Ok(render(&TokensPage {
        nav: Nav::of(caller),
        tokens,
        new_token,
        error,
        zone: caller
            .account
            .as_ref()
            .and_then(|a| a.time_zone.clone())
            .unwrap_or_default(),
        zones: ZONES,
    }))
}

pub async fn tokens(State(state): State<AppState>, caller: Caller) -> PageResult {
    tokens_page(&state, &caller, String::new(), String::new()).await
}

pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
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
        Ok((secret, _)) => tokens_page(&state, &caller, secret, String::new()).await,
        Err(varde_app::AppError::Invalid(fields)) => {
            tokens_page(&state, &caller, String::new(), fields.summary()).await
        }
        Err(e) => Err(PageError::new(e.into(), &caller)),
    }
}

/// `POST /console/account/time-zone`: the zone one reads times in.
pub async fn set_time_zone(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let account = caller
        .require_login()
        .map_err(|e| PageError::new(e, &caller))?
        .clone();
    let set = state
        .app
        .set_time_zone(
            &caller.acting(),
            account.id,
            &form_value(&form, "time_zone"),
        )
        .await;
    match set {
        Ok(()) => Ok(Redirect::to("/console/tokens").into_response()),
        Err(varde_app::AppError::Invalid(fields)) => {
            tokens_page(&state, &caller, String::new(), fields.summary()).await
        }
        Err(e) => Err(PageError::new(e.into(), &caller)),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    state
        .app
        .revoke_token(&caller.acting(), id)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?;
    Ok(Redirect::to("/console/tokens").into_response())
}

#[derive(Template)]
#[template(path = "transfer.html")]
struct TransferPage {
    nav: Nav,
    can_import: bool,
    has_report: bool,
    summary: String,
    errors: Vec<(u64, String)>,
    changes: Vec<(u64, String)>,
}

pub async fn transfer(caller: Caller) -> PageResult {
    authorize(&caller, Action::Read, Resource::CustomerBase)
        .map_err(|e| PageError::new(e, &caller))?;
    Ok(render(&TransferPage {
        nav: Nav::of(&caller),
        can_import: can(&caller.actor, Action::Write, &Resource::CustomerBase),
        has_report: false,
        summary: String::new(),
        errors: vec![],
        changes: vec![],
    }))
}

fn summary(r: &ImportReport) -> String {
    let what = format!(
        "{} rows of {}: {} to create, {} to update, {} unchanged, {} refused.",
        r.rows,
        r.kind,
        r.created,
        r.updated,
        r.unchanged,
        r.errors.len()
    );
    match (r.dry_run, r.applied) {
        (true, _) => format!("Dry run, nothing written. {what}"),
        (false, true) => format!("Imported in one transaction. {what}"),
        (false, false) => format!("Nothing was written, because rows were refused. {what}"),
    }
}

pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    mut multipart: Multipart,
) -> PageResult {
    let mut form = FormMap::new();
    let mut file = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        PageError::new(
            ApiError::bad_request(format!("the upload was refused: {e}")),
            &caller,
        )
    })? {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field.bytes().await.map_err(|e| {
            PageError::new(
                ApiError::bad_request(format!("the upload was refused: {e}")),
                &caller,
            )
        })?;
        if name == "file" {
            file = bytes.to_vec();
        } else {
            form.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    caller
        .require_login()
        .map_err(|e| PageError::new(e, &caller))?;
    check_form_csrf(&caller, &form_value(&form, "csrf")).map_err(|e| PageError::new(e, &caller))?;
    authorize(&caller, Action::Write, Resource::CustomerBase)
        .map_err(|e| PageError::new(e, &caller))?;
    let kind = Kind::parse(&form_value(&form, "kind")).ok_or_else(|| {
        PageError::new(ApiError::bad_request("choose what the file holds"), &caller)
    })?;
    let opts = ImportOptions {
        dry_run: form_value(&form, "dry_run") == "yes",
        partial: form_value(&form, "partial") == "yes",
        actor: caller.audit_name(),
        now: state.now(),
    };
    let report = state
        .store
        .import_csv(kind, &file, &opts)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?;
    Ok(render(&TransferPage {
        nav: Nav::of(&caller),
        can_import: true,
        has_report: true,
        summary: summary(&report),
        errors: report
            .errors
            .iter()
            .map(|e| (e.line, e.message.clone()))
            .collect(),
        changes: report
            .changes
            .iter()
            .take(200)
            .map(|c| {
                let fields: Vec<String> = c
                    .changes
                    .iter()
                    .map(|x| format!("{}={}", x.field, x.after))
                    .collect();
                (
                    c.line,
                    format!("{} {}: {}", c.action, c.key, fields.join(", ")),
                )
            })
            .collect(),
    }))
}

pub struct UserView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub organization: String,
    pub disabled: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    nav: Nav,
    notice: String,
    problem: String,
    users: Vec<UserView>,
    fields: Vec<super::customers::FieldView>,
}

async fn users_page(
    state: &AppState,
    caller: &Caller,
    form: &FormMap,
    errors: &varde_core::form::FieldErrors,
    notice: String,
) -> PageResult {
    use super::customers::FieldView;
    authorize(caller, Action::Read, Resource::Accounts).map_err(|e| PageError::new(e, caller))?;
    let accounts = state
        .store
        .accounts()
        .await
        .map_err(|e| PageError::new(e.into(), caller))?;
    let mut users = Vec::with_capacity(accounts.len());
    for a in accounts {
        let organization = match a.organization {
            Some(o) => state
                .store
                .organization(o)
                .await
                .map_err(|e| PageError::new(e.into(), caller))?
                .map(|o| o.details.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        users.push(UserView {
            id: a.id.0,
            name: a.name,
            email: a.email.to_string(),
            role: a.role.label(),
            organization,
            disabled: a.disabled,
        });
    }
    let field = |label: &'static str,
                 name: &str,
                 kind: &'static str,
                 help: &'static str,
                 options: Vec<(String, String)>| FieldView {
        label,
        name: name.to_string(),
        id: name.to_string(),
        value: if kind == "password" {
            String::new()
        } else {
            form_value(form, name)
        },
        error: errors.get(name).unwrap_or_default().to_string(),
        help,
        kind,
        options,
    };
    let roles = varde_core::access::Role::ALL
        .iter()
        .map(|r| (r.code().to_string(), r.label().to_string()))
        .collect();
    let fields = vec![
        field("Name", "name", "text", "", vec![]),
        field("E-mail address", "email", "email", "", vec![]),
        field("Role", "role", "select", "", roles),
        field(
            "Organisation id",
            "organization_id",
            "text",
            "For a customer contact only: the id of the organisation (from its page's address).",
            vec![],
        ),
        field(
            "Password",
            "password",
            "password",
            "At least 10 characters; tell it to its owner by a safe channel.",
            vec![],
        ),
    ];
    let problem = if errors.is_empty() {
        String::new()
    } else {
        "Please correct the fields marked below.".into()
    };
    Ok(render(&UsersPage {
        nav: Nav::of(caller),
        notice,
        problem,
        users,
        fields,
    }))
}

pub async fn users(State(state): State<AppState>, caller: Caller) -> PageResult {
    users_page(
        &state,
        &caller,
        &FormMap::new(),
        &varde_core::form::FieldErrors::new(),
        String::new(),
    )
    .await
}

pub async fn add_user(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let organization = form_value(&form, "organization_id")
        .trim()
        .parse::<i64>()
        .ok();
    let added = state
        .app
        .add_account(
            &caller.acting(),
            &form_value(&form, "email"),
            &form_value(&form, "name"),
            &form_value(&form, "role"),
            organization,
            form_value(&form, "password"),
        )
        .await
        .map_err(crate::error::ApiError::from);
    match added {
        Ok(a) => {
            users_page(
                &state,
                &caller,
                &FormMap::new(),
                &varde_core::form::FieldErrors::new(),
                format!("Added {} as {}.", a.email, a.role.label()),
            )
            .await
        }
        Err(e) if !e.fields.is_empty() => {
            let page = users_page(&state, &caller, &form, &e.fields, String::new()).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(PageError::new(e, &caller)),
    }
}

pub async fn disable_user(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    authorize(&caller, Action::Write, Resource::Accounts)
        .map_err(|e| PageError::new(e, &caller))?;
    if caller.account.as_ref().is_some_and(|a| a.id.0 == id) {
        return Err(PageError::new(
            ApiError::bad_request("you cannot disable your own account"),
            &caller,
        ));
    }
    state
        .store
        .set_account_disabled(varde_core::ids::UserId(id), true)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?;
    Ok(Redirect::to("/console/users").into_response())
}
