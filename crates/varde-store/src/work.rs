//! What the background workers have waiting, for `/metrics`: per queue, how many items are
//! due and how long the oldest of them has been due. Every node reads the same numbers.

use jiff::Timestamp;

use crate::{Result, Store, micros, read_pool};

/// One worker's queue: due items and the age of the oldest, in seconds (0 when none).
#[derive(Clone, Debug, PartialEq)]
pub struct Waiting {
    pub queue: &'static str,
    pub due: i64,
    pub oldest_seconds: f64,
}

/// Each queue: its name, and the SQL counting what is due at `$1` and the earliest due time.
const QUEUES: [(&str, &str); 5] = [
    (
        "outbox",
        "SELECT count(*), min(next_attempt_at) FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1",
    ),
    (
        "letters",
        "SELECT count(*), min(next_attempt_at) FROM letters WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1",
    ),
    (
        "status_notifications",
        "SELECT count(*), min(next_attempt_at) FROM status_notifications WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1",
    ),
    (
        "status_fanouts",
        "SELECT count(*), min(created_at) FROM status_fanouts WHERE done_at IS NULL AND created_at <= $1",
    ),
    (
        "sla_alerts",
        "SELECT count(*), min(deliver_at) FROM sla_alerts WHERE status IN ('pending', 'sending') AND deliver_at <= $1",
    ),
];

impl Store {
    /// What every worker has due at `now`.
    pub async fn work_waiting(&self, now: Timestamp) -> Result<Vec<Waiting>> {
        let now = micros(now);
        let mut out = Vec::with_capacity(QUEUES.len());
        for (queue, sql) in QUEUES {
            let (due, oldest): (i64, Option<i64>) =
                read_pool!(self, p => sqlx::query_as(sql).bind(now).fetch_one(p).await)?;
            out.push(Waiting {
                queue,
                due,
                oldest_seconds: oldest.map_or(0.0, |o| (now - o).max(0) as f64 / 1e6),
            });
        }
        Ok(out)
    }
}
