//! The onboarding worker: carries every run in progress forward, one automated step at a
//! time, against the real OpenStack, the mail relay and the chat room.
//!
//! Each step is idempotent (it finds what an earlier attempt made before it makes anything)
//! and verifies the real state afterwards instead of trusting its own call: the project
//! exists with the role, the application credential logs in, Keystone accepts an S3
//! signature made with the new keys. A step is claimed with a lease; if this process dies
//! the lease expires and any node resumes the step. Secrets are sealed and stored *before*
//! they are handed to Keystone, so a crash between the two loses nothing.

use std::time::Duration;

use jiff::Timestamp;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{MultiPart, SinglePart};
use serde_json::{Value, json};
use varde_app::office_zone;
use varde_core::catalogue::{ProductKind, Service};
use varde_core::contact::{Contact, ContactRole};
use varde_core::entitlements::entitlements_on;
use varde_core::ids::ContactId;
use varde_core::onboarding::{
    Invitation, StepAction, Welcome, first_meeting, names, next_automated, quotas,
};
use varde_store::Store;
use varde_store::onboarding::{Outcome, Run, SealedSecret, Step};

use crate::openstack::{Keystone, OpenStackError};
use crate::smtp::SmtpRelay;
use crate::vault::Vault;

/// How the worker works.
#[derive(Clone, Debug)]
pub struct OnboardingConfig {
    /// Varde's public URL, for one-time links.
    pub url: String,
    /// The sender of welcome mail and invitations.
    pub from: String,
    /// The support address customers write to.
    pub support_address: String,
    /// The customer documentation.
    pub docs_url: String,
    /// A Slack- or Mattermost-compatible incoming webhook for the back-channel chat room.
    pub chat_webhook: Option<String>,
    pub rtname: String,
    /// The first part of every Keystone domain name Varde makes (`varde`).
    pub domain_prefix: String,
    /// How long a claim on a step lasts before another worker may resume it.
    pub lease: Duration,
    /// How long a one-time link stays open.
    pub link_days: u32,
}

/// Carries runs forward.
pub struct OnboardingWorker {
    store: Store,
    keystone: Option<Keystone>,
    relay: Option<SmtpRelay>,
    vault: std::sync::Arc<Vault>,
    http: reqwest::Client,
    config: OnboardingConfig,
    /// When the last sweep for ended contracts and uncollectable secrets ran.
    last_sweep: std::sync::Mutex<Option<Timestamp>>,
}

/// Attempts before a step that keeps failing waits for a person.
const MAX_ATTEMPTS: i64 = 5;

/// Why an attempt failed.
#[derive(Debug, thiserror::Error)]
enum StepError {
    #[error(transparent)]
    OpenStack(#[from] OpenStackError),
    #[error(transparent)]
    Store(#[from] varde_store::StoreError),
    /// Not worth trying again without a person: configuration or data is missing.
    #[error("{0}")]
    Blocked(String),
    /// Worth trying again later.
    #[error("{0}")]
    Later(String),
}

type StepResult<T> = Result<T, StepError>;

fn blocked(s: impl Into<String>) -> StepError {
    StepError::Blocked(s.into())
}

impl OnboardingWorker {
    pub fn new(
        store: Store,
        keystone: Option<Keystone>,
        smtp_url: Option<&str>,
        vault: std::sync::Arc<Vault>,
        config: OnboardingConfig,
    ) -> Result<OnboardingWorker, crate::WorkerError> {
        crate::install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| crate::WorkerError::Http(e.to_string()))?;
        Ok(OnboardingWorker {
            store,
            keystone,
            relay: smtp_url.map(|u| SmtpRelay::from_url(u, 2)).transpose()?,
            vault,
            http,
            config,
            last_sweep: std::sync::Mutex::new(None),
        })
    }

    /// Carries every open run as far as it goes now. Gives the number of step attempts.
    pub async fn run_once(&self, now: Timestamp) -> Result<usize, crate::WorkerError> {
        let today = now.to_zoned(office_zone()).date();
        // The sweeps over every organisation and secret run once a minute, not every round.
        let sweep = {
            let mut last = self.last_sweep.lock().expect("the sweep clock");
            let due =
                last.is_none_or(|t| now.duration_since(t) >= jiff::SignedDuration::from_mins(1));
            if due {
                *last = Some(now);
            }
            due
        };
        if sweep {
            for run in self.store.start_due_offboardings(today, now).await? {
                tracing::info!(
                    run,
                    "a customer's contracts have ended: offboarding started"
                );
            }
            self.store.wipe_uncollectable_secrets(now).await?;
        }
        let mut attempts = 0;
        for run in self.store.open_runs().await? {
            let mut run = run;
            // Go on with the next step as soon as one is done, up to the run's length.
            for _ in 0..run.steps.len() {
                let Some(i) = next_automated(&run.facts(), today) else {
                    break;
                };
                let step = run.steps[i].clone();
                let lease = now.checked_add(self.config.lease).unwrap_or(now);
                if !self.store.claim_step(step.id, now, lease).await? {
                    break;
                }
                attempts += 1;
                let outcome = match self.perform(&run, &step, now).await {
                    Ok((output, note)) => Outcome::Done { output, note },
                    Err(StepError::Blocked(e)) => Outcome::Failed { error: e },
                    Err(e) if is_transient(&e) && step.attempts + 1 < MAX_ATTEMPTS => {
                        let wait = 15 * (1i64 << (step.attempts + 1).min(8));
                        Outcome::RetryAt {
                            error: e.to_string(),
                            at: now
                                .checked_add(jiff::SignedDuration::from_secs(wait))
                                .unwrap_or(now),
                        }
                    }
                    Err(e) => Outcome::Failed {
                        error: e.to_string(),
                    },
                };
                let done = matches!(outcome, Outcome::Done { .. });
                self.store.finish_step(step.id, &outcome, now).await?;
                if !done {
                    break;
                }
                match self.store.run(run.id).await? {
                    Some(r) => run = r,
                    None => break,
                }
            }
        }
        Ok(attempts)
    }

    /// Runs the worker every few seconds until `shutdown` turns true.
    pub async fn run(
        self,
        clock: varde_app::Clock,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        loop {
            if let Err(e) = self.run_once(clock()).await {
                tracing::error!(error = %e, "onboarding worker");
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                _ = shutdown.changed() => return,
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }

    fn keystone(&self) -> StepResult<&Keystone> {
        self.keystone.as_ref().ok_or_else(|| {
            blocked("no OpenStack is configured: start Varde with --keystone-url and the admin credentials")
        })
    }

    /// One attempt at a step: gives the output kept for later steps and a note for the
    /// timeline.
    async fn perform(&self, run: &Run, step: &Step, now: Timestamp) -> StepResult<(Value, String)> {
        let org = run.organization;
        let name = &run.organization_name;
        match step.action {
            StepAction::KeystoneDomain => {
                let ks = self.keystone()?;
                let domain = names::domain(&self.config.domain_prefix, org);
                let d = ks
                    .ensure_domain(&domain, &format!("{name} (Varde organisation {})", org.0))
                    .await?;
                match ks.domain(&d.id).await? {
                    Some(v) if v["enabled"] == true && v["name"] == domain.as_str() => {}
                    _ => {
                        return Err(StepError::Later(format!(
                            "domain {domain} is not there after creating it"
                        )));
                    }
                }
                Ok((
                    json!({"domain_id": d.id, "domain": domain}),
                    note(d.created, &format!("domain {domain}")),
                ))
            }
            StepAction::KeystoneProject => {
                let ks = self.keystone()?;
                let domain_id = output_of(run, StepAction::KeystoneDomain, "domain_id")?;
                let project = names::project(&self.config.domain_prefix, org);
                let p = ks
                    .ensure_project(&domain_id, &project, &format!("{name}: first project"))
                    .await?;
                match ks.project(&p.id).await? {
                    Some(v) if v["domain_id"] == domain_id.as_str() && v["enabled"] == true => {}
                    _ => {
                        return Err(StepError::Later(format!(
                            "project {project} is not in its domain after creating it"
                        )));
                    }
                }
                Ok((
                    json!({"project_id": p.id, "project": project}),
                    note(p.created, &format!("project {project}")),
                ))
            }
            StepAction::KeystoneUsers => self.users(run, now).await,
            StepAction::ApplicationCredentials => self.application_credentials(run, now).await,
            StepAction::Ec2Credentials => self.ec2_credentials(run, now).await,
            StepAction::Quotas => self.quotas(run, now).await,
            StepAction::WelcomeMail => self.welcome(run, step, now).await,
            StepAction::ChatInvite | StepAction::MeetingInvite
                if step.output.get("sent_at").is_some() =>
            {
                Ok((step.output.clone(), "sent before; not sent again".into()))
            }
            StepAction::ChatInvite => self.chat(run, now).await,
            StepAction::MeetingInvite => self.meeting(run, now).await,
            StepAction::DisableAccess | StepAction::RemoveAccess => {
                self.offboard(run, step.action).await
            }
            StepAction::Manual => Err(blocked("a checklist item is ticked off by a person")),
        }
    }

    async fn technical_contacts(&self, run: &Run) -> StepResult<Vec<Contact>> {
        let contacts: Vec<Contact> = self
            .store
            .contacts_of(run.organization)
            .await?
            .into_iter()
            .filter(|c| c.details.roles.contains(&ContactRole::Technical))
            .collect();
        if contacts.is_empty() {
            return Err(blocked(
                "the organisation has no technical contact: add one, then retry",
            ));
        }
        Ok(contacts)
    }

    /// Keeps a new secret, sealed, before anyone else sees it.
    async fn keep(
        &self,
        run: &Run,
        contact: ContactId,
        label: &str,
        public_part: &str,
        secret: &str,
        now: Timestamp,
    ) -> StepResult<()> {
        self.store
            .keep_secret(
                run.id,
                &SealedSecret {
                    contact,
                    label: label.into(),
                    public_part: public_part.into(),
                    sealed: self.vault.seal(secret),
                },
                now,
            )
            .await?;
        Ok(())
    }

    /// What Varde holds of a contact's secret under `label`.
    async fn kept(&self, run: &Run, contact: ContactId, label: &str) -> StepResult<Kept> {
        let Some(s) = self
            .store
            .secrets_of(run.id, contact)
            .await?
            .into_iter()
            .find(|s| s.label == label)
        else {
            return Ok(Kept::Missing);
        };
        if s.sealed.is_empty() {
            return Ok(Kept::Shown(s.public_part));
        }
        let secret = self
            .vault
            .open(&s.sealed)
            .ok_or_else(|| blocked("a kept secret does not open: the secrets key changed"))?;
        Ok(Kept::Sealed(s.public_part, secret))
    }

    async fn users(&self, run: &Run, now: Timestamp) -> StepResult<(Value, String)> {
        let ks = self.keystone()?;
        let domain_id = output_of(run, StepAction::KeystoneDomain, "domain_id")?;
        let project_id = output_of(run, StepAction::KeystoneProject, "project_id")?;
        let member = ks.role_id("member").await?;
        let mut users = serde_json::Map::new();
        let mut made = 0;
        for c in self.technical_contacts(run).await? {
            let user = names::user(c.details.email.as_str());
            // The password Varde keeps is the one Keystone gets; once the customer has
            // seen it, it is theirs and is left alone.
            let password = match self.kept(run, c.id, "keystone_password").await? {
                Kept::Sealed(_, p) => Some(p),
                Kept::Shown(_) => None,
                Kept::Missing => {
                    let p = self.vault.random_text(24);
                    self.keep(run, c.id, "keystone_password", &user, &p, now)
                        .await?;
                    Some(p)
                }
            };
            let u = ks
                .ensure_user(
                    &domain_id,
                    &user,
                    c.details.email.as_str(),
                    password.as_deref(),
                    &project_id,
                )
                .await?;
            ks.assign_role(&project_id, &u.id, &member).await?;
            if !ks.has_role(&project_id, &u.id, &member).await? {
                return Err(StepError::Later(format!(
                    "{user} has no member role after assigning it"
                )));
            }
            made += usize::from(u.created);
            users.insert(c.id.0.to_string(), json!({"user_id": u.id, "name": user}));
        }
        let n = users.len();
        Ok((
            json!({"users": users}),
            format!("{n} users with the member role ({made} new)"),
        ))
    }

    async fn application_credentials(
        &self,
        run: &Run,
        now: Timestamp,
    ) -> StepResult<(Value, String)> {
        let ks = self.keystone()?;
        let project_id = output_of(run, StepAction::KeystoneProject, "project_id")?;
        let users = users_of(run)?;
        let mut made = 0;
        for (contact, user_id) in &users {
            match self.kept(run, *contact, "application_credential").await? {
                // The customer has it: it is theirs now.
                Kept::Shown(_) => continue,
                Kept::Sealed(id, secret)
                    if ks
                        .application_credential_login(&id, &secret)
                        .await
                        .ok()
                        .as_deref()
                        == Some(project_id.as_str()) =>
                {
                    continue;
                }
                _ => {}
            }
            let password = match self.kept(run, *contact, "keystone_password").await? {
                Kept::Sealed(_, p) => p,
                _ => {
                    return Err(blocked(format!(
                        "Varde no longer holds the password of contact {}, so it cannot log in as them to make their application credential",
                        contact.0
                    )));
                }
            };
            let token = ks.user_token(user_id, &password, &project_id).await?;
            // One made by an attempt that died before keeping its secret: the secret is
            // lost, so that credential goes and a new one is made.
            for id in ks
                .application_credentials(user_id, &token, names::APPLICATION_CREDENTIAL)
                .await?
            {
                ks.delete_application_credential(user_id, &token, &id)
                    .await?;
            }
            let (id, secret) = ks
                .create_application_credential(
                    user_id,
                    &token,
                    names::APPLICATION_CREDENTIAL,
                    "member",
                )
                .await?;
            self.keep(run, *contact, "application_credential", &id, &secret, now)
                .await?;
            let scoped = ks.application_credential_login(&id, &secret).await?;
            if scoped != project_id {
                return Err(blocked(format!(
                    "the new application credential logs in to project {scoped}, not {project_id}"
                )));
            }
            made += 1;
        }
        Ok((
            json!({}),
            format!(
                "{} application credentials log in to the project ({made} new)",
                users.len()
            ),
        ))
    }

    async fn ec2_credentials(&self, run: &Run, now: Timestamp) -> StepResult<(Value, String)> {
        let ks = self.keystone()?;
        let project_id = output_of(run, StepAction::KeystoneProject, "project_id")?;
        let users = users_of(run)?;
        let mut made = 0;
        for (contact, user_id) in &users {
            let (access, secret) = match self.kept(run, *contact, "ec2").await? {
                Kept::Shown(access) => {
                    if ks.ec2_access_keys(user_id).await?.contains(&access) {
                        continue;
                    }
                    return Err(blocked(format!(
                        "the S3 key {access} the customer was shown is gone from Keystone"
                    )));
                }
                Kept::Sealed(access, secret) => (access, secret),
                Kept::Missing => {
                    let (access, secret) = (self.vault.random_hex(10), self.vault.random_text(40));
                    self.keep(run, *contact, "ec2", &access, &secret, now)
                        .await?;
                    (access, secret)
                }
            };
            made += usize::from(
                ks.ensure_ec2_credential(user_id, &project_id, &access, &secret)
                    .await?,
            );
            match ks.s3_check(&access, &secret).await? {
                Some(p) if p == project_id => {}
                other => {
                    return Err(StepError::Later(format!(
                        "Keystone does not accept an S3 signature with access key {access} for the project ({other:?})"
                    )));
                }
            }
        }
        Ok((
            json!({}),
            format!(
                "{} S3 key pairs verified through /v3/s3tokens ({made} new)",
                users.len()
            ),
        ))
    }

    async fn quotas(&self, run: &Run, now: Timestamp) -> StepResult<(Value, String)> {
        let ks = self.keystone()?;
        let project_id = output_of(run, StepAction::KeystoneProject, "project_id")?;
        let today = now.to_zoned(office_zone()).date();
        let contracts = self.store.contracts_of(run.organization).await?;
        let units: u32 = contracts
            .iter()
            .filter(|c| {
                c.details.signed_on.is_some() && c.details.ends_on.is_none_or(|e| e >= today)
            })
            .flat_map(|c| &c.details.lines)
            .filter(|l| l.product.kind() == ProductKind::Service(Service::Compute))
            .map(|l| l.quantity)
            .sum();
        if units == 0 {
            return Err(blocked("no COMPUTE line on the organisation's contracts"));
        }
        let service = ks
            .service_id("compute")
            .await?
            .ok_or_else(|| blocked("Keystone's catalog has no compute service"))?;
        let limits = quotas::unified(units);
        ks.set_limits(&service, &project_id, &limits, quotas::REGISTERED_DEFAULT)
            .await?;
        let got = ks.limits(&service, &project_id).await?;
        if limits.iter().any(|l| !got.contains(l)) {
            return Err(StepError::Later(format!(
                "Keystone's limits {got:?} are not {limits:?}"
            )));
        }
        let mut note = format!("{units} compute units: unified limits {limits:?}");
        if let Some(compute) = ks.endpoint("compute").await? {
            let wanted = quotas::nova(units);
            ks.set_compute_quotas(&compute, &project_id, &wanted)
                .await?;
            let got = ks.compute_quotas(&compute, &project_id).await?;
            if wanted.iter().any(|q| !got.contains(q)) {
                return Err(StepError::Later(format!(
                    "Nova's quotas {got:?} are not {wanted:?}"
                )));
            }
            note.push_str(&format!("; Nova os-quota-sets {wanted:?}"));
        }
        Ok((json!({"units": units}), note))
    }

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

    async fn welcome(&self, run: &Run, step: &Step, now: Timestamp) -> StepResult<(Value, String)> {
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
                .header(ContentType::TEXT_PLAIN)
                .body(body);
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

    async fn chat(&self, run: &Run, now: Timestamp) -> StepResult<(Value, String)> {
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

    async fn meeting(&self, run: &Run, now: Timestamp) -> StepResult<(Value, String)> {
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

    async fn offboard(&self, run: &Run, action: StepAction) -> StepResult<(Value, String)> {
        let ks = self.keystone()?;
        let domain = names::domain(&self.config.domain_prefix, run.organization);
        let found = ks.find_domain(&domain).await?;
        let Some(id) = found else {
            return Ok((
                json!({}),
                format!("there is no domain {domain}: nothing to do"),
            ));
        };
        ks.set_domain_enabled(&id, false).await?;
        if action == StepAction::DisableAccess {
            match ks.domain(&id).await? {
                Some(v) if v["enabled"] == false => {}
                _ => {
                    return Err(StepError::Later(format!(
                        "domain {domain} is still enabled"
                    )));
                }
            }
            return Ok((
                json!({"domain_id": id}),
                format!("domain {domain} disabled"),
            ));
        }
        ks.delete_domain(&id).await?;
        if ks.domain(&id).await?.is_some() {
            return Err(StepError::Later(format!("domain {domain} is still there")));
        }
        Ok((
            json!({"domain_id": id}),
            format!("domain {domain} and everything in it removed"),
        ))
    }
}

/// What Varde holds of a secret.
enum Kept {
    /// Sealed: the public part and the secret.
    Sealed(String, String),
    /// The customer has seen it and Varde wiped it: the public part.
    Shown(String),
    Missing,
}

fn is_transient(e: &StepError) -> bool {
    match e {
        StepError::OpenStack(e) => e.is_transient(),
        StepError::Store(_) | StepError::Later(_) => true,
        StepError::Blocked(_) => false,
    }
}

fn note(created: bool, what: &str) -> String {
    if created {
        format!("{what} created and verified")
    } else {
        format!("{what} was there already; verified")
    }
}

/// A value an earlier step of the run kept.
fn output_of(run: &Run, action: StepAction, key: &str) -> StepResult<String> {
    run.steps
        .iter()
        .find(|s| s.action == action)
        .and_then(|s| s.output[key].as_str())
        .map(str::to_string)
        .ok_or_else(|| {
            blocked(format!(
                "the {} step has not made {key} yet",
                action.label()
            ))
        })
}

/// The Keystone users the users step made, by contact.
fn users_of(run: &Run) -> StepResult<Vec<(ContactId, String)>> {
    let users = run
        .steps
        .iter()
        .find(|s| s.action == StepAction::KeystoneUsers)
        .and_then(|s| s.output["users"].as_object())
        .ok_or_else(|| blocked("the users step has not made the users yet"))?;
    Ok(users
        .iter()
        .filter_map(|(contact, u)| {
            Some((
                ContactId(contact.parse().ok()?),
                u["user_id"].as_str()?.to_string(),
            ))
        })
        .collect())
}
