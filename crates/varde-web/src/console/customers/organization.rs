//! An organisation's page: its facts, entitlements, contacts, contracts, onboarding, roadmap
//! feedback and audit history, from one use case (`App::organization_overview`).

use askama::Template;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect};
use varde_app::customers::OrganizationOverview;
use varde_core::access::{Action, Resource, TicketSight, can};
use varde_core::ids::OrganizationId;
use varde_core::portal_settings::PortalSettings;

use super::app_err;
use crate::api::Id;
use crate::app::AppState;
use crate::auth::Caller;
use crate::console::{FormMap, Nav, PageResult, checked, form_value, render};

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
    onboarding: crate::console::onboarding::OrganizationOnboarding,
    /// The organisation's portal settings: only their own tickets, incident notices, and
    /// whether the caller changes them.
    portal: (bool, bool, bool),
}

/// Staff note feedback for the roadmap on an organisation; its quarterly report lists it.
pub async fn add_feedback(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    state
        .app
        .add_feedback(
            &caller.acting(),
            OrganizationId(id),
            &varde_store::roadmap::FeedbackNote {
                text: form_value(&form, "feedback"),
                asked_by: form_value(&form, "asked_by"),
                ..Default::default()
            },
        )
        .await
        .map_err(app_err(&caller))?;
    Ok(Redirect::to(&format!("/console/organizations/{id}#feedback-h")).into_response())
}

pub async fn show(State(state): State<AppState>, caller: Caller, Id(id): Id) -> PageResult {
    let id = OrganizationId(id);
    let overview = state
        .app
        .organization_overview(&caller.actor, id)
        .await
        .map_err(app_err(&caller))?;
    let onboarding = crate::console::onboarding::of_organization(&state, &caller, id)
        .await
        .map_err(app_err(&caller))?;
    let (settings, may_change) = state
        .app
        .portal_settings(&caller.acting(), id)
        .await
        .map_err(app_err(&caller))?;
    let mut page = page(&caller, overview, onboarding);
    page.portal = (
        settings.sight == TicketSight::Own,
        settings.incident_notices,
        may_change,
    );
    Ok(render(&page))
}

/// Staff set what the organisation chose for its portal (as its primary contact does there):
/// `sight` (`own` or `all`) and `notices` (ticked or not).
pub async fn set_portal(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let to = PortalSettings::from_form(&form_value(&form, "sight"), &form_value(&form, "notices"));
    state
        .app
        .set_portal_settings(&caller.acting(), OrganizationId(id), to)
        .await
        .map_err(app_err(&caller))?;
    Ok(Redirect::to(&format!("/console/organizations/{id}#portal-h")).into_response())
}

fn page(
    caller: &Caller,
    o: OrganizationOverview,
    onboarding: crate::console::onboarding::OrganizationOnboarding,
) -> OrganizationPage {
    let id = o.organization.id;
    let zone = crate::console::zone_of(caller);
    let d = &o.organization.details;
    let manager = match (&d.service_manager, &o.service_manager) {
        (Some(_), Some(a)) => format!("{} <{}>", a.name, a.email),
        (Some(_), None) => String::new(),
        (None, _) => "none".into(),
    };
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
    let (tier, tier_label, granted_by, entitled, services, problem) = match &o.entitlements {
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
            format!("{}: {p}", o.today),
        ),
    };
    let feedback = o
        .feedback
        .into_iter()
        .map(|f| {
            (
                f.created_at.strftime("%Y-%m-%d").to_string(),
                f.text,
                f.created_by,
            )
        })
        .collect();
    OrganizationPage {
        portal: (false, true, false),
        onboarding,
        feedback,
        can_add_feedback: can(&caller.actor, Action::Write, &Resource::Feedback(id)),
        nav: Nav::of(caller),
        id: id.0,
        name: d.name.clone(),
        notice: String::new(),
        facts,
        can_edit: can(&caller.actor, Action::Write, &Resource::Organization(id)),
        can_edit_contacts: can(&caller.actor, Action::Write, &Resource::Contacts(id)),
        can_edit_contracts: can(&caller.actor, Action::Write, &Resource::Contracts(id)),
        can_see_history: o.history.is_some(),
        tier,
        tier_label,
        granted_by,
        entitled,
        services,
        problem,
        contacts: o
            .contacts
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
        contracts: o
            .contracts
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
        history: o
            .history
            .unwrap_or_default()
            .iter()
            .map(|h| HistoryView {
                what: format!("{} {} #{}", h.entity, h.action, h.entity_id),
                actor: h.actor.clone(),
                at: crate::console::when(&zone, h.at),
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
    }
}
