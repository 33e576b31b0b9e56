//! The steps carried out in OpenStack: Keystone users and their application and EC2
//! credentials (each secret sealed and kept before Keystone sees it), compute quotas from the
//! contracts, and disabling or removing a leaving customer's access.

use jiff::Timestamp;
use serde_json::{Value, json};
use varde_app::office_zone;
use varde_core::catalogue::{ProductKind, Service};
use varde_core::ids::ContactId;
use varde_core::onboarding::{StepAction, names, quotas};
use varde_store::onboarding::{Run, SealedSecret};

use super::{OnboardingWorker, StepError, StepResult, blocked, output_of, users_of};

impl OnboardingWorker {
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

    pub(super) async fn users(&self, run: &Run, now: Timestamp) -> StepResult<(Value, String)> {
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

    pub(super) async fn application_credentials(
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

    pub(super) async fn ec2_credentials(
        &self,
        run: &Run,
        now: Timestamp,
    ) -> StepResult<(Value, String)> {
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

    pub(super) async fn quotas(&self, run: &Run, now: Timestamp) -> StepResult<(Value, String)> {
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

    pub(super) async fn offboard(
        &self,
        run: &Run,
        action: StepAction,
    ) -> StepResult<(Value, String)> {
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
