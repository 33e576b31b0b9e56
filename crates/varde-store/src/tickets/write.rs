//! Creating and changing tickets: the statements that store a new ticket in one go, and the
//! one transaction in which a change is planned on the locked state, appended and saved.

use jiff::Timestamp;
use varde_core::ticket::history::{Change, Creation, Transaction, apply, replay};
use varde_core::ticket::{Ticket, TicketId};

use super::{
    MAX_ATTACHMENT_BYTES, NewAttachment, Queue, TICKET_COLUMNS, TicketError, TicketRow, append,
    attach, load_ticket, save_ticket,
};
use crate::change_codec::encode;
use crate::script::{NEW_TICKET, NEW_TRANSACTION, NEXT_TICKET, Script, TEXT_TO_INDEX, Value};
use crate::{Store, StoreError, micros, write_pool};

/// `(ticket, $1, $2, $3), (ticket, $4, $5, $6), …`: `n` rows of three values each, for the
/// ticket a script inserts.
/// Inserts `rows` of (key, position, value) for the new ticket into `table_and_columns`, one
/// statement for all of them; nothing when there are none.
fn push_rows_of_the_new_ticket(
    script: &mut Script,
    table_and_columns: &str,
    rows: Vec<[Value; 3]>,
) {
    if rows.is_empty() {
        return;
    }
    let placeholders = (0..rows.len())
        .map(|i| {
            format!(
                "({NEW_TICKET}, ${}, ${}, ${})",
                3 * i + 1,
                3 * i + 2,
                3 * i + 3
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    script.push(
        &format!("INSERT INTO {table_and_columns} VALUES {placeholders}"),
        rows.into_iter().flatten().collect(),
    );
}

/// Adds to `script` what stores a new ticket in one go: its state row `t` (whose ids are
/// not known yet; the row gets `effective_id = id`), its watchers and custom fields, its
/// creation transaction `change`, and that transaction's attachments with their text indexed
/// (after `extra_text`, the subject). `t` has no links: a creation makes none.
pub(crate) fn new_ticket_statements(
    script: &mut Script,
    t: &Ticket,
    change: &Change,
    time_taken: i64,
    attachments: &[NewAttachment],
    extra_text: &str,
) {
    script.push(
        &format!(
            "INSERT INTO tickets (id, effective_id, queue, subject, status, owner, creator, priority, initial_priority, final_priority, \
             time_worked, time_estimated, time_left, created_at, starts_at, started_at, resolved_at, due_at, told_at, last_updated_at, \
             last_updated_by, organization_id) \
             SELECT next.id, next.id, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20 \
             FROM {NEXT_TICKET} AS next"
        ),
        vec![
            t.queue.as_str().into(),
            t.subject.as_str().into(),
            t.status.code().into(),
            t.owner.as_deref().into(),
            t.creator.as_str().into(),
            t.priority.into(),
            t.initial_priority.into(),
            t.final_priority.into(),
            t.time_worked.into(),
            t.time_estimated.into(),
            t.time_left.into(),
            micros(t.created).into(),
            t.starts.map(micros).into(),
            t.started.map(micros).into(),
            t.resolved.map(micros).into(),
            t.due.map(micros).into(),
            t.told.map(micros).into(),
            micros(t.last_updated).into(),
            t.last_updated_by.as_str().into(),
            t.organization.map(|o| o.0).into(),
        ],
    );
    push_transaction(script, t.created, &t.creator, time_taken, change);
    let watchers = [
        ("Requestor", &t.requestors),
        ("Cc", &t.cc),
        ("AdminCc", &t.admin_cc),
    ]
    .into_iter()
    .flat_map(|(role, list)| {
        list.iter()
            .enumerate()
            .map(move |(i, a)| [role.into(), (i as i64).into(), a.to_lowercase().into()])
    })
    .collect();
    push_rows_of_the_new_ticket(
        script,
        "ticket_watchers (ticket_id, role, position, address)",
        watchers,
    );
    let fields = t
        .custom_fields
        .iter()
        .flat_map(|(name, values)| {
            values
                .iter()
                .enumerate()
                .map(move |(i, v)| [name.as_str().into(), (i as i64).into(), v.as_str().into()])
        })
        .collect();
    push_rows_of_the_new_ticket(
        script,
        "ticket_custom_fields (ticket_id, name, position, value)",
        fields,
    );
    let mut text = String::from(extra_text);
    for a in attachments {
        let digest = a.digest();
        script.push(
            "INSERT INTO blobs (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
            vec![digest.clone().into(), (a.content.len() as i64).into(), a.content.as_slice().into()],
        );
        script.push(
            &format!(
                "INSERT INTO attachments (transaction_id, filename, content_type, size, blob_sha256) VALUES ({NEW_TRANSACTION}, $1, $2, $3, $4)"
            ),
            vec![
                a.filename.as_str().into(),
                a.stored_type().into(),
                (a.content.len() as i64).into(),
                digest.into(),
            ],
        );
        a.index_text(&mut text);
    }
    if !text.is_empty() {
        script.push(
            &format!("INSERT INTO {TEXT_TO_INDEX} (ticket_id, body) VALUES ({NEW_TICKET}, $1)"),
            vec![text.into()],
        );
    }
}

/// A transaction's row after its ticket and id: when, who, time taken, RT's type, field, old
/// and new values, description, and the change itself.
pub(crate) fn transaction_values(
    at: Timestamp,
    creator: &str,
    time_taken: i64,
    change: &Change,
) -> [Value; 9] {
    let (field, old, new) = change.rt_field();
    [
        micros(at).into(),
        creator.into(),
        time_taken.into(),
        change.rt_type(creator).into(),
        field.into(),
        old.into(),
        new.into(),
        change.describe(creator).into(),
        encode(change).into(),
    ]
}

/// Adds a transaction of the ticket a script inserts.
fn push_transaction(
    script: &mut Script,
    at: Timestamp,
    creator: &str,
    time_taken: i64,
    change: &Change,
) {
    script.push(
        &format!(
            "INSERT INTO transactions (ticket_id, at, creator, time_taken, type, field, old_value, new_value, description, change) \
             VALUES ({NEW_TICKET}, $1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ),
        transaction_values(at, creator, time_taken, change).into(),
    );
}

/// Adds a notification about the newest transaction of the ticket a script inserts.
fn push_outbox(script: &mut Script, kind: crate::outbox::Kind, now: Timestamp) {
    script.push(
        &format!(
            "INSERT INTO outbox (kind, ticket_id, transaction_id, next_attempt_at, created_at) VALUES ($1, {NEW_TICKET}, {NEW_TRANSACTION}, $2, $2)"
        ),
        vec![kind.code().into(), micros(now).into()],
    );
}

fn check_sizes(attachments: &[NewAttachment]) -> std::result::Result<(), TicketError> {
    for a in attachments {
        if a.content.len() > MAX_ATTACHMENT_BYTES {
            return Err(TicketError::Refused(format!(
                "the attachment {} is {} bytes; the limit is {} bytes",
                if a.filename.is_empty() {
                    "(message body)"
                } else {
                    a.filename.as_str()
                },
                a.content.len(),
                MAX_ATTACHMENT_BYTES
            )));
        }
    }
    Ok(())
}

impl Store {
    /// Opens a ticket. The attachments (the first is the message body) belong to the
    /// creation transaction.
    pub async fn create_ticket(
        &self,
        creator: &str,
        creation: Creation,
        attachments: &[NewAttachment],
        time_taken: i64,
        now: Timestamp,
    ) -> std::result::Result<Ticket, TicketError> {
        let Some(queue) = self.queue(&creation.queue).await? else {
            return Err(TicketError::Refused(format!(
                "no queue named '{}'",
                creation.queue
            )));
        };
        self.create_ticket_in(&queue, creator, creation, attachments, time_taken, now)
            .await
    }

    /// Opens a ticket in `queue`, which the caller has just read (so it is not read again),
    /// as [`Store::create_ticket`] does.
    pub async fn create_ticket_in(
        &self,
        queue: &Queue,
        creator: &str,
        creation: Creation,
        attachments: &[NewAttachment],
        time_taken: i64,
        now: Timestamp,
    ) -> std::result::Result<Ticket, TicketError> {
        let t = (creation, attachments, time_taken);
        self.create_ticket_with(queue, creator, t, vec![], now)
            .await
    }

    /// Opens a ticket as [`Store::create_ticket_in`] does and, in the same transaction, makes
    /// `then` on it (changes planned on its state as created, by the same creator at the same
    /// moment, as a [`Store::change_ticket`] right after would): RT's REST 1.0 create of a
    /// field it does not create with, which RT records as a creation and an update, written once.
    pub async fn create_ticket_then(
        &self,
        queue: &Queue,
        creator: &str,
        ticket: (Creation, &[NewAttachment], i64),
        then: Vec<Change>,
        now: Timestamp,
    ) -> std::result::Result<Ticket, TicketError> {
        self.create_ticket_full(queue, creator, ticket, then, vec![], now)
            .await
    }

    /// Opens a ticket as [`Store::create_ticket_in`] does, and runs `also` in the same
    /// transaction (statements that may name the new ticket as [`NEW_TICKET`]).
    pub(crate) async fn create_ticket_with(
        &self,
        queue: &Queue,
        creator: &str,
        ticket: (Creation, &[NewAttachment], i64),
        also: Vec<(String, Vec<Value>)>,
        now: Timestamp,
    ) -> std::result::Result<Ticket, TicketError> {
        self.create_ticket_full(queue, creator, ticket, vec![], also, now)
            .await
    }

    async fn create_ticket_full(
        &self,
        queue: &Queue,
        creator: &str,
        (mut creation, attachments, time_taken): (Creation, &[NewAttachment], i64),
        then: Vec<Change>,
        also: Vec<(String, Vec<Value>)>,
        now: Timestamp,
    ) -> std::result::Result<Ticket, TicketError> {
        check_sizes(attachments)?;
        creation.queue = queue.name.clone();
        creation.subject = varde_core::ticket::one_line(&creation.subject);
        let subject = creation.subject.clone();
        let change = Change::Create(Box::new(creation));
        let mut t = replay(&[Transaction {
            id: 0,
            ticket: TicketId(0),
            at: now,
            creator: creator.to_string(),
            time_taken,
            change: change.clone(),
        }])
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        for c in &then {
            let tx = Transaction {
                id: 0,
                ticket: TicketId(0),
                at: now,
                creator: creator.to_string(),
                time_taken: 0,
                change: c.clone(),
            };
            apply(&mut t, &tx).map_err(|e| TicketError::Refused(e.to_string()))?;
        }
        let mut script = Script::default();
        new_ticket_statements(&mut script, &t, &change, time_taken, attachments, &subject);
        push_outbox(&mut script, crate::outbox::Kind::AutoReply, now);
        for (sql, values) in also {
            script.push(&sql, values);
        }
        // After everything that names the creation as the newest transaction; each tells whom
        // it concerns as the same change would by `change_ticket`.
        for c in &then {
            push_transaction(&mut script, now, creator, 0, c);
            if let Some(kind) = crate::outbox::Kind::of_change(c) {
                push_outbox(&mut script, kind, now);
            }
        }
        script.push(&format!("SELECT {NEW_TICKET}, {NEW_TRANSACTION}"), vec![]);
        let ids = script.run(self).await?;
        let id = *ids.first().ok_or(StoreError::NotFound)?;
        t.id = TicketId(id);
        t.effective_id = TicketId(id);
        Ok(t)
    }

    /// Changes a ticket: `plan` sees the current state (locked against other writers) and
    /// returns the changes to make, or a refusal. The attachments belong to the first change.
    /// Returns the new state and the ids of the transactions appended (none when nothing
    /// changed).
    pub async fn change_ticket<F>(
        &self,
        id: TicketId,
        creator: &str,
        plan: F,
        attachments: &[NewAttachment],
        time_taken: i64,
        now: Timestamp,
    ) -> std::result::Result<(Ticket, Vec<i64>), TicketError>
    where
        F: FnOnce(&Ticket) -> std::result::Result<Vec<Change>, String>,
    {
        check_sizes(attachments)?;
        let lock = if self.engine() == "postgres" {
            " FOR UPDATE"
        } else {
            ""
        };
        let outcome: std::result::Result<(Ticket, Vec<i64>), TicketError> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let current: Option<Ticket> = load_ticket!(tx, id.0, lock);
            match current {
                None => Err(TicketError::Store(StoreError::NotFound)),
                Some(mut t) => match plan(&t) {
                    Err(refusal) => Err(TicketError::Refused(refusal)),
                    Ok(changes) if changes.is_empty() => Ok((t, vec![])),
                    Ok(changes) => {
                        let mut ids = Vec::with_capacity(changes.len());
                        for (i, change) in changes.into_iter().enumerate() {
                            let taken = if i == 0 { time_taken } else { 0 };
                            let txid = append!(tx, id.0, now, creator, taken, &change);
                            if i == 0 {
                                attach!(tx, id.0, txid, attachments, "");
                            }
                            if let Some(kind) = crate::outbox::Kind::of_change(&change) {
                                crate::outbox::enqueue!(tx, kind, id.0, txid, now);
                            }
                            let transaction = Transaction { id: txid, ticket: id, at: now, creator: creator.to_string(), time_taken: taken, change };
                            apply(&mut t, &transaction).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                            ids.push(txid);
                        }
                        save_ticket!(tx, &t);
                        tx.commit().await?;
                        Ok((t, ids))
                    }
                },
            }
        });
        if !attachments.is_empty() && matches!(&outcome, Ok((_, ids)) if !ids.is_empty()) {
            self.text_written().await;
        }
        outcome
    }
}
