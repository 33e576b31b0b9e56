//! Colleagues and one-time links: a primary contact invites colleagues to the portal (the
//! contact is made or given access, its account is made without a password, and a one-time
//! link to choose one is mailed in its language) and removes them; anyone asks for a password
//! reset link (the answer is the same whether the address has an account); a link's page is
//! read without changing anything, and used once to set the password.

use varde_core::access::{Action, Resource, Role, can};
use varde_core::account::{Account, check_password_strength};
use varde_core::contact::{Contact, ContactDetails, ContactRole};
use varde_core::form::FieldErrors;
use varde_core::ids::{ContactId, OrganizationId};
use varde_core::links::{
    LetterFacts, LinkPurpose, LinkState, colleague_words, link_letter, link_state, link_words,
};
use varde_core::portal_settings::PortalSettings;
use varde_core::values::{EmailAddress, Language};
use varde_store::NewAccount;
use varde_store::letters::NewLetter;
use varde_store::links::{LinkUse, NewLink, StoredLink};

use crate::accounts::{hash_password, new_secret};
use crate::portal::PortalContact;
use crate::{Acting, App, AppError, authorize};

/// Where a colleague stands with the portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    None,
    /// Invited; has not chosen a password yet.
    Invited,
    Active,
}

/// One of the organisation's contacts, as the colleagues page lists it.
pub struct Colleague {
    pub contact: Contact,
    pub access: Access,
    pub is_me: bool,
    /// Whether it may open tickets in the portal and through the API.
    pub opens_tickets: bool,
}

/// A colleague as the invitation form gives it.
#[derive(Clone, Debug, Default)]
pub struct ColleagueForm {
    pub name: String,
    pub email: String,
    /// A language code, or blank for the organisation's.
    pub language: String,
}

/// A link's page: what it is for, for whom, and whether it still works.
pub struct LinkPage {
    pub link: StoredLink,
    pub state: LinkState,
    pub language: Language,
}

fn colleagues_of(me: &PortalContact) -> Resource {
    Resource::Colleagues {
        organization: me.organization.id,
        primary: me
            .contact
            .as_ref()
            .is_some_and(|c| c.details.roles.contains(&ContactRole::Primary)),
    }
}

impl App {
    /// The organisation's contacts with their portal access, and whether `by` may invite and
    /// remove colleagues.
    pub async fn colleagues(
        &self,
        by: &Acting,
        me: &PortalContact,
    ) -> Result<(Vec<Colleague>, bool), AppError> {
        let resource = colleagues_of(me);
        authorize(&by.actor, Action::Read, &resource)?;
        let org = me.organization.id;
        let accounts = self.store.accounts_of_organization(org).await?;
        let list = self
            .store
            .contacts_of(org)
            .await?
            .into_iter()
            .map(|contact| {
                let account = accounts
                    .iter()
                    .find(|(a, _)| a.email == contact.details.email);
                let access = match account {
                    _ if !contact.details.portal_access => Access::None,
                    Some((a, _)) if a.disabled => Access::None,
                    Some((_, true)) => Access::Active,
                    Some((_, false)) => Access::Invited,
                    None => Access::None,
                };
                Colleague {
                    is_me: account.is_some_and(|(a, _)| Some(a.id) == by.actor.user()),
                    opens_tickets: account.is_none_or(|(a, _)| a.tickets.opens),
                    contact,
                    access,
                }
            })
            .collect();
        Ok((list, can(&by.actor, Action::Write, &resource)))
    }

    /// Invites a colleague: makes the contact (or gives an existing one portal access), then
    /// its account without a password, the link and the letter in one transaction. `base` is
    /// the installation's public address.
    pub async fn invite_colleague(
        &self,
        by: &Acting,
        me: &PortalContact,
        form: &ColleagueForm,
        base: &str,
    ) -> Result<Contact, AppError> {
        authorize(&by.actor, Action::Write, &colleagues_of(me))?;
        let w = colleague_words(me.language);
        let org = &me.organization;
        let mut errors = FieldErrors::new();
        let email = EmailAddress::parse(form.email.trim()).ok();
        if email.is_none() {
            errors.add("email", w.bad_email);
        }
        if form.name.trim().is_empty() {
            errors.add("name", w.name_required);
        }
        let language = match form.language.trim() {
            "" => Some(org.details.language),
            code => errors.take("language", Language::parse(code)),
        };
        let (Some(email), Some(language), true) = (email, language, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        // An address whose account is staff's or another organisation's is not a colleague's.
        if let Some((account, _)) = self.store.account_for_login(&email).await?
            && account.organization != Some(org.id)
        {
            errors.add("email", w.other_organization);
            return Err(AppError::Invalid(errors));
        }
        let contact = match self.store.contact_by_email(&email).await? {
            Some(c) if c.organization != org.id => {
                errors.add("email", w.other_organization);
                return Err(AppError::Invalid(errors));
            }
            Some(c) if c.details.portal_access => c,
            Some(c) => {
                let details = ContactDetails {
                    portal_access: true,
                    ..c.details
                };
                (self.store)
                    .update_contact(&by.name, c.id, &details, self.now())
                    .await?
            }
            None => {
                let details = ContactDetails {
                    name: form.name.trim().to_string(),
                    email: email.clone(),
                    phone: None,
                    roles: vec![ContactRole::Technical],
                    language,
                    portal_access: true,
                };
                (self.store)
                    .create_contact(&by.name, org.id, &details, self.now())
                    .await?
            }
        };
        let accounts = self.store.accounts_of_organization(org.id).await?;
        if accounts
            .iter()
            .any(|(a, has)| a.email == email && *has && !a.disabled)
        {
            errors.add("email", w.has_access);
            return Err(AppError::Invalid(errors));
        }
        let inviter = me
            .contact
            .as_ref()
            .map_or(by.name.clone(), |c| c.details.name.clone());
        let account = NewAccount {
            email,
            name: contact.details.name.clone(),
            role: Role::Customer,
            organization: Some(org.id),
            password_hash: None,
            login: None,
        };
        let facts = LetterFacts {
            name: &account.name,
            organization: &org.details.name,
            inviter: &inviter,
            email: "",
            link: "",
        };
        let to = account.email.to_string();
        let who = (to.as_str(), None, by.name.as_str());
        self.send_link(
            LinkPurpose::Invitation,
            &account,
            contact.details.language,
            facts,
            who,
            base,
        )
        .await?;
        Ok(contact)
    }

    /// Removes a colleague's portal access: it cannot log in, its sessions, tokens and links
    /// stop working.
    pub async fn remove_colleague(
        &self,
        by: &Acting,
        me: &PortalContact,
        id: ContactId,
    ) -> Result<(), AppError> {
        authorize(&by.actor, Action::Delete, &colleagues_of(me))?;
        let contact = self
            .store
            .contact(id)
            .await?
            .filter(|c| c.organization == me.organization.id)
            .ok_or(AppError::NotFound)?;
        if me.contact.as_ref().is_some_and(|c| c.id == id) {
            return Err(AppError::Refused(
                colleague_words(me.language).not_yourself.to_string(),
            ));
        }
        let details = ContactDetails {
            portal_access: false,
            ..contact.details
        };
        (self.store)
            .update_contact(&by.name, id, &details, self.now())
            .await?;
        Ok(())
    }

    /// Whether `by` is a primary contact of `org` (staff are not; `can` decides for them).
    async fn is_primary(&self, by: &Acting, org: OrganizationId) -> Result<bool, AppError> {
        let Ok(email) = EmailAddress::parse(&by.name) else {
            return Ok(false);
        };
        Ok(self.store.contact_by_email(&email).await?.is_some_and(|c| {
            c.organization == org && c.details.roles.contains(&ContactRole::Primary)
        }))
    }

    /// An organisation's portal settings, and whether `by` may change them (its primary
    /// contacts and staff who change contacts).
    pub async fn portal_settings(
        &self,
        by: &Acting,
        org: OrganizationId,
    ) -> Result<(PortalSettings, bool), AppError> {
        let resource = Resource::Colleagues {
            organization: org,
            primary: self.is_primary(by, org).await?,
        };
        authorize(&by.actor, Action::Read, &resource)?;
        let settings = self.store.portal_settings(org).await?;
        Ok((settings, can(&by.actor, Action::Write, &resource)))
    }

    /// A primary contact (or staff) sets which tickets the organisation's contacts see and
    /// whether its technical contacts are told of incidents.
    pub async fn set_portal_settings(
        &self,
        by: &Acting,
        org: OrganizationId,
        to: PortalSettings,
    ) -> Result<(), AppError> {
        let resource = Resource::Colleagues {
            organization: org,
            primary: self.is_primary(by, org).await?,
        };
        authorize(&by.actor, Action::Write, &resource)?;
        (self.store)
            .set_portal_settings(&by.name, org, &to, self.now())
            .await?;
        Ok(())
    }

    /// A primary contact lets a colleague open tickets, or stops it.
    pub async fn let_open_tickets(
        &self,
        by: &Acting,
        me: &PortalContact,
        id: ContactId,
        opens: bool,
    ) -> Result<(), AppError> {
        authorize(&by.actor, Action::Write, &colleagues_of(me))?;
        let contact = self
            .store
            .contact(id)
            .await?
            .filter(|c| c.organization == me.organization.id)
            .ok_or(AppError::NotFound)?;
        (self.store)
            .set_opens_tickets(&by.name, contact.id, opens, self.now())
            .await?;
        Ok(())
    }

    /// Mails a password reset link to the account with this address, if it may log in; the
    /// answer is the same either way. Three links at once, then one every 20 minutes.
    pub async fn request_password_reset(&self, email: &str, base: &str) -> Result<(), AppError> {
        let Ok(email) = EmailAddress::parse(email.trim()) else {
            let mut errors = FieldErrors::new();
            errors.add("email", "not an e-mail address");
            return Err(AppError::Invalid(errors));
        };
        let Some((account, _)) = self.store.account_for_login(&email).await? else {
            return Ok(());
        };
        if account.disabled || !self.may_log_in(&account).await? {
            return Ok(());
        }
        // Counted in one statement of the store, so two requests at once on two nodes cannot
        // both pass the third link.
        if !self
            .spend_tries(&varde_core::limits::password_reset(email.as_str()))
            .await?
        {
            return Ok(());
        }
        let language = match self.store.contact_by_email(&email).await? {
            Some(c) if account.organization.is_some() => c.details.language,
            _ => Language::English,
        };
        let new = NewAccount {
            email,
            name: account.name.clone(),
            role: account.role,
            organization: account.organization,
            password_hash: None,
            login: None,
        };
        let facts = LetterFacts {
            name: &new.name,
            organization: "",
            inviter: "",
            email: "",
            link: "",
        };
        let to = new.email.to_string();
        let who = (to.as_str(), None, "password reset");
        self.send_link(LinkPurpose::Reset, &new, language, facts, who, base)
            .await
    }

    /// Asks to log in with another address from now on: a link goes to the new address
    /// (which it proves); the address changes when it is opened.
    pub async fn request_email_change(
        &self,
        by: &Acting,
        new_email: &str,
        base: &str,
    ) -> Result<(), AppError> {
        let user = by.actor.user().ok_or(AppError::Unauthenticated)?;
        authorize(&by.actor, Action::Write, &Resource::OwnAccount(user))?;
        let account = self.store.account(user).await?.ok_or(AppError::NotFound)?;
        let language = self.language_of(&account).await?;
        let (c, w) = (colleague_words(language), link_words(language));
        let mut errors = FieldErrors::new();
        let Ok(new) = EmailAddress::parse(new_email.trim()) else {
            errors.add("email", c.bad_email);
            return Err(AppError::Invalid(errors));
        };
        let taken = self.store.account_for_login(&new).await?.is_some()
            || self.store.contact_by_email(&new).await?.is_some();
        if taken {
            errors.add("email", w.email_taken);
            return Err(AppError::Invalid(errors));
        }
        let current = NewAccount {
            email: account.email.clone(),
            name: account.name.clone(),
            role: account.role,
            organization: account.organization,
            password_hash: None,
            login: None,
        };
        let facts = LetterFacts {
            name: &account.name,
            organization: "",
            inviter: "",
            email: new.as_str(),
            link: "",
        };
        let who = (new.as_str(), Some(new.as_str()), by.name.as_str());
        self.send_link(
            LinkPurpose::EmailChange,
            &current,
            language,
            facts,
            who,
            base,
        )
        .await
    }

    /// Issues a link and queues its letter; `who` is (the letter's recipient, the new
    /// address of an e-mail change, who issued it).
    async fn send_link(
        &self,
        purpose: LinkPurpose,
        account: &NewAccount,
        language: Language,
        facts: LetterFacts<'_>,
        (to, new_email, issued_by): (&str, Option<&str>, &str),
        base: &str,
    ) -> Result<(), AppError> {
        let now = self.now();
        let secret = new_secret("");
        let url = format!("{}/link/{secret}", base.trim_end_matches('/'));
        let facts = LetterFacts {
            link: &url,
            ..facts
        };
        let (subject, body) = link_letter(purpose, language, &facts);
        let letter = NewLetter {
            kind: purpose.code().to_string(),
            reference: format!("account:{}", account.email),
            recipient: to.to_string(),
            recipient_name: account.name.clone(),
            subject,
            body,
            ..Default::default()
        };
        let link = NewLink {
            secret: &secret,
            purpose,
            expires_at: now + purpose.lifetime(),
            created_by: issued_by,
            new_email,
        };
        let create = purpose == LinkPurpose::Invitation;
        self.store
            .issue_link(account, create, &link, &letter, now)
            .await?;
        Ok(())
    }

    /// A link's page: reads it, changes nothing. `NotFound` for a secret that is no link.
    pub async fn one_time_link(&self, secret: &str) -> Result<LinkPage, AppError> {
        let link = self.store.link(secret).await?.ok_or(AppError::NotFound)?;
        let mut state = link_state(link.used_at, link.expires_at, self.now());
        if state == LinkState::Usable
            && (link.account.disabled || !self.may_log_in(&link.account).await?)
        {
            // A removed colleague's link is as good as used.
            state = LinkState::Used;
        }
        let language = self.language_of(&link.account).await?;
        Ok(LinkPage {
            link,
            state,
            language,
        })
    }

    /// Uses a link to set the account's password. Refused (with the page's words) when the
    /// link was used, has expired or its account may no longer log in.
    pub async fn use_one_time_link(
        &self,
        secret: &str,
        password: &str,
    ) -> Result<Account, AppError> {
        let page = self.one_time_link(secret).await?;
        if page.state != LinkState::Usable {
            return Err(AppError::Conflict(FieldErrors::new()));
        }
        if page.link.purpose == LinkPurpose::EmailChange {
            let used = self
                .store
                .use_link(secret, LinkPurpose::EmailChange, LinkUse::Email, self.now())
                .await?;
            return match used {
                Some(_) => Ok(page.link.account),
                None => Err(AppError::Conflict(FieldErrors::new())),
            };
        }
        if let Err(m) = check_password_strength(password) {
            let mut errors = FieldErrors::new();
            errors.add("password", m);
            return Err(AppError::Invalid(errors));
        }
        let hash = hash_password(password.to_string())
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let purpose = page.link.purpose;
        match (self.store)
            .use_link(secret, purpose, LinkUse::Password(&hash), self.now())
            .await?
        {
            Some(_) => Ok(page.link.account),
            None => Err(AppError::Conflict(FieldErrors::new())),
        }
    }

    async fn language_of(&self, account: &Account) -> Result<Language, AppError> {
        Ok(match account.organization {
            Some(_) => self
                .store
                .contact_by_email(&account.email)
                .await?
                .map_or(Language::English, |c| c.details.language),
            None => Language::English,
        })
    }
}
