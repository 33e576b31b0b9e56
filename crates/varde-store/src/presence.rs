//! Who has a ticket open in the console (`varde_core::presence`).

use jiff::Timestamp;
use varde_core::presence::Present;

use crate::{Result, Store, from_micros, micros, write_pool};

impl Store {
    /// Records that `me` has ticket `ticket` open (and whether they are writing on it), forgets
    /// looks older than `since`, and gives everyone on the ticket now, `me` included: one
    /// transaction.
    pub async fn tell_presence(
        &self,
        ticket: i64,
        me: &Present,
        since: Timestamp,
    ) -> Result<Vec<Present>> {
        let rows: Vec<(String, String, bool, i64)> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query(
                "INSERT INTO ticket_presence (ticket_id, email, name, writing, seen_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (ticket_id, email) DO UPDATE SET name = excluded.name, writing = excluded.writing, seen_at = excluded.seen_at",
            )
            .bind(ticket).bind(&me.email).bind(&me.name).bind(me.writing).bind(micros(me.at))
            .execute(&mut *tx).await?;
            // Every ticket's old looks, not only this one's: nothing else sweeps them.
            sqlx::query("DELETE FROM ticket_presence WHERE seen_at < $1")
                .bind(micros(since)).execute(&mut *tx).await?;
            let rows = sqlx::query_as("SELECT email, name, writing, seen_at FROM ticket_presence WHERE ticket_id = $1")
                .bind(ticket).fetch_all(&mut *tx).await?;
            tx.commit().await?;
            rows
        });
        rows.into_iter()
            .map(|(email, name, writing, at)| {
                Ok(Present {
                    email,
                    name,
                    writing,
                    at: from_micros(at)?,
                })
            })
            .collect()
    }
}
