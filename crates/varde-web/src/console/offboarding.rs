//! Offboarding asks first: the confirmation page says what the run will do and when, and
//! takes the day the customer's access ends (`App::start_offboarding` decides what it
//! accepts).

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use jiff::civil::Date;
use varde_core::access::Action;
use varde_core::form::FieldErrors;
use varde_core::ids::ContractId;

use super::{FormMap, Nav, PageResult, app_err, checked, form_outcome, form_value, render};
use crate::app::AppState;
use crate::auth::Caller;

#[derive(Template)]
#[template(path = "offboard.html")]
struct OffboardPage {
    nav: Nav,
    id: i64,
    organization_id: i64,
    organization: String,
    reference: String,
    term: String,
    grace: u32,
    problem: String,
    fields: Vec<super::customers::FieldView>,
}

/// The confirmation of an offboarding: what will happen and when, and the day access ends.
async fn offboard_page(
    state: &AppState,
    caller: &Caller,
    contract: i64,
    form: &FormMap,
    errors: &FieldErrors,
) -> PageResult {
    let c = state
        .app
        .offboarding_contract(&caller.actor, ContractId(contract))
        .await
        .map_err(app_err(caller))?;
    let org = state
        .app
        .organization(&caller.actor, c.organization, Action::Read)
        .await
        .map_err(app_err(caller))?;
    let access_ends = form
        .get("access_ends")
        .cloned()
        .or(c.details.ends_on.map(|d| d.to_string()))
        .unwrap_or_default();
    let term = match c.details.ends_on {
        Some(end) => format!("ends on {end}"),
        None => "is open-ended: choose the day the customer's access ends".into(),
    };
    let fields = vec![
        super::customers::FieldView {
            kind: "date",
            help: "The customer can use its cloud until the end of the day before.",
            ..super::customers::field("Access ends on", "access_ends", &access_ends, errors)
        },
        super::customers::FieldView {
            kind: "checkbox",
            ..super::customers::field(
                "End access before the contract ends",
                "early",
                &form_value(form, "early"),
                errors,
            )
        },
    ];
    Ok(render(&OffboardPage {
        nav: Nav::of(caller),
        id: c.id.0,
        organization_id: org.id.0,
        organization: org.details.name.clone(),
        reference: c.details.reference.clone(),
        term,
        grace: varde_core::onboarding::GRACE_DAYS,
        problem: if errors.is_empty() {
            String::new()
        } else {
            "Please correct the fields marked below.".into()
        },
        fields,
    }))
}

pub async fn offboard_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(contract): Path<i64>,
) -> PageResult {
    offboard_page(
        &state,
        &caller,
        contract,
        &FormMap::new(),
        &FieldErrors::new(),
    )
    .await
}

/// Plans the offboarding of a contract's organisation, once confirmed with the day access
/// ends.
pub async fn offboard(
    State(state): State<AppState>,
    caller: Caller,
    Path(contract): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let raw = form_value(&form, "access_ends");
    let access_ends = match raw.trim() {
        "" => None,
        day => match day.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                let mut errors = FieldErrors::new();
                errors.add("access_ends", "a day as YYYY-MM-DD");
                let page = offboard_page(&state, &caller, contract, &form, &errors).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
        },
    };
    let started = state
        .app
        .start_offboarding(
            &caller.acting(),
            ContractId(contract),
            access_ends,
            form_value(&form, "early") == "yes",
        )
        .await;
    match form_outcome(started, &caller)? {
        Ok(run) => Ok(Redirect::to(&format!("/console/onboarding/runs/{run}")).into_response()),
        Err(errors) => {
            let page = offboard_page(&state, &caller, contract, &form, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
