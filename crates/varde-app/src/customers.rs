//! The customer database's use cases: organisations, their contacts and contracts, roadmap
//! feedback, entitlements and the audit history. Each authorises once through
//! [`authorize`](crate::authorize) and loads what it needs once.

use jiff::SignedDuration;
use jiff::civil::Date;
use varde_core::access::{Action, Actor, Resource, Role, can, visibility};
use varde_core::account::Account;
use varde_core::contact::{Contact, ContactForm};
use varde_core::contract::{Contract, ContractForm};
use varde_core::customer::{Organization, OrganizationForm};
use varde_core::entitlements::{EntitlementProblem, Entitlements, entitlements_on};
use varde_core::form::FieldErrors;
use varde_core::ids::{ContactId, ContractId, OrganizationId};
use varde_store::customers::Feedback;
use varde_store::roadmap::FeedbackNote;
use varde_store::{AuditEvent, OrganizationQuery, Page};

use crate::{Acting, App, AppError, authorize};

/// How much audit history an organisation's page and the API show.
const AUDIT_ROWS: u32 = 500;

/// An organisation with what its page shows, as far as the actor may see it.
pub struct OrganizationOverview {
    pub organization: Organization,
    pub contacts: Vec<Contact>,
    pub contracts: Vec<Contract>,
    /// What its contracts in force today (the office's day) entitle it to, or why they
    /// contradict each other.
    pub today: Date,
    pub entitlements: Result<Entitlements, EntitlementProblem>,
    /// Its service manager's account.
    pub service_manager: Option<Account>,
    /// The audit history, newest first, when the actor may read it.
    pub history: Option<Vec<AuditEvent>>,
    /// Roadmap feedback of the last year, newest first.
    pub feedback: Vec<Feedback>,
}

impl App {
    /// A page of organisations in name order; a customer contact sees only its own.
    pub async fn organizations(
        &self,
        actor: &Actor,
        mut query: OrganizationQuery,
    ) -> Result<Page<Organization>, AppError> {
        if *actor == Actor::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        query.visibility = visibility(actor);
        Ok(self.store.list_organizations(&query).await?)
    }

    /// One organisation, with `action` on it allowed.
    pub async fn organization(
        &self,
        actor: &Actor,
        id: OrganizationId,
        action: Action,
    ) -> Result<Organization, AppError> {
        authorize(actor, action, &Resource::Organization(id))?;
        self.store.organization(id).await?.ok_or(AppError::NotFound)
    }

    /// An organisation with its contacts, contracts, entitlements, service manager, feedback
    /// and (for those who may read it) its audit history.
    pub async fn organization_overview(
        &self,
        actor: &Actor,
        id: OrganizationId,
    ) -> Result<OrganizationOverview, AppError> {
        let organization = self.organization(actor, id, Action::Read).await?;
        let contacts = self.store.contacts_of(id).await?;
        let contracts = self.store.contracts_of(id).await?;
        let today = self.now().to_zoned(self.office_zone()).date();
        let entitlements = entitlements_on(contracts.iter().map(|c| &c.details), today);
        let service_manager = match organization.details.service_manager {
            Some(u) => self.store.account(u).await?,
            None => None,
        };
        let history = if can(actor, Action::Read, &Resource::AuditHistory(id)) {
            Some(self.store.audit_history(id, AUDIT_ROWS).await?)
        } else {
            None
        };
        let now = self.now();
        let mut feedback = if can(actor, Action::Read, &Resource::Feedback(id)) {
            self.store
                .feedback_of(
                    id,
                    now - SignedDuration::from_hours(24 * 366),
                    now + SignedDuration::from_secs(1),
                )
                .await?
        } else {
            vec![]
        };
        feedback.reverse();
        Ok(OrganizationOverview {
            organization,
            contacts,
            contracts,
            today,
            entitlements,
            service_manager,
            history,
            feedback,
        })
    }

    /// The accounts that may be an organisation's service manager.
    pub async fn service_managers(&self, actor: &Actor) -> Result<Vec<Account>, AppError> {
        authorize(actor, Action::Read, &Resource::CustomerBase)?;
        let mut accounts = self.store.accounts().await?;
        accounts.retain(|a| matches!(a.role, Role::ServiceManager | Role::Admin) && !a.disabled);
        Ok(accounts)
    }

    pub async fn create_organization(
        &self,
        by: &Acting,
        form: &OrganizationForm,
    ) -> Result<Organization, AppError> {
        authorize(&by.actor, Action::Write, &Resource::OrganizationDirectory)?;
        let details = form.parse().map_err(AppError::Invalid)?;
        Ok(self
            .store
            .create_organization(&by.name, &details, self.now())
            .await?)
    }

    /// Changes an organisation: `edit` turns its form as stored into the new one (a patch
    /// keeps what it does not name; a whole form replaces it).
    pub async fn update_organization(
        &self,
        by: &Acting,
        id: OrganizationId,
        edit: impl FnOnce(OrganizationForm) -> OrganizationForm,
    ) -> Result<Organization, AppError> {
        let org = self.organization(&by.actor, id, Action::Write).await?;
        let details = edit(OrganizationForm::from_details(&org.details))
            .parse()
            .map_err(AppError::Invalid)?;
        Ok(self
            .store
            .update_organization(&by.name, id, &details, self.now())
            .await?)
    }

    /// Removes an organisation with its contacts and contracts; its audit history stays.
    pub async fn delete_organization(
        &self,
        by: &Acting,
        id: OrganizationId,
    ) -> Result<(), AppError> {
        authorize(&by.actor, Action::Delete, &Resource::Organization(id))?;
        Ok(self
            .store
            .delete_organization(&by.name, id, self.now())
            .await?)
    }

    /// What an organisation is entitled to on a day (the office's today by default).
    pub async fn entitlements(
        &self,
        actor: &Actor,
        id: OrganizationId,
        on: Option<Date>,
    ) -> Result<(Date, Result<Entitlements, EntitlementProblem>), AppError> {
        authorize(actor, Action::Read, &Resource::Contracts(id))?;
        let contracts = self.contracts(actor, id).await?;
        let day = on.unwrap_or_else(|| self.now().to_zoned(self.office_zone()).date());
        let result = entitlements_on(contracts.iter().map(|c| &c.details), day);
        Ok((day, result))
    }

    /// An organisation's audit history, newest first.
    pub async fn audit_history(
        &self,
        actor: &Actor,
        id: OrganizationId,
    ) -> Result<Vec<AuditEvent>, AppError> {
        authorize(actor, Action::Read, &Resource::AuditHistory(id))?;
        Ok(self.store.audit_history(id, AUDIT_ROWS).await?)
    }

    /// Notes feedback for the roadmap on an organisation (who asked, and in which meeting or
    /// ticket); blank text notes nothing. Gives the new feedback's id.
    pub async fn add_feedback(
        &self,
        by: &Acting,
        id: OrganizationId,
        note: &FeedbackNote,
    ) -> Result<Option<i64>, AppError> {
        authorize(&by.actor, Action::Write, &Resource::Feedback(id))?;
        if note.text.trim().is_empty() {
            return Ok(None);
        }
        Ok(Some(
            self.store
                .add_feedback(id, note, &by.name, self.now())
                .await?,
        ))
    }
}

/// Contacts.
impl App {
    pub async fn contacts(
        &self,
        actor: &Actor,
        org: OrganizationId,
    ) -> Result<Vec<Contact>, AppError> {
        authorize(actor, Action::Read, &Resource::Contacts(org))?;
        self.store
            .organization(org)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(self.store.contacts_of(org).await?)
    }

    /// One contact, with `action` on its organisation's contacts allowed. An unknown id and
    /// another organisation's contact look the same.
    pub async fn contact(
        &self,
        actor: &Actor,
        id: ContactId,
        action: Action,
    ) -> Result<Contact, AppError> {
        if *actor == Actor::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        let contact = self.store.contact(id).await?.ok_or(AppError::NotFound)?;
        authorize(actor, action, &Resource::Contacts(contact.organization))?;
        Ok(contact)
    }

    /// Adds a contact; its language defaults to the organisation's.
    pub async fn create_contact(
        &self,
        by: &Acting,
        org: OrganizationId,
        form: &ContactForm,
    ) -> Result<Contact, AppError> {
        authorize(&by.actor, Action::Write, &Resource::Contacts(org))?;
        let organization = self
            .store
            .organization(org)
            .await?
            .ok_or(AppError::NotFound)?;
        let details = form
            .parse(organization.details.language)
            .map_err(AppError::Invalid)?;
        Ok(self
            .store
            .create_contact(&by.name, org, &details, self.now())
            .await?)
    }

    /// A requestor made known the way RT's clients add an unprivileged user: a contact (with
    /// no portal access) of the organisation that has the address's mail domain. Varde keeps
    /// customers' people only as contacts of their organisation, so an address no
    /// organisation's domain covers is refused with what to do instead.
    pub async fn add_requestor(
        &self,
        by: &Acting,
        email: &varde_core::values::EmailAddress,
        name: &str,
    ) -> Result<Contact, AppError> {
        let Some(org) = self.store.organization_by_domain(&email.domain()).await? else {
            let mut errors = FieldErrors::new();
            errors.add(
                "email",
                format!(
                    "no organisation has the mail domain {}, and Varde keeps customers' people as \
                 contacts of their organisation: add the organisation (or the domain to one) \
                 first; a requestor needs no user record to write in",
                    email.domain()
                ),
            );
            return Err(AppError::Invalid(errors));
        };
        let form = ContactForm {
            name: if name.trim().is_empty() {
                email.to_string()
            } else {
                name.to_string()
            },
            email: email.to_string(),
            ..ContactForm::default()
        };
        self.create_contact(by, org, &form).await
    }

    pub async fn update_contact(
        &self,
        by: &Acting,
        id: ContactId,
        edit: impl FnOnce(ContactForm) -> ContactForm,
    ) -> Result<Contact, AppError> {
        let contact = self.contact(&by.actor, id, Action::Write).await?;
        let details = edit(ContactForm::from_details(&contact.details))
            .parse(contact.details.language)
            .map_err(AppError::Invalid)?;
        Ok(self
            .store
            .update_contact(&by.name, id, &details, self.now())
            .await?)
    }

    pub async fn delete_contact(&self, by: &Acting, id: ContactId) -> Result<(), AppError> {
        self.contact(&by.actor, id, Action::Delete).await?;
        Ok(self.store.delete_contact(&by.name, id, self.now()).await?)
    }
}

/// Contracts.
impl App {
    pub async fn contracts(
        &self,
        actor: &Actor,
        org: OrganizationId,
    ) -> Result<Vec<Contract>, AppError> {
        authorize(actor, Action::Read, &Resource::Contracts(org))?;
        self.store
            .organization(org)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(self.store.contracts_of(org).await?)
    }

    pub async fn contract(
        &self,
        actor: &Actor,
        id: ContractId,
        action: Action,
    ) -> Result<Contract, AppError> {
        if *actor == Actor::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        let contract = self.store.contract(id).await?.ok_or(AppError::NotFound)?;
        authorize(actor, action, &Resource::Contracts(contract.organization))?;
        Ok(contract)
    }

    /// Adds a contract with its product lines; a signed one starts the organisation's
    /// onboarding. Without a signing date it is a draft and grants nothing.
    pub async fn create_contract(
        &self,
        by: &Acting,
        org: OrganizationId,
        form: &ContractForm,
    ) -> Result<Contract, AppError> {
        authorize(&by.actor, Action::Write, &Resource::Contracts(org))?;
        let details = form.parse().map_err(AppError::Invalid)?;
        let now = self.now();
        let contract = self
            .store
            .create_contract(&by.name, org, &details, now)
            .await?;
        self.store
            .start_onboarding(contract.id, &by.name, now)
            .await?;
        Ok(contract)
    }

    /// Replaces a contract and all of its lines; signing it starts the onboarding.
    pub async fn replace_contract(
        &self,
        by: &Acting,
        id: ContractId,
        form: &ContractForm,
    ) -> Result<Contract, AppError> {
        self.contract(&by.actor, id, Action::Write).await?;
        let details = form.parse().map_err(AppError::Invalid)?;
        let now = self.now();
        let contract = self
            .store
            .update_contract(&by.name, id, &details, now)
            .await?;
        self.store
            .start_onboarding(contract.id, &by.name, now)
            .await?;
        Ok(contract)
    }

    pub async fn delete_contract(&self, by: &Acting, id: ContractId) -> Result<(), AppError> {
        self.contract(&by.actor, id, Action::Delete).await?;
        Ok(self.store.delete_contract(&by.name, id, self.now()).await?)
    }
}
