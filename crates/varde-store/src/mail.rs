//! Inbound mail on disk: the raw message is kept, the mail is threaded onto its ticket (or
//! opens one), and its Message-ID is remembered — all in one database transaction, so that a
//! success answer is only ever given for mail that is stored, and a redelivery changes nothing.

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use varde_core::ids::OrganizationId;
use varde_core::ticket::history::{Change, Creation, Transaction, apply, correspond, replay};
use varde_core::ticket::{Ticket, TicketId};

use crate::change_codec::encode;
use crate::script::{NEW_TICKET, NEW_TRANSACTION, Script, ScriptError, Value};
use crate::tickets::{
    NewAttachment, TICKET_COLUMNS, TicketError, TicketRow, append, attach, load_ticket,
    new_ticket_statements, save_ticket,
};
use crate::{Result, Store, StoreError, micros, read_pool, write_pool};

/// A delivered message, parsed, and where it should go.
pub struct Delivery<'a> {
    pub raw: &'a [u8],
    pub message_id: Option<&'a str>,
    /// In-Reply-To and References, for threading.
    pub related_ids: &'a [String],
    /// The ticket the subject tag (or the gateway's `ticket` field) names.
    pub tagged: Option<TicketId>,
    pub queue: &'a str,
    /// `comment` (internal) or `correspond` (a reply).
    pub comment: bool,
    /// The sender; the creator of the transaction and the requestor of a new ticket.
    pub sender: &'a str,
    pub subject: &'a str,
    /// The organisation of the sender, for a new ticket.
    pub organization: Option<OrganizationId>,
    /// Text body first, then HTML and attachments.
    pub parts: Vec<NewAttachment>,
    /// Problems and automatic-mail markers, stored with the message.
    pub flags: Vec<String>,
    /// Auto-replies, bulk mail, bounces and Varde's own mail: never answered.
    pub automatic: bool,
    pub now: Timestamp,
}

/// The most autoreplies one sender gets in an hour.
pub const AUTOREPLIES_PER_HOUR: i64 = 3;

/// What became of a delivered message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivered {
    Created {
        ticket: TicketId,
        transaction: i64,
    },
    Added {
        ticket: TicketId,
        transaction: i64,
    },
    /// This Message-ID was delivered before; nothing changed.
    Duplicate {
        ticket: Option<TicketId>,
    },
}

impl Store {
    /// Stores and threads one message. See the module documentation.
    pub async fn deliver_mail(
        &self,
        d: Delivery<'_>,
    ) -> std::result::Result<Delivered, TicketError> {
        if self.queue(d.queue).await?.is_none() {
            return Err(TicketError::Refused(format!(
                "no queue named '{}'",
                d.queue
            )));
        }
        let raw_digest = hex::encode(Sha256::digest(d.raw));
        if let Some(ticket) = self.delivered_before(d.message_id).await? {
            return Ok(Delivered::Duplicate { ticket });
        }
        match self.thread_of(d.tagged, d.related_ids).await? {
            Some(ticket) => self.deliver_onto(ticket, d, &raw_digest).await,
            None => {
                let message_id = d.message_id;
                match self.deliver_as_new_ticket(d, &raw_digest).await {
                    // The same message arrived twice at once, and the other delivery won.
                    Err(ScriptError::Duplicate) => Ok(Delivered::Duplicate {
                        ticket: self.delivered_before(message_id).await?.flatten(),
                    }),
                    Err(ScriptError::Store(e)) => Err(e.into()),
                    Ok(d) => Ok(d),
                }
            }
        }
    }

    /// Whether a message with this Message-ID was stored before, and on which ticket.
    async fn delivered_before(&self, message_id: Option<&str>) -> Result<Option<Option<TicketId>>> {
        let Some(id) = message_id else {
            return Ok(None);
        };
        let seen: Option<(Option<i64>,)> = self
            .row(
                "SELECT ticket_id FROM inbound_messages WHERE message_id = $1",
                vec![id.into()],
            )
            .await?;
        Ok(seen.map(|(t,)| t.map(TicketId)))
    }

    /// The ticket a message belongs on: the one its subject tag names, else the one holding a
    /// Message-ID it answers (the latest first); a merged ticket leads to its survivor.
    async fn thread_of(
        &self,
        tagged: Option<TicketId>,
        related_ids: &[String],
    ) -> Result<Option<i64>> {
        read_pool!(self, p => {
            if let Some(t) = tagged {
                let found: Option<i64> = sqlx::query_scalar("SELECT effective_id FROM tickets WHERE id = $1").bind(t.0).fetch_optional(p).await?;
                if found.is_some() {
                    return Ok(found);
                }
            }
            for id in related_ids.iter().rev() {
                // Message-IDs Varde sent, then those it received.
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT t.effective_id FROM ticket_message_ids m JOIN tickets t ON t.id = m.ticket_id WHERE m.message_id = $1 \
                     UNION ALL \
                     SELECT t.effective_id FROM inbound_messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.message_id = $1 \
                     LIMIT 1",
                ).bind(id).fetch_optional(p).await?;
                if found.is_some() {
                    return Ok(found);
                }
            }
            Ok(None)
        })
    }

    /// A message that opens a ticket: everything in one script, one round trip on SQLite.
    /// A second delivery of the same Message-ID racing this one fails on its unique index.
    async fn deliver_as_new_ticket(
        &self,
        d: Delivery<'_>,
        raw_digest: &str,
    ) -> std::result::Result<Delivered, ScriptError> {
        let creation = Creation {
            organization: d.organization,
            ..Creation::requested(d.queue, d.subject, d.sender)
        };
        let change = Change::Create(Box::new(creation));
        let t = replay(&[Transaction {
            id: 0,
            ticket: TicketId(0),
            at: d.now,
            creator: d.sender.to_string(),
            time_taken: 0,
            change: change.clone(),
        }])
        .map_err(|e| ScriptError::Store(StoreError::Corrupt(e.to_string())))?;
        let mut script = Script::default();
        // Keep the raw message first: whatever happens next, it is stored.
        script.push(
            "INSERT INTO blobs (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
            vec![raw_digest.into(), (d.raw.len() as i64).into(), d.raw.into()],
        );
        new_ticket_statements(&mut script, &t, &change, 0, &d.parts, d.subject);
        let flags = d.flags.join("\n");
        let an_hour_ago = micros(d.now) - 3_600_000_000;
        // Automatic mail (auto-replies, bounces, our own) is recorded, never answered; and one
        // sender gets at most AUTOREPLIES_PER_HOUR autoreplies, so that two robots answering
        // each other cannot start a storm. Both are decided inside the transaction.
        let answered = format!(
            "EXISTS (SELECT 1 FROM outbox WHERE ticket_id = {NEW_TICKET} AND transaction_id = {NEW_TRANSACTION} AND kind = 'autoreply')"
        );
        let recent = "(SELECT COUNT(*) FROM inbound_messages WHERE sender = $5 AND received_at > $9 AND autoreplied = 1)";
        let (flags_sql, autoreplied_sql) = if d.automatic {
            ("$7".to_string(), "0".to_string())
        } else {
            if self.engine() == "postgres" {
                // Deliveries from one sender take turns, so each counts the others'
                // autoreplies (SQLite has one writer anyway).
                script.push(
                    "SELECT pg_advisory_xact_lock(7301, hashtext($1))",
                    vec![d.sender.into()],
                );
            }
            script.push(
                &format!(
                    "INSERT INTO outbox (kind, ticket_id, transaction_id, next_attempt_at, created_at) \
                     SELECT 'autoreply', {NEW_TICKET}, {NEW_TRANSACTION}, $1, $1 WHERE {} < $4",
                    recent.replace("$5", "$2").replace("$9", "$3")
                ),
                vec![micros(d.now).into(), d.sender.into(), an_hour_ago.into(), AUTOREPLIES_PER_HOUR.into()],
            );
            (
                format!(
                    "$7 || CASE WHEN {answered} THEN '' ELSE $8 || {recent} || ' sent to ' || $5 || ' in the last hour' END"
                ),
                format!("CASE WHEN {answered} THEN 1 ELSE 0 END"),
            )
        };
        script.push(
            &format!(
                "INSERT INTO inbound_messages (message_id, raw_sha256, queue, action, sender, received_at, ticket_id, transaction_id, flags, autoreplied) \
                 VALUES ($1, $2, $3, $4, $5, $6, {NEW_TICKET}, {NEW_TRANSACTION}, {flags_sql}, {autoreplied_sql})"
            ),
            {
                let mut v: Vec<Value> = vec![
                    d.message_id.into(),
                    raw_digest.into(),
                    d.queue.into(),
                    (if d.comment { "comment" } else { "correspond" }).into(),
                    d.sender.into(),
                    micros(d.now).into(),
                ];
                let held_back = if flags.is_empty() { "no autoreply: " } else { "\nno autoreply: " };
                v.push(flags.into());
                if !d.automatic {
                    v.push(held_back.into());
                    v.push(an_hour_ago.into());
                }
                v
            },
        );
        script.push(&format!("SELECT {NEW_TICKET}, {NEW_TRANSACTION}"), vec![]);
        let ids = script.run(self).await?;
        match ids[..] {
            [ticket, transaction] => Ok(Delivered::Created {
                ticket: TicketId(ticket),
                transaction,
            }),
            _ => Err(ScriptError::Store(StoreError::Corrupt(
                "a new ticket has no id".into(),
            ))),
        }
    }

    /// A message onto an existing ticket: a reply or comment, threaded by tag or Message-ID.
    async fn deliver_onto(
        &self,
        tid: i64,
        d: Delivery<'_>,
        raw_digest: &str,
    ) -> std::result::Result<Delivered, TicketError> {
        let lock = if self.engine() == "sqlite" {
            ""
        } else {
            " FOR UPDATE"
        };
        let delivered = self.deliver_onto_in_turn(tid, d, raw_digest, lock).await;
        if matches!(delivered, Ok(Delivered::Added { .. })) {
            self.text_written().await;
        }
        delivered
    }

    async fn deliver_onto_in_turn(
        &self,
        tid: i64,
        d: Delivery<'_>,
        raw_digest: &str,
        lock: &str,
    ) -> std::result::Result<Delivered, TicketError> {
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            if let Some(id) = d.message_id {
                let seen: Option<Option<i64>> = sqlx::query_scalar("SELECT ticket_id FROM inbound_messages WHERE message_id = $1").bind(id).fetch_optional(&mut *tx).await?;
                if let Some(ticket) = seen {
                    return Ok(Delivered::Duplicate { ticket: ticket.map(TicketId) });
                }
            }
            // Keep the raw message first: whatever happens next, it is stored.
            sqlx::query("INSERT INTO blobs (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
                .bind(raw_digest).bind(d.raw.len() as i64).bind(d.raw).execute(&mut *tx).await?;
            let loaded: Option<Ticket> = load_ticket!(tx, tid, lock);
            let current = loaded.ok_or(StoreError::NotFound)?;
            let changes = if d.comment { vec![Change::Comment] } else { correspond(&current) };
            let mut t = current;
            let mut first = None;
            for change in changes {
                let txid = append!(tx, tid, d.now, d.sender, 0i64, &change);
                if first.is_none() {
                    attach!(tx, tid, txid, d.parts, "");
                    first = Some(txid);
                }
                if matches!(change, Change::Correspond) && !d.automatic {
                    crate::outbox::enqueue!(tx, crate::outbox::Kind::Correspondence, tid, txid, d.now);
                }
                let transaction = Transaction { id: txid, ticket: TicketId(tid), at: d.now, creator: d.sender.to_string(), time_taken: 0, change };
                apply(&mut t, &transaction).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            }
            save_ticket!(tx, &t);
            let txid = first.unwrap_or_default();
            sqlx::query(
                "INSERT INTO inbound_messages (message_id, raw_sha256, queue, action, sender, received_at, ticket_id, transaction_id, flags) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(d.message_id).bind(raw_digest).bind(d.queue).bind(if d.comment { "comment" } else { "correspond" })
            .bind(d.sender).bind(micros(d.now)).bind(tid).bind(txid).bind(d.flags.join("\n"))
            .execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(Delivered::Added { ticket: TicketId(tid), transaction: txid })
        })
    }

    /// The flags stored with a delivered message (problems, automatic-mail markers).
    pub async fn mail_flags(&self, message_id: &str) -> Result<Option<String>> {
        Ok(
            crate::read_pool!(self, p => sqlx::query_scalar("SELECT flags FROM inbound_messages WHERE message_id = $1").bind(message_id).fetch_optional(p).await)?,
        )
    }

    /// What was noted on the mails of a ticket (problems reading them, why no autoreply
    /// went), by the transaction each mail became: `(transaction, notes)`, notes one a line.
    pub async fn mail_notes(&self, ticket: TicketId) -> Result<Vec<(i64, String)>> {
        Ok(crate::read_pool!(self, p => sqlx::query_as(
            "SELECT transaction_id, flags FROM inbound_messages WHERE ticket_id = $1 AND transaction_id IS NOT NULL AND flags <> '' ORDER BY transaction_id",
        ).bind(ticket.0).fetch_all(p).await)?)
    }

    /// The raw bytes of a delivered message, as they arrived.
    pub async fn raw_mail(&self, message_id: &str) -> Result<Option<Vec<u8>>> {
        Ok(crate::read_pool!(self, p => sqlx::query_scalar(
            "SELECT b.content FROM inbound_messages m JOIN blobs b ON b.sha256 = m.raw_sha256 WHERE m.message_id = $1",
        ).bind(message_id).fetch_optional(p).await)?)
    }
}
