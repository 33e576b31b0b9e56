//! Console pages for the customer database: the customer list, an organisation's page, and
//! the forms for organisations, contacts and contracts.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::tz::TimeZone;
use varde_core::access::{Action, Resource, Role, can};
use varde_core::account::Account;
use varde_core::catalogue::{CATALOGUE, Site};
use varde_core::contact::ContactForm;
use varde_core::contract::{ContractForm, ProductLineForm};
use varde_core::customer::{FrameworkAgreement, Lifecycle, Organization, OrganizationForm, Sector};
use varde_core::entitlements::entitlements_on;
use varde_core::form::FieldErrors;
use varde_core::ids::{ContactId, ContractId, OrganizationId, UserId};
use varde_core::values::Language;
use varde_store::StoreError;

use super::{FormMap, Nav, PageError, PageResult, checked, form_value, render};
use crate::api::organizations::ListParams;
use crate::api::{Id, authorize};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

/// One form field as the `fields.html` template draws it.
pub struct FieldView {
    pub label: &'static str,
    pub name: String,
    pub value: String,
    pub error: String,
    pub help: &'static str,
    /// text | email | date | select | textarea | checkbox
    pub kind: &'static str,
    pub options: Vec<(String, String)>,
}

fn field(label: &'static str, name: &str, value: &str, errors: &FieldErrors) -> FieldView {
    FieldView {
        label,
        name: name.to_string(),
        value: value.to_string(),
        error: errors.get(name).unwrap_or_default().to_string(),
        help: "",
        kind: "text",
        options: vec![],
    }
}

fn select(
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

fn vocab<T: Copy>(
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

fn store_err(caller: &Caller) -> impl Fn(StoreError) -> PageError + '_ {
    move |e| PageError::new(e.into(), caller)
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
        .store
        .list_organizations(&params.query(caller).map_err(page_err(caller))?)
        .await
        .map_err(store_err(caller))?;
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
    Ok(state
        .store
        .accounts()
        .await
        .map_err(store_err(caller))?
        .into_iter()
        .filter(|a| matches!(a.role, Role::ServiceManager | Role::Admin) && !a.disabled)
        .collect())
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

fn form_page(
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
fn refused(page: Response) -> Response {
    (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

fn conflict_or(e: StoreError, caller: &Caller) -> Result<FieldErrors, PageError> {
    match e {
        StoreError::Conflict(fields) => Ok(fields),
        other => Err(PageError::new(other.into(), caller)),
    }
}

pub async fn new_form(State(state): State<AppState>, caller: Caller) -> PageResult {
    authorize(&caller, Action::Write, Resource::OrganizationDirectory)
        .map_err(page_err(&caller))?;
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
    authorize(&caller, Action::Write, Resource::OrganizationDirectory)
        .map_err(page_err(&caller))?;
    let f = organization_form(&form);
    let errors = match f.parse() {
        Ok(d) => match state
            .store
            .create_organization(&caller.audit_name(), &d, state.now())
            .await
        {
            Ok(org) => {
                return Ok(
                    Redirect::to(&format!("/console/organizations/{}", org.id)).into_response()
                );
            }
            Err(e) => conflict_or(e, &caller)?,
        },
        Err(e) => e,
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
    authorize(&caller, Action::Write, Resource::Organization(id)).map_err(page_err(&caller))?;
    let org = state
        .store
        .organization(id)
        .await
        .map_err(store_err(&caller))?
        .ok_or_else(|| PageError::new(ApiError::not_found(), &caller))?;
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
    authorize(&caller, Action::Write, Resource::Organization(id)).map_err(page_err(&caller))?;
    let f = organization_form(&form);
    let errors = match f.parse() {
        Ok(d) => match state
            .store
            .update_organization(&caller.audit_name(), id, &d, state.now())
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/console/organizations/{id}")).into_response());
            }
            Err(e) => conflict_or(e, &caller)?,
        },
        Err(e) => e,
    };
    let managers = managers(&state, &caller).await?;
    Ok(refused(form_page(
        &caller,
        format!("Edit {}", f.name),
        format!("/console/organizations/{id}"),
        "Save",
        format!("/console/organizations/{id}"),
        "Please correct the fields marked below.".into(),
        organization_fields(&f, &errors, &managers),
    )))
}

pub struct ContactRowView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub roles: String,
    pub language: String,
    pub portal: &'static str,
}

pub struct ContractRowView {
    pub id: i64,
    pub reference: String,
    pub signed: String,
    pub starts: String,
    pub ends: String,
    pub lines: String,
}

pub struct HistoryView {
    pub what: String,
    pub actor: String,
    pub at: String,
    pub changes: Vec<String>,
}

#[derive(Template)]
#[template(path = "organization.html")]
struct OrganizationPage {
    nav: Nav,
    id: i64,
    name: String,
    notice: String,
    facts: Vec<(&'static str, String)>,
    can_edit: bool,
    can_edit_contacts: bool,
    can_edit_contracts: bool,
    can_see_history: bool,
    tier: String,
    tier_label: String,
    granted_by: String,
    entitled: Vec<&'static str>,
    services: String,
    problem: String,
    contacts: Vec<ContactRowView>,
    contracts: Vec<ContractRowView>,
    history: Vec<HistoryView>,
    /// Roadmap feedback of the last year: (when, text, who).
    feedback: Vec<(String, String, String)>,
    can_add_feedback: bool,
    onboarding: super::onboarding::OrganizationOnboarding,
}

/// Staff note feedback for the roadmap on an organisation; its quarterly report lists it.
pub async fn add_feedback(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<super::FormMap>,
) -> PageResult {
    super::checked(&caller, &form)?;
    let org = OrganizationId(id);
    authorize(&caller, Action::Read, Resource::Organization(org)).map_err(page_err(&caller))?;
    if !can(&caller.actor, Action::Write, &Resource::Feedback(org)) {
        return Err(PageError::new(ApiError::forbidden(), &caller));
    }
    let text = super::form_value(&form, "feedback");
    if !text.trim().is_empty() {
        state
            .store
            .add_feedback(org, &text, &caller.audit_name(), state.now())
            .await
            .map_err(store_err(&caller))?;
    }
    Ok(Redirect::to(&format!("/console/organizations/{id}#feedback-h")).into_response())
}

pub async fn show(State(state): State<AppState>, caller: Caller, Id(id): Id) -> PageResult {
    let id = OrganizationId(id);
    authorize(&caller, Action::Read, Resource::Organization(id)).map_err(page_err(&caller))?;
    let se = store_err(&caller);
    let org = state
        .store
        .organization(id)
        .await
        .map_err(&se)?
        .ok_or_else(|| PageError::new(ApiError::not_found(), &caller))?;
    let contacts = state.store.contacts_of(id).await.map_err(&se)?;
    let contracts = state.store.contracts_of(id).await.map_err(&se)?;
    let can_see_history = can(&caller.actor, Action::Read, &Resource::AuditHistory(id));
    let history = if can_see_history {
        state.store.audit_history(id, 200).await.map_err(&se)?
    } else {
        vec![]
    };
    let now = state.now();
    let today = now.to_zoned(TimeZone::UTC).date();
    let ent = entitlements_on(contracts.iter().map(|c| &c.details), today);
    let manager = match org.details.service_manager {
        Some(u) => state
            .store
            .account(u)
            .await
            .map_err(&se)?
            .map(|a| format!("{} <{}>", a.name, a.email))
            .unwrap_or_default(),
        None => "none".into(),
    };
    let d = &org.details;
    let facts = vec![
        (
            "Organisation number",
            d.org_number
                .as_ref()
                .map(|n| n.as_str().to_string())
                .unwrap_or_default(),
        ),
        ("Country", d.country.to_string()),
        ("Sector", d.sector.label().into()),
        ("Framework agreement", d.framework.label().into()),
        ("Preferred language", d.language.label().into()),
        (
            "Mail domains",
            d.mail_domains
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        ("Lifecycle", d.lifecycle.label().into()),
        ("Service manager", manager),
    ];
    let (tier, tier_label, granted_by, entitled, services, problem) = match &ent {
        Ok(e) => {
            let mut entitled = vec!["Tickets by e-mail or phone, 24/7/365"];
            if e.chat_room {
                entitled.push("Back-channel chat room");
            }
            if e.service_manager {
                entitled.push("Technical service manager");
            }
            if e.quarterly_meetings {
                entitled.push("Quarterly operations meetings");
            }
            let services = e
                .services
                .iter()
                .map(|(s, site)| format!("{} at {}", s.label(), site.label()))
                .collect::<Vec<_>>()
                .join(", ");
            (
                e.tier.code().to_string(),
                e.tier.label().to_string(),
                e.granted_by.clone(),
                entitled,
                services,
                String::new(),
            )
        }
        Err(p) => (
            String::new(),
            String::new(),
            String::new(),
            vec![],
            String::new(),
            format!("{}: {p}", today),
        ),
    };
    let now = state.now();
    let feedback = state
        .store
        .feedback_of(
            id,
            now - jiff::SignedDuration::from_hours(24 * 366),
            now + jiff::SignedDuration::from_secs(1),
        )
        .await
        .map_err(&se)?
        .into_iter()
        .rev()
        .map(|f| {
            (
                f.created_at.strftime("%Y-%m-%d").to_string(),
                f.text,
                f.created_by,
            )
        })
        .collect();
    let onboarding = super::onboarding::of_organization(&state, &caller, id)
        .await
        .map_err(&se)?;
    let page = OrganizationPage {
        onboarding,
        feedback,
        can_add_feedback: can(&caller.actor, Action::Write, &Resource::Feedback(id)),
        nav: Nav::of(&caller),
        id: id.0,
        name: d.name.clone(),
        notice: String::new(),
        facts,
        can_edit: can(&caller.actor, Action::Write, &Resource::Organization(id)),
        can_edit_contacts: can(&caller.actor, Action::Write, &Resource::Contacts(id)),
        can_edit_contracts: can(&caller.actor, Action::Write, &Resource::Contracts(id)),
        can_see_history,
        tier,
        tier_label,
        granted_by,
        entitled,
        services,
        problem,
        contacts: contacts
            .iter()
            .map(|c| ContactRowView {
                id: c.id.0,
                name: c.details.name.clone(),
                email: c.details.email.to_string(),
                phone: c
                    .details
                    .phone
                    .as_ref()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default(),
                roles: c.details.roles_text(),
                language: c.details.language.code().into(),
                portal: if c.details.portal_access { "yes" } else { "no" },
            })
            .collect(),
        contracts: contracts
            .iter()
            .map(|c| ContractRowView {
                id: c.id.0,
                reference: c.details.reference.clone(),
                signed: c
                    .details
                    .signed_on
                    .map(|x| x.to_string())
                    .unwrap_or_else(|| "draft".into()),
                starts: c.details.starts_on.to_string(),
                ends: c
                    .details
                    .ends_on
                    .map(|x| x.to_string())
                    .unwrap_or_else(|| "open-ended".into()),
                lines: c.details.lines_text(),
            })
            .collect(),
        history: history
            .iter()
            .map(|h| HistoryView {
                what: format!("{} {} #{}", h.entity, h.action, h.entity_id),
                actor: h.actor.clone(),
                at: h.at.strftime("%Y-%m-%d %H:%M UTC").to_string(),
                changes: h
                    .changes
                    .iter()
                    .map(|c| match (c.before.is_empty(), c.after.is_empty()) {
                        (true, _) => format!("{}: {}", c.field, c.after),
                        (_, true) => format!("{}: {} removed", c.field, c.before),
                        _ => format!("{}: {} → {}", c.field, c.before, c.after),
                    })
                    .collect(),
            })
            .collect(),
    };
    Ok(render(&page))
}

fn contact_fields(f: &ContactForm, e: &FieldErrors) -> Vec<FieldView> {
    vec![
        field("Name", "name", &f.name, e),
        FieldView {
            kind: "email",
            ..field("E-mail address", "email", &f.email, e)
        },
        FieldView {
            help: "E.164, e.g. +46 8 123 456 78",
            ..field("Phone", "phone", &f.phone, e)
        },
        FieldView {
            help: "Any of primary, technical, billing, security, separated by spaces.",
            ..field("Roles", "roles", &f.roles, e)
        },
        select("Language", "language", &f.language, e, {
            let mut v = vec![(String::new(), "the organisation's".to_string())];
            v.extend(vocab(&Language::ALL, Language::code, Language::label));
            v
        }),
        FieldView {
            kind: "checkbox",
            ..field(
                "May use the customer portal",
                "portal_access",
                if f.portal_access { "yes" } else { "" },
                e,
            )
        },
    ]
}

fn contact_form(form: &FormMap) -> ContactForm {
    ContactForm {
        name: form_value(form, "name"),
        email: form_value(form, "email"),
        phone: form_value(form, "phone"),
        roles: form_value(form, "roles"),
        language: form_value(form, "language"),
        portal_access: form_value(form, "portal_access") == "yes",
    }
}

pub async fn new_contact_form(caller: Caller, Id(id): Id) -> PageResult {
    authorize(
        &caller,
        Action::Write,
        Resource::Contacts(OrganizationId(id)),
    )
    .map_err(page_err(&caller))?;
    Ok(form_page(
        &caller,
        "New contact".into(),
        format!("/console/organizations/{id}/contacts/new"),
        "Add contact",
        format!("/console/organizations/{id}"),
        String::new(),
        contact_fields(&ContactForm::default(), &FieldErrors::new()),
    ))
}

pub async fn create_contact(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let org_id = OrganizationId(id);
    authorize(&caller, Action::Write, Resource::Contacts(org_id)).map_err(page_err(&caller))?;
    let org = state
        .store
        .organization(org_id)
        .await
        .map_err(store_err(&caller))?
        .ok_or_else(|| PageError::new(ApiError::not_found(), &caller))?;
    let f = contact_form(&form);
    let errors = match f.parse(org.details.language) {
        Ok(d) => match state
            .store
            .create_contact(&caller.audit_name(), org_id, &d, state.now())
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/console/organizations/{id}")).into_response());
            }
            Err(e) => conflict_or(e, &caller)?,
        },
        Err(e) => e,
    };
    Ok(refused(form_page(
        &caller,
        "New contact".into(),
        format!("/console/organizations/{id}/contacts/new"),
        "Add contact",
        format!("/console/organizations/{id}"),
        "Please correct the fields marked below.".into(),
        contact_fields(&f, &errors),
    )))
}

pub async fn edit_contact_form(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> PageResult {
    caller.require_login().map_err(page_err(&caller))?;
    let c = state
        .store
        .contact(ContactId(id))
        .await
        .map_err(store_err(&caller))?
        .ok_or_else(|| PageError::new(ApiError::not_found(), &caller))?;
    authorize(&caller, Action::Write, Resource::Contacts(c.organization))
        .map_err(page_err(&caller))?;
    Ok(form_page(
        &caller,
        format!("Edit {}", c.details.name),
        format!("/console/contacts/{id}/edit"),
        "Save",
        format!("/console/organizations/{}", c.organization),
        String::new(),
        contact_fields(&ContactForm::from_details(&c.details), &FieldErrors::new()),
    ))
}

pub async fn update_contact(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let c = state
        .store
        .contact(ContactId(id))
        .await
        .map_err(store_err(&caller))?
        .ok_or_else(|| PageError::new(ApiError::not_found(), &caller))?;
    authorize(&caller, Action::Write, Resource::Contacts(c.organization))
        .map_err(page_err(&caller))?;
    let f = contact_form(&form);
    let errors = match f.parse(c.details.language) {
        Ok(d) => match state
            .store
            .update_contact(&caller.audit_name(), c.id, &d, state.now())
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/console/organizations/{}", c.organization))
                        .into_response(),
                );
            }
            Err(e) => conflict_or(e, &caller)?,
        },
        Err(e) => e,
    };
    Ok(refused(form_page(
        &caller,
        format!("Edit {}", c.details.name),
        format!("/console/contacts/{id}/edit"),
        "Save",
        format!("/console/organizations/{}", c.organization),
        "Please correct the fields marked below.".into(),
        contact_fields(&f, &errors),
    )))
}

/// How many product lines the contract form offers.
const LINE_ROWS: usize = 6;

fn contract_fields(f: &ContractForm, e: &FieldErrors) -> Vec<FieldView> {
    let mut v = vec![
        field("Reference", "reference", &f.reference, e),
        FieldView {
            kind: "date",
            help: "Leave empty for a draft; a draft grants nothing.",
            ..field("Signed on", "signed_on", &f.signed_on, e)
        },
        FieldView {
            kind: "date",
            ..field("Starts on", "starts_on", &f.starts_on, e)
        },
        FieldView {
            kind: "date",
            help: "Leave empty for until further notice.",
            ..field("Ends on", "ends_on", &f.ends_on, e)
        },
    ];
    let mut products = vec![(String::new(), "—".to_string())];
    products.extend(
        CATALOGUE
            .iter()
            .map(|p| (p.code.to_string(), format!("{} — {}", p.code, p.name))),
    );
    let mut sites = vec![(String::new(), "no site (support)".to_string())];
    sites.extend(vocab(Site::ALL, Site::code, Site::label));
    for i in 0..LINE_ROWS {
        let empty = ProductLineForm::default();
        let l = f.lines.get(i).unwrap_or(&empty);
        v.push(select(
            [
                "Product line 1",
                "Product line 2",
                "Product line 3",
                "Product line 4",
                "Product line 5",
                "Product line 6",
            ][i],
            &format!("lines[{i}].product_code"),
            &l.product_code,
            e,
            products.clone(),
        ));
        v.push(field(
            "Quantity",
            &format!("lines[{i}].quantity"),
            &l.quantity,
            e,
        ));
        v.push(select(
            "Site",
            &format!("lines[{i}].site"),
            &l.site,
            e,
            sites.clone(),
        ));
    }
    v
}

fn contract_form(form: &FormMap) -> ContractForm {
    ContractForm {
        reference: form_value(form, "reference"),
        signed_on: form_value(form, "signed_on"),
        starts_on: form_value(form, "starts_on"),
        ends_on: form_value(form, "ends_on"),
        lines: (0..LINE_ROWS)
            .map(|i| ProductLineForm {
                product_code: form_value(form, &format!("lines[{i}].product_code")),
                quantity: form_value(form, &format!("lines[{i}].quantity")),
                site: form_value(form, &format!("lines[{i}].site")),
            })
            .collect(),
    }
}

pub async fn new_contract_form(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> PageResult {
    authorize(
        &caller,
        Action::Write,
        Resource::Contracts(OrganizationId(id)),
    )
    .map_err(page_err(&caller))?;
    let today = state.now().to_zoned(TimeZone::UTC).date().to_string();
    let f = ContractForm {
        signed_on: today.clone(),
        starts_on: today,
        ..Default::default()
    };
    Ok(form_page(
        &caller,
        "New contract".into(),
        format!("/console/organizations/{id}/contracts/new"),
        "Add contract",
        format!("/console/organizations/{id}"),
        String::new(),
        contract_fields(&f, &FieldErrors::new()),
    ))
}

pub async fn create_contract(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let org = OrganizationId(id);
    authorize(&caller, Action::Write, Resource::Contracts(org)).map_err(page_err(&caller))?;
    let f = contract_form(&form);
    let errors = match f.parse() {
        Ok(d) => match state
            .store
            .create_contract(&caller.audit_name(), org, &d, state.now())
            .await
        {
            Ok(c) => {
                // A signed contract starts the organisation's onboarding.
                state
                    .store
                    .start_onboarding(c.id, &caller.audit_name(), state.now())
                    .await
                    .map_err(store_err(&caller))?;
                return Ok(Redirect::to(&format!("/console/organizations/{id}")).into_response());
            }
            Err(e) => conflict_or(e, &caller)?,
        },
        Err(e) => e,
    };
    Ok(refused(form_page(
        &caller,
        "New contract".into(),
        format!("/console/organizations/{id}/contracts/new"),
        "Add contract",
        format!("/console/organizations/{id}"),
        "Please correct the fields marked below.".into(),
        contract_fields(&f, &errors),
    )))
}

pub async fn edit_contract_form(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> PageResult {
    caller.require_login().map_err(page_err(&caller))?;
    let c = state
        .store
        .contract(ContractId(id))
        .await
        .map_err(store_err(&caller))?
        .ok_or_else(|| PageError::new(ApiError::not_found(), &caller))?;
    authorize(&caller, Action::Write, Resource::Contracts(c.organization))
        .map_err(page_err(&caller))?;
    Ok(form_page(
        &caller,
        format!("Edit contract {}", c.details.reference),
        format!("/console/contracts/{id}/edit"),
        "Save",
        format!("/console/organizations/{}", c.organization),
        String::new(),
        contract_fields(&ContractForm::from_details(&c.details), &FieldErrors::new()),
    ))
}

pub async fn update_contract(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let c = state
        .store
        .contract(ContractId(id))
        .await
        .map_err(store_err(&caller))?
        .ok_or_else(|| PageError::new(ApiError::not_found(), &caller))?;
    authorize(&caller, Action::Write, Resource::Contracts(c.organization))
        .map_err(page_err(&caller))?;
    let f = contract_form(&form);
    let errors = match f.parse() {
        Ok(d) => match state
            .store
            .update_contract(&caller.audit_name(), c.id, &d, state.now())
            .await
        {
            Ok(_) => {
                state
                    .store
                    .start_onboarding(c.id, &caller.audit_name(), state.now())
                    .await
                    .map_err(store_err(&caller))?;
                return Ok(
                    Redirect::to(&format!("/console/organizations/{}", c.organization))
                        .into_response(),
                );
            }
            Err(e) => conflict_or(e, &caller)?,
        },
        Err(e) => e,
    };
    Ok(refused(form_page(
        &caller,
        format!("Edit contract {}", c.details.reference),
        format!("/console/contracts/{id}/edit"),
        "Save",
        format!("/console/organizations/{}", c.organization),
        "Please correct the fields marked below.".into(),
        contract_fields(&f, &errors),
    )))
}
