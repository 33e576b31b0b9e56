//! Console pages for the customer database: the customer list and the organisation forms
//! here, an organisation's page in [`organization`], the contact and contract forms in
//! [`contacts`] and [`contracts`]. Every page is a `varde_app` use case, translated.

mod contacts;
mod contracts;
mod organization;

pub use contacts::{create_contact, edit_contact_form, new_contact_form, update_contact};
pub use contracts::{create_contract, edit_contract_form, new_contract_form, update_contract};
pub use organization::{add_feedback, set_portal, show};

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use varde_core::access::{Action, Resource, can};
use varde_core::account::Account;
use varde_core::customer::{FrameworkAgreement, Lifecycle, Organization, OrganizationForm, Sector};
use varde_core::form::FieldErrors;
use varde_core::ids::{OrganizationId, UserId};
use varde_core::values::Language;

use super::{FormMap, Nav, PageError, PageResult, checked, form_value, render};
pub(crate) use super::{app_err, form_outcome};
use crate::api::Id;
use crate::api::organizations::ListParams;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

/// One form field as the `fields.html` template draws it.
pub struct FieldView {
    pub label: &'static str,
    pub name: String,
    /// The element's id: the name, unless a page has two forms with the same field.
    pub id: String,
    pub value: String,
    pub error: String,
    pub help: &'static str,
    /// text | email | date | select | textarea | checkbox
    pub kind: &'static str,
    pub options: Vec<(String, String)>,
}

pub(crate) fn field(
    label: &'static str,
    name: &str,
    value: &str,
    errors: &FieldErrors,
) -> FieldView {
    FieldView {
        label,
        name: name.to_string(),
        id: name.to_string(),
        value: value.to_string(),
        error: errors.get(name).unwrap_or_default().to_string(),
        help: "",
        kind: "text",
        options: vec![],
    }
}

pub(super) fn select(
    label: &'static str,
    name: &str,
    value: &str,
    errors: &FieldErrors,
    options: Vec<(String, String)>,
) -> FieldView {
    FieldView {
        kind: "select",
        options,
        ..field(label, name, value, errors)
    }
}

pub(super) fn vocab<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_string(), label(*v).to_string()))
        .collect()
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    nav: Nav,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    problem: String,
    fields: Vec<FieldView>,
}

fn page_err(caller: &Caller) -> impl Fn(ApiError) -> PageError + '_ {
    move |e| PageError::new(e, caller)
}

pub struct OrgRow {
    pub id: i64,
    pub name: String,
    pub country: String,
    pub org_number: String,
    pub framework: String,
    pub lifecycle: String,
    pub domains: String,
}

impl OrgRow {
    fn of(o: &Organization) -> OrgRow {
        let d = &o.details;
        OrgRow {
            id: o.id.0,
            name: d.name.clone(),
            country: d.country.to_string(),
            org_number: d
                .org_number
                .as_ref()
                .map(|n| n.as_str().to_string())
                .unwrap_or_default(),
            framework: d.framework.label().into(),
            lifecycle: d.lifecycle.label().into(),
            domains: d
                .mail_domains
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

#[derive(Template)]
#[template(path = "organizations.html")]
struct ListPage {
    nav: Nav,
    q: String,
    lifecycle: String,
    lifecycles: Vec<(String, String)>,
    can_create: bool,
    rows: Vec<OrgRow>,
    next: String,
}

#[derive(Template)]
#[template(path = "organization_rows.html")]
struct RowsPartial {
    rows: Vec<OrgRow>,
    next: String,
}

async fn search(
    state: &AppState,
    caller: &Caller,
    params: &ListParams,
) -> Result<(Vec<OrgRow>, String), PageError> {
    caller.require_login().map_err(page_err(caller))?;
    let page = state
        .app
        .organizations(
            &caller.actor,
            params.query(caller).map_err(page_err(caller))?,
        )
        .await
        .map_err(app_err(caller))?;
    let next = match page.next_cursor {
        Some(c) => format!(
            "q={}&lifecycle={}&cursor={}",
            crate::query_value(params.q.as_deref().unwrap_or_default()),
            crate::query_value(params.lifecycle.as_deref().unwrap_or_default()),
            c
        ),
        None => String::new(),
    };
    Ok((page.items.iter().map(OrgRow::of).collect(), next))
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
) -> PageResult {
    let (rows, next) = search(&state, &caller, &params).await?;
    Ok(render(&ListPage {
        q: params.q.clone().unwrap_or_default(),
        lifecycle: params.lifecycle.clone().unwrap_or_default(),
        lifecycles: vocab(Lifecycle::ALL, Lifecycle::code, Lifecycle::label),
        can_create: can(
            &caller.actor,
            Action::Write,
            &Resource::OrganizationDirectory,
        ),
        rows,
        next,
        nav: Nav::of(&caller),
    }))
}

/// The result table alone, for htmx's live search.
pub async fn rows(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
) -> PageResult {
    let (rows, next) = search(&state, &caller, &params).await?;
    Ok(render(&RowsPartial { rows, next }))
}

async fn managers(state: &AppState, caller: &Caller) -> Result<Vec<Account>, PageError> {
    state
        .app
        .service_managers(&caller.actor)
        .await
        .map_err(app_err(caller))
}

fn organization_fields(
    f: &OrganizationForm,
    e: &FieldErrors,
    managers: &[Account],
) -> Vec<FieldView> {
    let mut sm = vec![(String::new(), "none".to_string())];
    sm.extend(
        managers
            .iter()
            .map(|a| (a.id.to_string(), format!("{} <{}>", a.name, a.email))),
    );
    vec![
        field("Name", "name", &f.name, e),
        FieldView {
            help: "Checked for Sweden (NNNNNN-NNNN) and Norway (9 digits).",
            ..field("Organisation number", "org_number", &f.org_number, e)
        },
        FieldView {
            help: "Two-letter ISO code: SE, NO, DK, FI …",
            ..field("Country", "country", &f.country, e)
        },
        select(
            "Sector",
            "sector",
            &f.sector,
            e,
            vocab(Sector::ALL, Sector::code, Sector::label),
        ),
        select(
            "Framework agreement",
            "framework",
            &f.framework,
            e,
            vocab(
                FrameworkAgreement::ALL,
                FrameworkAgreement::code,
                FrameworkAgreement::label,
            ),
        ),
        select(
            "Preferred language",
            "language",
            &f.language,
            e,
            vocab(&Language::ALL, Language::code, Language::label),
        ),
        FieldView {
            kind: "textarea",
            help: "Incoming mail from these domains is matched to this organisation.",
            ..field("Mail domains", "mail_domains", &f.mail_domains, e)
        },
        select(
            "Lifecycle",
            "lifecycle",
            &f.lifecycle,
            e,
            vocab(Lifecycle::ALL, Lifecycle::code, Lifecycle::label),
        ),
        select(
            "Service manager",
            "service_manager",
            &f.service_manager.map(|u| u.to_string()).unwrap_or_default(),
            e,
            sm,
        ),
    ]
}

fn organization_form(form: &FormMap) -> OrganizationForm {
    OrganizationForm {
        name: form_value(form, "name"),
        org_number: form_value(form, "org_number"),
        country: form_value(form, "country"),
        sector: form_value(form, "sector"),
        framework: form_value(form, "framework"),
        language: form_value(form, "language"),
        mail_domains: form_value(form, "mail_domains"),
        lifecycle: form_value(form, "lifecycle"),
        service_manager: form_value(form, "service_manager").parse().ok().map(UserId),
    }
}

pub(super) fn form_page(
    caller: &Caller,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    problem: String,
    fields: Vec<FieldView>,
) -> Response {
    render(&FormPage {
        nav: Nav::of(caller),
        heading,
        action,
        submit,
        cancel,
        problem,
        fields,
    })
}

/// A form sent back with its errors beside the fields.
pub(super) fn refused(page: Response) -> Response {
    (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

pub async fn new_form(State(state): State<AppState>, caller: Caller) -> PageResult {
    varde_app::authorize(
        &caller.actor,
        Action::Write,
        &Resource::OrganizationDirectory,
    )
    .map_err(app_err(&caller))?;
    let managers = managers(&state, &caller).await?;
    let f = OrganizationForm {
        country: "SE".into(),
        sector: "research_education".into(),
        ..Default::default()
    };
    Ok(form_page(
        &caller,
        "New organisation".into(),
        "/console/organizations".into(),
        "Create",
        "/console/organizations".into(),
        String::new(),
        organization_fields(&f, &FieldErrors::new(), &managers),
    ))
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let f = organization_form(&form);
    let created = state.app.create_organization(&caller.acting(), &f).await;
    let errors = match form_outcome(created, &caller)? {
        Ok(org) => {
            return Ok(Redirect::to(&format!("/console/organizations/{}", org.id)).into_response());
        }
        Err(errors) => errors,
    };
    let managers = managers(&state, &caller).await?;
    Ok(refused(form_page(
        &caller,
        "New organisation".into(),
        "/console/organizations".into(),
        "Create",
        "/console/organizations".into(),
        "Please correct the fields marked below.".into(),
        organization_fields(&f, &errors, &managers),
    )))
}

pub async fn edit_form(State(state): State<AppState>, caller: Caller, Id(id): Id) -> PageResult {
    let id = OrganizationId(id);
    let org = state
        .app
        .organization(&caller.actor, id, Action::Write)
        .await
        .map_err(app_err(&caller))?;
    let managers = managers(&state, &caller).await?;
    let f = OrganizationForm::from_details(&org.details);
    Ok(form_page(
        &caller,
        format!("Edit {}", org.details.name),
        format!("/console/organizations/{id}"),
        "Save",
        format!("/console/organizations/{id}"),
        String::new(),
        organization_fields(&f, &FieldErrors::new(), &managers),
    ))
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let id = OrganizationId(id);
    let f = organization_form(&form);
    let updated = state
        .app
        .update_organization(&caller.acting(), id, |_| f.clone())
        .await;
    if let Err(errors) = form_outcome(updated, &caller)? {
        let managers = managers(&state, &caller).await?;
        return Ok(refused(form_page(
            &caller,
            format!("Edit {}", f.name),
            format!("/console/organizations/{id}"),
            "Save",
            format!("/console/organizations/{id}"),
            "Please correct the fields marked below.".into(),
            organization_fields(&f, &errors, &managers),
        )));
    }
    Ok(Redirect::to(&format!("/console/organizations/{id}")).into_response())
}
