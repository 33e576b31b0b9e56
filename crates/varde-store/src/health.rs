//! Customer health as stored: each organisation's score per day (with its parts as JSON),
//! the daily run a node claims, the settings an administrator edits, satisfaction ratings,
//! and the bulk reads the daily run is computed from.

use std::collections::HashMap;

use jiff::Timestamp;
use varde_core::ids::OrganizationId;

use crate::letters::{NewLetter, insert_letter};
use crate::{Result, Store, from_micros, micros, read_pool, write_pool};

/// One organisation's score on one day.
#[derive(Clone, Debug, PartialEq)]
pub struct DailyScore {
    pub organization: OrganizationId,
    /// `2026-12-03`.
    pub day: String,
    pub score: i64,
    pub parts: Vec<PartScore>,
}

/// One part of a stored score (kept as JSON).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PartScore {
    pub part: String,
    pub penalty: f64,
    pub why: String,
}

fn parts_json(parts: &[PartScore]) -> String {
    serde_json::to_string(parts).unwrap_or_else(|_| "[]".into())
}

/// Stored parts back; parts that no longer parse are left out.
fn parts_from(json: &str) -> Vec<PartScore> {
    serde_json::from_str(json).unwrap_or_default()
}

/// A ticket as the health run counts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketFact {
    pub organization: OrganizationId,
    pub created_at: Timestamp,
    pub priority: i64,
    pub status: String,
}

/// A satisfaction rating of a resolved ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rating {
    pub ticket: i64,
    pub organization: Option<OrganizationId>,
    /// good | okay | bad
    pub rating: String,
    pub comment: String,
    pub rater: String,
    pub created_at: Timestamp,
}

impl Store {
    /// A setting, if an administrator saved one.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            read_pool!(self, p => sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(p).await)?,
        )
    }

    pub async fn save_setting(
        &self,
        key: &str,
        value: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<()> {
        write_pool!(self, p => sqlx::query(
            "INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        ).bind(key).bind(value).bind(by).bind(micros(now)).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Claims the health run of `day` for this node: true for the one node that gets it (a
    /// run that started over an hour ago and never finished is claimed again).
    pub async fn claim_health_run(&self, day: &str, now: Timestamp) -> Result<bool> {
        let stale = micros(now) - 3_600_000_000;
        let n = write_pool!(self, p => sqlx::query(
            "INSERT INTO health_runs (day, started_at) VALUES ($1, $2) \
             ON CONFLICT (day) DO UPDATE SET started_at = excluded.started_at \
             WHERE health_runs.finished_at IS NULL AND health_runs.started_at < $3",
        ).bind(day).bind(micros(now)).bind(stale).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Stores a day's scores (replacing any of that day), queues `letters` (to the service
    /// managers of organisations whose health dropped) and marks the run finished.
    pub async fn save_health(
        &self,
        day: &str,
        scores: &[DailyScore],
        letters: &[NewLetter],
        now: Timestamp,
    ) -> Result<()> {
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            for l in letters {
                insert_letter!(tx, l, now);
            }
            for s in scores {
                sqlx::query(
                    "INSERT INTO health_scores (organization_id, day, score, parts, computed_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (organization_id, day) DO UPDATE SET score = excluded.score, parts = excluded.parts, computed_at = excluded.computed_at",
                ).bind(s.organization.0).bind(day).bind(s.score).bind(parts_json(&s.parts)).bind(micros(now)).execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE health_runs SET finished_at = $1 WHERE day = $2").bind(micros(now)).bind(day).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// An organisation's scores from `since` (a day) on, oldest first.
    pub async fn health_of(&self, org: OrganizationId, since: &str) -> Result<Vec<DailyScore>> {
        let rows: Vec<(String, i64, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT day, score, parts FROM health_scores WHERE organization_id = $1 AND day >= $2 ORDER BY day",
        ).bind(org.0).bind(since).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(day, score, parts)| DailyScore {
                organization: org,
                day,
                score,
                parts: parts_from(&parts),
            })
            .collect())
    }

    /// Every organisation's latest score on or before `day`, for the portfolio.
    pub async fn health_on(&self, day: &str) -> Result<Vec<DailyScore>> {
        let rows: Vec<(i64, String, i64, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT h.organization_id, h.day, h.score, h.parts FROM health_scores h \
             WHERE h.day = (SELECT max(day) FROM health_scores x WHERE x.organization_id = h.organization_id AND x.day <= $1)",
        ).bind(day).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(org, day, score, parts)| DailyScore {
                organization: OrganizationId(org),
                day,
                score,
                parts: parts_from(&parts),
            })
            .collect())
    }

    /// Tickets of organisations created since `since`, or still active: what ticket volume
    /// and open urgent tickets are counted from.
    pub async fn ticket_facts(&self, since: Timestamp) -> Result<Vec<TicketFact>> {
        let rows: Vec<(i64, i64, i64, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT organization_id, created_at, priority, status FROM tickets WHERE organization_id IS NOT NULL AND effective_id = id \
             AND (created_at >= $1 OR status NOT IN ('resolved', 'rejected', 'deleted'))",
        ).bind(micros(since)).fetch_all(p).await)?;
        rows.into_iter()
            .map(|(org, at, priority, status)| {
                Ok(TicketFact {
                    organization: OrganizationId(org),
                    created_at: from_micros(at)?,
                    priority,
                    status,
                })
            })
            .collect()
    }

    /// When each organisation last opened a ticket.
    pub async fn last_ticket_by_organization(&self) -> Result<HashMap<OrganizationId, Timestamp>> {
        let rows: Vec<(i64, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT organization_id, max(created_at) FROM tickets WHERE organization_id IS NOT NULL GROUP BY organization_id",
        ).fetch_all(p).await)?;
        rows.into_iter()
            .map(|(org, at)| Ok((OrganizationId(org), from_micros(at)?)))
            .collect()
    }

    /// When each organisation last held a meeting (before `now`).
    pub async fn last_meeting_by_organization(
        &self,
        now: Timestamp,
    ) -> Result<HashMap<OrganizationId, Timestamp>> {
        let rows: Vec<(i64, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT organization_id, max(starts_at) FROM meetings WHERE status = 'held' AND starts_at <= $1 GROUP BY organization_id",
        ).bind(micros(now)).fetch_all(p).await)?;
        rows.into_iter()
            .map(|(org, at)| Ok((OrganizationId(org), from_micros(at)?)))
            .collect()
    }

    /// Records a rating of a ticket's resolution (the transaction that resolved it); false
    /// when that resolution was rated already (a link works once).
    pub async fn add_rating(&self, r: &Rating, resolution: i64) -> Result<bool> {
        let n = write_pool!(self, p => sqlx::query(
            "INSERT INTO ratings (ticket_id, organization_id, transaction_id, rater, rating, comment, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (ticket_id, transaction_id) DO NOTHING",
        ).bind(r.ticket).bind(r.organization.map(|o| o.0)).bind(resolution).bind(&r.rater).bind(&r.rating)
        .bind(&r.comment).bind(micros(r.created_at)).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// The resolutions (transaction ids) of a ticket that were rated.
    pub async fn ratings_of_ticket(&self, ticket: i64) -> Result<Vec<i64>> {
        Ok(
            read_pool!(self, p => sqlx::query_scalar("SELECT transaction_id FROM ratings WHERE ticket_id = $1").bind(ticket).fetch_all(p).await)?,
        )
    }

    /// Ratings given since `since`, oldest first.
    pub async fn ratings_since(&self, since: Timestamp) -> Result<Vec<Rating>> {
        let rows: Vec<(i64, Option<i64>, String, String, String, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT ticket_id, organization_id, rating, comment, rater, created_at FROM ratings WHERE created_at >= $1 ORDER BY created_at, id",
        ).bind(micros(since)).fetch_all(p).await)?;
        rows.into_iter()
            .map(|(ticket, org, rating, comment, rater, at)| {
                Ok(Rating {
                    ticket,
                    organization: org.map(OrganizationId),
                    rating,
                    comment,
                    rater,
                    created_at: from_micros(at)?,
                })
            })
            .collect()
    }
}
