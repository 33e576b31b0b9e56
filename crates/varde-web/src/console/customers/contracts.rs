//! The contract forms of an organisation's page.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect};
use varde_core::access::{Action, Resource};
use varde_core::catalogue::{CATALOGUE, Site};
use varde_core::contract::{ContractForm, ProductLineForm};
use varde_core::form::FieldErrors;
use varde_core::ids::{ContractId, OrganizationId};

use super::{FieldView, app_err, field, form_outcome, form_page, refused, select, vocab};
use crate::api::Id;
use crate::app::AppState;
use crate::auth::Caller;
use crate::console::{FormMap, PageResult, checked, form_value};

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
    varde_app::authorize(
        &caller.actor,
        Action::Write,
        &Resource::Contracts(OrganizationId(id)),
    )
    .map_err(app_err(&caller))?;
    let today = state
        .now()
        .to_zoned(state.app.office_zone())
        .date()
        .to_string();
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
    let f = contract_form(&form);
    let created = state
        .app
        .create_contract(&caller.acting(), OrganizationId(id), &f)
        .await;
    if let Err(errors) = form_outcome(created, &caller)? {
        return Ok(refused(form_page(
            &caller,
            "New contract".into(),
            format!("/console/organizations/{id}/contracts/new"),
            "Add contract",
            format!("/console/organizations/{id}"),
            "Please correct the fields marked below.".into(),
            contract_fields(&f, &errors),
        )));
    }
    Ok(Redirect::to(&format!("/console/organizations/{id}")).into_response())
}

pub async fn edit_contract_form(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> PageResult {
    let c = state
        .app
        .contract(&caller.actor, ContractId(id), Action::Write)
        .await
        .map_err(app_err(&caller))?;
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
        .app
        .contract(&caller.actor, ContractId(id), Action::Write)
        .await
        .map_err(app_err(&caller))?;
    let f = contract_form(&form);
    let replaced = state.app.replace_contract(&caller.acting(), c.id, &f).await;
    if let Err(errors) = form_outcome(replaced, &caller)? {
        return Ok(refused(form_page(
            &caller,
            format!("Edit contract {}", c.details.reference),
            format!("/console/contracts/{id}/edit"),
            "Save",
            format!("/console/organizations/{}", c.organization),
            "Please correct the fields marked below.".into(),
            contract_fields(&f, &errors),
        )));
    }
    Ok(Redirect::to(&format!("/console/organizations/{}", c.organization)).into_response())
}
