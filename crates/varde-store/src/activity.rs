//! What happened to organisations since a moment, in bulk (one query per kind, grouped by
//! organisation), and the marks staff set when they have seen a page of theirs.

use std::collections::HashMap;

use jiff::Timestamp;
use varde_core::ids::{OrganizationId, UserId};

use crate::{Result, Store, from_micros, micros, read_pool, write_pool};

/// An organisation's tickets since a moment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TicketActivity {
    pub opened: usize,
    /// Of those opened, how many urgent (priority 80 or more).
    pub urgent: usize,
    pub resolved: usize,
}

/// The priority from which a ticket counts as urgent.
pub const URGENT_PRIORITY: i64 = 80;

fn by_organization(rows: Vec<(i64, i64)>) -> HashMap<OrganizationId, usize> {
    rows.into_iter()
        .map(|(org, n)| (OrganizationId(org), usize::try_from(n).unwrap_or(0)))
        .collect()
}

impl Store {
    /// When `user` last marked `page` seen.
    pub async fn seen_mark(&self, user: UserId, page: &str) -> Result<Option<Timestamp>> {
        let at: Option<i64> = read_pool!(self, p => sqlx::query_scalar(
            "SELECT seen_at FROM seen_marks WHERE user_id = $1 AND page = $2",
        ).bind(user.0).bind(page).fetch_optional(p).await)?;
        at.map(from_micros).transpose()
    }

    /// Marks `page` seen by `user` at `at`.
    pub async fn mark_seen(&self, user: UserId, page: &str, at: Timestamp) -> Result<()> {
        write_pool!(self, p => sqlx::query(
            "INSERT INTO seen_marks (user_id, page, seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, page) DO UPDATE SET seen_at = excluded.seen_at",
        ).bind(user.0).bind(page).bind(micros(at)).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Tickets opened and resolved since `since`, per organisation (merged tickets count
    /// once, as the ticket they were merged into).
    pub async fn ticket_activity(
        &self,
        since: Timestamp,
    ) -> Result<HashMap<OrganizationId, TicketActivity>> {
        let opened: Vec<(i64, i64, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT organization_id, count(*), sum(CASE WHEN priority >= $2 THEN 1 ELSE 0 END) \
             FROM tickets WHERE organization_id IS NOT NULL AND effective_id = id AND created_at >= $1 \
             GROUP BY organization_id",
        ).bind(micros(since)).bind(URGENT_PRIORITY).fetch_all(p).await)?;
        let resolved: Vec<(i64, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT organization_id, count(*) FROM tickets WHERE organization_id IS NOT NULL \
             AND effective_id = id AND status = 'resolved' AND resolved_at >= $1 GROUP BY organization_id",
        ).bind(micros(since)).fetch_all(p).await)?;
        let mut out: HashMap<OrganizationId, TicketActivity> = HashMap::new();
        for (org, n, urgent) in opened {
            let a = out.entry(OrganizationId(org)).or_default();
            a.opened = usize::try_from(n).unwrap_or(0);
            a.urgent = usize::try_from(urgent).unwrap_or(0);
        }
        for (org, n) in by_organization(resolved) {
            out.entry(org).or_default().resolved = n;
        }
        Ok(out)
    }

    /// Action items settled since `since`, per organisation.
    pub async fn action_items_done_since(
        &self,
        since: Timestamp,
    ) -> Result<HashMap<OrganizationId, usize>> {
        let rows: Vec<(i64, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT organization_id, count(*) FROM action_items WHERE done_at >= $1 GROUP BY organization_id",
        ).bind(micros(since)).fetch_all(p).await)?;
        Ok(by_organization(rows))
    }

    /// Changes to organisations' contracts and contacts since `since` (audit events), per
    /// organisation.
    pub async fn record_changes_since(
        &self,
        since: Timestamp,
    ) -> Result<HashMap<OrganizationId, usize>> {
        let rows: Vec<(i64, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT organization_id, count(*) FROM audit_events WHERE organization_id IS NOT NULL \
             AND at >= $1 AND entity IN ('contract', 'contact') GROUP BY organization_id",
        ).bind(micros(since)).fetch_all(p).await)?;
        Ok(by_organization(rows))
    }
}
