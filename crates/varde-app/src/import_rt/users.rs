//! RT's users and queues into Varde: privileged users become staff accounts that cannot log
//! in until their password is reset (disabled if RT disabled them); the others become contacts of the organisation whose
//! contact or mail domain their address matches, and otherwise stay addresses on tickets.

use varde_core::access::Role;
use varde_core::contact::ContactDetails;
use varde_core::values::{EmailAddress, Language};
use varde_store::NewAccount;
use varde_store::rt_source::{RtQueue, RtUser};

use super::Report;
use crate::{App, AppError};

/// RT's own users, which are no one's address.
const SYSTEM_USERS: [&str; 2] = ["RT_System", "Nobody"];

impl App {
    pub(super) async fn import_queues(
        &self,
        queues: &[RtQueue],
        dry_run: bool,
        report: &mut Report,
    ) -> Result<(), AppError> {
        for q in queues {
            if self.store.queue(&q.name).await?.is_some() {
                continue;
            }
            report.queues_created += 1;
            if !dry_run {
                self.store
                    .create_queue(
                        &q.name,
                        &q.description,
                        &q.correspond_address,
                        &q.comment_address,
                        self.now(),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    pub(super) async fn import_users(
        &self,
        users: &[RtUser],
        actor: &str,
        dry_run: bool,
        report: &mut Report,
    ) -> Result<(), AppError> {
        for u in users
            .iter()
            .filter(|u| !SYSTEM_USERS.contains(&u.name.as_str()))
        {
            let email = match EmailAddress::parse(u.email.trim()) {
                Ok(e) => e,
                Err(_) if u.privileged == 0 => continue,
                Err(_) => {
                    report.skip(format!(
                        "RT user {} ({}): no usable e-mail address '{}', so no staff account",
                        u.id, u.name, u.email
                    ));
                    continue;
                }
            };
            if u.privileged != 0 {
                self.import_staff(u, email, dry_run, report).await?;
            } else {
                self.import_contact(u, email, actor, dry_run, report)
                    .await?;
            }
        }
        Ok(())
    }

    async fn import_staff(
        &self,
        u: &RtUser,
        email: EmailAddress,
        dry_run: bool,
        report: &mut Report,
    ) -> Result<(), AppError> {
        if self.store.account_for_login(&email).await?.is_some() {
            return Ok(());
        }
        report.staff_created += 1;
        if dry_run {
            return Ok(());
        }
        // RT's login name comes along, so staff and their scripts log in as before.
        let mut login = varde_core::account::rt_login(&u.name, &email).unwrap_or(None);
        if let Some(name) = &login
            && self.store.account_by_login(name).await?.is_some()
        {
            report.skip(format!(
                "RT user {} ({name}): the login name is another account's, so {email} logs in by address only",
                u.id
            ));
            login = None;
        }
        let account = NewAccount {
            email,
            name: display_name(u),
            role: Role::Agent,
            organization: None,
            password_hash: None,
            login,
        };
        let created = self.store.create_account(&account, self.now()).await?;
        if u.disabled != 0 {
            self.store.set_account_disabled(created.id, true).await?;
        }
        Ok(())
    }

    async fn import_contact(
        &self,
        u: &RtUser,
        email: EmailAddress,
        actor: &str,
        dry_run: bool,
        report: &mut Report,
    ) -> Result<(), AppError> {
        if self.store.contact_by_email(&email).await?.is_some() {
            return Ok(());
        }
        let Some(org) = self.store.organization_by_domain(&email.domain()).await? else {
            report.addresses_only += 1;
            return Ok(());
        };
        report.contacts_created += 1;
        if dry_run {
            return Ok(());
        }
        let details = ContactDetails {
            name: display_name(u),
            email,
            phone: None,
            roles: vec![],
            language: Language::English,
            portal_access: false,
        };
        self.store
            .create_contact(actor, org, &details, self.now())
            .await?;
        Ok(())
    }
}

fn display_name(u: &RtUser) -> String {
    if u.real_name.trim().is_empty() {
        u.name.clone()
    } else {
        u.real_name.trim().to_string()
    }
}
