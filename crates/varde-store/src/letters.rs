//! Letters: the durable queue of mail that belongs to no ticket (a meeting's invitation). A
//! letter is written in the same transaction as the change that causes it, and sent at least
//! once by the mail worker, with backoff and a final state, as the ticket outbox is.

use jiff::Timestamp;

use crate::outbox::{MAX_ATTEMPTS, Outcome};
use crate::{Result, Store, from_micros, micros, read_pool, write_pool};

/// A letter to queue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewLetter {
    /// What it is: `meeting_invitation`.
    pub kind: String,
    /// What it is about, for listing: `meeting:7`.
    pub reference: String,
    pub recipient: String,
    pub recipient_name: String,
    /// The sender; blank for the installation's default.
    pub sender: String,
    pub subject: String,
    pub body: String,
    /// An iCalendar `METHOD:REQUEST` object sent along, or blank.
    pub calendar: String,
}

/// A claimed letter, or one in a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Letter {
    pub id: i64,
    pub letter: NewLetter,
    /// pending | sending | sent | failed
    pub status: String,
    pub attempts: i64,
    pub last_error: String,
    pub created_at: Timestamp,
}

/// Appends a letter inside the open transaction `$tx`.
macro_rules! insert_letter {
    ($tx:expr, $l:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO letters (kind, reference, recipient, recipient_name, sender, subject, body, calendar, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(&$l.kind)
        .bind(&$l.reference)
        .bind(&$l.recipient)
        .bind(&$l.recipient_name)
        .bind(&$l.sender)
        .bind(&$l.subject)
        .bind(&$l.body)
        .bind(&$l.calendar)
        .bind($crate::micros($now))
        .execute(&mut *$tx)
        .await?
    };
}
pub(crate) use insert_letter;

const COLUMNS: &str = "id, kind, reference, recipient, recipient_name, sender, subject, body, calendar, status, attempts, last_error, created_at";

type Row = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
);

fn letter(r: Row) -> Result<Letter> {
    let (id, kind, reference, recipient, recipient_name, sender, subject, body, calendar) =
        (r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8);
    Ok(Letter {
        id,
        letter: NewLetter {
            kind,
            reference,
            recipient,
            recipient_name,
            sender,
            subject,
            body,
            calendar,
        },
        status: r.9,
        attempts: r.10,
        last_error: r.11,
        created_at: from_micros(r.12)?,
    })
}

impl Store {
    /// Claims up to `limit` due letters for `claim_secs` seconds.
    pub async fn claim_letters(
        &self,
        now: Timestamp,
        limit: i64,
        claim_secs: i64,
    ) -> Result<Vec<Letter>> {
        let until = micros(now) + claim_secs.max(1) * 1_000_000;
        let lock = if self.engine() == "postgres" {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE letters SET status = 'sending', claimed_until = $1 WHERE id IN ( \
               SELECT id FROM letters WHERE (status = 'pending' AND next_attempt_at <= $2) OR (status = 'sending' AND claimed_until < $2) \
               ORDER BY id LIMIT $3{lock}) RETURNING {COLUMNS}"
        );
        let rows: Vec<Row> = write_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(until).bind(micros(now)).bind(limit).fetch_all(p).await)?;
        let mut letters = rows.into_iter().map(letter).collect::<Result<Vec<_>>>()?;
        letters.sort_by_key(|l| l.id);
        Ok(letters)
    }

    /// Records how an attempt to send a letter ended; a retry waits 1, 2, 4 … minutes.
    pub async fn finish_letter(&self, l: &Letter, outcome: Outcome, now: Timestamp) -> Result<()> {
        let attempts = l.attempts + 1;
        let (status, error, message_id, next) = match outcome {
            Outcome::Sent { message_id, .. } => ("sent", String::new(), message_id, None),
            Outcome::Skipped(why) | Outcome::Failed(why) => ("failed", why, String::new(), None),
            Outcome::Retry(why) if attempts >= MAX_ATTEMPTS => (
                "failed",
                format!("gave up after {attempts} attempts: {why}"),
                String::new(),
                None,
            ),
            Outcome::Retry(why) => {
                let wait_min = 1i64 << (attempts - 1).min(6);
                let next = micros(now) + wait_min * 60_000_000;
                ("pending", why, String::new(), Some(next))
            }
        };
        let finished = (status != "pending").then(|| micros(now));
        write_pool!(self, p => sqlx::query(
            "UPDATE letters SET status = $1, attempts = $2, last_error = $3, message_id = $4, \
             next_attempt_at = COALESCE($5, next_attempt_at), finished_at = $6, claimed_until = NULL WHERE id = $7",
        ).bind(status).bind(attempts).bind(error).bind(message_id).bind(next).bind(finished).bind(l.id)
        .execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// The letters about `reference` (`meeting:7`), oldest first.
    pub async fn letters_about(&self, reference: &str) -> Result<Vec<Letter>> {
        let sql = format!("SELECT {COLUMNS} FROM letters WHERE reference = $1 ORDER BY id");
        let rows: Vec<Row> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(reference).fetch_all(p).await)?;
        rows.into_iter().map(letter).collect()
    }
}
