//! A ticket's neighbourhood, for the agent working it: the customer's health (the latest daily
//! score), its other open tickets, and the incidents and maintenance touching its contracted
//! services now.

use jiff::Span;
use varde_core::access::{Action, Actor, Resource};
use varde_core::ids::OrganizationId;
use varde_core::ticket::{Ticket, TicketId};
use varde_store::status::{Event, EventFilter};

use crate::{App, AppError, authorize};

/// How many of the organisation's recent tickets are looked through for open ones.
const RECENT: i64 = 200;
/// How many other open tickets are shown.
const SHOWN: usize = 10;

/// What surrounds a ticket of an organisation.
pub struct Neighbourhood {
    /// The latest daily health score and its day.
    pub health: Option<(i64, String)>,
    /// Its other open tickets, the most recently changed first.
    pub open_tickets: Vec<Ticket>,
    /// How many open tickets it has besides this one (more than shown, perhaps).
    pub open_count: usize,
    /// Incidents not resolved and maintenance in progress on its services.
    pub events: Vec<Event>,
}

impl App {
    /// The neighbourhood of ticket `id` of organisation `org`: staff only.
    pub async fn ticket_neighbourhood(
        &self,
        actor: &Actor,
        org: OrganizationId,
        id: TicketId,
    ) -> Result<Neighbourhood, AppError> {
        authorize(actor, Action::Read, &Resource::StaffConsole)?;
        authorize(actor, Action::Read, &Resource::Organization(org))?;
        let today = self.now().to_zoned(self.office_zone()).date();
        let week_ago = today.saturating_sub(Span::new().days(7)).to_string();
        let health = (self.store.health_of(org, &week_ago).await?)
            .pop()
            .map(|s| (s.score, s.day));
        let ids: Vec<TicketId> = self
            .store
            .recent_tickets_of(org, None, RECENT)
            .await?
            .into_iter()
            .filter(|t| *t != id)
            .collect();
        let open: Vec<Ticket> = (self.store.tickets(&ids).await?)
            .into_iter()
            .filter(|t| t.status.is_active() && t.effective_id == t.id)
            .collect();
        let filters = [EventFilter::OpenIncidents, EventFilter::ActiveMaintenances];
        let (_, events) = self.events_touching(org, &filters).await?;
        Ok(Neighbourhood {
            health,
            open_count: open.len(),
            open_tickets: open.into_iter().take(SHOWN).collect(),
            events,
        })
    }
}
