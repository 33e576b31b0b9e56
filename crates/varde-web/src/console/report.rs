//! The quarterly operations report in the console: `?quarter=2026Q3` (the current quarter by
//! default) and `format=html|json|csv|pdf`. Whoever may read the organisation may read its
//! report (staff; and the organisation's own contacts).

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use serde::Deserialize;
use varde_core::access::{Action, Resource};
use varde_core::ids::OrganizationId;
use varde_core::report::Period;

use super::{PageError, PageResult};
use crate::api::{Id, authorize};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

#[derive(Deserialize)]
pub struct ReportParams {
    quarter: Option<String>,
    format: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Query(p): Query<ReportParams>,
) -> PageResult {
    let org = OrganizationId(id);
    authorize(&caller, Action::Read, Resource::Organization(org))
        .map_err(|e| PageError::new(e, &caller))?;
    let tz = &state.status.settings.time_zone;
    let now = state.now();
    let period = match p.quarter.as_deref().filter(|q| !q.trim().is_empty()) {
        Some(q) => {
            Period::quarter(q).map_err(|e| PageError::new(ApiError::bad_request(e.0), &caller))?
        }
        None => Period::quarter_of(now.to_zoned(tz.clone()).date()),
    };
    let input = crate::report::gather(&state.store, org, period, tz, now)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?
        .ok_or_else(|| PageError::new(ApiError::not_found(), &caller))?;
    let r = crate::report::report(&input);
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
            let html = crate::report::to_html(&r, false)
                .map_err(|e| PageError::new(ApiError::internal(e), &caller))?;
            let pdf = tokio::task::spawn_blocking(move || crate::report::to_pdf(&html))
                .await
                .map_err(|e| PageError::new(ApiError::internal(e), &caller))?
                .map_err(|e| PageError::new(ApiError::internal(e), &caller))?;
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
            crate::report::to_html(&r, true)
                .map_err(|e| PageError::new(ApiError::internal(e), &caller))?,
        )
        .into_response(),
    })
}
