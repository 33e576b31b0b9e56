//! Status posts: incidents and maintenance windows with their updates, the tickets linked to
//! them, and the page's components. The public page, its snapshot cache and the
//! notifications are the front-ends' and `varde-notify`'s.

use jiff::tz::TimeZone;
use varde_core::access::{Action, Resource};
use varde_core::catalogue::{Service, Site};
use varde_core::contact::ContactRole;
use varde_core::entitlements::entitlements_on;
use varde_core::form::FieldErrors;
use varde_core::ids::OrganizationId;
use varde_core::status::subscription::Channel;
use varde_core::status::{ComponentStatus, EventForm, EventKind, UpdateForm};
use varde_store::status::{Component, Event, EventFilter, NewComponent};
use varde_store::status_subscriptions::Subscriber;

use crate::portal::PortalContact;

use crate::{Acting, App, AppError, authorize};

/// Whether a component (not a group) serves one of `services` (a service at a site; a
/// component of no site serves the service everywhere).
pub(crate) fn serves(c: &Component, services: &[(Service, Site)]) -> bool {
    !c.is_group
        && services
            .iter()
            .any(|(service, site)| c.service == Some(*service) && c.site.is_none_or(|s| s == *site))
}

/// A contact's status subscriptions, as the portal shows them.
pub struct PortalSubscriptions {
    pub list: Vec<Subscriber>,
    /// The components of the organisation's contracted services.
    pub ours: Vec<Component>,
    /// Every component's name, by id.
    pub names: Vec<(i64, String)>,
    /// Whether it is a technical contact of its organisation, told of incidents on the
    /// organisation's services while the organisation keeps `notices` on.
    pub technical: bool,
    pub notices: bool,
}

/// A component (or a group of them) as a form gives it.
#[derive(Clone, Debug, Default)]
pub struct ComponentForm {
    pub name: String,
    pub description: String,
    /// The group's id; empty for none.
    pub group_id: String,
    pub is_group: bool,
    /// A service code of the catalogue, or empty.
    pub service: String,
    /// A site code, or empty.
    pub site: String,
}

impl ComponentForm {
    fn parse(&self) -> Result<NewComponent, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            errors.add("name", "give the component a name");
        }
        let optional = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_string());
        let service =
            optional(&self.service).and_then(|s| errors.take("service", Service::parse(&s)));
        let site = optional(&self.site).and_then(|s| errors.take("site", Site::parse(&s)));
        let group_id = optional(&self.group_id).and_then(|g| g.parse::<i64>().ok());
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewComponent {
            name,
            description: self.description.clone(),
            group_id,
            is_group: self.is_group,
            service,
            site,
        })
    }
}

impl App {
    /// Posts an incident or schedules a maintenance; times typed without a zone are read in
    /// `tz` (the page's). Gives the event's id.
    pub async fn post_event(
        &self,
        by: &Acting,
        kind: EventKind,
        form: &EventForm,
        tz: &TimeZone,
    ) -> Result<i64, AppError> {
        authorize(&by.actor, Action::Write, &Resource::StatusPage)?;
        let new = form.parse(kind, tz).map_err(AppError::Invalid)?;
        new.check_ahead(self.now()).map_err(AppError::Invalid)?;
        Ok(self.store.create_event(&new, &by.name, self.now()).await?)
    }

    /// Adds an update to an incident or a maintenance.
    pub async fn update_event(
        &self,
        by: &Acting,
        id: i64,
        form: &UpdateForm,
    ) -> Result<(), AppError> {
        authorize(&by.actor, Action::Write, &Resource::StatusPage)?;
        let event = self.store.event(id).await?.ok_or(AppError::NotFound)?;
        let update = form.parse(event.kind).map_err(AppError::Invalid)?;
        Ok(self
            .store
            .add_event_update(id, &update, &by.name, self.now())
            .await?)
    }

    /// Links a ticket (its number, `#` allowed) to an incident or a maintenance.
    pub async fn link_event_ticket(
        &self,
        by: &Acting,
        event: i64,
        ticket: &str,
    ) -> Result<(), AppError> {
        authorize(&by.actor, Action::Write, &Resource::StatusPage)?;
        let Ok(ticket) = ticket.trim().trim_start_matches('#').parse::<i64>() else {
            let mut errors = FieldErrors::new();
            errors.add("ticket", "give a ticket number");
            return Err(AppError::Invalid(errors));
        };
        Ok(self.store.link_event_ticket(event, ticket).await?)
    }

    /// An administrator adds a component or a group.
    pub async fn add_component(
        &self,
        by: &Acting,
        form: &ComponentForm,
    ) -> Result<Component, AppError> {
        authorize(&by.actor, Action::Write, &Resource::StatusComponents)?;
        let new = form.parse().map_err(AppError::Invalid)?;
        Ok(self.store.create_component(&new, self.now()).await?)
    }

    /// A quick correction of one component's status, outside any incident.
    pub async fn set_component_status(
        &self,
        by: &Acting,
        id: i64,
        status: &str,
    ) -> Result<(), AppError> {
        authorize(&by.actor, Action::Write, &Resource::StatusPage)?;
        let status = ComponentStatus::parse(status).map_err(|e| {
            let mut errors = FieldErrors::new();
            errors.add("status", e.0);
            AppError::Invalid(errors)
        })?;
        Ok(self
            .store
            .set_component_status(id, status, self.now())
            .await?)
    }

    /// The status subscriptions of the contact's own address and phone (and the webhooks it
    /// owns), the components of its organisation's services, and whether it is told of
    /// incidents as a technical contact.
    pub async fn portal_subscriptions(
        &self,
        by: &Acting,
        contact: &PortalContact,
    ) -> Result<PortalSubscriptions, AppError> {
        let user = by.actor.user().ok_or(AppError::Unauthenticated)?;
        authorize(&by.actor, Action::Read, &Resource::OwnAccount(user))?;
        let org = contact.organization.id;
        let (ours, _) = self.events_touching(org, &[]).await?;
        let technical = contact
            .contact
            .as_ref()
            .is_some_and(|c| c.details.roles.contains(&ContactRole::Technical));
        Ok(PortalSubscriptions {
            names: (self.store.components().await?)
                .into_iter()
                .map(|c| (c.id, c.name))
                .collect(),
            list: self.own_subscribers(by, contact).await?,
            ours,
            technical,
            notices: self.store.portal_settings(org).await?.incident_notices,
        })
    }

    /// The subscribers of the contact's address and phone, and the webhooks it owns.
    async fn own_subscribers(
        &self,
        by: &Acting,
        contact: &PortalContact,
    ) -> Result<Vec<Subscriber>, AppError> {
        let mut list = self.store.subscribers_of(&by.name).await?;
        let phone = contact
            .contact
            .as_ref()
            .and_then(|c| c.details.phone.clone());
        if let Some(phone) = phone {
            for s in self.store.subscribers_of(phone.as_str()).await? {
                if !list.iter().any(|x| x.id == s.id) {
                    list.push(s);
                }
            }
        }
        Ok(list)
    }

    /// Ends one of the contact's own subscriptions. A subscription of an address its
    /// organisation tells as a technical contact goes back to being only that (its notices
    /// go on); the technical contact's own row, ended, stops them for that address, as the
    /// unsubscribe link in a notice does.
    pub async fn end_own_subscription(
        &self,
        by: &Acting,
        contact: &PortalContact,
        id: i64,
    ) -> Result<(), AppError> {
        let user = by.actor.user().ok_or(AppError::Unauthenticated)?;
        authorize(&by.actor, Action::Write, &Resource::OwnAccount(user))?;
        let mine = self.own_subscribers(by, contact).await?;
        let Some(s) = mine.iter().find(|s| s.id == id) else {
            return Err(AppError::NotFound);
        };
        let told = contact.contact.as_ref().is_some_and(|c| {
            c.details.roles.contains(&ContactRole::Technical)
                && (c.details.email.as_str() == s.target
                    || c.details
                        .phone
                        .as_ref()
                        .is_some_and(|p| p.as_str() == s.target))
        }) && self
            .store
            .portal_settings(contact.organization.id)
            .await?
            .incident_notices;
        if told && !s.audience_only && s.channel != Channel::Webhook {
            return Ok(self.store.keep_for_audience(id).await?);
        }
        Ok(self.store.unsubscribe(id, self.now()).await?)
    }

    /// The page's components on the services and sites the organisation's contracts in force
    /// today cover, and the events (of each of `filters` in turn, newest first) on any of them.
    /// The contracts and components are read once. The caller has authorised reading the
    /// organisation.
    pub(crate) async fn events_touching(
        &self,
        org: OrganizationId,
        filters: &[EventFilter],
    ) -> Result<(Vec<Component>, Vec<Event>), AppError> {
        let today = self.now().to_zoned(self.office_zone()).date();
        let contracts = self.store.contracts_of(org).await?;
        let Ok(entitled) = entitlements_on(contracts.iter().map(|c| &c.details), today) else {
            return Ok((vec![], vec![]));
        };
        let ours: Vec<Component> = self
            .store
            .components()
            .await?
            .into_iter()
            .filter(|c| serves(c, &entitled.services))
            .collect();
        let mut events: Vec<Event> = vec![];
        for filter in filters {
            events.extend(
                self.store
                    .events(*filter, 500)
                    .await?
                    .into_iter()
                    .filter(|e| {
                        e.components
                            .iter()
                            .any(|id| ours.iter().any(|c| c.id == *id))
                    }),
            );
        }
        Ok((ours, events))
    }
}
