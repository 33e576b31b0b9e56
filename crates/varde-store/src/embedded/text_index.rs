//! Text waiting to be indexed (`migrations/sqlite/0038_text_to_index.sql`): on SQLite a
//! ticket's subject and text go to `text_to_index` as they are written, one row, instead of
//! nine pages of the two full-text indexes; the waiting text is indexed many tickets at once,
//! by the writer every [`COMMITS_BETWEEN`] commits (its own, and the writes through sqlx's
//! connection that leave text) inside the transaction it commits anyway, and before a search
//! that reads the indexes ([`crate::Store::index_waiting_text`]), so a search finds everything
//! written before it. PostgreSQL indexes text as it is written.

use crate::{Engine, Result, Store, StoreError};

/// Commits of the writer between two indexings of the waiting text.
pub(crate) const COMMITS_BETWEEN: u32 = 64;

/// Indexes the waiting subjects (as the tickets now read) and texts, and empties the wait.
pub(crate) const INDEX_WAITING: [&str; 3] = [
    "INSERT INTO ticket_subjects (rowid, subject) SELECT t.id, t.subject FROM tickets t \
     WHERE t.id IN (SELECT ticket_id FROM text_to_index WHERE body IS NULL)",
    "INSERT INTO ticket_text (ticket_id, body) SELECT ticket_id, body FROM text_to_index \
     WHERE body IS NOT NULL ORDER BY id",
    "DELETE FROM text_to_index",
];

impl Store {
    /// After a write through sqlx's connection that may have left text waiting (a reply, a
    /// comment): counted with the writer's commits, so the waiting text is indexed every
    /// [`COMMITS_BETWEEN`] writes of either kind. A failure only leaves the text waiting.
    pub(crate) async fn text_written(&self) {
        if let Engine::Sqlite { writer, .. } = &self.engine
            && writer.text_written()
        {
            self.index_waiting_text_or_warn().await;
        }
    }

    /// [`Self::index_waiting_text`] where its failure must not fail the caller: the text
    /// keeps waiting, and the next search or the writer's next round indexes it.
    pub(crate) async fn index_waiting_text_or_warn(&self) {
        if let Err(e) = self.index_waiting_text().await {
            tracing::warn!(error = %e, "the waiting text was not indexed; it waits for the next time");
        }
    }

    /// Indexes the text that waits to be (SQLite), so what was written before is found; a
    /// read when nothing waits.
    pub(crate) async fn index_waiting_text(&self) -> Result<()> {
        let Engine::Sqlite {
            readers, writer, ..
        } = &self.engine
        else {
            return Ok(());
        };
        let waiting: bool = readers.read(|c| {
            c.query_row("SELECT EXISTS (SELECT 1 FROM text_to_index)", [], |r| {
                r.get(0)
            })
        })?;
        if waiting {
            let statements = INDEX_WAITING.iter().map(|s| (s.to_string(), vec![]));
            writer
                .commit(statements.collect())
                .await
                .map_err(StoreError::from)?;
        }
        Ok(())
    }
}
