//! Tickets on disk: queues, the current-state row of each ticket, its append-only transactions,
//! content-addressed attachments and the full-text index.
//!
//! **Architecture Invariant:** the only ways to change a ticket are [`Store::create_ticket`] and
//! [`Store::change_ticket`]; both append transactions and rewrite the state row from the core's
//! `apply` in one database transaction, so the row always equals `replay(history)`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use varde_core::ids::OrganizationId;
use varde_core::ticket::history::{Change, Creation, Transaction, apply, replay};
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{LinkKind, Ticket, TicketId};

use crate::change_codec::{decode, encode};
use crate::script::{NEW_TICKET, NEW_TRANSACTION, Script, Value};
use crate::{Result, Store, StoreError, from_micros, micros, read_pool, write_pool};

/// The largest attachment Varde stores.
pub const MAX_ATTACHMENT_BYTES: usize = 25 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queue {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub correspond_address: String,
    pub comment_address: String,
    pub disabled: bool,
}

/// A message body or file to store with a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

impl NewAttachment {
    /// The content type as stored: parsed and normalised, whoever sent it.
    pub fn stored_type(&self) -> String {
        varde_core::content_type::normalise(&self.content_type)
    }

    pub fn text(body: &str) -> NewAttachment {
        NewAttachment {
            filename: String::new(),
            content_type: "text/plain".into(),
            content: body.as_bytes().to_vec(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub id: i64,
    pub transaction_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// A transaction with its attachments and its text content (the first text/plain attachment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    pub transaction: Transaction,
    pub attachments: Vec<AttachmentInfo>,
    pub content: String,
}

/// Why a ticket change was refused by the rules (not by the database).
#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for TicketError {
    fn from(e: sqlx::Error) -> TicketError {
        TicketError::Store(StoreError::Unavailable(e))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TicketRow {
    id: i64,
    effective_id: i64,
    queue: String,
    subject: String,
    status: String,
    owner: Option<String>,
    creator: String,
    priority: i64,
    initial_priority: i64,
    final_priority: i64,
    time_worked: i64,
    time_estimated: i64,
    time_left: i64,
    created_at: i64,
    starts_at: Option<i64>,
    started_at: Option<i64>,
    resolved_at: Option<i64>,
    due_at: Option<i64>,
    told_at: Option<i64>,
    last_updated_at: i64,
    last_updated_by: String,
    organization_id: Option<i64>,
}

pub(crate) const TICKET_COLUMNS: &str = "id, effective_id, queue, subject, status, owner, creator, priority, initial_priority, final_priority, time_worked, time_estimated, time_left, created_at, starts_at, started_at, resolved_at, due_at, told_at, last_updated_at, last_updated_by, organization_id";

fn opt_time(us: Option<i64>) -> Result<Option<Timestamp>> {
    us.map(from_micros).transpose()
}

impl TicketRow {
    pub(crate) fn into_ticket(
        self,
        watchers: Vec<(String, String)>,
        cfs: Vec<(String, String)>,
        links: Vec<(String, i64)>,
    ) -> Result<Ticket> {
        let pick = |role: &str| {
            watchers
                .iter()
                .filter(|(r, _)| r == role)
                .map(|(_, a)| a.clone())
                .collect::<Vec<_>>()
        };
        let mut custom_fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (n, v) in cfs {
            custom_fields.entry(n).or_default().push(v);
        }
        let mut links = links
            .into_iter()
            .map(|(k, t)| {
                LinkKind::parse(&k)
                    .map(|k| (k, TicketId(t)))
                    .ok_or_else(|| StoreError::Corrupt(format!("link kind {k}")))
            })
            .collect::<Result<Vec<_>>>()?;
        links.sort();
        Ok(Ticket {
            id: TicketId(self.id),
            effective_id: TicketId(self.effective_id),
            queue: self.queue,
            subject: self.subject,
            status: Status::parse(&self.status).map_err(|e| StoreError::Corrupt(e.0))?,
            owner: self.owner,
            creator: self.creator,
            requestors: pick("Requestor"),
            cc: pick("Cc"),
            admin_cc: pick("AdminCc"),
            priority: self.priority,
            initial_priority: self.initial_priority,
            final_priority: self.final_priority,
            time_worked: self.time_worked,
            time_estimated: self.time_estimated,
            time_left: self.time_left,
            created: from_micros(self.created_at)?,
            starts: opt_time(self.starts_at)?,
            started: opt_time(self.started_at)?,
            resolved: opt_time(self.resolved_at)?,
            due: opt_time(self.due_at)?,
            told: opt_time(self.told_at)?,
            last_updated: from_micros(self.last_updated_at)?,
            last_updated_by: self.last_updated_by,
            custom_fields,
            links,
            organization: self.organization_id.map(OrganizationId),
        })
    }
}

/// Loads a ticket inside an open transaction or from a pool.
macro_rules! load_ticket {
    ($ex:expr, $id:expr, $lock:expr) => {{
        let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1{}", $lock);
        let row: Option<TicketRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind($id).fetch_optional(&mut *$ex).await?;
        match row {
            None => None,
            Some(row) => {
                let watchers: Vec<(String, String)> = sqlx::query_as("SELECT role, address FROM ticket_watchers WHERE ticket_id = $1 ORDER BY role, position")
                    .bind($id).fetch_all(&mut *$ex).await?;
                let cfs: Vec<(String, String)> = sqlx::query_as("SELECT name, value FROM ticket_custom_fields WHERE ticket_id = $1 ORDER BY name, position")
                    .bind($id).fetch_all(&mut *$ex).await?;
                let links: Vec<(String, i64)> = sqlx::query_as("SELECT kind, target FROM ticket_links WHERE ticket_id = $1")
                    .bind($id).fetch_all(&mut *$ex).await?;
                Some(row.into_ticket(watchers, cfs, links)?)
            }
        }
    }};
}

/// Writes the state row (and its watcher, custom-field and link rows) of `$t`.
macro_rules! save_ticket {
    ($tx:expr, $t:expr) => {
        save_ticket!($tx, $t, replace)
    };
    // A ticket that was just inserted has no watcher, custom-field or link rows to delete.
    ($tx:expr, $t:expr, $mode:ident) => {{
        let replace = stringify!($mode) == "replace";
        let t: &Ticket = $t;
        sqlx::query(
            "UPDATE tickets SET effective_id = $1, queue = $2, subject = $3, status = $4, owner = $5, priority = $6, initial_priority = $7, \
             final_priority = $8, time_worked = $9, time_estimated = $10, time_left = $11, starts_at = $12, started_at = $13, resolved_at = $14, \
             due_at = $15, told_at = $16, last_updated_at = $17, last_updated_by = $18, organization_id = $19 WHERE id = $20",
        )
        .bind(t.effective_id.0).bind(&t.queue).bind(&t.subject).bind(t.status.code()).bind(t.owner.as_deref())
        .bind(t.priority).bind(t.initial_priority).bind(t.final_priority).bind(t.time_worked).bind(t.time_estimated).bind(t.time_left)
        .bind(t.starts.map(micros)).bind(t.started.map(micros)).bind(t.resolved.map(micros)).bind(t.due.map(micros)).bind(t.told.map(micros))
        .bind(micros(t.last_updated)).bind(&t.last_updated_by).bind(t.organization.map(|o| o.0)).bind(t.id.0)
        .execute(&mut *$tx).await?;
        if replace {
            sqlx::query("DELETE FROM ticket_watchers WHERE ticket_id = $1").bind(t.id.0).execute(&mut *$tx).await?;
        }
        for (role, list) in [("Requestor", &t.requestors), ("Cc", &t.cc), ("AdminCc", &t.admin_cc)] {
            for (i, a) in list.iter().enumerate() {
                sqlx::query("INSERT INTO ticket_watchers (ticket_id, role, position, address) VALUES ($1, $2, $3, $4)")
                    .bind(t.id.0).bind(role).bind(i as i64).bind(a.to_lowercase()).execute(&mut *$tx).await?;
            }
        }
        if replace {
            sqlx::query("DELETE FROM ticket_custom_fields WHERE ticket_id = $1").bind(t.id.0).execute(&mut *$tx).await?;
        }
        for (name, values) in &t.custom_fields {
            for (i, v) in values.iter().enumerate() {
                sqlx::query("INSERT INTO ticket_custom_fields (ticket_id, name, position, value) VALUES ($1, $2, $3, $4)")
                    .bind(t.id.0).bind(name).bind(i as i64).bind(v).execute(&mut *$tx).await?;
            }
        }
        if replace {
            sqlx::query("DELETE FROM ticket_links WHERE ticket_id = $1").bind(t.id.0).execute(&mut *$tx).await?;
        }
        for (kind, target) in &t.links {
            sqlx::query("INSERT INTO ticket_links (ticket_id, kind, target) VALUES ($1, $2, $3)")
                .bind(t.id.0).bind(kind.name()).bind(target.0).execute(&mut *$tx).await?;
        }
    }};
}

/// Appends one transaction row and gives its id.
macro_rules! append {
    ($tx:expr, $ticket:expr, $at:expr, $creator:expr, $time_taken:expr, $change:expr) => {{
        let change: &Change = $change;
        let (field, old, new) = change.rt_field();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO transactions (ticket_id, at, creator, time_taken, type, field, old_value, new_value, description, change) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind($ticket).bind(micros($at)).bind($creator).bind($time_taken).bind(change.rt_type($creator))
        .bind(field).bind(old).bind(new).bind(change.describe($creator)).bind(encode(change))
        .fetch_one(&mut *$tx).await?;
        id
    }};
}

/// Stores attachments of transaction `$txid` (content-addressed) and indexes their text.
macro_rules! attach {
    ($tx:expr, $ticket:expr, $txid:expr, $attachments:expr, $extra_text:expr) => {{
        let mut text = String::from($extra_text);
        for a in $attachments.iter() {
            let digest = hex::encode(Sha256::digest(&a.content));
            sqlx::query("INSERT INTO blobs (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
                .bind(&digest).bind(a.content.len() as i64).bind(&a.content).execute(&mut *$tx).await?;
            sqlx::query("INSERT INTO attachments (transaction_id, filename, content_type, size, blob_sha256) VALUES ($1, $2, $3, $4, $5)")
                .bind($txid).bind(&a.filename).bind(a.stored_type()).bind(a.content.len() as i64).bind(&digest).execute(&mut *$tx).await?;
            if a.stored_type().starts_with("text/plain") {
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(&String::from_utf8_lossy(&a.content));
            }
        }
        if !text.is_empty() {
            sqlx::query("INSERT INTO ticket_text (ticket_id, body) VALUES ($1, $2)").bind($ticket).bind(&text).execute(&mut *$tx).await?;
        }
    }};
}

pub(crate) use {append, attach, load_ticket, save_ticket};

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
        "INSERT INTO tickets (effective_id, queue, subject, status, owner, creator, priority, initial_priority, final_priority, \
         time_worked, time_estimated, time_left, created_at, starts_at, started_at, resolved_at, due_at, told_at, last_updated_at, \
         last_updated_by, organization_id) \
         VALUES (0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
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
    script.push(
        &format!("UPDATE tickets SET effective_id = id WHERE id = {NEW_TICKET}"),
        vec![],
    );
    let (field, old, new) = change.rt_field();
    script.push(
        &format!(
            "INSERT INTO transactions (ticket_id, at, creator, time_taken, type, field, old_value, new_value, description, change) \
             VALUES ({NEW_TICKET}, $1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ),
        vec![
            micros(t.created).into(),
            t.creator.as_str().into(),
            time_taken.into(),
            change.rt_type(&t.creator).into(),
            field.into(),
            old.into(),
            new.into(),
            change.describe(&t.creator).into(),
            encode(change).into(),
        ],
    );
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
        let digest = hex::encode(Sha256::digest(&a.content));
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
        if a.stored_type().starts_with("text/plain") {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&String::from_utf8_lossy(&a.content));
        }
    }
    if !text.is_empty() {
        script.push(
            &format!("INSERT INTO ticket_text (ticket_id, body) VALUES ({NEW_TICKET}, $1)"),
            vec![text.into()],
        );
    }
}

/// A custom field's definition as stored: its allowed values one per line.
fn custom_field_def(
    name: String,
    allowed: &str,
) -> varde_core::ticket::custom_fields::CustomFieldDef {
    varde_core::ticket::custom_fields::CustomFieldDef {
        name,
        allowed: allowed
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    }
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
    pub async fn queues(&self) -> Result<Vec<Queue>> {
        let rows: Vec<(i64, String, String, String, String, bool)> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, name, description, correspond_address, comment_address, disabled FROM queues ORDER BY name_key",
        ).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(
                |(id, name, description, correspond_address, comment_address, disabled)| Queue {
                    id,
                    name,
                    description,
                    correspond_address,
                    comment_address,
                    disabled,
                },
            )
            .collect())
    }

    /// A queue by name (case-insensitive) or by numeric id: one indexed lookup.
    pub async fn queue(&self, name_or_id: &str) -> Result<Option<Queue>> {
        let key = name_or_id.trim().to_lowercase();
        let id: i64 = key.parse().unwrap_or(-1);
        let row: Option<(i64, String, String, String, String, bool)> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, name, description, correspond_address, comment_address, disabled FROM queues WHERE name_key = $1 OR id = $2",
        ).bind(&key).bind(id).fetch_optional(p).await)?;
        Ok(row.map(
            |(id, name, description, correspond_address, comment_address, disabled)| Queue {
                id,
                name,
                description,
                correspond_address,
                comment_address,
                disabled,
            },
        ))
    }

    pub async fn create_queue(
        &self,
        name: &str,
        description: &str,
        correspond_address: &str,
        comment_address: &str,
        now: Timestamp,
    ) -> Result<Queue> {
        if self.queue(name).await?.is_some() {
            return Err(crate::conflict("name", format!("a queue {name} exists")));
        }
        write_pool!(self, p => sqlx::query(
            "INSERT INTO queues (name, name_key, description, correspond_address, comment_address, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        ).bind(name.trim()).bind(name.trim().to_lowercase()).bind(description).bind(correspond_address).bind(comment_address).bind(micros(now))
        .execute(p).await.map(|_| ()))?;
        self.queue(name).await?.ok_or(StoreError::NotFound)
    }

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
        mut creation: Creation,
        attachments: &[NewAttachment],
        time_taken: i64,
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
        let mut script = Script::default();
        new_ticket_statements(&mut script, &t, &change, time_taken, attachments, &subject);
        script.push(
            &format!(
                "INSERT INTO outbox (kind, ticket_id, transaction_id, next_attempt_at, created_at) VALUES ($1, {NEW_TICKET}, {NEW_TRANSACTION}, $2, $2)"
            ),
            vec![crate::outbox::Kind::AutoReply.code().into(), micros(now).into()],
        );
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
                            if matches!(change, Change::Correspond) {
                                crate::outbox::enqueue!(tx, crate::outbox::Kind::Correspondence, id.0, txid, now);
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
        outcome
    }

    /// The ticket with this number, as stored (a merged ticket is returned as it is; follow
    /// `effective_id` to the survivor).
    pub async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>> {
        read_pool!(self, p => {
            let mut conn = p.acquire().await?;
            Ok(load_ticket!(conn, id.0, ""))
        })
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
    /// RT, the history of a ticket that others were merged into includes theirs; each entry
    /// names the ticket it was recorded on.
    pub async fn history(&self, id: TicketId) -> Result<Vec<HistoryEntry>> {
        let rows: Vec<(i64, i64, i64, String, i64, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, ticket_id, at, creator, time_taken, change FROM transactions \
             WHERE ticket_id IN (SELECT t.id FROM tickets t WHERE t.id = $1 OR (t.effective_id = $1 AND t.id <> t.effective_id)) ORDER BY id",
        ).bind(id.0).fetch_all(p).await)?;
        let atts: Vec<(i64, i64, String, String, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT a.id, a.transaction_id, a.filename, a.content_type, a.size FROM attachments a \
             JOIN transactions x ON x.id = a.transaction_id \
             WHERE x.ticket_id IN (SELECT t.id FROM tickets t WHERE t.id = $1 OR (t.effective_id = $1 AND t.id <> t.effective_id)) ORDER BY a.id",
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

/// A search an agent keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedSearch {
    pub id: i64,
    pub name: String,
    pub query: String,
}

impl Store {
    /// Saves (or replaces, by name) a search of `user`.
    pub async fn save_search(
        &self,
        user: varde_core::ids::UserId,
        name: &str,
        query: &str,
        now: Timestamp,
    ) -> Result<()> {
        write_pool!(self, p => sqlx::query(
            "INSERT INTO saved_searches (user_id, name, query, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, name) DO UPDATE SET query = excluded.query",
        ).bind(user.0).bind(name.trim()).bind(query).bind(micros(now)).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn saved_searches(&self, user: varde_core::ids::UserId) -> Result<Vec<SavedSearch>> {
        let rows: Vec<(i64, String, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, name, query FROM saved_searches WHERE user_id = $1 ORDER BY name",
        ).bind(user.0).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, name, query)| SavedSearch { id, name, query })
            .collect())
    }

    pub async fn delete_saved_search(&self, user: varde_core::ids::UserId, id: i64) -> Result<()> {
        write_pool!(self, p => sqlx::query("DELETE FROM saved_searches WHERE id = $1 AND user_id = $2").bind(id).bind(user.0).execute(p).await.map(|_| ()))?;
        Ok(())
    }
}

impl Store {
    /// The custom fields defined for a queue, in order.
    /// A queue and the custom fields defined for it, in one read (what opening a ticket needs).
    pub async fn queue_with_custom_fields(
        &self,
        name_or_id: &str,
    ) -> Result<
        Option<(
            Queue,
            Vec<varde_core::ticket::custom_fields::CustomFieldDef>,
        )>,
    > {
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            bool,
            Option<String>,
            Option<String>,
        );
        let key = name_or_id.trim().to_lowercase();
        let id: i64 = key.parse().unwrap_or(-1);
        let rows: Vec<Row> = read_pool!(self, p => sqlx::query_as(
            "SELECT q.id, q.name, q.description, q.correspond_address, q.comment_address, q.disabled, f.name, f.allowed \
             FROM queues q LEFT JOIN queue_custom_fields f ON f.queue_key = q.name_key \
             WHERE q.name_key = $1 OR q.id = $2 ORDER BY f.position, f.name",
        ).bind(&key).bind(id).fetch_all(p).await)?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let queue = Queue {
            id: first.0,
            name: first.1.clone(),
            description: first.2.clone(),
            correspond_address: first.3.clone(),
            comment_address: first.4.clone(),
            disabled: first.5,
        };
        let fields = rows
            .into_iter()
            .filter_map(|r| Some(custom_field_def(r.6?, &r.7?)))
            .collect();
        Ok(Some((queue, fields)))
    }

    pub async fn queue_custom_fields(
        &self,
        queue: &str,
    ) -> Result<Vec<varde_core::ticket::custom_fields::CustomFieldDef>> {
        let rows: Vec<(String, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT name, allowed FROM queue_custom_fields WHERE queue_key = $1 ORDER BY position, name",
        ).bind(queue.trim().to_lowercase()).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(name, allowed)| custom_field_def(name, &allowed))
            .collect())
    }

    /// Replaces the custom fields defined for a queue. Values already on tickets stay.
    pub async fn set_queue_custom_fields(
        &self,
        queue: &str,
        defs: &[varde_core::ticket::custom_fields::CustomFieldDef],
    ) -> Result<()> {
        let key = queue.trim().to_lowercase();
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM queue_custom_fields WHERE queue_key = $1").bind(&key).execute(&mut *tx).await?;
            for (i, d) in defs.iter().enumerate() {
                sqlx::query("INSERT INTO queue_custom_fields (queue_key, name, position, allowed) VALUES ($1, $2, $3, $4)")
                    .bind(&key).bind(d.name.trim()).bind(i as i64).bind(d.allowed.join("\n"))
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
