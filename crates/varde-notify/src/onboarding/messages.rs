//! The steps that write to people: the welcome mail with each technical contact's one-time
//! link, the chat room invitation, and the invitation to the first quarterly meeting.

use jiff::Timestamp;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{MultiPart, SinglePart};
use serde_json::{Value, json};
use varde_app::office_zone;
use varde_core::contact::ContactRole;
use varde_core::entitlements::entitlements_on;
use varde_core::onboarding::{Invitation, Welcome, first_meeting, names};
use varde_store::onboarding::{Run, Step};

use super::{OnboardingWorker, StepError, StepResult, blocked, users_of};
use crate::smtp::SmtpRelay;

impl OnboardingWorker {
    fn relay(&self) -> StepResult<&SmtpRelay> {
        self.relay
            .as_ref()
            .ok_or_else(|| StepError::Later("no SMTP relay is configured (--smtp)".into()))
    }

    async fn send(&self, message: Result<Message, lettre::error::Error>) -> StepResult<()> {
        let mut message = message.map_err(|e| blocked(format!("the mail cannot be built: {e}")))?;
        message.headers_mut().insert_raw(crate::compose::header(
            "Auto-Submitted",
            "auto-generated".into(),
        ));
        self.relay()?.send(message).await.map_err(|e| {
            if e.is_permanent() {
                blocked(format!("the relay refused the mail: {e}"))
            } else {
                StepError::Later(format!("the relay: {e}"))
            }
        })
    }

    pub(super) async fn welcome(
        &self,
        run: &Run,
        step: &Step,
        now: Timestamp,
    ) -> StepResult<(Value, String)> {
        self.relay()?;
        let contacts = self.store.contacts_of(run.organization).await?;
        let users = users_of(run).unwrap_or_default();
        let chat = self.entitled_to_chat(run, now).await?;
        let sent_before: Vec<i64> = step.output["sent"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_i64)
            .collect();
        let mut sent = sent_before.clone();
        for c in contacts.iter().filter(|c| {
            c.details.roles.contains(&ContactRole::Technical)
                || c.details.roles.contains(&ContactRole::Primary)
        }) {
            if sent_before.contains(&c.id.0) {
                continue;
            }
            let user = users
                .iter()
                .find(|(id, _)| *id == c.id)
                .map(|_| names::user(c.details.email.as_str()));
            let link = match &user {
                Some(_) => {
                    let (token, digest) = self.vault.link_token();
                    let expires = now
                        .checked_add(jiff::SignedDuration::from_hours(
                            24 * i64::from(self.config.link_days),
                        ))
                        .unwrap_or(now);
                    self.store
                        .add_secret_link(&digest, run.id, c.id, expires, now)
                        .await?;
                    Some(format!("{}/welcome/{token}", self.config.url))
                }
                None => None,
            };
            let (subject, body) = Welcome {
                organization: &run.organization_name,
                contact: &c.details.name,
                docs_url: &self.config.docs_url,
                support_address: &self.config.support_address,
                login: user.as_deref().zip(link.as_deref()),
                link_days: self.config.link_days,
                chat_room: chat,
            }
            .text(c.details.language);
            let to = c
                .details
                .email
                .as_str()
                .parse()
                .map_err(|_| blocked(format!("{} is not a usable address", c.details.email)))?;
            let message = Message::builder()
                .from(self.from()?)
                .to(to)
                .subject(subject)
                .message_id(Some(format!(
                    "<varde-welcome-{}-{}@{}>",
                    run.id, c.id.0, self.config.rtname
                )))
                .singlepart(SinglePart::plain(body));
            self.send(message).await?;
            sent.push(c.id.0);
            // Kept as it goes, so a retry does not welcome anyone twice.
            self.store
                .save_step_output(step.id, &json!({"sent": sent}))
                .await?;
        }
        Ok((
            json!({"sent": sent}),
            format!("welcome mail sent to {} contacts", sent.len()),
        ))
    }

    fn from(&self) -> StepResult<lettre::message::Mailbox> {
        self.config
            .from
            .parse()
            .map_err(|_| blocked(format!("{} is not a usable sender", self.config.from)))
    }

    async fn entitled_to_chat(&self, run: &Run, now: Timestamp) -> StepResult<bool> {
        let today = now.to_zoned(office_zone()).date();
        let contracts = self.store.contracts_of(run.organization).await?;
        let signed: Vec<_> = contracts
            .iter()
            .filter(|c| c.details.signed_on.is_some())
            .map(|c| &c.details)
            .collect();
        let day = signed
            .iter()
            .map(|c| c.starts_on)
            .filter(|d| *d > today)
            .min()
            .unwrap_or(today);
        Ok(entitlements_on(signed, day)
            .map(|e| e.chat_room)
            .unwrap_or(false))
    }

    pub(super) async fn chat(&self, run: &Run, now: Timestamp) -> StepResult<(Value, String)> {
        let url = self
            .config
            .chat_webhook
            .as_deref()
            .ok_or_else(|| blocked("no chat room is configured (--chat-webhook)"))?;
        let contacts = self.technical_contacts(run).await?;
        let people: Vec<String> = contacts
            .iter()
            .map(|c| format!("{} <{}>", c.details.name, c.details.email))
            .collect();
        let text = format!(
            "New customer: {}. Please invite to the back-channel room: {}",
            run.organization_name,
            people.join(", ")
        );
        let resp = self
            .http
            .post(url)
            .json(&json!({"text": text, "username": "Varde"}))
            .send()
            .await
            .map_err(|e| StepError::Later(format!("the chat webhook: {e}")))?;
        let status = resp.status();
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(StepError::Later(format!(
                "the chat webhook answered {status}"
            )));
        }
        if !status.is_success() {
            return Err(blocked(format!("the chat webhook answered {status}")));
        }
        Ok((
            json!({"invited": contacts.len(), "sent_at": now.to_string()}),
            format!(
                "{} technical contacts announced to the chat room",
                contacts.len()
            ),
        ))
    }

    pub(super) async fn meeting(&self, run: &Run, now: Timestamp) -> StepResult<(Value, String)> {
        self.relay()?;
        let contract = match run.contract {
            Some(c) => self.store.contract(c).await?,
            None => None,
        };
        let signed_on = contract
            .and_then(|c| c.details.signed_on)
            .unwrap_or_else(|| run.started_at.to_zoned(office_zone()).date());
        let start = first_meeting(signed_on)
            .to_zoned(office_zone())
            .map_err(|e| blocked(e.to_string()))?
            .timestamp();
        let contacts = self.store.contacts_of(run.organization).await?;
        let attendees: Vec<(String, String)> = contacts
            .iter()
            .filter(|c| {
                c.details
                    .roles
                    .iter()
                    .any(|r| matches!(r, ContactRole::Primary | ContactRole::Technical))
            })
            .map(|c| (c.details.name.clone(), c.details.email.to_string()))
            .collect();
        if attendees.is_empty() {
            return Err(blocked(
                "the organisation has no primary or technical contact to invite",
            ));
        }
        let uid = format!("varde-meeting-{}@{}", run.id, self.config.rtname);
        let summary = format!("Quarterly operations meeting: {}", run.organization_name);
        let description =
            "Agenda: incidents and SLA, open tickets, capacity and quotas, roadmap feedback.";
        let ics = Invitation {
            uid: &uid,
            stamp: now,
            start,
            minutes: 60,
            summary: &summary,
            description,
            organizer: &self.config.from,
            attendees: &attendees,
            sequence: 0,
        }
        .to_ics();
        let when = start
            .to_zoned(office_zone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string();
        let mut builder = Message::builder()
            .from(self.from()?)
            .subject(summary.clone())
            .message_id(Some(format!(
                "<varde-meeting-{}@{}>",
                run.id, self.config.rtname
            )));
        for (_, email) in &attendees {
            builder = builder.to(email
                .parse()
                .map_err(|_| blocked(format!("{email} is not a usable address")))?);
        }
        let message = builder.multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::plain(format!(
                    "{summary}\n{when}\n\n{description}\n"
                )))
                .singlepart(
                    SinglePart::builder()
                        .header(
                            ContentType::parse("text/calendar; method=REQUEST; charset=UTF-8")
                                .map_err(|e| blocked(e.to_string()))?,
                        )
                        .body(ics),
                ),
        );
        self.send(message).await?;
        Ok((
            json!({"start": start.to_string(), "uid": uid, "sent_at": now.to_string()}),
            format!("invitation for {when} sent to {} contacts", attendees.len()),
        ))
    }
}
