//! SLA warnings and breach records. Every minute the watch reads the clock of every running
//! ticket (the policy version of its organisation's tier in force when it was created), records
//! what `varde_core::sla::alerts` calls for, and mails what is due:
//! - to the ticket's owner, held until office hours (Stockholm, weekdays 08–17, Swedish
//!   holidays) so nobody who is not on call is woken at 03:00;
//! - to the ticket's queue's on-call address (`PUT /api/v1/queues/{name}/on-call`, else
//!   `varde serve --sla-on-call`), at once, for urgent tickets and for tickets nobody owns;
//! - for urgent tickets, also by SMS to the queue's on-call phone (else `--sla-on-call-sms`)
//!   through the SMS gateway, and to the `--sla-webhook` URL (JSON, signed like status
//!   webhooks when `--sla-webhook-secret` is given).
//!
//! A breach with nobody to tell is still recorded. An alert is sent once: the store keeps one
//! row per ticket, target, due time, kind and recipient.

use jiff::Timestamp;
use jiff::civil::time;
use lettre::Message;
use lettre::message::SinglePart;
use varde_core::calendar::{Calendar, HolidayRules};
use varde_core::sla::{PriorityClass, alerts};
use varde_store::Store;
use varde_store::sla::NewAlert;

use crate::smtp::SmtpRelay;

/// How the watch works.
#[derive(Clone, Debug)]
pub struct SlaWatchConfig {
    /// Warn when this share of a target has run (0.0–1.0).
    pub warn_share: f64,
    /// Told at once about urgent and unowned tickets, unless the queue has its own.
    pub on_call: Option<String>,
    /// Sent an SMS about urgent tickets, unless the queue has its own phone (E.164).
    pub on_call_sms: Option<String>,
    /// Told about urgent tickets by an HTTP POST (JSON).
    pub webhook: Option<String>,
    /// Signs the webhook's calls (`X-Varde-Signature`, as status webhooks).
    pub webhook_secret: Option<String>,
    pub from: String,
    pub rtname: String,
    /// The console's base URL, for links.
    pub url: String,
}

/// Reads the clocks and sends the alerts.
pub struct SlaWatch {
    store: Store,
    /// Every running ticket's clock as last read, so a round reads only the clocks that
    /// changed or may cross a threshold (shared with the console's SLA views).
    clocks: varde_app::sla::Clocks,
    /// How many clocks the last round read (for tests and metrics).
    clocks_read: std::sync::atomic::AtomicUsize,
    relay: Option<SmtpRelay>,
    sms: Option<crate::status::SmsGateway>,
    http: reqwest::Client,
    config: SlaWatchConfig,
    office: Calendar,
}

/// When owners are told: Stockholm office hours.
pub fn office_hours() -> Calendar {
    Calendar::office_hours(
        "Stockholm office hours",
        varde_app::office_zone(),
        time(8, 0, 0, 0),
        time(17, 0, 0, 0),
        Some(HolidayRules::Sweden),
    )
}

impl SlaWatch {
    pub fn new(
        store: Store,
        smtp_url: Option<&str>,
        sms: Option<crate::status::SmsGateway>,
        config: SlaWatchConfig,
    ) -> Result<SlaWatch, crate::WorkerError> {
        crate::install_tls_provider();
        // The SMS gateway and the webhook are configured by an administrator.
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent("Varde-SLA/1")
            .build()
            .map_err(|e| crate::WorkerError::Http(e.to_string()))?;
        Ok(SlaWatch {
            store,
            clocks: varde_app::sla::Clocks::default(),
            clocks_read: std::sync::atomic::AtomicUsize::new(0),
            relay: smtp_url.map(|u| SmtpRelay::from_url(u, 2)).transpose()?,
            sms,
            http,
            config,
            office: office_hours(),
        })
    }

    /// Reads every running clock, records new alerts, sends the due ones. Gives (recorded,
    /// sent).
    pub async fn run_once(&self, now: Timestamp) -> Result<(u64, usize), crate::WorkerError> {
        let warn_share = self.config.warn_share;
        let read = self
            .clocks
            .round(&self.store, now, |c| recheck_at(c, warn_share, now))
            .await?;
        self.clocks_read
            .store(read.len(), std::sync::atomic::Ordering::Relaxed);
        let mut new = Vec::new();
        let on_call = self.store.queue_on_call().await?;
        for (ticket, sla) in read {
            let Some(c) = sla.and_then(|s| s.clock) else {
                continue;
            };
            let urgent = c.class == PriorityClass::Urgent;
            for a in alerts(&c, self.config.warn_share) {
                let mut recipients: Vec<(String, Timestamp)> = Vec::new();
                if let Some(owner) = &ticket.owner {
                    recipients.push((owner.clone(), self.office.next_open(now).unwrap_or(now)));
                }
                let (queue_mail, queue_phone) = on_call
                    .get(&ticket.queue)
                    .map(|(m, p)| (non_empty(m), non_empty(p)))
                    .unwrap_or((None, None));
                if let Some(on_call) = queue_mail.or(self.config.on_call.clone())
                    && (urgent || ticket.owner.is_none())
                {
                    recipients.push((on_call, now));
                }
                if urgent {
                    if let Some(phone) = queue_phone.or(self.config.on_call_sms.clone()) {
                        recipients.push((format!("sms:{phone}"), now));
                    }
                    if let Some(url) = &self.config.webhook {
                        recipients.push((format!("webhook:{url}"), now));
                    }
                }
                if recipients.is_empty() {
                    // Nobody to tell: the record itself.
                    recipients.push((String::new(), now));
                }
                for (recipient, deliver_at) in recipients {
                    new.push(NewAlert {
                        ticket: ticket.id.0,
                        target: a.target.code(),
                        due: a.due,
                        kind: a.kind.code(),
                        recipient,
                        deliver_at,
                    });
                }
            }
        }
        let recorded = self.store.record_sla_alerts(&new, now).await?;
        let mut sent = 0;
        for a in self.store.claim_sla_alerts(now, 200).await? {
            if a.recipient.is_empty() {
                self.store.finish_sla_alert(a.id, None, now).await?;
                continue;
            }
            if let Some(phone) = a.recipient.strip_prefix("sms:") {
                let Some(gw) = &self.sms else {
                    // No gateway yet: it waits, counting no attempt.
                    self.store.release_sla_alert(a.id).await?;
                    continue;
                };
                let result = self.sms(gw, phone, &a).await;
                sent += usize::from(result.is_ok());
                self.store
                    .finish_sla_alert(a.id, result.err().as_deref(), now)
                    .await?;
                continue;
            }
            if let Some(url) = a.recipient.strip_prefix("webhook:") {
                let result = self.webhook(url, &a, now).await;
                sent += usize::from(result.is_ok());
                self.store
                    .finish_sla_alert(a.id, result.err().as_deref(), now)
                    .await?;
                continue;
            }
            let Some(relay) = &self.relay else {
                // No relay yet: it waits, counting no attempt.
                self.store.release_sla_alert(a.id).await?;
                continue;
            };
            let (when, what) = self.when_what(&a);
            let subject = self.headline(&a);
            let text = if a.kind == "breach" {
                format!(
                    "The {what} target of ticket #{} was due {when} and has been missed.",
                    a.ticket
                )
            } else {
                format!(
                    "The {what} target of ticket #{} falls due {when}.",
                    a.ticket
                )
            };
            let body = format!(
                "{text}\n\n{}/console/tickets/{}\n",
                self.config.url, a.ticket
            );
            let message = match (self.config.from.parse(), a.recipient.parse()) {
                (Ok(from), Ok(to)) => Message::builder()
                    .from(from)
                    .to(to)
                    .subject(subject)
                    .singlepart(SinglePart::plain(body)),
                _ => {
                    self.store
                        .finish_sla_alert(a.id, Some("not a usable address"), now)
                        .await?;
                    continue;
                }
            };
            let Ok(mut message) = message else {
                continue;
            };
            message.headers_mut().insert_raw(crate::compose::header(
                "Auto-Submitted",
                "auto-generated".into(),
            ));
            match relay.send(message).await {
                Ok(()) => {
                    sent += 1;
                    self.store.finish_sla_alert(a.id, None, now).await?;
                }
                Err(e) => {
                    self.store
                        .finish_sla_alert(a.id, Some(&e.to_string()), now)
                        .await?
                }
            }
        }
        Ok((recorded, sent))
    }

    /// Shares `clocks` (the node's [`varde_app::App::clocks`]) rather than a board of its own,
    /// so the console reads the clocks this watch keeps.
    pub fn with_clocks(mut self, clocks: varde_app::sla::Clocks) -> SlaWatch {
        self.clocks = clocks;
        self
    }

    /// How many clocks the last round read.
    pub fn clocks_read(&self) -> usize {
        self.clocks_read.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// When the target was due (Stockholm time) and its name in words.
    fn when_what(&self, a: &varde_store::sla::SlaAlert) -> (String, String) {
        let when = a
            .due
            .to_zoned(self.office.tz.clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string();
        (when, a.target.replace('_', " "))
    }

    /// One line: what happened to which ticket, and when it was due.
    fn headline(&self, a: &varde_store::sla::SlaAlert) -> String {
        let (when, what) = self.when_what(a);
        if a.kind == "breach" {
            format!(
                "[{} #{}] SLA breached: {what} was due {when}",
                self.config.rtname, a.ticket
            )
        } else {
            format!(
                "[{} #{}] SLA warning: {what} due {when}",
                self.config.rtname, a.ticket
            )
        }
    }

    /// An SMS in 46elks' shape, as status SMS are sent.
    async fn sms(
        &self,
        gw: &crate::status::SmsGateway,
        phone: &str,
        a: &varde_store::sla::SlaAlert,
    ) -> Result<(), String> {
        let text = format!(
            "{} {}/console/tickets/{}",
            self.headline(a),
            self.config.url,
            a.ticket
        );
        let r = self
            .http
            .post(&gw.url)
            .basic_auth(&gw.user, Some(&gw.password))
            .form(&[
                ("from", gw.from.as_str()),
                ("to", phone),
                ("message", text.as_str()),
            ])
            .send()
            .await
            .map_err(|e| format!("the SMS gateway: {e}"))?;
        if r.status().is_success() {
            Ok(())
        } else {
            Err(format!("the SMS gateway answered {}", r.status()))
        }
    }

    /// A JSON POST: the ticket, the target, warning or breach, the due time and a link.
    async fn webhook(
        &self,
        url: &str,
        a: &varde_store::sla::SlaAlert,
        now: Timestamp,
    ) -> Result<(), String> {
        let body = serde_json::json!({
            "ticket": a.ticket,
            "target": a.target,
            "kind": a.kind,
            "due": a.due.to_string(),
            "summary": self.headline(a),
            "url": format!("{}/console/tickets/{}", self.config.url, a.ticket),
        })
        .to_string();
        let mut req = self
            .http
            .post(url)
            .header("Content-Type", "application/json");
        if let Some(key) = &self.config.webhook_secret {
            req = req.header(
                "X-Varde-Signature",
                crate::links::webhook_signature(key, now.as_second(), body.as_bytes()),
            );
        }
        let r = req
            .body(body)
            .send()
            .await
            .map_err(|e| format!("the SLA webhook: {e}"))?;
        if r.status().is_success() {
            Ok(())
        } else {
            Err(format!("the SLA webhook answered {}", r.status()))
        }
    }

    /// Reads the clocks every minute until `shutdown` turns true.
    pub async fn run(
        self,
        clock: varde_app::Clock,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        loop {
            if let Err(e) = self.run_once(clock()).await {
                tracing::error!(error = %e, "SLA watch");
            }
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
                _ = shutdown.changed() => return,
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_string())
}

/// The earliest moment a clock read at `now` can produce a new alert, if nothing about
/// the ticket changes: business time never runs faster than the wall clock, so a target
/// with `left` business time to go cannot reach its warning share (or fall due) sooner than
/// that much wall time from now. A clock with nothing left to cross is read again in a day.
fn recheck_at(c: Option<&varde_core::sla::Clock>, warn_share: f64, now: Timestamp) -> Timestamp {
    let day = now
        .checked_add(jiff::SignedDuration::from_hours(24))
        .unwrap_or(now);
    let Some(c) = c else {
        return day;
    };
    c.open_targets()
        .filter_map(|t| {
            let warn_left = t.target.mul_f64(1.0 - warn_share.clamp(0.0, 1.0));
            let wait = if t.breached {
                return None;
            } else if t.left > warn_left {
                t.left - warn_left
            } else {
                // A breach is time left below zero: a second past it.
                t.left + jiff::SignedDuration::from_secs(1)
            };
            now.checked_add(wait).ok()
        })
        .min()
        .unwrap_or(day)
        .min(day)
}
