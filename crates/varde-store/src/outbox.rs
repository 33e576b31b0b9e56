//! The durable outbox. A notification is a row written in the same database transaction as
//! the ticket transaction that causes it (`enqueue!`); workers claim due rows, deliver them and
//! record the result. Delivery is at least once: a row whose worker died is claimed again when
//! its claim expires, and carries the same Message-ID, so a receiver can tell a repeat.

use jiff::Timestamp;
use varde_core::ticket::TicketId;

use crate::{Result, Store, from_micros, micros, read_pool, write_pool};

/// What a notification is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A reply on a ticket, mailed to its requestors and Cc.
    Correspondence,
    /// The acknowledgement of a new ticket to its requestors.
    AutoReply,
    /// The ticket was resolved: its requestors are told, and asked to rate it.
    Resolved,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Correspondence => "correspondence",
            Kind::AutoReply => "autoreply",
            Kind::Resolved => "resolved",
        }
    }

    /// Whom a ticket change tells, if anyone: a reply its requestors and Cc, a resolution
    /// its requestors (with a rating to give).
    pub(crate) fn of_change(c: &varde_core::ticket::history::Change) -> Option<Kind> {
        use varde_core::ticket::history::Change;
        use varde_core::ticket::lifecycle::Status;
        match c {
            Change::Correspond => Some(Kind::Correspondence),
            Change::Status {
                to: Status::Resolved,
                ..
            } => Some(Kind::Resolved),
            _ => None,
        }
    }

    fn parse(s: &str) -> Kind {
        if s == "autoreply" {
            Kind::AutoReply
        } else if s == "resolved" {
            Kind::Resolved
        } else {
            Kind::Correspondence
        }
    }
}

/// Appends an outbox row inside the open transaction `$tx`.
macro_rules! enqueue {
    ($tx:expr, $kind:expr, $ticket:expr, $txid:expr, $now:expr) => {
        sqlx::query("INSERT INTO outbox (kind, ticket_id, transaction_id, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $4)")
            .bind($kind.code())
            .bind($ticket)
            .bind($txid)
            .bind(crate::micros($now))
            .execute(&mut *$tx)
            .await?
    };
}
pub(crate) use enqueue;

/// A claimed notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub id: i64,
    pub kind: Kind,
    pub ticket: TicketId,
    pub transaction: i64,
    pub attempts: i64,
}

/// One line of a ticket's delivery log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub kind: Kind,
    pub transaction: i64,
    /// pending | sending | sent | skipped | failed
    pub status: String,
    pub attempts: i64,
    pub recipients: String,
    pub message_id: String,
    pub last_error: String,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// How a delivery attempt ended.
pub enum Outcome {
    Sent {
        recipients: String,
        message_id: String,
    },
    /// Nobody to send to (the only requestor wrote the message themselves, say).
    Skipped(String),
    /// Try again later (a 4xx answer, a connection failure).
    Retry(String),
    /// Never try again (a 5xx answer).
    Failed(String),
}

/// After this many attempts a notification is given up as failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claim lasts before another worker may take the row over.
const CLAIM_SECS: i64 = 300;

impl Store {
    /// Claims up to `limit` due notifications for this worker.
    pub async fn claim_outbox(&self, now: Timestamp, limit: i64) -> Result<Vec<Item>> {
        self.claim_outbox_for(now, limit, CLAIM_SECS).await
    }

    /// Like `claim_outbox`, with a claim of `claim_secs` seconds: after a crash, what this
    /// worker held is delivered again after that long.
    pub async fn claim_outbox_for(
        &self,
        now: Timestamp,
        limit: i64,
        claim_secs: i64,
    ) -> Result<Vec<Item>> {
        let until = micros(now) + claim_secs.max(1) * 1_000_000;
        let rows: Vec<(i64, String, i64, i64, i64)> = if self.engine() == "postgres" {
            write_pool!(self, p => sqlx::query_as(
                "UPDATE outbox SET status = 'sending', claimed_until = $1 WHERE id IN ( \
                   SELECT id FROM outbox WHERE (status = 'pending' AND next_attempt_at <= $2) OR (status = 'sending' AND claimed_until < $2) \
                   ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) \
                 RETURNING id, kind, ticket_id, transaction_id, attempts",
            ).bind(until).bind(micros(now)).bind(limit).fetch_all(p).await)?
        } else {
            // SQLite has one writer: the update is the claim.
            write_pool!(self, p => sqlx::query_as(
                "UPDATE outbox SET status = 'sending', claimed_until = $1 WHERE id IN ( \
                   SELECT id FROM outbox WHERE (status = 'pending' AND next_attempt_at <= $2) OR (status = 'sending' AND claimed_until < $2) \
                   ORDER BY id LIMIT $3) \
                 RETURNING id, kind, ticket_id, transaction_id, attempts",
            ).bind(until).bind(micros(now)).bind(limit).fetch_all(p).await)?
        };
        let mut items: Vec<Item> = rows
            .into_iter()
            .map(|(id, kind, ticket, transaction, attempts)| Item {
                id,
                kind: Kind::parse(&kind),
                ticket: TicketId(ticket),
                transaction,
                attempts,
            })
            .collect();
        items.sort_by_key(|i| i.id);
        Ok(items)
    }

    /// Records how an attempt ended; a retry waits 1, 2, 4 … minutes (at most an hour).
    pub async fn finish_outbox(&self, item: &Item, outcome: Outcome, now: Timestamp) -> Result<()> {
        let attempts = item.attempts + 1;
        let (status, error, recipients, message_id, next) = match outcome {
            Outcome::Sent {
                recipients,
                message_id,
            } => ("sent", String::new(), recipients, message_id, None),
            Outcome::Skipped(why) => ("skipped", why, String::new(), String::new(), None),
            Outcome::Failed(why) => ("failed", why, String::new(), String::new(), None),
            Outcome::Retry(why) if attempts >= MAX_ATTEMPTS => (
                "failed",
                format!("gave up after {attempts} attempts: {why}"),
                String::new(),
                String::new(),
                None,
            ),
            Outcome::Retry(why) => {
                let wait_min = 1i64 << (attempts - 1).min(6);
                (
                    "pending",
                    why,
                    String::new(),
                    String::new(),
                    Some(micros(now) + wait_min * 60_000_000),
                )
            }
        };
        let finished = if status == "pending" {
            None
        } else {
            Some(micros(now))
        };
        write_pool!(self, p => sqlx::query(
            "UPDATE outbox SET status = $1, attempts = $2, last_error = $3, recipients = $4, message_id = $5, \
             next_attempt_at = COALESCE($6, next_attempt_at), finished_at = $7, claimed_until = NULL WHERE id = $8",
        ).bind(status).bind(attempts).bind(error).bind(recipients).bind(message_id).bind(next).bind(finished).bind(item.id)
        .execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Every notification of a ticket, oldest first: what reached whom, and what did not.
    pub async fn delivery_log(&self, ticket: TicketId) -> Result<Vec<Delivery>> {
        #[allow(clippy::type_complexity)]
        let rows: Vec<(
            i64,
            String,
            i64,
            String,
            i64,
            String,
            String,
            String,
            i64,
            Option<i64>,
        )> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, kind, transaction_id, status, attempts, recipients, message_id, last_error, created_at, finished_at \
             FROM outbox WHERE ticket_id = $1 ORDER BY id",
        ).bind(ticket.0).fetch_all(p).await)?;
        rows.into_iter()
            .map(|r| {
                Ok(Delivery {
                    id: r.0,
                    kind: Kind::parse(&r.1),
                    transaction: r.2,
                    status: r.3,
                    attempts: r.4,
                    recipients: r.5,
                    message_id: r.6,
                    last_error: r.7,
                    created_at: from_micros(r.8)?,
                    finished_at: r.9.map(from_micros).transpose()?,
                })
            })
            .collect()
    }

    /// Remembers a Message-ID Varde sent on a ticket, so that replies to it thread back.
    pub async fn remember_message_id(&self, ticket: TicketId, message_id: &str) -> Result<()> {
        write_pool!(self, p => sqlx::query("INSERT INTO ticket_message_ids (message_id, ticket_id) VALUES ($1, $2) ON CONFLICT (message_id) DO NOTHING")
            .bind(message_id).bind(ticket.0).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// The Message-IDs a ticket's mail refers to, oldest first: received ones (for In-Reply-To,
    /// the newest) and the ones Varde sent.
    pub async fn thread_message_ids(
        &self,
        ticket: TicketId,
    ) -> Result<(Option<String>, Vec<String>)> {
        let received: Vec<String> = read_pool!(self, p => sqlx::query_scalar(
            "SELECT message_id FROM inbound_messages WHERE ticket_id = $1 AND message_id IS NOT NULL ORDER BY id",
        ).bind(ticket.0).fetch_all(p).await)?;
        let sent: Vec<String> = read_pool!(self, p => sqlx::query_scalar(
            "SELECT message_id FROM outbox WHERE ticket_id = $1 AND status = 'sent' AND message_id <> '' ORDER BY id",
        ).bind(ticket.0).fetch_all(p).await)?;
        let latest = received.last().cloned();
        let mut refs = received;
        refs.extend(sent);
        Ok((latest, refs))
    }
}

/// A mail template an administrator saved, and who saved it when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedTemplate {
    pub template: varde_core::mail_template::MailTemplate,
    pub updated_at: jiff::Timestamp,
    pub updated_by: String,
}

impl Store {
    /// The saved template `name` in a language, if an administrator saved one.
    pub async fn mail_template(
        &self,
        name: &str,
        language: varde_core::values::Language,
    ) -> Result<Option<SavedTemplate>> {
        let row: Option<(String, String, i64, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT subject, body, updated_at, updated_by FROM mail_templates WHERE name = $1 AND language = $2",
        ).bind(name).bind(language.code()).fetch_optional(p).await)?;
        row.map(|(subject, body, at, by)| {
            Ok(SavedTemplate {
                template: varde_core::mail_template::MailTemplate { subject, body },
                updated_at: crate::from_micros(at)?,
                updated_by: by,
            })
        })
        .transpose()
    }

    /// Saves a template for a language (replacing the one before).
    pub async fn save_mail_template(
        &self,
        name: &str,
        language: varde_core::values::Language,
        t: &varde_core::mail_template::MailTemplate,
        by: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        write_pool!(self, p => sqlx::query(
            "INSERT INTO mail_templates (name, language, subject, body, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (name, language) DO UPDATE SET subject = excluded.subject, body = excluded.body, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        ).bind(name).bind(language.code()).bind(&t.subject).bind(&t.body).bind(crate::micros(now)).bind(by)
        .execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Goes back to the shipped template for a language.
    pub async fn reset_mail_template(
        &self,
        name: &str,
        language: varde_core::values::Language,
    ) -> Result<()> {
        write_pool!(self, p => sqlx::query("DELETE FROM mail_templates WHERE name = $1 AND language = $2")
            .bind(name).bind(language.code()).execute(p).await.map(|_| ()))?;
        Ok(())
    }
}
