//! Who is told about the status page, and the delivery of what they are told.
//!
//! An update to an incident leaves a fan-out job in its own transaction (`status_fanouts`);
//! [`Store::fan_out`] turns each job into one notification row per matching subscriber with a
//! single `INSERT … SELECT`, and the unique `(update_id, subscriber_id)` makes a repeated
//! fan-out harmless: nobody gets the same update twice. Workers claim due rows as the ticket
//! outbox does and record sent, retry with backoff, or failed.

use jiff::Timestamp;
use varde_core::status::subscription::{Channel, NewSubscription};
use varde_core::values::Language;

use crate::{Result, Store, StoreError, from_micros, micros, read_pool, write_pool};

/// A subscriber.
#[derive(Clone, Debug, PartialEq)]
pub struct Subscriber {
    pub id: i64,
    pub channel: Channel,
    pub target: String,
    pub language: Language,
    /// `None`: every component.
    pub components: Option<Vec<i64>>,
    pub signing_key: Option<String>,
    pub owner_email: Option<String>,
    pub confirmed: bool,
    pub disabled: bool,
    pub unsubscribed: bool,
    pub created_at: Timestamp,
    /// Made for an organisation's technical contact, who did not subscribe
    /// (`status_audience`).
    pub audience_only: bool,
}

/// What a notification says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotificationKind {
    /// An incident or maintenance update.
    Update,
    /// The double opt-in mail to a new e-mail subscriber.
    Confirm,
    /// To a webhook's owner: the webhook kept failing and was switched off.
    WebhookDisabled,
}

impl NotificationKind {
    pub fn code(self) -> &'static str {
        match self {
            NotificationKind::Update => "update",
            NotificationKind::Confirm => "confirm",
            NotificationKind::WebhookDisabled => "webhook_disabled",
        }
    }

    fn parse(s: &str) -> NotificationKind {
        match s {
            "confirm" => NotificationKind::Confirm,
            "webhook_disabled" => NotificationKind::WebhookDisabled,
            _ => NotificationKind::Update,
        }
    }
}

/// A claimed notification.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    pub id: i64,
    pub kind: NotificationKind,
    /// The status update it carries (for `Update`).
    pub update_id: Option<i64>,
    pub subscriber: Subscriber,
    pub attempts: i64,
}

/// How a delivery attempt ended.
#[derive(Clone, Debug)]
pub enum Delivery {
    Sent,
    Retry(String),
    Failed(String),
    /// The channel is not set up on this server (no SMTP relay, no SMS gateway): try again in
    /// a minute without counting an attempt, so nothing is given up while an operator fixes it.
    Wait(String),
}

/// One line of an update's delivery log.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryLine {
    pub channel: String,
    pub target: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: String,
}

/// A webhook is switched off after this many failed notifications in a row.
pub const WEBHOOK_FAILURE_LIMIT: i64 = 5;
/// After this many attempts a notification is given up.
pub const MAX_ATTEMPTS: i64 = 6;
const CLAIM_SECS: i64 = 120;

type SubscriberRow = (
    i64,
    String,
    String,
    String,
    bool,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    i64,
    bool,
);

const SUBSCRIBER_COLUMNS: &str = "s.id, s.channel, s.target, s.language, s.all_components, s.signing_key, s.owner_email, s.confirmed_at, s.disabled_at, s.unsubscribed_at, s.created_at, s.audience_only";

fn subscriber(r: SubscriberRow, components: Option<Vec<i64>>) -> Result<Subscriber> {
    let corrupt = |e: varde_core::values::Invalid| StoreError::Corrupt(e.0);
    Ok(Subscriber {
        id: r.0,
        channel: Channel::parse(&r.1).map_err(corrupt)?,
        target: r.2,
        language: Language::parse(&r.3).map_err(corrupt)?,
        components: if r.4 { None } else { components },
        signing_key: r.5,
        owner_email: r.6,
        confirmed: r.7.is_some(),
        disabled: r.8.is_some(),
        unsubscribed: r.9.is_some(),
        created_at: from_micros(r.10)?,
        audience_only: r.11,
    })
}

impl Store {
    /// Subscribes (or re-subscribes) `s`. An e-mail subscriber is unconfirmed until it follows
    /// the link in the confirmation mail queued here; SMS and webhooks start confirmed. A
    /// second subscription of the same target replaces the first's choices.
    pub async fn subscribe(
        &self,
        s: &NewSubscription,
        signing_key: Option<&str>,
        now: Timestamp,
    ) -> Result<Subscriber> {
        let confirmed = (s.channel != Channel::Email).then(|| micros(now));
        let id: i64 = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO status_subscribers (channel, target, language, all_components, signing_key, owner_email, confirmed_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (channel, target) DO UPDATE SET language = excluded.language, all_components = excluded.all_components, \
                   owner_email = excluded.owner_email, signing_key = COALESCE(status_subscribers.signing_key, excluded.signing_key), \
                   unsubscribed_at = NULL, disabled_at = NULL, consecutive_failures = 0, audience_only = FALSE, \
                   confirmed_at = CASE WHEN status_subscribers.unsubscribed_at IS NULL AND NOT status_subscribers.audience_only \
                     THEN COALESCE(status_subscribers.confirmed_at, excluded.confirmed_at) ELSE excluded.confirmed_at END \
                 RETURNING id",
            )
            .bind(s.channel.code())
            .bind(&s.target)
            .bind(s.language.code())
            .bind(s.components.is_none())
            .bind(signing_key)
            .bind(s.owner_email.as_deref())
            .bind(confirmed)
            .bind(micros(now))
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM status_subscriber_components WHERE subscriber_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for c in s.components.iter().flatten() {
                sqlx::query("INSERT INTO status_subscriber_components (subscriber_id, component_id) SELECT $1, id FROM status_components WHERE id = $2")
                    .bind(id)
                    .bind(c)
                    .execute(&mut *tx)
                    .await?;
            }
            let unconfirmed: Option<i64> = sqlx::query_scalar("SELECT id FROM status_subscribers WHERE id = $1 AND confirmed_at IS NULL")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            if unconfirmed.is_some() {
                sqlx::query("INSERT INTO status_notifications (kind, subscriber_id, next_attempt_at, created_at) VALUES ('confirm', $1, $2, $2)")
                    .bind(id)
                    .bind(micros(now))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            id
        });
        self.subscriber(id).await?.ok_or(StoreError::NotFound)
    }

    /// Ends the public subscription of an address that is also a technical contact's: the row
    /// goes back to telling the contact of its organisation's incidents only
    /// (`status_audience`).
    pub async fn keep_for_audience(&self, id: i64) -> Result<()> {
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE status_subscribers SET audience_only = TRUE, all_components = FALSE WHERE id = $1")
                .bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM status_subscriber_components WHERE subscriber_id = $1")
                .bind(id).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn subscriber(&self, id: i64) -> Result<Option<Subscriber>> {
        let sql = format!("SELECT {SUBSCRIBER_COLUMNS} FROM status_subscribers s WHERE s.id = $1");
        let (row, components): (Option<SubscriberRow>, Vec<i64>) = read_pool!(self, p => (
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?,
            sqlx::query_scalar("SELECT component_id FROM status_subscriber_components WHERE subscriber_id = $1 ORDER BY component_id").bind(id).fetch_all(p).await?,
        ));
        row.map(|r| subscriber(r, Some(components))).transpose()
    }

    /// The active subscriptions of one address (e-mail or phone), for "manage in one place".
    pub async fn subscribers_of(&self, target: &str) -> Result<Vec<Subscriber>> {
        let ids: Vec<i64> = read_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM status_subscribers WHERE (lower(target) = lower($1) OR lower(owner_email) = lower($1)) AND unsubscribed_at IS NULL ORDER BY id",
        ).bind(target).fetch_all(p).await)?;
        let mut out = Vec::new();
        for id in ids {
            out.extend(self.subscriber(id).await?);
        }
        Ok(out)
    }

    /// The double opt-in: the subscriber followed the link.
    pub async fn confirm_subscriber(&self, id: i64, now: Timestamp) -> Result<()> {
        let n: u64 = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query(
                "UPDATE status_subscribers SET confirmed_at = COALESCE(confirmed_at, $1) WHERE id = $2 AND unsubscribed_at IS NULL",
            ).bind(micros(now)).bind(id).execute(&mut *tx).await?.rows_affected();
            // A confirmation mail not sent yet is no longer needed.
            sqlx::query("UPDATE status_notifications SET status = 'skipped', last_error = 'already confirmed', finished_at = $1 WHERE subscriber_id = $2 AND kind = 'confirm' AND status = 'pending'")
                .bind(micros(now)).bind(id).execute(&mut *tx).await?;
            tx.commit().await?;
            n
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Ends a subscription; pending notifications to it are skipped.
    pub async fn unsubscribe(&self, id: i64, now: Timestamp) -> Result<()> {
        let n: u64 = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query("UPDATE status_subscribers SET unsubscribed_at = COALESCE(unsubscribed_at, $1) WHERE id = $2")
                .bind(micros(now))
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query("UPDATE status_notifications SET status = 'skipped', last_error = 'unsubscribed', finished_at = $1 WHERE subscriber_id = $2 AND status IN ('pending', 'sending')")
                .bind(micros(now))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            n
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Turns waiting fan-out jobs into notifications: one row per confirmed, active
    /// subscriber who subscribed before the update and follows one of the event's components
    /// (or every component; an event without components goes to everyone), and one per
    /// technical contact of an organisation the event touches (`status_audience`). Returns
    /// how many notifications it queued.
    pub async fn fan_out(&self, now: Timestamp) -> Result<u64> {
        let jobs: Vec<(i64,)> = read_pool!(self, p => sqlx::query_as(
            "SELECT update_id FROM status_fanouts WHERE done_at IS NULL ORDER BY update_id LIMIT 20",
        ).fetch_all(p).await)?;
        let day = now.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
        let mut queued = 0;
        for (update,) in jobs {
            queued += write_pool!(self, p => {
                let mut tx = p.begin().await?;
                let n = sqlx::query(
                    "INSERT INTO status_notifications (kind, update_id, subscriber_id, next_attempt_at, created_at) \
                     SELECT 'update', u.id, s.id, $2, $2 FROM status_updates u, status_subscribers s \
                     WHERE u.id = $1 AND s.confirmed_at IS NOT NULL AND s.disabled_at IS NULL AND s.unsubscribed_at IS NULL \
                       AND s.created_at <= u.created_at AND NOT s.audience_only \
                       AND (s.all_components \
                            OR NOT EXISTS (SELECT 1 FROM status_event_components ec WHERE ec.event_id = u.event_id) \
                            OR EXISTS (SELECT 1 FROM status_subscriber_components sc JOIN status_event_components ec ON ec.component_id = sc.component_id \
                                       WHERE sc.subscriber_id = s.id AND ec.event_id = u.event_id)) \
                     ON CONFLICT (update_id, subscriber_id) DO NOTHING",
                )
                .bind(update)
                .bind(micros(now))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                // The organisations' technical contacts the event touches (`status_audience`).
                for sql in crate::status_audience::AUDIENCE_SUBSCRIBERS.iter() {
                    sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(update).bind(micros(now)).bind(&day)
                        .execute(&mut *tx).await?;
                }
                let told = sqlx::query(sqlx::AssertSqlSafe(crate::status_audience::AUDIENCE_NOTIFICATIONS.as_str()))
                    .bind(update).bind(micros(now)).bind(&day)
                    .execute(&mut *tx).await?.rows_affected();
                sqlx::query("UPDATE status_fanouts SET done_at = $1 WHERE update_id = $2")
                    .bind(micros(now))
                    .bind(update)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                n + told
            });
        }
        Ok(queued)
    }

    /// Claims up to `limit` due notifications.
    pub async fn claim_notifications(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> Result<Vec<Notification>> {
        let until = micros(now) + CLAIM_SECS * 1_000_000;
        let lock = if self.engine() == "postgres" {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE status_notifications SET status = 'sending', claimed_until = $1 WHERE id IN ( \
               SELECT id FROM status_notifications WHERE (status = 'pending' AND next_attempt_at <= $2) OR (status = 'sending' AND claimed_until < $2) \
               ORDER BY id LIMIT $3{lock}) \
             RETURNING id, kind, update_id, subscriber_id, attempts"
        );
        let rows: Vec<(i64, String, Option<i64>, i64, i64)> = write_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(until).bind(micros(now)).bind(limit).fetch_all(p).await)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // The subscribers of this claim, read in two queries (rows claimed together share
        // `claimed_until`; another worker's rows that happen to share it are ignored below).
        let subscribers_sql = format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM status_subscribers s WHERE s.id IN \
             (SELECT subscriber_id FROM status_notifications WHERE status = 'sending' AND claimed_until = $1)"
        );
        let (subscribers, chosen): (Vec<SubscriberRow>, Vec<(i64, i64)>) = read_pool!(self, p => (
            sqlx::query_as(sqlx::AssertSqlSafe(subscribers_sql)).bind(until).fetch_all(p).await?,
            sqlx::query_as(
                "SELECT subscriber_id, component_id FROM status_subscriber_components WHERE subscriber_id IN \
                 (SELECT subscriber_id FROM status_notifications WHERE status = 'sending' AND claimed_until = $1) ORDER BY component_id",
            ).bind(until).fetch_all(p).await?,
        ));
        let mut components: std::collections::HashMap<i64, Vec<i64>> =
            std::collections::HashMap::new();
        for (sid, cid) in chosen {
            components.entry(sid).or_default().push(cid);
        }
        let mut by_id = std::collections::HashMap::new();
        for r in subscribers {
            let id = r.0;
            by_id.insert(
                id,
                subscriber(r, Some(components.remove(&id).unwrap_or_default()))?,
            );
        }
        let mut out = Vec::with_capacity(rows.len());
        for (id, kind, update_id, subscriber_id, attempts) in rows {
            let Some(subscriber) = by_id.get(&subscriber_id).cloned() else {
                continue;
            };
            out.push(Notification {
                id,
                kind: NotificationKind::parse(&kind),
                update_id,
                subscriber,
                attempts,
            });
        }
        out.sort_by_key(|n| n.id);
        Ok(out)
    }

    /// Records how deliveries ended, in one transaction. A webhook that fails
    /// [`WEBHOOK_FAILURE_LIMIT`] times in a row is switched off, and its owner is told by e-mail.
    pub async fn finish_notifications(
        &self,
        done: &[(Notification, Delivery)],
        now: Timestamp,
    ) -> Result<()> {
        if done.is_empty() {
            return Ok(());
        }
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            for (n, outcome) in done {
                let attempts = n.attempts + 1;
                let (status, error, next) = match outcome {
                    Delivery::Sent => ("sent", String::new(), None),
                    Delivery::Failed(e) => ("failed", e.clone(), None),
                    Delivery::Retry(e) if attempts >= MAX_ATTEMPTS => ("failed", e.clone(), None),
                    Delivery::Retry(e) => {
                        // 30 s, 2 min, 8 min, 32 min, about 2 h.
                        let backoff = 30 * 4_i64.pow((attempts - 1).min(4) as u32);
                        ("pending", e.clone(), Some(micros(now) + backoff * 1_000_000))
                    }
                    Delivery::Wait(e) => ("pending", e.clone(), Some(micros(now) + 60_000_000)),
                };
                let attempts = if matches!(outcome, Delivery::Wait(_)) { n.attempts } else { attempts };
                sqlx::query(
                    "UPDATE status_notifications SET status = $1, attempts = $2, last_error = $3, \
                     next_attempt_at = COALESCE($4, next_attempt_at), claimed_until = NULL, \
                     finished_at = CASE WHEN $1 IN ('sent', 'failed') THEN $5 ELSE NULL END WHERE id = $6",
                )
                .bind(status)
                .bind(attempts)
                .bind(&error)
                .bind(next)
                .bind(micros(now))
                .bind(n.id)
                .execute(&mut *tx)
                .await?;
                if n.subscriber.channel != Channel::Webhook || n.kind != NotificationKind::Update {
                    continue;
                }
                let failures: i64 = sqlx::query_scalar(
                    "UPDATE status_subscribers SET consecutive_failures = CASE WHEN $1 THEN 0 ELSE consecutive_failures + 1 END WHERE id = $2 RETURNING consecutive_failures",
                )
                .bind(status == "sent")
                .bind(n.subscriber.id)
                .fetch_one(&mut *tx)
                .await?;
                if failures < WEBHOOK_FAILURE_LIMIT {
                    continue;
                }
                let switched: u64 = sqlx::query("UPDATE status_subscribers SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL")
                    .bind(micros(now))
                    .bind(n.subscriber.id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if switched > 0 {
                    sqlx::query("UPDATE status_notifications SET status = 'skipped', last_error = 'webhook switched off', finished_at = $1 WHERE subscriber_id = $2 AND status = 'pending'")
                        .bind(micros(now))
                        .bind(n.subscriber.id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("INSERT INTO status_notifications (kind, subscriber_id, next_attempt_at, created_at) VALUES ('webhook_disabled', $1, $2, $2)")
                        .bind(n.subscriber.id)
                        .bind(micros(now))
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records how one delivery ended (see [`Store::finish_notifications`]).
    pub async fn finish_notification(
        &self,
        n: &Notification,
        outcome: &Delivery,
        now: Timestamp,
    ) -> Result<()> {
        self.finish_notifications(&[(n.clone(), outcome.clone())], now)
            .await
    }

    /// The delivery log of one update, its first 500 lines.
    pub async fn update_deliveries(&self, update: i64) -> Result<Vec<DeliveryLine>> {
        Ok(read_pool!(self, p => sqlx::query_as::<_, DeliveryLine>(
            "SELECT s.channel, s.target, n.status, n.attempts, n.last_error FROM status_notifications n \
             JOIN status_subscribers s ON s.id = n.subscriber_id WHERE n.update_id = $1 ORDER BY n.id LIMIT 500",
        ).bind(update).fetch_all(p).await)?)
    }

    /// How an event's notifications stand: `(status, count)` over all its updates.
    pub async fn event_delivery_counts(&self, event: i64) -> Result<Vec<(String, i64)>> {
        Ok(read_pool!(self, p => sqlx::query_as(
            "SELECT n.status, COUNT(*) FROM status_notifications n JOIN status_updates u ON u.id = n.update_id \
             WHERE u.event_id = $1 GROUP BY n.status ORDER BY n.status",
        ).bind(event).fetch_all(p).await)?)
    }

    /// The key Varde signs subscription links with, made from `candidate` on first use (the
    /// first node to store one wins; every node then uses it).
    pub async fn link_key(&self, candidate: &str) -> Result<String> {
        write_pool!(self, p => sqlx::query("INSERT INTO server_keys (name, value) VALUES ('links', $1) ON CONFLICT (name) DO NOTHING")
            .bind(candidate).execute(p).await.map(|_| ()))?;
        Ok(
            read_pool!(self, p => sqlx::query_scalar("SELECT value FROM server_keys WHERE name = 'links'").fetch_one(p).await)?,
        )
    }

    /// How many notifications are waiting or being sent (for metrics and the bench).
    pub async fn pending_notifications(&self) -> Result<i64> {
        Ok(read_pool!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM status_notifications WHERE status IN ('pending', 'sending')",
        ).fetch_one(p).await)?)
    }
}
