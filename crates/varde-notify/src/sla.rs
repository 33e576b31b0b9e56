//! SLA warnings and breach records. Every minute the watch reads the clock of every running
//! ticket (the policy version of its organisation's tier in force when it was created), records
//! what `varde_core::sla::alerts` calls for, and mails what is due:
//! - to the ticket's owner, held until office hours (Stockholm, weekdays 08–17, Swedish
//!   holidays) so nobody who is not on call is woken at 03:00;
//! - to the on-call address (`varde serve --sla-on-call`), at once, for urgent tickets and
//!   for tickets nobody owns.
//!
//! A breach with nobody to tell is still recorded. An alert is sent once: the store keeps one
//! row per ticket, target, due time, kind and recipient.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::time;
use lettre::Message;
use lettre::message::header::ContentType;
use varde_core::calendar::{Calendar, HolidayRules};
use varde_core::catalogue::SupportTier;
use varde_core::entitlements::entitlements_on;
use varde_core::ids::OrganizationId;
use varde_core::sla::{Policy, PriorityClass, alerts, clock};
use varde_store::Store;
use varde_store::sla::NewAlert;

use crate::smtp::SmtpRelay;

/// How the watch works.
#[derive(Clone, Debug)]
pub struct SlaWatchConfig {
    /// Warn when this share of a target has run (0.0–1.0).
    pub warn_share: f64,
    /// Told at once about urgent and unowned tickets.
    pub on_call: Option<String>,
    pub from: String,
    pub rtname: String,
    /// The console's base URL, for links.
    pub url: String,
}

/// Reads the clocks and sends the alerts.
pub struct SlaWatch {
    store: Store,
    relay: Option<SmtpRelay>,
    config: SlaWatchConfig,
    office: Calendar,
}

/// When owners are told: Stockholm office hours.
pub fn office_hours() -> Calendar {
    Calendar::office_hours(
        "Stockholm office hours",
        jiff::tz::TimeZone::get("Europe/Stockholm").unwrap_or(jiff::tz::TimeZone::UTC),
        time(8, 0, 0, 0),
        time(17, 0, 0, 0),
        Some(HolidayRules::Sweden),
    )
}

impl SlaWatch {
    pub fn new(
        store: Store,
        smtp_url: Option<&str>,
        config: SlaWatchConfig,
    ) -> Result<SlaWatch, crate::WorkerError> {
        Ok(SlaWatch {
            store,
            relay: smtp_url.map(|u| SmtpRelay::from_url(u, 2)).transpose()?,
            config,
            office: office_hours(),
        })
    }

    /// Reads every running clock, records new alerts, sends the due ones. Gives (recorded,
    /// sent).
    pub async fn run_once(&self, now: Timestamp) -> Result<(u64, usize), crate::WorkerError> {
        let ids = self.store.running_tickets().await?;
        let mut histories = self.store.transactions_of(&ids).await?;
        let today = now.to_zoned(self.office.tz.clone()).date();
        let mut tiers: HashMap<Option<OrganizationId>, SupportTier> = HashMap::new();
        let mut versions: HashMap<SupportTier, Vec<varde_store::sla::PolicyVersion>> =
            HashMap::new();
        let mut new = Vec::new();
        for ticket in self.store.tickets(&ids).await? {
            let tier = match tiers.get(&ticket.organization) {
                Some(t) => *t,
                None => {
                    let t = match ticket.organization {
                        Some(o) => {
                            let contracts = self.store.contracts_of(o).await?;
                            entitlements_on(contracts.iter().map(|c| &c.details), today)
                                .map(|e| e.tier)
                                .unwrap_or(SupportTier::Base)
                        }
                        None => SupportTier::Base,
                    };
                    tiers.insert(ticket.organization, t);
                    t
                }
            };
            if let std::collections::hash_map::Entry::Vacant(slot) = versions.entry(tier) {
                slot.insert(self.store.policy_versions(tier).await?);
            }
            let policy = versions[&tier]
                .iter()
                .find(|v| v.created_at <= ticket.created)
                .map(|v| v.policy.clone())
                .unwrap_or_else(|| Policy::example(tier));
            let history = histories.remove(&ticket.id).unwrap_or_default();
            let Some(c) = clock(&history, &policy, &policy.calendar(), now) else {
                continue;
            };
            let urgent = c.class == PriorityClass::Urgent;
            for a in alerts(&c, self.config.warn_share) {
                let mut recipients: Vec<(String, Timestamp)> = Vec::new();
                if let Some(owner) = &ticket.owner {
                    recipients.push((owner.clone(), self.office.next_open(now).unwrap_or(now)));
                }
                if let Some(on_call) = &self.config.on_call
                    && (urgent || ticket.owner.is_none())
                {
                    recipients.push((on_call.clone(), now));
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
        for a in self.store.due_sla_alerts(now, 200).await? {
            if a.recipient.is_empty() {
                self.store.finish_sla_alert(a.id, None, now).await?;
                continue;
            }
            let Some(relay) = &self.relay else {
                // No relay yet: it waits, counting no attempt.
                continue;
            };
            let when = a
                .due
                .to_zoned(self.office.tz.clone())
                .strftime("%Y-%m-%d %H:%M %Z")
                .to_string();
            let what = a.target.replace('_', " ");
            let (subject, text) = if a.kind == "breach" {
                (
                    format!(
                        "[{} #{}] SLA breached: {what} was due {when}",
                        self.config.rtname, a.ticket
                    ),
                    format!(
                        "The {what} target of ticket #{} was due {when} and has been missed.",
                        a.ticket
                    ),
                )
            } else {
                (
                    format!(
                        "[{} #{}] SLA warning: {what} due {when}",
                        self.config.rtname, a.ticket
                    ),
                    format!(
                        "The {what} target of ticket #{} falls due {when}.",
                        a.ticket
                    ),
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
                    .header(ContentType::TEXT_PLAIN)
                    .body(body),
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

    /// Reads the clocks every minute until `shutdown` turns true.
    pub async fn run(self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.run_once(Timestamp::now()).await {
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
