//! The contact forms of an organisation's page.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect};
use varde_core::access::{Action, Resource};
use varde_core::contact::ContactForm;
use varde_core::form::FieldErrors;
use varde_core::ids::{ContactId, OrganizationId};
use varde_core::values::Language;

use super::{FieldView, app_err, field, form_outcome, form_page, refused, select, vocab};
use crate::api::Id;
use crate::app::AppState;
use crate::auth::Caller;
use crate::console::{FormMap, PageResult, checked, form_value};

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
    varde_app::authorize(
        &caller.actor,
        Action::Write,
        &Resource::Contacts(OrganizationId(id)),
    )
    .map_err(app_err(&caller))?;
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
    let f = contact_form(&form);
    let created = state
        .app
        .create_contact(&caller.acting(), OrganizationId(id), &f)
        .await;
    if let Err(errors) = form_outcome(created, &caller)? {
        return Ok(refused(form_page(
            &caller,
            "New contact".into(),
            format!("/console/organizations/{id}/contacts/new"),
            "Add contact",
            format!("/console/organizations/{id}"),
            "Please correct the fields marked below.".into(),
            contact_fields(&f, &errors),
        )));
    }
    Ok(Redirect::to(&format!("/console/organizations/{id}")).into_response())
}

pub async fn edit_contact_form(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> PageResult {
    let c = state
        .app
        .contact(&caller.actor, ContactId(id), Action::Write)
        .await
        .map_err(app_err(&caller))?;
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
        .app
        .contact(&caller.actor, ContactId(id), Action::Write)
        .await
        .map_err(app_err(&caller))?;
    let f = contact_form(&form);
    let updated = state
        .app
        .update_contact(&caller.acting(), c.id, |_| f.clone())
        .await;
    if let Err(errors) = form_outcome(updated, &caller)? {
        return Ok(refused(form_page(
            &caller,
            format!("Edit {}", c.details.name),
            format!("/console/contacts/{id}/edit"),
            "Save",
            format!("/console/organizations/{}", c.organization),
            "Please correct the fields marked below.".into(),
            contact_fields(&f, &errors),
        )));
    }
    Ok(Redirect::to(&format!("/console/organizations/{}", c.organization)).into_response())
}
