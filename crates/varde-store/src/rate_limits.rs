//! The tries counted for every node alike (`varde_core::limits`): one row per key.

use jiff::Timestamp;
use varde_core::limits::Try;

use crate::{Result, Store, micros, write_pool};

/// Moves a key's arrival time one interval on, unless that would run further ahead of now than
/// the quota's burst allows; a row comes back only when the try is allowed. One statement, so
/// two nodes counting the same key at once both count (the row is locked while it moves).
const SPEND: &str = "INSERT INTO rate_limits (key, tat) VALUES ($1, $2 + $3) \
     ON CONFLICT (key) DO UPDATE SET tat = (CASE WHEN rate_limits.tat > $2 THEN rate_limits.tat ELSE $2 END) + $3 \
     WHERE (CASE WHEN rate_limits.tat > $2 THEN rate_limits.tat ELSE $2 END) + $3 - $2 <= $4 \
     RETURNING tat";

impl Store {
    /// Counts one try of each of `tries` at `now`; true when every one was still allowed.
    /// A refused try moves no key (the transaction is rolled back), so waiting out the
    /// interval always helps, and a caller stopped by one limit does not spend another's.
    pub async fn spend_tries(&self, tries: &[Try], now: Timestamp) -> Result<bool> {
        let now = micros(now);
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let mut allowed = true;
            for t in tries {
                let moved: Option<i64> = sqlx::query_scalar(SPEND)
                    .bind(&t.key)
                    .bind(now)
                    .bind(t.quota.interval.as_micros() as i64)
                    .bind(t.quota.tolerance().as_micros() as i64)
                    .fetch_optional(&mut *tx)
                    .await?;
                allowed &= moved.is_some();
            }
            if allowed {
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            Ok(allowed)
        })
    }

    /// Sweeps keys whose arrival time has passed (they allow a full burst, as no row does).
    pub async fn forget_spent_tries(&self, now: Timestamp) -> Result<u64> {
        write_pool!(self, p => {
            Ok(sqlx::query("DELETE FROM rate_limits WHERE tat < $1")
                .bind(micros(now))
                .execute(p)
                .await?
                .rows_affected())
        })
    }
}
