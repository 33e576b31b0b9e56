//! What the background workers have waiting, for `/metrics`: per queue, how many items are
//! due and how long the oldest of them has been due. Every node reads the same numbers.
//! And how far the installation's data has moved on, for views derived from much of it.

use jiff::Timestamp;

use crate::{Result, Store, micros, read_pool};

/// One worker's queue: due items and the age of the oldest, in seconds (0 when none); and
/// how long the oldest item tried at least once and still not delivered has waited since it
/// was queued (a retry moves an item's due time on, so only this grows while a relay refuses).
#[derive(Clone, Debug, PartialEq)]
pub struct Waiting {
    pub queue: &'static str,
    pub due: i64,
    pub oldest_seconds: f64,
    pub oldest_failing_seconds: f64,
}

/// Each queue: its name, and the SQL counting what is due at `$1`, the earliest due time, and
/// the earliest queuing time of an item tried and not delivered (an SLA alert's: when it was
/// due, as an owner's waits for office hours).
const QUEUES: [(&str, &str); 5] = [
    (
        "outbox",
        "SELECT count(*) FILTER (WHERE next_attempt_at <= $1), min(next_attempt_at) FILTER (WHERE next_attempt_at <= $1), min(created_at) FILTER (WHERE attempts > 0) FROM outbox WHERE status IN ('pending', 'sending')",
    ),
    (
        "letters",
        "SELECT count(*) FILTER (WHERE next_attempt_at <= $1), min(next_attempt_at) FILTER (WHERE next_attempt_at <= $1), min(created_at) FILTER (WHERE attempts > 0) FROM letters WHERE status IN ('pending', 'sending')",
    ),
    (
        "status_notifications",
        "SELECT count(*) FILTER (WHERE next_attempt_at <= $1), min(next_attempt_at) FILTER (WHERE next_attempt_at <= $1), min(created_at) FILTER (WHERE attempts > 0) FROM status_notifications WHERE status IN ('pending', 'sending')",
    ),
    (
        "status_fanouts",
        "SELECT count(*), min(created_at), CAST(NULL AS BIGINT) FROM status_fanouts WHERE done_at IS NULL AND created_at <= $1",
    ),
    (
        "sla_alerts",
        "SELECT count(*) FILTER (WHERE deliver_at <= $1), min(deliver_at) FILTER (WHERE deliver_at <= $1), min(deliver_at) FILTER (WHERE attempts > 0) FROM sla_alerts WHERE status IN ('pending', 'sending')",
    ),
];

impl Store {
    /// What every worker has due at `now`.
    pub async fn work_waiting(&self, now: Timestamp) -> Result<Vec<Waiting>> {
        let now = micros(now);
        let mut out = Vec::with_capacity(QUEUES.len());
        for (queue, sql) in QUEUES {
            let (due, oldest, failing): (i64, Option<i64>, Option<i64>) =
                read_pool!(self, p => sqlx::query_as(sql).bind(now).fetch_one(p).await)?;
            let age = |t: Option<i64>| t.map_or(0.0, |o| (now - o).max(0) as f64 / 1e6);
            out.push(Waiting {
                queue,
                due,
                oldest_seconds: age(oldest),
                oldest_failing_seconds: age(failing),
            });
        }
        Ok(out)
    }
}

/// The newest row of each table a quarterly report is made from (a ticket's history, the
/// audit of organisations and contracts, the status page's events, updates and component
/// changes, SLA policies, ratings, feedback): equal values, no new input since.
pub type InputsVersion = [i64; 10];

impl Store {
    /// See [`InputsVersion`]: one read of ten primary-key maxima.
    pub async fn report_inputs_version(&self) -> Result<InputsVersion> {
        let row: (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) = read_pool!(self, p => sqlx::query_as(
            "SELECT (SELECT coalesce(max(id), 0) FROM transactions), (SELECT coalesce(max(id), 0) FROM audit_events), \
             (SELECT coalesce(max(id), 0) FROM status_updates), (SELECT coalesce(max(id), 0) FROM status_component_changes), \
             (SELECT coalesce(max(id), 0) FROM status_events), (SELECT coalesce(max(id), 0) FROM status_components), \
             (SELECT count(*) FROM sla_policies), (SELECT coalesce(max(id), 0) FROM ratings), \
             (SELECT coalesce(max(id), 0) FROM roadmap_feedback), (SELECT coalesce(max(id), 0) FROM contracts)",
        ).fetch_one(p).await)?;
        Ok([
            row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9,
        ])
    }
}
