//! The writes of `varde import-rt`: Request Tracker's tickets with their own numbers, their
//! history, watchers, custom fields, links and attachments, a batch of tickets per database
//! transaction, with what was imported remembered (`rt_import_tickets`,
//! `rt_import_transactions`) so that a second run brings only what is new.
//!
//! **Architecture Invariant:** an imported ticket's state row is `replay` of its imported
//! history (and, for a ticket imported before, its stored state with the new transactions
//! applied), as for every other ticket.

use std::collections::HashMap;

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use varde_core::ticket::history::{Change, Transaction, apply, replay};
use varde_core::ticket::{Ticket, TicketId};

use crate::change_codec::encode;
use crate::tickets::{
    NewAttachment, TICKET_COLUMNS, TicketRow, append, attach, load_ticket, save_ticket,
};
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
    /// numbered after the highest ticket afterwards, on either engine.
    pub async fn import_rt_batch(
        &self,
        batch: &[ImportTicket],
        now: Timestamp,
    ) -> Result<BatchOutcome> {
        let postgres = self.engine() == "postgres";
        let lock = if postgres { " FOR UPDATE" } else { "" };
        let mut out = BatchOutcome::default();
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            for it in batch {
                let id = it.id.0;
                let mark: Option<i64> = sqlx::query_scalar("SELECT rt_last_transaction FROM rt_import_tickets WHERE ticket_id = $1")
                    .bind(id).fetch_optional(&mut *tx).await?;
                let fresh: Vec<&ImportTransaction> = match mark {
                    Some(m) => it.history.iter().filter(|x| x.rt_id > m).collect(),
                    None => it.history.iter().collect(),
                };
                let mut state: Ticket = match mark {
                    Some(_) if fresh.is_empty() => continue,
                    Some(_) => {
                        let t: Option<Ticket> = load_ticket!(tx, id, lock);
                        out.changed_tickets += 1;
                        t.ok_or(StoreError::NotFound)?
                    }
                    None => {
                        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM tickets WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
                        if taken.is_some() {
                            out.skipped.push((it.id, format!("Varde already has a ticket #{id} of its own")));
                            continue;
                        }
                        let t = replay(&history_of(it)).map_err(|e| StoreError::Corrupt(format!("ticket {id}: {e}")))?;
                        insert_state_row!(tx, &t);
                        out.new_tickets += 1;
                        t
                    }
                };
                for x in fresh {
                    let txid = append!(tx, id, x.at, x.creator.as_str(), x.time_taken, &x.change);
                    let extra = if matches!(x.change, Change::Create(_)) { state.subject.clone() } else { String::new() };
                    attach!(tx, id, txid, x.attachments, extra);
                    if let Some(m) = &x.message_id {
                        sqlx::query("INSERT INTO ticket_message_ids (message_id, ticket_id) VALUES ($1, $2) ON CONFLICT (message_id) DO NOTHING")
                            .bind(m).bind(id).execute(&mut *tx).await?;
                    }
                    sqlx::query("INSERT INTO rt_import_transactions (rt_id, transaction_id) VALUES ($1, $2) ON CONFLICT (rt_id) DO NOTHING")
                        .bind(x.rt_id).bind(txid).execute(&mut *tx).await?;
                    if mark.is_some() {
                        let t = Transaction { id: txid, ticket: it.id, at: x.at, creator: x.creator.clone(), time_taken: x.time_taken, change: x.change.clone() };
                        apply(&mut state, &t).map_err(|e| StoreError::Corrupt(format!("ticket {id}: {e}")))?;
                    }
                    out.transactions += 1;
                    out.attachments += x.attachments.iter().filter(|a| !a.filename.is_empty()).count() as u64;
                }
                if mark.is_some() {
                    save_ticket!(tx, &state);
                } else {
                    save_ticket!(tx, &state, new);
                }
                sqlx::query(
                    "INSERT INTO rt_import_tickets (ticket_id, rt_last_transaction, rt_last_updated, imported_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (ticket_id) DO UPDATE SET rt_last_transaction = excluded.rt_last_transaction, \
                     rt_last_updated = excluded.rt_last_updated, imported_at = excluded.imported_at",
                ).bind(id).bind(it.rt_last_transaction).bind(&it.rt_last_updated).bind(micros(now)).execute(&mut *tx).await?;
            }
            if postgres {
                // Explicit ids do not move an identity column's sequence.
                sqlx::query("SELECT setval(pg_get_serial_sequence('tickets', 'id'), GREATEST((SELECT MAX(id) FROM tickets), 1))")
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
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
