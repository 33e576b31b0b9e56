//! The writes of `varde import-rt`: Request Tracker's tickets with their own numbers, their
//! history, watchers, custom fields, links and attachments, a batch of tickets per database
//! transaction, with what was imported remembered (`rt_import_tickets`,
//! `rt_import_transactions`) so that a second run brings only what is new.
//!
//! **Architecture Invariant:** an imported ticket's state row is `replay` of its imported
//! history (and, for a ticket imported before, its stored state with the new transactions
//! applied), as for every other ticket.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use varde_core::ticket::history::{Change, Transaction, apply, replay};
use varde_core::ticket::{Ticket, TicketId};

use crate::import_rows::ImportRows;
use crate::script::bind_all;
use crate::tickets::{NewAttachment, TICKET_COLUMNS, TicketRow, load_ticket, save_ticket};
use crate::{Result, Store, StoreError, micros, read_pool, write_pool};

/// One RT transaction as Varde keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportTransaction {
    /// RT's `Transactions.id`.
    pub rt_id: i64,
    pub at: Timestamp,
    pub creator: String,
    pub time_taken: i64,
    pub change: Change,
    /// The message body first, then files.
    pub attachments: Vec<NewAttachment>,
    /// The mail's Message-ID (without angle brackets), so replies to it thread.
    pub message_id: Option<String>,
}

/// One RT ticket: its number and its whole history, oldest first, starting with its
/// creation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportTicket {
    pub id: TicketId,
    pub history: Vec<ImportTransaction>,
    /// RT's highest transaction id of this ticket, and its `LastUpdated`, as read.
    pub rt_last_transaction: i64,
    pub rt_last_updated: String,
}

/// What a batch wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub new_tickets: u64,
    pub changed_tickets: u64,
    pub transactions: u64,
    pub attachments: u64,
    /// Tickets left alone, and why.
    pub skipped: Vec<(TicketId, String)>,
}

/// Inserts the state row of a new ticket with its own number; [`save_ticket`] then writes
/// the rest of it.
macro_rules! insert_state_row {
    ($tx:expr, $t:expr) => {{
        let t: &Ticket = $t;
        sqlx::query(
            "INSERT INTO tickets (id, effective_id, queue, subject, status, creator, priority, initial_priority, final_priority, \
             time_worked, time_estimated, time_left, created_at, last_updated_at, last_updated_by) \
             VALUES ($1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(t.id.0).bind(&t.queue).bind(&t.subject).bind(t.status.code()).bind(&t.creator)
        .bind(t.priority).bind(t.initial_priority).bind(t.final_priority).bind(t.time_worked)
        .bind(t.time_estimated).bind(t.time_left).bind(micros(t.created)).bind(micros(t.last_updated))
        .bind(&t.last_updated_by)
        .execute(&mut *$tx).await?;
    }};
}

impl Store {
    /// For each ticket imported from RT: the highest RT transaction id imported.
    pub async fn rt_import_marks(&self) -> Result<HashMap<i64, i64>> {
        let rows: Vec<(i64, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT ticket_id, rt_last_transaction FROM rt_import_tickets"
        ).fetch_all(p).await)?;
        Ok(rows.into_iter().collect())
    }

    /// Of `ids`, the tickets Varde has that were not imported from RT (their numbers are
    /// taken).
    pub async fn tickets_not_imported(&self, ids: &[i64]) -> Result<Vec<i64>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT id FROM tickets WHERE id IN ({list}) AND id NOT IN (SELECT ticket_id FROM rt_import_tickets) ORDER BY id"
        );
        Ok(read_pool!(self, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
    }

    /// Writes a batch of RT tickets in one database transaction: a ticket not imported before
    /// with all its history (refused when Varde has a ticket of that number of its own), a
    /// ticket imported before with the transactions newer than the last run. New tickets are
    /// numbered after the highest ticket afterwards, on either engine. The history rows go in
    /// many to a statement ([`ImportRows`]), their transaction ids counted out beforehand.
    pub async fn import_rt_batch(
        &self,
        batch: &[ImportTicket],
        now: Timestamp,
    ) -> Result<BatchOutcome> {
        let postgres = self.engine() == "postgres";
        let lock = if postgres { " FOR UPDATE" } else { "" };
        let style = self.placeholders();
        let list = batch
            .iter()
            .map(|t| t.id.0.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let mut out = BatchOutcome::default();
        if batch.is_empty() {
            return Ok(out);
        }
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            // What was imported before, and the numbers Varde has taken: one read each.
            let marks: HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(format!(
                "SELECT ticket_id, rt_last_transaction FROM rt_import_tickets WHERE ticket_id IN ({list})"
            ))).fetch_all(&mut *tx).await?.into_iter().collect();
            let taken: HashSet<i64> = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM tickets WHERE id IN ({list})"
            ))).fetch_all(&mut *tx).await?.into_iter().collect();
            // The tickets to write, each with its state and the transactions it gets.
            let mut plan: Vec<(&ImportTicket, Option<i64>, Vec<&ImportTransaction>, Ticket)> = Vec::new();
            for it in batch {
                let id = it.id.0;
                let mark = marks.get(&id).copied();
                let fresh: Vec<&ImportTransaction> = match mark {
                    Some(m) => it.history.iter().filter(|x| x.rt_id > m).collect(),
                    None => it.history.iter().collect(),
                };
                let state: Ticket = match mark {
                    Some(_) if fresh.is_empty() => continue,
                    Some(_) => {
                        let t: Option<Ticket> = load_ticket!(tx, id, lock);
                        out.changed_tickets += 1;
                        t.ok_or(StoreError::NotFound)?
                    }
                    None if taken.contains(&id) => {
                        out.skipped.push((it.id, format!("Varde already has a ticket #{id} of its own")));
                        continue;
                    }
                    None => {
                        let t = replay(&history_of(it)).map_err(|e| StoreError::Corrupt(format!("ticket {id}: {e}")))?;
                        insert_state_row!(tx, &t);
                        out.new_tickets += 1;
                        t
                    }
                };
                plan.push((it, mark, fresh, state));
            }
            let n: i64 = plan.iter().map(|(_, _, f, _)| f.len() as i64).sum();
            let mut ids = if postgres {
                sqlx::query_scalar::<_, i64>("SELECT nextval(pg_get_serial_sequence('transactions', 'id')) FROM generate_series(1, $1)")
                    .bind(n).fetch_all(&mut *tx).await?
            } else {
                // A write first, so that no other writer can add a transaction before these.
                sqlx::query("DELETE FROM rt_import_transactions WHERE rt_id IS NULL").execute(&mut *tx).await?;
                let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM transactions").fetch_one(&mut *tx).await?;
                (last + 1..=last + n).collect()
            };
            ids.sort_unstable();
            let mut ids = ids.into_iter();
            let mut rows = ImportRows::new();
            for (it, mark, fresh, state) in &mut plan {
                for x in fresh.iter() {
                    let txid = ids.next().ok_or_else(|| StoreError::Corrupt("too few transaction ids".into()))?;
                    let extra = if matches!(x.change, Change::Create(_)) { state.subject.clone() } else { String::new() };
                    rows.add(it.id.0, txid, x, extra);
                    if mark.is_some() {
                        let t = Transaction { id: txid, ticket: it.id, at: x.at, creator: x.creator.clone(), time_taken: x.time_taken, change: x.change.clone() };
                        apply(state, &t).map_err(|e| StoreError::Corrupt(format!("ticket {}: {e}", it.id.0)))?;
                    }
                    out.transactions += 1;
                    out.attachments += x.attachments.iter().filter(|a| !a.filename.is_empty()).count() as u64;
                }
            }
            for (sql, values) in rows.statements(style) {
                bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql)), values).execute(&mut *tx).await?;
            }
            for (it, mark, _, state) in &plan {
                if mark.is_some() {
                    save_ticket!(tx, state);
                } else {
                    save_ticket!(tx, state, new);
                }
                sqlx::query(
                    "INSERT INTO rt_import_tickets (ticket_id, rt_last_transaction, rt_last_updated, imported_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (ticket_id) DO UPDATE SET rt_last_transaction = excluded.rt_last_transaction, \
                     rt_last_updated = excluded.rt_last_updated, imported_at = excluded.imported_at",
                ).bind(it.id.0).bind(it.rt_last_transaction).bind(&it.rt_last_updated).bind(micros(now)).execute(&mut *tx).await?;
            }
            if postgres {
                // Explicit ids do not move an identity column's sequence.
                sqlx::query("SELECT setval(pg_get_serial_sequence('tickets', 'id'), GREATEST((SELECT MAX(id) FROM tickets), 1))")
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        // The batch's subjects waited to be indexed; indexed with the batch, not with a
        // request's commit later (the batch is committed whatever this does).
        self.index_waiting_text_or_warn().await;
        Ok(out)
    }
}

/// The history as the core's transactions, ids in order, for `replay`.
fn history_of(it: &ImportTicket) -> Vec<Transaction> {
    it.history
        .iter()
        .enumerate()
        .map(|(i, x)| Transaction {
            id: i as i64 + 1,
            ticket: it.id,
            at: x.at,
            creator: x.creator.clone(),
            time_taken: x.time_taken,
            change: x.change.clone(),
        })
        .collect()
}
