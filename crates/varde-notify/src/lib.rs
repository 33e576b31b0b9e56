//! Delivery workers: status-page notifications ([`status`]: e-mail, SMS, webhooks, with
//! Statuspage's shapes in [`statuspage`] and signed links in [`links`]), and ticket mail from
//! the durable outbox and letters (mail of no ticket: meeting invitations) over SMTP (any relay:
//! `smtp://host:port` plain, `smtp://host:port?tls=required` for STARTTLS, `smtps://` for TLS,
//! with `user:password@` for authentication).
//!
//! Each run claims due notifications, composes each mail from the ticket and its transaction,
//! sends it, and records the outcome: sent (with the Message-ID, which replies thread on, and
//! an `EmailRecord` transaction in the ticket's history), skipped (nobody to send to), retried
//! with backoff (a 4xx answer or no connection), or failed (a 5xx answer, or too many tries).

mod compose;
pub mod health;
mod letters;
pub mod links;
pub mod onboarding;
pub mod openstack;
pub mod sla;
pub mod smtp;
pub mod status;
pub mod statuspage;
pub mod testing;
pub mod vault;

use std::time::Duration;

use jiff::Timestamp;
use varde_core::ticket::history::Change;
use varde_store::Store;
use varde_store::outbox::{Item, Outcome};
use varde_store::tickets::NewAttachment;

pub use compose::{Composed, autoreply_text};

/// Makes *ring* the process's TLS provider (the one lettre already uses). Every HTTP client in
/// the process needs one; call this before building any (it is idempotent).
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// What every outgoing mail needs to know about this installation.
#[derive(Clone, Debug, Default)]
pub struct MailConfig {
    /// The name in subject tags and loop headers.
    pub rtname: String,
    /// The sender when a queue has no correspond address.
    pub default_from: String,
    /// The public base URL (no trailing slash), for the rating links in the mail that says a
    /// ticket is resolved; without one that mail asks for no rating.
    pub url: String,
    /// The key links are signed with (`Store::link_key`).
    pub link_key: String,
}

/// Sends the outbox's mail.
pub struct MailWorker {
    store: Store,
    transport: smtp::SmtpRelay,
    config: MailConfig,
    /// How long a claim on outbox rows lasts: after a crash they go out again after this.
    claim: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("the SMTP relay address is not usable: {0}")]
    Relay(#[from] smtp::RelayError),
    #[error(transparent)]
    Store(#[from] varde_store::StoreError),
    #[error("the HTTP client: {0}")]
    Http(String),
}

impl MailWorker {
    pub fn new(
        store: Store,
        smtp_url: &str,
        config: MailConfig,
    ) -> Result<MailWorker, WorkerError> {
        let transport = smtp::SmtpRelay::from_url(smtp_url, 4)?;
        Ok(MailWorker {
            store,
            transport,
            config,
            claim: Duration::from_secs(300),
        })
    }

    /// Sets how long a claim on outbox rows lasts (300 s unless set).
    pub fn with_claim(mut self, claim: Duration) -> MailWorker {
        self.claim = claim;
        self
    }

    /// Delivers what is due now, ticket mail and letters; gives how many it handled.
    pub async fn run_once(&self, now: Timestamp) -> Result<usize, WorkerError> {
        let letters = self.send_letters(now).await?;
        Ok(self.send_outbox(now).await? + letters)
    }

    /// Delivers the ticket mail that is due; gives how many notifications it handled.
    async fn send_outbox(&self, now: Timestamp) -> Result<usize, WorkerError> {
        let items = self
            .store
            .claim_outbox_for(now, 50, self.claim.as_secs() as i64)
            .await?;
        for item in &items {
            match self.deliver(item).await {
                Ok(composed) => {
                    // The relay has it: that is recorded first, so a crash from here on sends
                    // nothing twice. What follows only annotates the ticket.
                    self.store
                        .finish_outbox(
                            item,
                            Outcome::Sent {
                                recipients: composed.recipients.clone(),
                                message_id: composed.message_id.clone(),
                            },
                            now,
                        )
                        .await?;
                    self.annotate(item, &composed, now).await;
                }
                Err(outcome) => {
                    tell_unsent(&outcome, &format!("ticket #{}'s mail", item.ticket));
                    self.store.finish_outbox(item, outcome, now).await?
                }
            }
        }
        Ok(items.len())
    }

    /// Delivers every few seconds until `shutdown` resolves.
    pub async fn run(
        self,
        clock: varde_app::Clock,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        loop {
            match self.run_once(clock()).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "mail worker"),
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    /// Composes the item's mail and hands it to the relay; gives the mail when the relay
    /// accepted it, else how the attempt ended.
    async fn deliver(&self, item: &Item) -> Result<Composed, Outcome> {
        let composed = match compose::compose(&self.store, &self.config, item).await {
            Ok(Some(c)) => c,
            Ok(None) => return Err(Outcome::Skipped("no recipients".into())),
            Err(compose::ComposeError::Store(e)) => {
                return Err(Outcome::Retry(format!("the database: {e}")));
            }
            Err(compose::ComposeError::Bad(m)) => return Err(Outcome::Failed(m)),
        };
        match self.transport.send(composed.message.clone()).await {
            Ok(_) => {
                tracing::info!(ticket = %item.ticket, recipients = %composed.recipients, "mail sent");
                Ok(composed)
            }
            Err(e) if e.is_permanent() => Err(Outcome::Failed(e.to_string())),
            Err(e) => Err(Outcome::Retry(e.to_string())),
        }
    }

    /// After a mail went out: its Message-ID, so replies thread back, and the `EmailRecord`,
    /// the ticket's own record of what went out.
    async fn annotate(&self, item: &Item, composed: &Composed, now: Timestamp) {
        if let Err(e) = self
            .store
            .remember_message_id(item.ticket, &composed.message_id)
            .await
        {
            tracing::error!(error = %e, "remembering a sent Message-ID");
        }
        let record = NewAttachment::text(&composed.text);
        if let Err(e) = self
            .store
            .change_ticket(
                item.ticket,
                "Varde",
                |_| Ok(vec![Change::EmailRecord]),
                &[record],
                0,
                now,
            )
            .await
        {
            tracing::error!(error = %e, "recording sent mail on the ticket");
        }
    }
}

/// Logs a mail that did not go out (the outbox's table keeps why, too): the operator reads in
/// the log that the relay refuses or is away, not only in `/metrics`.
pub(crate) fn tell_unsent(outcome: &Outcome, what: &str) {
    match outcome {
        Outcome::Retry(why) => {
            tracing::warn!(error = %why, "{what} was not sent; it will be tried again")
        }
        Outcome::Failed(why) => tracing::warn!(error = %why, "{what} was not sent, for good"),
        _ => {}
    }
}
