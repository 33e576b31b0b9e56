//! The portal's page of the contact's organisation: its contracts and what they entitle it
//! to, its service manager, its contacts, and its quarterly reports (HTML and PDF).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use varde_core::catalogue::ProductKind;
use varde_core::onboarding::progress::{ProgressWords, progress_words};
use varde_core::portal::CatalogueWords;
use varde_core::report::Period;

use super::{Portal, PortalNav};
use crate::app::AppState;
use crate::auth::Caller;
use crate::console::{PageError, PageResult, render};
use crate::error::{ApiError, ErrorCode};

struct ContractView {
    reference: String,
    valid: String,
    lines: String,
}

#[derive(Template)]
#[template(path = "portal_organization.html")]
struct OrganizationPage {
    nav: PortalNav,
    w: &'static varde_core::portal::Words,
    name: String,
    tier: String,
    included: Vec<&'static str>,
    services: String,
    manager: String,
    contracts: Vec<ContractView>,
    /// (name, e-mail, phone)
    contacts: Vec<(String, String, String)>,
    /// (quarter, link)
    reports: Vec<(String, String)>,
    /// (quarter, when, place, minutes, decisions), newest first.
    meetings: Vec<(String, String, String, String, String)>,
    /// The setting-up, while it runs or just finished.
    onboarding: Option<varde_app::portal::PortalOnboarding>,
    ow: &'static ProgressWords,
}

/// A contract's product lines as a customer reads them: tiers and services by name, with
/// the site and the quantity.
fn lines_read(d: &varde_core::contract::ContractDetails, cw: &CatalogueWords) -> String {
    d.lines
        .iter()
        .map(|l| {
            let name = match (l.product.kind(), l.site) {
                (ProductKind::Support(t), _) => cw.tier(t).to_string(),
                (ProductKind::Service(s), Some(site)) => cw.service_at(s, site),
                (ProductKind::Service(s), None) => cw.service(s).to_string(),
            };
            if l.quantity > 1 {
                format!("{} × {name}", l.quantity)
            } else {
                name
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub async fn show(State(state): State<AppState>, caller: Caller, jar: CookieJar) -> PageResult {
    let p = Portal::of(&state, &caller, &jar, "/portal/organization").await?;
    let o = state
        .app
        .organization_overview(&caller.actor, p.contact.organization.id)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?;
    let w = p.w;
    let cw = varde_core::portal::catalogue_words(p.contact.language);
    let (tier, included, services) = match &o.entitlements {
        Ok(e) => {
            let mut included = vec![w.tickets_any_time];
            if e.chat_room {
                included.push(w.chat_room);
            }
            if e.service_manager {
                included.push(w.service_manager);
            }
            if e.quarterly_meetings {
                included.push(w.quarterly_meetings);
            }
            let services = e
                .services
                .iter()
                .map(|(s, site)| cw.service_at(*s, *site))
                .collect::<Vec<_>>()
                .join(", ");
            (cw.tier(e.tier).to_string(), included, services)
        }
        Err(_) => (w.none.to_string(), vec![], String::new()),
    };
    let contracts = o
        .contracts
        .iter()
        .filter(|c| c.details.signed_on.is_some())
        .map(|c| ContractView {
            reference: c.details.reference.clone(),
            valid: format!(
                "{} – {}",
                c.details.starts_on,
                c.details
                    .ends_on
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| w.until_further_notice.to_string())
            ),
            lines: lines_read(&c.details, cw),
        })
        .collect();
    let today = state.now().to_zoned(p.zone().clone()).date();
    let mut quarter = Period::quarter_of(today);
    let mut reports = Vec::new();
    for _ in 0..4 {
        reports.push((
            quarter.label.clone(),
            format!("/portal/report?quarter={}", quarter.label),
        ));
        let Some(before) = quarter.from.yesterday().ok() else {
            break;
        };
        quarter = Period::quarter_of(before);
    }
    let meetings = state
        .app
        .shared_meetings(&caller.actor, p.contact.organization.id)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?
        .into_iter()
        .map(|m| {
            (
                m.quarter,
                varde_core::portal::local_time(m.starts_at, p.zone()),
                m.place,
                m.notes,
                m.decisions,
            )
        })
        .collect();
    let onboarding = state
        .app
        .portal_onboarding(&caller.acting(), &p.contact)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?;
    Ok(render(&OrganizationPage {
        onboarding,
        ow: progress_words(p.contact.language),
        meetings,
        name: o.organization.details.name.clone(),
        tier,
        included,
        services,
        manager: o
            .service_manager
            .map(|a| format!("{} <{}>", a.name, a.email))
            .unwrap_or_else(|| w.none.to_string()),
        contracts,
        contacts: o
            .contacts
            .iter()
            .map(|c| {
                (
                    c.details.name.clone(),
                    c.details.email.to_string(),
                    c.details
                        .phone
                        .as_ref()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default(),
                )
            })
            .collect(),
        reports,
        w,
        nav: p.nav,
    }))
}

#[derive(Deserialize)]
pub struct ReportParams {
    quarter: Option<String>,
    format: Option<String>,
}

/// The organisation's quarterly report, as HTML or (`format=pdf`) PDF.
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Query(q): Query<ReportParams>,
) -> PageResult {
    let p = Portal::of(&state, &caller, &jar, "/portal/organization").await?;
    let fail = |e: ApiError| PageError::new(e, &caller);
    let zone = p.zone().clone();
    let period = match q.quarter.as_deref().filter(|q| !q.trim().is_empty()) {
        Some(q) => Period::quarter(q).map_err(|e| fail(ApiError::bad_request(e.0)))?,
        None => Period::quarter_of(state.now().to_zoned(zone.clone()).date()),
    };
    let r = state
        .app
        .quarterly_report(&caller.actor, p.contact.organization.id, period, &zone)
        .await
        .map_err(|e| fail(e.into()))?;
    let reader = crate::report::Reader {
        language: p.contact.language,
        zone: &zone,
    };
    let html =
        crate::report::to_html(&r, false, &reader).map_err(|e| fail(ApiError::internal(e)))?;
    if q.format.as_deref() != Some("pdf") {
        return Ok(Html(html).into_response());
    }
    let pdf = tokio::task::spawn_blocking(move || crate::report::to_pdf(&html))
        .await
        .map_err(|e| fail(ApiError::internal(e)))?
        .map_err(|e| {
            fail(match e {
                crate::report::PdfError::Busy => {
                    ApiError::new(ErrorCode::Unavailable, e.to_string())
                }
                crate::report::PdfError::Failed(m) => ApiError::internal(m),
            })
        })?;
    let name = format!("report-{}.pdf", r.period.label);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                crate::headers::content_disposition(false, &name),
            ),
        ],
        pdf,
    )
        .into_response())
}
