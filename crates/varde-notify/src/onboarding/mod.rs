//! The onboarding worker: carries every run in progress forward, one automated step at a
//! time, against the real OpenStack, the mail relay and the chat room.
//!
//! Each step is idempotent (it finds what an earlier attempt made before it makes anything)
//! and verifies the real state afterwards instead of trusting its own call: the project
//! exists with the role, the application credential logs in, Keystone accepts an S3
//! signature made with the new keys. A step is claimed with a lease; if this process dies
//! the lease expires and any node resumes the step. Secrets are sealed and stored *before*
//! they are handed to Keystone, so a crash between the two loses nothing.
//!
//! Here the worker's round and the dispatch of a step to its action; `cloud` holds the steps
//! carried out in OpenStack (users, credentials and their sealed secrets, quotas, and
//! offboarding) and `messages` those that write to people (the welcome mail, the chat room
//! invitation and the first meeting's invitation).

use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};
use varde_app::office_zone;
use varde_core::contact::{Contact, ContactRole};
use varde_core::ids::ContactId;
use varde_core::onboarding::{StepAction, names, next_automated};
use varde_store::Store;
use varde_store::onboarding::{Outcome, Run, Step};

use crate::openstack::{Keystone, OpenStackError};
use crate::smtp::SmtpRelay;
use crate::vault::Vault;

mod cloud;
mod messages;

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
        let round = tokio::time::Instant::now();
        for run in self.store.open_runs().await? {
            let mut run = run;
            // Go on with the next step as soon as one is done, up to the run's length.
            for _ in 0..run.steps.len() {
                let Some(i) = next_automated(&run.facts(), today) else {
                    break;
                };
                let step = run.steps[i].clone();
                // A claim reads the round's clock moved on by the time its steps took, so a
                // step after a long one is not claimed with a lease that has already lapsed.
                let at = later(now, round.elapsed());
                let lease = at.checked_add(self.config.lease).unwrap_or(at);
                if !self.store.claim_step(step.id, at, lease).await? {
                    break;
                }
                attempts += 1;
                let attempt = self.holding(step.id, lease, self.perform(&run, &step, now));
                let outcome = match attempt.await {
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

    /// Carries out `work` on a step claimed until `lease`, renewing the claim every third of
    /// a lease so a slow Keystone does not let another node take the step over while this
    /// attempt goes on. Each renewal names the lease it extends, so one that another node
    /// took over is left alone.
    async fn holding<T>(&self, step: i64, lease: Timestamp, work: impl Future<Output = T>) -> T {
        let every = (self.config.lease / 3).max(Duration::from_millis(100));
        let length = jiff::SignedDuration::try_from(self.config.lease).unwrap_or_default();
        // The claim's moment, on the same clock as the lease it wrote.
        let claimed = lease.checked_sub(length).unwrap_or(lease);
        let started = tokio::time::Instant::now();
        let mut tick = tokio::time::interval_at(started + every, every);
        let mut held = lease;
        tokio::pin!(work);
        loop {
            tokio::select! {
                out = &mut work => return out,
                _ = tick.tick() => {
                    let at = later(claimed, started.elapsed());
                    let until = at.checked_add(length).unwrap_or(at);
                    match self.store.renew_step_lease(step, held, at, until).await {
                        Ok(true) => held = until,
                        Ok(false) => tracing::warn!(step, "an onboarding step's claim lapsed or was taken over during its attempt"),
                        Err(e) => tracing::warn!(step, error = %e, "an onboarding step's claim not renewed"),
                    }
                }
            }
        }
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

/// `t` moved on by `elapsed` (a real duration measured since `t` was read).
fn later(t: Timestamp, elapsed: Duration) -> Timestamp {
    jiff::SignedDuration::try_from(elapsed)
        .ok()
        .and_then(|d| t.checked_add(d).ok())
        .unwrap_or(t)
}
