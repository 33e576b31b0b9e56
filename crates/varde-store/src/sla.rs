//! SLA policies as administrators edit them. Every save is a new version; the example policy
//! of each tier (in `varde_core::sla`) is version 1 until the first save. A ticket is held to
//! the version in force when it was created, so its clock can always be replayed.

use jiff::{SignedDuration, Timestamp};
use varde_core::catalogue::SupportTier;
use varde_core::sla::{Policy, Targets};
use varde_core::ticket::lifecycle::Status;

use crate::{Result, Store, StoreError, from_micros, micros, read_pool, write_pool};

/// One saved version, with who saved it and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyVersion {
    pub policy: Policy,
    pub note: String,
    pub created_by: String,
    pub created_at: Timestamp,
}

fn encode(p: &Policy) -> String {
    let rows: Vec<[i64; 3]> = p
        .targets
        .iter()
        .map(|t| {
            [
                t.first_response.as_mins(),
                t.next_response.as_mins(),
                t.resolution.as_mins(),
            ]
        })
        .collect();
    serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into())
}

fn decode(
    tier: SupportTier,
    version: i64,
    targets: &str,
    pauses: &str,
    calendar: String,
) -> Result<Policy> {
    let rows: Vec<[i64; 3]> = serde_json::from_str(targets)
        .map_err(|e| StoreError::Corrupt(format!("SLA targets: {e}")))?;
    if rows.len() != 4 {
        return Err(StoreError::Corrupt(
            "SLA targets: four classes expected".into(),
        ));
    }
    let mut out = Policy::example(tier).targets;
    for (slot, [f, n, r]) in out.iter_mut().zip(rows) {
        *slot = Targets {
            first_response: SignedDuration::from_mins(f),
            next_response: SignedDuration::from_mins(n),
            resolution: SignedDuration::from_mins(r),
        };
    }
    let pause_statuses = pauses
        .split_whitespace()
        .map(Status::parse)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| StoreError::Corrupt(e.0))?;
    Ok(Policy {
        tier,
        version: version as u32,
        targets: out,
        pause_statuses,
        calendar,
    })
}

impl Store {
    /// Saves `policy` as the tier's next version and gives it back with its number.
    pub async fn save_policy(
        &self,
        policy: &Policy,
        note: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<Policy> {
        let tier = policy.tier;
        let pauses = policy
            .pause_statuses
            .iter()
            .map(|s| s.code())
            .collect::<Vec<_>>()
            .join(" ");
        let version: i64 = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            // Version 1 is the example; the first saved version is 2.
            let version: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 1) + 1 FROM sla_policies WHERE tier = $1")
                .bind(tier.code())
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO sla_policies (tier, version, targets, pause_statuses, note, created_by, created_at, calendar) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(tier.code())
                .bind(version)
                .bind(encode(policy))
                .bind(&pauses)
                .bind(note.trim())
                .bind(by)
                .bind(micros(now))
                .bind(&policy.calendar)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            version
        });
        Ok(Policy {
            version: version as u32,
            ..policy.clone()
        })
    }

    /// The tier's saved versions, newest first (the example, version 1, is not listed).
    pub async fn policy_versions(&self, tier: SupportTier) -> Result<Vec<PolicyVersion>> {
        let rows: Vec<(i64, String, String, String, String, i64, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT version, targets, pause_statuses, note, created_by, created_at, calendar FROM sla_policies WHERE tier = $1 ORDER BY version DESC",
        ).bind(tier.code()).fetch_all(p).await)?;
        rows.into_iter()
            .map(|(v, t, ps, note, by, at, calendar)| {
                Ok(PolicyVersion {
                    policy: decode(tier, v, &t, &ps, calendar)?,
                    note,
                    created_by: by,
                    created_at: from_micros(at)?,
                })
            })
            .collect()
    }

    /// The support tier an organisation's tickets are held to on `day`: its entitlements,
    /// and base for a ticket without an organisation or with an entitlement problem.
    pub async fn support_tier(
        &self,
        org: Option<varde_core::ids::OrganizationId>,
        day: jiff::civil::Date,
    ) -> Result<SupportTier> {
        let Some(o) = org else {
            return Ok(SupportTier::Base);
        };
        let contracts = self.contracts_of(o).await?;
        Ok(
            varde_core::entitlements::entitlements_on(contracts.iter().map(|c| &c.details), day)
                .map(|e| e.tier)
                .unwrap_or(SupportTier::Base),
        )
    }

    /// The version in force at `at`: the newest saved at or before it, else the example.
    pub async fn policy_in_force(&self, tier: SupportTier, at: Timestamp) -> Result<Policy> {
        let row: Option<(i64, String, String, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT version, targets, pause_statuses, calendar FROM sla_policies WHERE tier = $1 AND created_at <= $2 ORDER BY version DESC LIMIT 1",
        ).bind(tier.code()).bind(micros(at)).fetch_optional(p).await)?;
        match row {
            Some((v, t, ps, calendar)) => decode(tier, v, &t, &ps, calendar),
            None => Ok(Policy::example(tier)),
        }
    }
}

/// Among a tier's versions (newest first, as `policy_versions` gives them), the one in
/// force at `at`, else the example: `policy_in_force` without a query per ticket.
pub fn in_force(versions: &[PolicyVersion], tier: SupportTier, at: Timestamp) -> Policy {
    versions
        .iter()
        .find(|v| v.created_at <= at)
        .map(|v| v.policy.clone())
        .unwrap_or_else(|| Policy::example(tier))
}

/// An SLA alert to send, or sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlaAlert {
    pub id: i64,
    pub ticket: i64,
    /// `first_response`, `next_response` or `resolution`.
    pub target: String,
    pub due: Timestamp,
    /// `warning` or `breach`.
    pub kind: String,
    pub recipient: String,
    /// pending | sent | failed
    pub status: String,
    pub attempts: i64,
    pub deliver_at: Timestamp,
    pub last_error: String,
}

type AlertRow = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    String,
    i64,
    i64,
    String,
);

fn alert(r: AlertRow) -> Result<SlaAlert> {
    Ok(SlaAlert {
        id: r.0,
        ticket: r.1,
        target: r.2,
        due: from_micros(r.3)?,
        kind: r.4,
        recipient: r.5,
        status: r.6,
        attempts: r.7,
        deliver_at: from_micros(r.8)?,
        last_error: r.9,
    })
}

const ALERT_COLUMNS: &str =
    "id, ticket_id, target, due_at, kind, recipient, status, attempts, deliver_at, last_error";

/// A new alert: which ticket, target, due time and kind, to whom, from when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAlert {
    pub ticket: i64,
    pub target: &'static str,
    pub due: Timestamp,
    pub kind: &'static str,
    pub recipient: String,
    pub deliver_at: Timestamp,
}

impl Store {
    /// Records alerts; one already recorded is left as it is. Gives how many were new.
    pub async fn record_sla_alerts(&self, alerts: &[NewAlert], now: Timestamp) -> Result<u64> {
        if alerts.is_empty() {
            return Ok(0);
        }
        let n: u64 = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let mut n = 0;
            for a in alerts {
                n += sqlx::query(
                    "INSERT INTO sla_alerts (ticket_id, target, due_at, kind, recipient, deliver_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (ticket_id, target, due_at, kind, recipient) DO NOTHING",
                )
                .bind(a.ticket)
                .bind(a.target)
                .bind(micros(a.due))
                .bind(a.kind)
                .bind(&a.recipient)
                .bind(micros(a.deliver_at))
                .bind(micros(now))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            n
        });
        Ok(n)
    }

    /// Claims the alerts whose time has come and that are not sent yet (oldest first), for
    /// two minutes: another node sees them again only if this one dies first.
    pub async fn claim_sla_alerts(&self, now: Timestamp, limit: i64) -> Result<Vec<SlaAlert>> {
        let lock = if self.engine() == "postgres" {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE sla_alerts SET status = 'sending', claimed_until = $1 WHERE id IN ( \
               SELECT id FROM sla_alerts WHERE (status = 'pending' AND deliver_at <= $2) \
               OR (status = 'sending' AND claimed_until < $2) ORDER BY id LIMIT $3{lock}) \
             RETURNING {ALERT_COLUMNS}"
        );
        let rows: Vec<AlertRow> = write_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(micros(now) + 120_000_000).bind(micros(now)).bind(limit).fetch_all(p).await)?;
        let mut alerts = rows.into_iter().map(alert).collect::<Result<Vec<_>>>()?;
        alerts.sort_by_key(|a| a.id);
        Ok(alerts)
    }

    /// Gives a claimed alert back untried (its channel is not configured yet).
    pub async fn release_sla_alert(&self, id: i64) -> Result<()> {
        write_pool!(self, p => sqlx::query(
            "UPDATE sla_alerts SET status = 'pending', claimed_until = NULL WHERE id = $1 AND status = 'sending'",
        ).bind(id).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Records a delivery: sent, or tried again a minute later (failed after 10 tries).
    pub async fn finish_sla_alert(
        &self,
        id: i64,
        error: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        write_pool!(self, p => sqlx::query(
            "UPDATE sla_alerts SET attempts = attempts + 1, last_error = $1, \
             status = CASE WHEN $2 THEN 'sent' WHEN attempts + 1 >= 10 THEN 'failed' ELSE 'pending' END, claimed_until = NULL, \
             deliver_at = CASE WHEN $2 THEN deliver_at ELSE $3 END, \
             finished_at = CASE WHEN $2 OR attempts + 1 >= 10 THEN $4 ELSE NULL END WHERE id = $5",
        )
        .bind(error.unwrap_or(""))
        .bind(error.is_none())
        .bind(micros(now) + 60_000_000)
        .bind(micros(now))
        .bind(id)
        .execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// A ticket's alerts, newest first (for its page).
    pub async fn sla_alerts_of(&self, ticket: i64) -> Result<Vec<SlaAlert>> {
        let sql =
            format!("SELECT {ALERT_COLUMNS} FROM sla_alerts WHERE ticket_id = $1 ORDER BY id DESC");
        let rows: Vec<AlertRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(ticket).fetch_all(p).await)?;
        rows.into_iter().map(alert).collect()
    }

    /// Sets who is on call for a queue (empty strings: nobody of its own).
    pub async fn set_queue_on_call(&self, queue_id: i64, email: &str, phone: &str) -> Result<()> {
        write_pool!(self, p => sqlx::query(
            "INSERT INTO queue_on_call (queue_id, email, phone) VALUES ($1, $2, $3) \
             ON CONFLICT (queue_id) DO UPDATE SET email = excluded.email, phone = excluded.phone",
        ).bind(queue_id).bind(email.trim()).bind(phone.trim()).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Who is on call, by queue name: (e-mail, phone), either possibly empty.
    pub async fn queue_on_call(
        &self,
    ) -> Result<std::collections::HashMap<String, (String, String)>> {
        let rows: Vec<(String, String, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT q.name, o.email, o.phone FROM queue_on_call o JOIN queues q ON q.id = o.queue_id",
        ).fetch_all(p).await)?;
        Ok(rows.into_iter().map(|(q, e, p)| (q, (e, p))).collect())
    }

    /// The tickets whose SLA clocks run, with when each last changed (µs).
    pub async fn running_tickets_changed(
        &self,
    ) -> Result<Vec<(varde_core::ticket::TicketId, i64)>> {
        let rows: Vec<(i64, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, last_updated_at FROM tickets WHERE effective_id = id AND status IN ('new', 'open', 'stalled') ORDER BY id",
        ).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, at)| (varde_core::ticket::TicketId(id), at))
            .collect())
    }

    /// The tickets changed at or after `since`: each with its `last_updated_at` (micros) and
    /// whether its clock runs (active and not merged away). What changed since a reading of
    /// every running clock.
    pub async fn tickets_changed_since(
        &self,
        since: Timestamp,
    ) -> Result<Vec<(varde_core::ticket::TicketId, i64, bool)>> {
        let rows: Vec<(i64, i64, bool)> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, last_updated_at, (effective_id = id AND status IN ('new', 'open', 'stalled')) FROM tickets WHERE last_updated_at >= $1 ORDER BY id",
        ).bind(micros(since)).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, at, running)| (varde_core::ticket::TicketId(id), at, running))
            .collect())
    }

    /// A fingerprint of what decides which SLA policy a ticket is held to, besides the
    /// ticket itself: contracts (and their lines) and saved policy versions. When it
    /// changes, every clock must be read again.
    pub async fn sla_inputs_stamp(&self) -> Result<String> {
        let (contracts, changed, lines, policies): (i64, Option<i64>, i64, i64) = read_pool!(self, p => sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM contracts), (SELECT MAX(updated_at) FROM contracts), \
                    (SELECT COUNT(*) FROM product_lines), (SELECT COUNT(*) FROM sla_policies)",
        ).fetch_one(p).await)?;
        Ok(format!(
            "{contracts}/{}/{lines}/{policies}",
            changed.unwrap_or(0)
        ))
    }

    /// The tickets whose SLA clocks run: active and not merged away.
    pub async fn running_tickets(&self) -> Result<Vec<varde_core::ticket::TicketId>> {
        let ids: Vec<i64> = read_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM tickets WHERE effective_id = id AND status IN ('new', 'open', 'stalled') ORDER BY id",
        ).fetch_all(p).await)?;
        Ok(ids.into_iter().map(varde_core::ticket::TicketId).collect())
    }
}
