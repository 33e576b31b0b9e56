//! The audit history of the customer database, and the roadmap feedback noted on an
//! organisation.

use jiff::Timestamp;
use varde_core::ids::OrganizationId;

use super::*;
use crate::{Result, Store, from_micros, micros, read_pool};

impl Store {
    /// The newest audit events of an organisation, newest first.
    pub async fn audit_history(&self, org: OrganizationId, limit: u32) -> Result<Vec<AuditEvent>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            at: i64,
            organization_id: Option<i64>,
            entity: String,
            entity_id: i64,
            action: String,
            actor: String,
            changes: String,
        }
        let rows: Vec<Row> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, at, organization_id, entity, entity_id, action, actor, changes FROM audit_events \
             WHERE organization_id = $1 ORDER BY id DESC LIMIT $2",
        ).bind(org.0).bind(i64::from(limit)).fetch_all(p).await)?;
        rows.into_iter()
            .map(|r| {
                Ok(AuditEvent {
                    id: r.id,
                    at: from_micros(r.at)?,
                    organization: r.organization_id.map(OrganizationId),
                    entity: r.entity,
                    entity_id: r.entity_id,
                    action: r.action,
                    actor: r.actor,
                    changes: changes_from_json(&r.changes)?,
                })
            })
            .collect()
    }
}

/// One piece of roadmap feedback noted on an organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feedback {
    pub id: i64,
    pub text: String,
    pub created_by: String,
    pub created_at: Timestamp,
}

impl Store {
    /// The feedback noted on an organisation in `[from, until)`, oldest first.
    pub async fn feedback_of(
        &self,
        org: OrganizationId,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<Feedback>> {
        let rows: Vec<(i64, String, String, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, text, created_by, created_at FROM roadmap_feedback WHERE organization_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at, id",
        ).bind(org.0).bind(micros(from)).bind(micros(until)).fetch_all(p).await)?;
        rows.into_iter()
            .map(|(id, text, created_by, at)| {
                Ok(Feedback {
                    id,
                    text,
                    created_by,
                    created_at: from_micros(at)?,
                })
            })
            .collect()
    }
}
