//! The customer database: organisations ([`organizations`]), their contacts ([`contacts`])
//! and contracts ([`contracts`]), and the audit history that records every change to them
//! with the roadmap feedback noted on them ([`history`]). Every change reads what it changes
//! inside its write transaction (locked on PostgreSQL), so the audit's "before" is what was
//! replaced.

use jiff::Timestamp;
use varde_core::access::Visibility;
use varde_core::audit::Change;
use varde_core::customer::{FrameworkAgreement, Lifecycle, OrganizationDetails, Sector};
use varde_core::ids::OrganizationId;
use varde_core::values::MailDomain;

use crate::{Result, StoreError};

/// One entry of the audit history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: i64,
    pub at: Timestamp,
    pub organization: Option<OrganizationId>,
    /// `organization`, `contact` or `contract`.
    pub entity: String,
    pub entity_id: i64,
    /// `created`, `updated` or `deleted`.
    pub action: String,
    /// Who made the change: an account's e-mail address, or `import` with the importer's.
    pub actor: String,
    pub changes: Vec<Change>,
}

/// Filters for listing organisations, ordered by name.
#[derive(Clone, Debug)]
pub struct OrganizationQuery {
    pub visibility: Visibility,
    /// Matches the name, the organisation number or a mail domain, case-insensitively.
    pub text: Option<String>,
    pub country: Option<String>,
    pub sector: Option<Sector>,
    pub framework: Option<FrameworkAgreement>,
    pub lifecycle: Option<Lifecycle>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    pub limit: u32,
}

impl OrganizationQuery {
    pub fn new(visibility: Visibility) -> OrganizationQuery {
        OrganizationQuery {
            visibility,
            text: None,
            country: None,
            sector: None,
            framework: None,
            lifecycle: None,
            after: None,
            limit: 50,
        }
    }
}

/// One page of a list, and the cursor of the next page if there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

pub(crate) fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

fn encode_cursor(name_key: &str, id: i64) -> String {
    format!("{}.{id}", hex::encode(name_key))
}

fn decode_cursor(cursor: &str) -> Option<(String, i64)> {
    let (k, id) = cursor.split_once('.')?;
    let key = String::from_utf8(hex::decode(k).ok()?).ok()?;
    Some((key, id.parse().ok()?))
}

fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

pub(crate) fn changes_json(c: &[Change]) -> String {
    serde_json::Value::Array(
        c.iter()
            .map(|c| serde_json::json!({"field": c.field, "before": c.before, "after": c.after}))
            .collect(),
    )
    .to_string()
}

fn changes_from_json(s: &str) -> Result<Vec<Change>> {
    let v: Vec<serde_json::Value> =
        serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("audit changes: {e}")))?;
    Ok(v.iter()
        .map(|c| Change {
            field: c["field"].as_str().unwrap_or_default().to_string(),
            before: c["before"].as_str().unwrap_or_default().to_string(),
            after: c["after"].as_str().unwrap_or_default().to_string(),
        })
        .collect())
}

/// Appends one audit event inside the open transaction `$tx`.
macro_rules! audit {
    ($tx:expr, $now:expr, $org:expr, $entity:expr, $entity_id:expr, $action:expr, $actor:expr, $changes:expr) => {
        sqlx::query(
            "INSERT INTO audit_events (at, organization_id, entity, entity_id, action, actor, changes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($crate::micros($now))
        .bind($org)
        .bind($entity)
        .bind($entity_id)
        .bind($action)
        .bind($actor)
        .bind($crate::customers::changes_json($changes))
        .execute(&mut *$tx)
        .await?
    };
}
pub(crate) use audit;

/// Makes the organisation's mail domains exactly `$domains` inside `$tx`, or yields the
/// conflict when a domain belongs to another organisation.
macro_rules! sync_domains {
    ($tx:expr, $org_id:expr, $domains:expr) => {{
        let mut clash: Option<String> = None;
        for d in $domains.iter() {
            let owner: Option<i64> = sqlx::query_scalar(
                "SELECT organization_id FROM organization_domains WHERE domain = $1",
            )
            .bind(d.as_str())
            .fetch_optional(&mut *$tx)
            .await?;
            if owner.is_some_and(|o| o != $org_id) {
                clash = Some(format!(
                    "{} already belongs to organisation {}",
                    d,
                    owner.unwrap_or_default()
                ));
                break;
            }
        }
        if clash.is_none() {
            sqlx::query("DELETE FROM organization_domains WHERE organization_id = $1")
                .bind($org_id)
                .execute(&mut *$tx)
                .await?;
            for d in $domains.iter() {
                sqlx::query(
                    "INSERT INTO organization_domains (domain, organization_id) VALUES ($1, $2)",
                )
                .bind(d.as_str())
                .bind($org_id)
                .execute(&mut *$tx)
                .await?;
            }
        }
        clash
    }};
}

pub(crate) fn domains_text(d: &OrganizationDetails) -> String {
    d.mail_domains
        .iter()
        .map(MailDomain::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

// After the macros, which the submodules use.
mod contacts;
mod contracts;
mod history;
mod organizations;
mod portal_settings;

pub use history::Feedback;
