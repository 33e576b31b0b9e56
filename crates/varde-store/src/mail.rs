//! Inbound mail on disk: the raw message is kept, the mail is threaded onto its ticket (or
//! opens one), and its Message-ID is remembered — all in one database transaction, so that a
//! success answer is only ever given for mail that is stored, and a redelivery changes nothing.

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use varde_core::ids::OrganizationId;
use varde_core::ticket::history::{Change, Creation, Transaction, apply, correspond, replay};
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{Ticket, TicketId};

use crate::change_codec::encode;
use crate::tickets::{
    NewAttachment, TICKET_COLUMNS, TicketError, TicketRow, append, attach, load_ticket, save_ticket,
};
use crate::{Result, Store, StoreError, micros, write_pool};

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
        mut d: Delivery<'_>,
    ) -> std::result::Result<Delivered, TicketError> {
        if self.queue(d.queue).await?.is_none() {
            return Err(TicketError::Refused(format!(
                "no queue named '{}'",
                d.queue
            )));
        }
        let sqlite = self.engine() == "sqlite";
        let lock = if sqlite { "" } else { " FOR UPDATE" };
        let raw_digest = hex::encode(Sha256::digest(d.raw));
        let outcome: std::result::Result<Delivered, TicketError> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let seen: Option<Option<i64>> = match d.message_id {
                Some(id) => sqlx::query_scalar("SELECT ticket_id FROM inbound_messages WHERE message_id = $1").bind(id).fetch_optional(&mut *tx).await?,
                None => None,
            };
            if let Some(ticket) = seen {
                return Ok(Delivered::Duplicate { ticket: ticket.map(TicketId) });
            }
            // Keep the raw message first: whatever happens next, it is stored.
            sqlx::query("INSERT INTO blobs (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
                .bind(&raw_digest).bind(d.raw.len() as i64).bind(d.raw).execute(&mut *tx).await?;
            // Threading: the tag first, then the Message-IDs this one answers.
            let mut target: Option<i64> = None;
            if let Some(t) = d.tagged {
                let found: Option<i64> = sqlx::query_scalar("SELECT effective_id FROM tickets WHERE id = $1").bind(t.0).fetch_optional(&mut *tx).await?;
                target = found;
            }
            if target.is_none() {
                for id in d.related_ids.iter().rev() {
                    let found: Option<i64> = sqlx::query_scalar(
                        "SELECT t.effective_id FROM ticket_message_ids m JOIN tickets t ON t.id = m.ticket_id WHERE m.message_id = $1",
                    ).bind(id).fetch_optional(&mut *tx).await?;
                    if found.is_some() {
                        target = found;
                        break;
                    }
                }
            }
            let (ticket_id, txid, created) = match target {
                Some(tid) => {
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
                    (tid, first.unwrap_or_default(), false)
                }
                None => {
                    let creation = Creation {
                        queue: d.queue.to_string(),
                        subject: d.subject.to_string(),
                        status: Status::New,
                        owner: None,
                        requestors: vec![d.sender.to_string()],
                        cc: vec![],
                        admin_cc: vec![],
                        priority: 0,
                        final_priority: 0,
                        time_estimated: 0,
                        time_left: 0,
                        due: None,
                        starts: None,
                        custom_fields: Default::default(),
                        organization: d.organization,
                    };
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO tickets (effective_id, queue, subject, status, creator, priority, initial_priority, final_priority, time_worked, \
                         time_estimated, time_left, created_at, last_updated_at, last_updated_by) \
                         VALUES (0, $1, $2, 'new', $3, 0, 0, 0, 0, 0, 0, $4, $4, $3) RETURNING id",
                    )
                    .bind(d.queue).bind(d.subject).bind(d.sender).bind(micros(d.now))
                    .fetch_one(&mut *tx).await?;
                    let change = Change::Create(Box::new(creation));
                    let txid = append!(tx, id, d.now, d.sender, 0i64, &change);
                    let t = replay(&[Transaction { id: txid, ticket: TicketId(id), at: d.now, creator: d.sender.to_string(), time_taken: 0, change }])
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    save_ticket!(tx, &t, fresh);
                    attach!(tx, id, txid, d.parts, d.subject);
                    // Automatic mail (auto-replies, bounces, our own) is recorded, never answered;
                    // and one sender gets at most AUTOREPLIES_PER_HOUR autoreplies, so that two
                    // robots answering each other cannot start a storm.
                    if !d.automatic {
                        let hour_ago = micros(d.now) - 3_600_000_000;
                        let recent: i64 = sqlx::query_scalar(
                            "SELECT COUNT(*) FROM outbox o JOIN inbound_messages m ON m.transaction_id = o.transaction_id \
                             WHERE o.kind = 'autoreply' AND m.sender = $1 AND o.created_at > $2",
                        )
                        .bind(d.sender).bind(hour_ago).fetch_one(&mut *tx).await?;
                        if recent < AUTOREPLIES_PER_HOUR {
                            crate::outbox::enqueue!(tx, crate::outbox::Kind::AutoReply, id, txid, d.now);
                        } else {
                            d.flags.push(format!("no autoreply: {recent} sent to {} in the last hour", d.sender));
                        }
                    }
                    (id, txid, true)
                }
            };
            sqlx::query(
                "INSERT INTO inbound_messages (message_id, raw_sha256, queue, action, sender, received_at, ticket_id, transaction_id, flags) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(d.message_id).bind(&raw_digest).bind(d.queue).bind(if d.comment { "comment" } else { "correspond" })
            .bind(d.sender).bind(micros(d.now)).bind(ticket_id).bind(txid).bind(d.flags.join("\n"))
            .execute(&mut *tx).await?;
            if let Some(mid) = d.message_id {
                sqlx::query("INSERT INTO ticket_message_ids (message_id, ticket_id) VALUES ($1, $2) ON CONFLICT (message_id) DO NOTHING")
                    .bind(mid).bind(ticket_id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(if created { Delivered::Created { ticket: TicketId(ticket_id), transaction: txid } } else { Delivered::Added { ticket: TicketId(ticket_id), transaction: txid } })
        });
        outcome
    }

    /// The flags stored with a delivered message (problems, automatic-mail markers).
    pub async fn mail_flags(&self, message_id: &str) -> Result<Option<String>> {
        Ok(
            crate::read_pool!(self, p => sqlx::query_scalar("SELECT flags FROM inbound_messages WHERE message_id = $1").bind(message_id).fetch_optional(p).await)?,
        )
    }

    /// The raw bytes of a delivered message, as they arrived.
    pub async fn raw_mail(&self, message_id: &str) -> Result<Option<Vec<u8>>> {
        Ok(crate::read_pool!(self, p => sqlx::query_scalar(
            "SELECT b.content FROM inbound_messages m JOIN blobs b ON b.sha256 = m.raw_sha256 WHERE m.message_id = $1",
        ).bind(message_id).fetch_optional(p).await)?)
    }
}
