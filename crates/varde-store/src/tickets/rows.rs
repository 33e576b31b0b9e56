//! A ticket's rows: the state row read back into a ticket, and the statements (macros, so
//! they run inside the caller's database transaction) that load and save a ticket, append a
//! transaction and store its attachments.

use std::collections::BTreeMap;

use jiff::Timestamp;
use varde_core::ids::OrganizationId;
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{LinkKind, Ticket, TicketId};

use crate::{Result, StoreError, from_micros};

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct TicketRow {
    pub(super) id: i64,
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

/// A ticket's watchers, custom field values and links, each by `$1`, the ticket's number.
pub(crate) const WATCHERS_OF: &str =
    "SELECT role, address FROM ticket_watchers WHERE ticket_id = $1 ORDER BY role, position";
pub(crate) const CUSTOM_FIELDS_OF: &str =
    "SELECT name, value FROM ticket_custom_fields WHERE ticket_id = $1 ORDER BY name, position";
pub(crate) const LINKS_OF: &str = "SELECT kind, target FROM ticket_links WHERE ticket_id = $1";

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
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1{}",
            $lock
        );
        let row: Option<TicketRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind($id)
            .fetch_optional(&mut *$ex)
            .await?;
        match row {
            None => None,
            Some(row) => {
                let watchers: Vec<(String, String)> = sqlx::query_as($crate::tickets::WATCHERS_OF)
                    .bind($id)
                    .fetch_all(&mut *$ex)
                    .await?;
                let cfs: Vec<(String, String)> = sqlx::query_as($crate::tickets::CUSTOM_FIELDS_OF)
                    .bind($id)
                    .fetch_all(&mut *$ex)
                    .await?;
                let links: Vec<(String, i64)> = sqlx::query_as($crate::tickets::LINKS_OF)
                    .bind($id)
                    .fetch_all(&mut *$ex)
                    .await?;
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
        .bind($ticket).bind(micros($at)).bind($creator).bind(i64::from($time_taken)).bind(change.rt_type($creator))
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
            let digest = a.digest();
            sqlx::query("INSERT INTO blobs (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
                .bind(&digest).bind(a.content.len() as i64).bind(&a.content).execute(&mut *$tx).await?;
            sqlx::query("INSERT INTO attachments (transaction_id, filename, content_type, size, blob_sha256) VALUES ($1, $2, $3, $4, $5)")
                .bind($txid).bind(&a.filename).bind(a.stored_type()).bind(a.content.len() as i64).bind(&digest).execute(&mut *$tx).await?;
            a.index_text(&mut text);
        }
        if !text.is_empty() {
            let into = $crate::script::spelled(
                &format!("INSERT INTO {} (ticket_id, body) VALUES ($1, $2)", $crate::script::TEXT_TO_INDEX),
                $crate::script::spelling_of(&$tx),
            ).into_owned();
            sqlx::query(sqlx::AssertSqlSafe(into)).bind($ticket).bind(&text).execute(&mut *$tx).await?;
        }
    }};
}

pub(crate) use {append, attach, load_ticket, save_ticket};
