//! The quarterly operations report in the console: `?quarter=2026Q3` (the current quarter by
//! default) and `format=html|json|csv|pdf`. Whoever may read the organisation may read its
//! report (staff; and the organisation's own contacts).

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use serde::Deserialize;
use varde_core::ids::OrganizationId;
use varde_core::report::Period;

use super::{PageError, PageResult};
use crate::api::Id;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};

/// The quarter asked for (`2026Q3`), or the current one.
fn period(
    asked: Option<&str>,
    tz: &jiff::tz::TimeZone,
    now: jiff::Timestamp,
) -> Result<Period, ApiError> {
    match asked.filter(|q| !q.trim().is_empty()) {
        Some(q) => Period::quarter(q).map_err(|e| ApiError::bad_request(e.0)),
        None => Ok(Period::quarter_of(now.to_zoned(tz.clone()).date())),
    }
}

#[derive(Deserialize)]
pub struct ReportParams {
    quarter: Option<String>,
    format: Option<String>,
    /// The language to read it in (a code); the organisation's by default.
    lang: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Query(p): Query<ReportParams>,
) -> PageResult {
    let tz = &state.status.settings.time_zone;
    let period =
        period(p.quarter.as_deref(), tz, state.now()).map_err(|e| PageError::new(e, &caller))?;
    let r = state
        .app
        .quarterly_report(&caller.actor, OrganizationId(id), period, tz)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?;
    let reader = crate::report::Reader {
        language: p
            .lang
            .as_deref()
            .and_then(|l| varde_core::values::Language::parse(l).ok())
            .unwrap_or(r.language),
        zone: tz,
    };
    let name = format!("report-{}-{}", id, r.period.label);
    let attachment = |ext: &str| format!("attachment; filename=\"{name}.{ext}\"");
    Ok(match p.format.as_deref().unwrap_or("html") {
        "json" => axum::Json(crate::report::to_json(&r)).into_response(),
        "csv" => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, attachment("csv")),
            ],
            crate::report::to_csv(&r),
        )
            .into_response(),
        "pdf" => {
            let html = crate::report::to_html(&r, false, &reader)
                .map_err(|e| PageError::new(ApiError::internal(e), &caller))?;
            let pdf = tokio::task::spawn_blocking(move || crate::report::to_pdf(&html))
                .await
                .map_err(|e| PageError::new(ApiError::internal(e), &caller))?
                .map_err(|e| {
                    let error = match e {
                        crate::report::PdfError::Busy => {
                            ApiError::new(ErrorCode::Unavailable, e.to_string())
                        }
                        crate::report::PdfError::Failed(m) => ApiError::internal(m),
                    };
                    PageError::new(error, &caller)
                })?;
            (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_string()),
                    (header::CONTENT_DISPOSITION, attachment("pdf")),
                ],
                pdf,
            )
                .into_response()
        }
        _ => Html(
            crate::report::to_html(&r, true, &reader)
                .map_err(|e| PageError::new(ApiError::internal(e), &caller))?,
        )
        .into_response(),
    })
}

struct PortfolioRow {
    id: i64,
    name: String,
    tier: String,
    tickets: usize,
    compliance: String,
    breached: usize,
    open: usize,
    availability: String,
    at_risk: bool,
}

#[derive(askama::Template)]
#[template(path = "portfolio.html")]
struct Portfolio {
    nav: super::Nav,
    quarter: String,
    rows: Vec<PortfolioRow>,
}

#[derive(Deserialize)]
pub struct PortfolioParams {
    quarter: Option<String>,
}

/// Every organisation with tickets in the period: its SLA compliance, breaches, open items
/// and lowest availability, the ones at risk first (compliance under 95 %, or a breach, or
/// availability under 99.9 %).
pub async fn portfolio(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<PortfolioParams>,
) -> PageResult {
    let tz = &state.status.settings.time_zone;
    let period =
        period(p.quarter.as_deref(), tz, state.now()).map_err(|e| PageError::new(e, &caller))?;
    let reports = state
        .app
        .quarterly_reports(&caller.actor, period.clone(), tz)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?;
    let mut rows = Vec::new();
    for (org, r) in reports {
        let (met, breached): (usize, usize) = r
            .compliance
            .iter()
            .fold((0, 0), |(m, b), c| (m + c.met, b + c.breached));
        let share = (met + breached > 0).then(|| 100.0 * met as f64 / (met + breached) as f64);
        let lowest = r
            .availability
            .iter()
            .map(|a| a.percent)
            .fold(None, |low: Option<f64>, p| {
                Some(low.map_or(p, |l| l.min(p)))
            });
        rows.push((
            share.unwrap_or(100.0),
            PortfolioRow {
                id: org.0,
                name: r.organization.clone(),
                tier: r.tier.clone(),
                tickets: r.tickets,
                compliance: share
                    .map(|s| format!("{s:.1} %"))
                    .unwrap_or_else(|| "–".into()),
                breached: r.breached.len(),
                open: r.open_items.len(),
                availability: lowest
                    .map(|a| format!("{a:.3} %"))
                    .unwrap_or_else(|| "–".into()),
                at_risk: share.is_some_and(|s| s < 95.0)
                    || !r.breached.is_empty()
                    || lowest.is_some_and(|a| a < 99.9),
            },
        ));
    }
    rows.sort_by(|a, b| {
        b.1.at_risk
            .cmp(&a.1.at_risk)
            .then(a.0.total_cmp(&b.0))
            .then(b.1.breached.cmp(&a.1.breached))
            .then(a.1.name.cmp(&b.1.name))
    });
    Ok(super::render(&Portfolio {
        nav: super::Nav::of(&caller),
        quarter: period.label,
        rows: rows.into_iter().map(|(_, r)| r).collect(),
    }))
}
