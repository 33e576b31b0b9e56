//! `/api/v1/export/{kind}` and `/api/v1/import/{kind}`: the customer base as CSV.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use varde_core::access::{Action, Resource};
use varde_store::transfer::{ImportOptions, ImportReport, Kind};

use super::{ApiQuery, authorize};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};

fn kind(raw: &str) -> ApiResult<Kind> {
    Kind::parse(raw).ok_or_else(ApiError::not_found)
}

/// Download organisations, contacts or contracts as CSV.
#[utoipa::path(get, path = "/api/v1/export/{kind}", tag = "transfer",
    params(("kind" = String, Path, description = "organizations.csv | contacts.csv | contracts.csv")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = super::dto::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> ApiResult<Response> {
    authorize(&caller, Action::Read, Resource::CustomerBase)?;
    let kind = kind(&raw)?;
    let body = state.store.export_csv(kind).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.csv\"", kind.name()),
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct ImportParams {
    /// Report what would change and write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Write the good rows even if some are bad (in one transaction); by default one bad row
    /// means nothing is written.
    #[serde(default)]
    pub partial: bool,
}

#[derive(Serialize, ToSchema)]
pub struct LineErrorJson {
    pub line: u64,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct PlannedChangeJson {
    pub line: u64,
    pub action: String,
    pub key: String,
    pub changes: Vec<super::dto::ChangeJson>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReportJson {
    pub kind: String,
    pub dry_run: bool,
    /// Whether anything was written.
    pub applied: bool,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<LineErrorJson>,
    /// The first 1000 creates and updates.
    pub changes: Vec<PlannedChangeJson>,
}

impl From<&ImportReport> for ImportReportJson {
    fn from(r: &ImportReport) -> Self {
        ImportReportJson {
            kind: r.kind.into(),
            dry_run: r.dry_run,
            applied: r.applied,
            rows: r.rows,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            errors: r
                .errors
                .iter()
                .map(|e| LineErrorJson {
                    line: e.line,
                    message: e.message.clone(),
                })
                .collect(),
            changes: r
                .changes
                .iter()
                .map(|c| PlannedChangeJson {
                    line: c.line,
                    action: c.action.into(),
                    key: c.key.clone(),
                    changes: c
                        .changes
                        .iter()
                        .map(|x| super::dto::ChangeJson {
                            field: x.field.clone(),
                            before: x.before.clone(),
                            after: x.after.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Import a CSV file (the request body) of organisations, contacts or contracts.
#[utoipa::path(post, path = "/api/v1/import/{kind}", tag = "transfer", params(("kind" = String, Path), ImportParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReportJson), (status = 403, body = super::dto::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
    ApiQuery(p): ApiQuery<ImportParams>,
    body: Bytes,
) -> ApiResult<Json<ImportReportJson>> {
    let action = if p.dry_run {
        Action::Read
    } else {
        Action::Write
    };
    authorize(&caller, action, Resource::CustomerBase)?;
    authorize(&caller, Action::Write, Resource::CustomerBase)
        .or_else(|e| if p.dry_run { Ok(()) } else { Err(e) })?;
    let kind = kind(&raw)?;
    let opts = ImportOptions {
        dry_run: p.dry_run,
        partial: p.partial,
        actor: caller.audit_name(),
        now: state.now(),
    };
    let report = state.store.import_csv(kind, &body, &opts).await?;
    Ok(Json(ImportReportJson::from(&report)))
}
