//! The customer portal's use cases: who the contact is (its organisation, language and time
//! zone), its organisation's tickets with their SLA state, and closing or reopening one. The
//! ticket itself, its history, replies and new tickets are the ticket use cases
//! ([`App::ticket_history`], [`App::post_message`], [`App::open_ticket`]), which know what a
//! contact may see and do.

use jiff::SignedDuration;
use jiff::tz::TimeZone;
use varde_core::access::{Action, Resource, Visibility, can, visibility};
use varde_core::account::Account;
use varde_core::catalogue::{Service, Site};
use varde_core::contact::Contact;
use varde_core::customer::Organization;
use varde_core::onboarding::progress::{CustomerItem, StepSeen, customer_items};
use varde_core::onboarding::{RunKind, RunStatus};
use varde_core::portal::zone_of;
use varde_core::ticket::{Ticket, TicketId};
use varde_core::values::{EmailAddress, Language};

use varde_store::status::{Event, EventFilter};

use crate::sla::TicketSla;
use crate::tickets::{Fields, Message, update};
use crate::{Acting, App, AppError, authorize};

/// The queue tickets opened in the portal start in; agents move them on.
const PORTAL_QUEUE: &str = "General";

/// What a new ticket may be about.
pub struct TicketChoices {
    /// Whether the contact may open tickets (its primary contact decides).
    pub may_open: bool,
    /// The services per site the organisation's contracts in force cover.
    pub services: Vec<(Service, Site)>,
}

/// The organisation's setting-up, as the portal shows it.
pub struct PortalOnboarding {
    pub items: Vec<CustomerItem>,
    /// Credentials wait for this contact to collect them through its welcome link.
    pub waits_on_you: bool,
}

/// How many tickets the portal lists.
const TICKETS_SHOWN: i64 = 200;

/// How far back the portal shows resolved incidents and completed maintenance.
const INCIDENT_DAYS: i64 = 90;

/// An incident or a maintenance window that touches the contact's organisation: on a
/// component of a service (and site) its contracts in force cover.
pub struct PortalIncident {
    pub event: Event,
    /// The names of the organisation's components it touches.
    pub components: Vec<String>,
    /// The organisation's own tickets linked to it.
    pub tickets: Vec<Ticket>,
}

/// A customer contact in the portal: its organisation, and how it reads.
pub struct PortalContact {
    pub organization: Organization,
    /// The contact record of the account, when there is one.
    pub contact: Option<Contact>,
    pub language: Language,
    pub zone: TimeZone,
}

impl App {
    /// Whether an account may log in with its password: staff always; a customer contact
    /// only while its contact record in its organisation has portal access.
    pub async fn may_log_in(&self, account: &Account) -> Result<bool, AppError> {
        let Some(org) = account.organization else {
            return Ok(true);
        };
        Ok(self
            .store
            .contact_by_email(&account.email)
            .await?
            .is_some_and(|c| c.organization == org && c.details.portal_access))
    }

    /// The contact behind `by`, reading in `chosen` (a language picked in the portal), else
    /// its own, else its organisation's. Only a customer contact has a portal.
    pub async fn portal_contact(
        &self,
        by: &Acting,
        chosen: Option<Language>,
    ) -> Result<PortalContact, AppError> {
        let org = match visibility(&by.actor) {
            Visibility::Nothing => return Err(AppError::Unauthenticated),
            Visibility::All => return Err(AppError::NotFound),
            scoped => scoped.organization().ok_or(AppError::NotFound)?,
        };
        let organization = self.organization(&by.actor, org, Action::Read).await?;
        let contact = match EmailAddress::parse(&by.name) {
            Ok(email) => self
                .store
                .contact_by_email(&email)
                .await?
                .filter(|c| c.organization == org),
            Err(_) => None,
        };
        let language = chosen
            .or(contact.as_ref().map(|c| c.details.language))
            .unwrap_or(organization.details.language);
        Ok(PortalContact {
            zone: zone_of(&organization.details.country),
            organization,
            contact,
            language,
        })
    }

    /// The contact's organisation's tickets (only its own, where the organisation chose so),
    /// the most recently changed first, with their SLA.
    pub async fn portal_tickets(
        &self,
        by: &Acting,
        contact: &PortalContact,
    ) -> Result<Vec<(Ticket, Option<TicketSla>)>, AppError> {
        let org = contact.organization.id;
        let theirs = match visibility(&by.actor) {
            Visibility::Theirs { user, .. } => Some(user),
            _ => None,
        };
        authorize(
            &by.actor,
            Action::Read,
            &Resource::Ticket {
                organization: Some(org),
                theirs: theirs.is_some(),
            },
        )?;
        let ids = self
            .store
            .recent_tickets_of(org, theirs, TICKETS_SHOWN)
            .await?;
        let tickets = self.store.tickets(&ids).await?;
        let mut slas = self.sla_of(&tickets).await?;
        Ok(tickets
            .into_iter()
            .map(|t| {
                let sla = slas.remove(&t.id);
                (t, sla)
            })
            .collect())
    }

    /// The incidents and maintenance on the services and sites the organisation's contracts
    /// in force cover: those open or upcoming, and those that ended in the last 90 days,
    /// newest first, each with the organisation's own tickets linked to it.
    pub async fn portal_incidents(
        &self,
        by: &Acting,
        contact: &PortalContact,
    ) -> Result<Vec<PortalIncident>, AppError> {
        let org = contact.organization.id;
        authorize(&by.actor, Action::Read, &Resource::Organization(org))?;
        let since = self.now() - SignedDuration::from_hours(24 * INCIDENT_DAYS);
        let (ours, events) = self.events_touching(org, &[EventFilter::All]).await?;
        let events: Vec<Event> = events
            .into_iter()
            .filter(|e| e.resolved_at.is_none_or(|r| r >= since))
            .collect();
        let linked: Vec<TicketId> = events
            .iter()
            .flat_map(|e| e.tickets.iter().map(|t| TicketId(*t)))
            .collect();
        let tickets: Vec<Ticket> = self
            .store
            .tickets(&linked)
            .await?
            .into_iter()
            .filter(|t| t.organization == Some(org))
            .collect();
        Ok(events
            .into_iter()
            .map(|event| PortalIncident {
                components: ours
                    .iter()
                    .filter(|c| event.components.contains(&c.id))
                    .map(|c| c.name.clone())
                    .collect(),
                tickets: tickets
                    .iter()
                    .filter(|t| event.tickets.contains(&t.id.0))
                    .cloned()
                    .collect(),
                event,
            })
            .collect())
    }

    /// What a contact may open a ticket about: whether it may open tickets at all (its primary
    /// contact decides), and the services per site its organisation's contracts in force
    /// cover.
    pub async fn ticket_choices(
        &self,
        by: &Acting,
        contact: &PortalContact,
    ) -> Result<TicketChoices, AppError> {
        let org = contact.organization.id;
        let (_, entitled) = self.entitlements(&by.actor, org, None).await?;
        Ok(TicketChoices {
            may_open: can(&by.actor, Action::Write, &Resource::TicketSystem),
            services: entitled.map(|e| e.services).unwrap_or_default(),
        })
    }

    /// A contact opens a ticket in the portal, as its requestor, about one of the services its
    /// contracts cover (the ticket's `Service` and `Site`) or about something else.
    pub async fn open_portal_ticket(
        &self,
        by: &Acting,
        contact: &PortalContact,
        subject: &str,
        about: Option<(Service, Site)>,
        message: &Message,
    ) -> Result<Ticket, AppError> {
        authorize(&by.actor, Action::Write, &Resource::TicketSystem)?;
        let mut fields: Fields = vec![
            ("Queue".into(), PORTAL_QUEUE.into()),
            ("Subject".into(), subject.into()),
        ];
        if let Some((service, site)) = about {
            let choices = self.ticket_choices(by, contact).await?;
            if !choices.services.contains(&(service, site)) {
                return Err(AppError::Refused(
                    "that service is not on your organisation's contracts".into(),
                ));
            }
            fields.push(("CF.{Service}".into(), service.code().into()));
            fields.push(("CF.{Site}".into(), site.code().into()));
        }
        self.open_ticket(by, fields, message).await
    }

    /// The organisation's setting-up as the contact reads it: the newest onboarding run while
    /// it runs or for 30 days after it finished, its parts in the contact's language, and
    /// whether credentials wait for this contact to collect them through its welcome link.
    pub async fn portal_onboarding(
        &self,
        by: &Acting,
        contact: &PortalContact,
    ) -> Result<Option<PortalOnboarding>, AppError> {
        let org = contact.organization.id;
        authorize(&by.actor, Action::Read, &Resource::Organization(org))?;
        let since = self.now() - SignedDuration::from_hours(24 * 30);
        let run = self
            .store
            .runs_of(org)
            .await?
            .into_iter()
            .filter(|r| r.kind == RunKind::Onboarding && r.status != RunStatus::Cancelled)
            .filter(|r| r.finished_at.is_none_or(|f| f >= since))
            .max_by_key(|r| r.id);
        let Some(run) = run else {
            return Ok(None);
        };
        let waits_on_you = match &contact.contact {
            Some(c) => (self.store.secrets_of(run.id, c.id).await?)
                .iter()
                .any(|s| !s.sealed.is_empty()),
            None => false,
        };
        let steps: Vec<StepSeen> = run
            .steps
            .iter()
            .map(|s| StepSeen {
                action: s.action,
                state: s.state,
                due_on: s.due_on,
            })
            .collect();
        Ok(Some(PortalOnboarding {
            items: customer_items(&steps, contact.language),
            waits_on_you,
        }))
    }

    /// A contact closes its ticket (resolved) or reopens it.
    pub async fn close_or_reopen(
        &self,
        by: &Acting,
        id: TicketId,
        reopen: bool,
    ) -> Result<Ticket, AppError> {
        let t = self.ticket(&by.actor, id, Action::Write).await?;
        let status = if reopen { "open" } else { "resolved" };
        let fields: Fields = vec![("Status".into(), status.into())];
        Ok(update(self, t.id, &by.name, &fields).await?.0)
    }
}
