//! Reading tickets: one or many (in batches), an organisation's tickets in a period, a
//! ticket's history and transactions, attachments, and a replay to check the state row.

use jiff::Timestamp;
use varde_core::ticket::history::{Transaction, replay};
use varde_core::ticket::{Ticket, TicketId};

use super::{AttachmentInfo, HistoryEntry, TICKET_COLUMNS, TicketRow, load_ticket};
use crate::change_codec::decode;
use crate::{Result, Store, StoreError, from_micros, micros, read_pool};

impl Store {
    /// The ticket with this number, as stored (a merged ticket is returned as it is; follow
    /// `effective_id` to the survivor).
    pub async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>> {
        let p = match &self.engine {
            crate::Engine::Sqlite { readers, .. } => return load_embedded(readers, id),
            crate::Engine::Postgres(p) => p,
        };
        let mut conn = p.acquire().await?;
        Ok(load_ticket!(conn, id.0, ""))
    }

    /// An organisation's first `limit` tickets (merged ones left out), oldest first.
    pub async fn first_tickets_of(
        &self,
        org: varde_core::ids::OrganizationId,
        limit: i64,
    ) -> Result<Vec<TicketId>> {
        let ids: Vec<i64> = read_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM tickets WHERE organization_id = $1 AND effective_id = id ORDER BY id LIMIT $2",
        ).bind(org.0).bind(limit).fetch_all(p).await)?;
        Ok(ids.into_iter().map(TicketId).collect())
    }

    /// An organisation's tickets, the most recently changed first (merged ones left out); with
    /// `theirs`, only those that account asked for or is copied on.
    pub async fn recent_tickets_of(
        &self,
        org: varde_core::ids::OrganizationId,
        theirs: Option<varde_core::ids::UserId>,
        limit: i64,
    ) -> Result<Vec<TicketId>> {
        let only = if theirs.is_some() {
            format!(" AND {}", crate::ticket_search::theirs_clause("$3"))
        } else {
            " AND $3 = $3".into()
        };
        let sql = format!(
            "SELECT t.id FROM tickets t WHERE t.organization_id = $1 AND t.effective_id = t.id{only} \
             ORDER BY t.last_updated_at DESC, t.id DESC LIMIT $2"
        );
        let ids: Vec<i64> = read_pool!(self, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .bind(org.0).bind(limit).bind(theirs.map_or(0, |u| u.0)).fetch_all(p).await)?;
        Ok(ids.into_iter().map(TicketId).collect())
    }

    /// The tickets of an organisation that were open at some time in `[from, until)`: created
    /// before `until`, and not resolved before `from`. Merged tickets count as the survivor.
    pub async fn tickets_of_organization_between(
        &self,
        org: varde_core::ids::OrganizationId,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<TicketId>> {
        let ids: Vec<i64> = read_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM tickets WHERE organization_id = $1 AND effective_id = id AND created_at < $3 \
             AND (resolved_at IS NULL OR resolved_at >= $2 OR status NOT IN ('resolved', 'rejected', 'deleted')) ORDER BY id",
        ).bind(org.0).bind(micros(from)).bind(micros(until)).fetch_all(p).await)?;
        Ok(ids.into_iter().map(TicketId).collect())
    }

    /// The organisations with a ticket open at some time in `[from, until)`.
    pub async fn organizations_with_tickets_between(
        &self,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<varde_core::ids::OrganizationId>> {
        let ids: Vec<i64> = read_pool!(self, p => sqlx::query_scalar(
            "SELECT DISTINCT organization_id FROM tickets WHERE organization_id IS NOT NULL AND effective_id = id AND created_at < $2 \
             AND (resolved_at IS NULL OR resolved_at >= $1 OR status NOT IN ('resolved', 'rejected', 'deleted')) ORDER BY organization_id",
        ).bind(micros(from)).bind(micros(until)).fetch_all(p).await)?;
        Ok(ids
            .into_iter()
            .map(varde_core::ids::OrganizationId)
            .collect())
    }

    /// Tickets by id, in the order given; unknown ids are skipped. Loaded in batches (four
    /// queries per 500 tickets), so listing thousands of tickets stays cheap.
    pub async fn tickets(&self, ids: &[TicketId]) -> Result<Vec<Ticket>> {
        use std::collections::HashMap;
        let style = self.placeholders();
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let list = (1..=chunk.len())
                .map(|i| style.nth(i))
                .collect::<Vec<_>>()
                .join(",");
            let rows_sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id IN ({list})");
            let watchers_sql = format!(
                "SELECT ticket_id, role, address FROM ticket_watchers WHERE ticket_id IN ({list}) ORDER BY ticket_id, role, position"
            );
            let cfs_sql = format!(
                "SELECT ticket_id, name, value FROM ticket_custom_fields WHERE ticket_id IN ({list}) ORDER BY ticket_id, name, position"
            );
            let links_sql = format!(
                "SELECT ticket_id, kind, target FROM ticket_links WHERE ticket_id IN ({list})"
            );
            let (rows, watchers, cfs, links): TicketBatch = read_pool!(self, p => {
                let mut q1 = sqlx::query_as::<_, TicketRow>(sqlx::AssertSqlSafe(rows_sql));
                let mut q2 = sqlx::query_as::<_, (i64, String, String)>(sqlx::AssertSqlSafe(watchers_sql));
                let mut q3 = sqlx::query_as::<_, (i64, String, String)>(sqlx::AssertSqlSafe(cfs_sql));
                let mut q4 = sqlx::query_as::<_, (i64, String, i64)>(sqlx::AssertSqlSafe(links_sql));
                for id in chunk {
                    q1 = q1.bind(id.0);
                    q2 = q2.bind(id.0);
                    q3 = q3.bind(id.0);
                    q4 = q4.bind(id.0);
                }
                (q1.fetch_all(p).await?, q2.fetch_all(p).await?, q3.fetch_all(p).await?, q4.fetch_all(p).await?)
            });
            let mut w: HashMap<i64, Vec<(String, String)>> = HashMap::new();
            for (t, role, address) in watchers {
                w.entry(t).or_default().push((role, address));
            }
            let mut c: HashMap<i64, Vec<(String, String)>> = HashMap::new();
            for (t, name, value) in cfs {
                c.entry(t).or_default().push((name, value));
            }
            let mut l: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
            for (t, kind, target) in links {
                l.entry(t).or_default().push((kind, target));
            }
            let mut by_id: HashMap<i64, Ticket> = HashMap::new();
            for row in rows {
                let id = row.id;
                let t = row.into_ticket(
                    w.remove(&id).unwrap_or_default(),
                    c.remove(&id).unwrap_or_default(),
                    l.remove(&id).unwrap_or_default(),
                )?;
                by_id.insert(id, t);
            }
            out.extend(chunk.iter().filter_map(|id| by_id.remove(&id.0)));
        }
        Ok(out)
    }

    /// The whole history of a ticket, oldest first, with attachments and text content. As in
    /// RT, the history of a ticket that others were merged into includes theirs, in time
    /// (an import writes one ticket's history after another's), and at the same instant the
    /// merged ticket's first, as RT records a merge; each entry names the ticket it was
    /// recorded on.
    ///
    /// Both reads find the merged tickets through `tickets_merged_into` (the ticket's own
    /// rows by key): an `OR` across `id` and `effective_id` scanned every ticket, 40 ms a read
    /// at 100,000 tickets on SQLite.
    pub async fn history(&self, id: TicketId) -> Result<Vec<HistoryEntry>> {
        let rows: Vec<(i64, i64, i64, String, i64, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, ticket_id, at, creator, time_taken, change FROM transactions \
             WHERE ticket_id = $1 OR ticket_id IN (SELECT id FROM tickets WHERE effective_id = $1 AND effective_id <> id) \
             ORDER BY at, CASE WHEN ticket_id = $1 THEN 1 ELSE 0 END, id",
        ).bind(id.0).fetch_all(p).await)?;
        let atts: Vec<(i64, i64, String, String, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT a.id, a.transaction_id, a.filename, a.content_type, a.size FROM attachments a \
             JOIN transactions x ON x.id = a.transaction_id \
             WHERE x.ticket_id = $1 OR x.ticket_id IN (SELECT id FROM tickets WHERE effective_id = $1 AND effective_id <> id) ORDER BY a.id",
        ).bind(id.0).fetch_all(p).await)?;
        let mut out = Vec::with_capacity(rows.len());
        for (txid, ticket, at, creator, time_taken, change) in rows {
            let attachments: Vec<AttachmentInfo> = atts
                .iter()
                .filter(|a| a.1 == txid)
                .map(|a| AttachmentInfo {
                    id: a.0,
                    transaction_id: a.1,
                    filename: a.2.clone(),
                    content_type: a.3.clone(),
                    size: a.4,
                })
                .collect();
            let content = match attachments
                .iter()
                .find(|a| a.content_type.starts_with("text/"))
            {
                Some(a) => String::from_utf8_lossy(
                    &self.attachment_content(a.id).await?.unwrap_or_default(),
                )
                .into_owned(),
                None => String::new(),
            };
            out.push(HistoryEntry {
                transaction: Transaction {
                    id: txid,
                    ticket: TicketId(ticket),
                    at: from_micros(at)?,
                    creator,
                    time_taken,
                    change: decode(&change)?,
                },
                attachments,
                content,
            });
        }
        Ok(out)
    }

    /// The transactions recorded on each of `ids` (its own, not those of tickets merged into
    /// it), oldest first, without attachments: what SLA clocks and reports replay. Read in
    /// batches of 500 tickets.
    pub async fn transactions_of(
        &self,
        ids: &[TicketId],
    ) -> Result<std::collections::HashMap<TicketId, Vec<Transaction>>> {
        let style = self.placeholders();
        let mut out: std::collections::HashMap<TicketId, Vec<Transaction>> =
            std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let list = (1..=chunk.len())
                .map(|i| style.nth(i))
                .collect::<Vec<_>>()
                .join(",");
            let sql = format!(
                "SELECT id, ticket_id, at, creator, time_taken, change FROM transactions WHERE ticket_id IN ({list}) ORDER BY ticket_id, id"
            );
            let rows: Vec<(i64, i64, i64, String, i64, String)> = read_pool!(self, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(id.0);
                }
                q.fetch_all(p).await?
            });
            for (txid, ticket, at, creator, time_taken, change) in rows {
                out.entry(TicketId(ticket)).or_default().push(Transaction {
                    id: txid,
                    ticket: TicketId(ticket),
                    at: from_micros(at)?,
                    creator,
                    time_taken,
                    change: decode(&change)?,
                });
            }
        }
        Ok(out)
    }

    /// One transaction with its attachments.
    pub async fn transaction(&self, txid: i64) -> Result<Option<HistoryEntry>> {
        let ticket: Option<i64> = read_pool!(self, p => sqlx::query_scalar("SELECT ticket_id FROM transactions WHERE id = $1").bind(txid).fetch_optional(p).await)?;
        let Some(ticket) = ticket else {
            return Ok(None);
        };
        Ok(self
            .history(TicketId(ticket))
            .await?
            .into_iter()
            .find(|e| e.transaction.id == txid))
    }

    pub async fn attachment(&self, id: i64) -> Result<Option<(AttachmentInfo, TicketId)>> {
        let row: Option<(i64, i64, String, String, i64, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT a.id, a.transaction_id, a.filename, a.content_type, a.size, t.ticket_id FROM attachments a \
             JOIN transactions t ON t.id = a.transaction_id WHERE a.id = $1",
        ).bind(id).fetch_optional(p).await)?;
        Ok(row.map(|r| {
            (
                AttachmentInfo {
                    id: r.0,
                    transaction_id: r.1,
                    filename: r.2,
                    content_type: r.3,
                    size: r.4,
                },
                TicketId(r.5),
            )
        }))
    }

    pub async fn attachment_content(&self, id: i64) -> Result<Option<Vec<u8>>> {
        Ok(read_pool!(self, p => sqlx::query_scalar(
            "SELECT b.content FROM attachments a JOIN blobs b ON b.sha256 = a.blob_sha256 WHERE a.id = $1",
        ).bind(id).fetch_optional(p).await)?)
    }

    /// Rebuilds a ticket from its stored history, to check the state row against it.
    pub async fn replay_ticket(&self, id: TicketId) -> Result<Ticket> {
        let history: Vec<Transaction> = self
            .history(id)
            .await?
            .into_iter()
            .map(|e| e.transaction)
            .collect();
        replay(&history).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    pub async fn count_tickets(&self) -> Result<i64> {
        Ok(
            read_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM tickets").fetch_one(p).await)?,
        )
    }
}

/// The four row sets a batch of tickets is built from.
type TicketBatch = (
    Vec<TicketRow>,
    Vec<(i64, String, String)>,
    Vec<(i64, String, String)>,
    Vec<(i64, String, i64)>,
);

/// [`Store::ticket`] on the embedded engine: its four reads in one read transaction on the
/// caller's thread (see [`crate::embedded`]).
fn load_embedded(readers: &crate::embedded::Readers, id: TicketId) -> Result<Option<Ticket>> {
    use super::{CUSTOM_FIELDS_OF, LINKS_OF, WATCHERS_OF};
    use crate::embedded::select;
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1");
    let key = [id.0.into()];
    let found = readers.read_together(|c| {
        let Some(row) = select::<TicketRow>(c, &sql, &key, 1)?.into_iter().next() else {
            return Ok(None);
        };
        let watchers = select(c, WATCHERS_OF, &key, usize::MAX)?;
        let cfs = select(c, CUSTOM_FIELDS_OF, &key, usize::MAX)?;
        let links = select(c, LINKS_OF, &key, usize::MAX)?;
        Ok(Some((row, watchers, cfs, links)))
    })?;
    found
        .map(|(row, watchers, cfs, links)| row.into_ticket(watchers, cfs, links))
        .transpose()
}
