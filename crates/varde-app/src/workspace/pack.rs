//! A meeting's agenda pack, prepared rather than typed: the report of the quarter before the
//! meeting, the action items still open from earlier meetings (and those settled since the
//! last one), this customer's feedback and where each wish stands on the roadmap, upcoming
//! maintenance on its services, and its contract dates.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use varde_core::access::{Action, Actor, Resource};
use varde_core::account::Account;
use varde_core::customer::Organization;
use varde_core::report::{Period, Report};
use varde_core::ticket::TicketId;
use varde_core::workspace::meetings::{MeetingStatus, contract_dates};
use varde_store::roadmap::{Ask, RoadmapItem};
use varde_store::status::{Event, EventFilter};
use varde_store::workspace::{ActionItem, Meeting};

use crate::{App, AppError, authorize};

/// How far ahead the pack looks for contract dates, in days.
const CONTRACT_HORIZON_DAYS: i64 = 180;

/// An action item as the pack shows it.
pub struct ActionLine {
    pub item: ActionItem,
    /// The quarter of the meeting it was agreed in.
    pub agreed_in: String,
    /// The ticket's status, for an item that is a ticket.
    pub ticket_status: Option<String>,
    /// Done: marked so, or its ticket resolved or rejected.
    pub done: bool,
}

/// A wish of this customer, with where it stands.
pub struct AskLine {
    pub ask: Ask,
    pub item: Option<RoadmapItem>,
    /// The item's state changed since the customer's last meeting: tell them.
    pub news: bool,
}

/// Everything the meeting goes through.
pub struct AgendaPack {
    pub meeting: Meeting,
    pub organization: Organization,
    pub service_manager: Option<Account>,
    /// The report of the quarter before the meeting's.
    pub report: Report,
    /// Open items from earlier meetings, those settled since the last one, and this
    /// meeting's own.
    pub action_items: Vec<ActionLine>,
    pub asks: Vec<AskLine>,
    /// Maintenance scheduled on the customer's services, soonest first.
    pub maintenance: Vec<Event>,
    /// (contract, "starts" | "ends", day).
    pub contract_dates: Vec<(String, &'static str, Date)>,
}

impl App {
    /// The agenda pack of a meeting (staff only).
    pub async fn agenda_pack(
        &self,
        actor: &Actor,
        meeting: i64,
        tz: &TimeZone,
    ) -> Result<AgendaPack, AppError> {
        let m = self.meeting(actor, meeting).await?;
        authorize(actor, Action::Read, &Resource::StaffConsole)?;
        let org = m.organization;
        let organization = self
            .store
            .organization(org)
            .await?
            .ok_or(AppError::NotFound)?;
        let this = Period::quarter(&m.quarter).map_err(|e| AppError::Internal(e.0))?;
        let before = Period::quarter_of(this.from.yesterday().unwrap_or(this.from));
        let report = self.quarterly_report(actor, org, before, tz).await?;
        let meetings = self.store.meetings_of(org).await?;
        let last_held = meetings
            .iter()
            .filter(|o| {
                o.id != m.id && o.status == MeetingStatus::Held && o.starts_at < m.starts_at
            })
            .map(|o| o.starts_at)
            .max();
        let action_items = self.action_lines(&m, &meetings, last_held).await?;
        let items = self.store.roadmap_items().await?;
        let all_items = |id: i64| -> Option<RoadmapItem> {
            // An ask filed under an item that was merged follows it to where it went.
            let mut found = items.iter().find(|i| i.id == id).cloned();
            if found.is_none() {
                found = items.iter().find(|i| i.merged_into == Some(id)).cloned();
            }
            found
        };
        let asks = self
            .store
            .asks_of(org)
            .await?
            .into_iter()
            .map(|ask| {
                let item = ask.item.and_then(all_items);
                let news = match (&item, last_held) {
                    (Some(i), Some(last)) => i.state_changed_at > last,
                    (Some(i), None) => i.state_changed_at > i.created_at,
                    (None, _) => false,
                };
                AskLine { ask, item, news }
            })
            .collect();
        let (_, mut maintenance) = self
            .events_touching(org, &[EventFilter::UpcomingMaintenances])
            .await?;
        maintenance.sort_by_key(|e| e.window.as_ref().map(|w| w.from));
        let contracts: Vec<_> = self
            .store
            .contracts_of(org)
            .await?
            .into_iter()
            .map(|c| c.details)
            .collect();
        let today = self.now().to_zoned(self.office_zone()).date();
        let service_manager = match organization.details.service_manager {
            Some(u) => self.store.account(u).await?,
            None => None,
        };
        Ok(AgendaPack {
            meeting: m,
            organization,
            service_manager,
            report,
            action_items,
            asks,
            maintenance,
            contract_dates: contract_dates(&contracts, today, CONTRACT_HORIZON_DAYS),
        })
    }

    /// The pack's action items: open ones from earlier meetings, ones settled since the last
    /// held meeting, and the meeting's own.
    async fn action_lines(
        &self,
        m: &Meeting,
        meetings: &[Meeting],
        last_held: Option<jiff::Timestamp>,
    ) -> Result<Vec<ActionLine>, AppError> {
        let items = self.store.action_items_of(m.organization).await?;
        let ids: Vec<TicketId> = items.iter().filter_map(|i| i.ticket).collect();
        let tickets = self.store.tickets(&ids).await?;
        let mut lines = Vec::new();
        for item in items {
            let agreed = meetings.iter().find(|o| o.id == item.meeting);
            let ticket = item.ticket.and_then(|t| tickets.iter().find(|x| x.id == t));
            let done = item.done_at.is_some() || ticket.is_some_and(|t| !t.status.is_active());
            let settled_at = item.done_at.or(ticket.and_then(|t| t.resolved));
            let earlier = agreed.is_some_and(|a| a.starts_at < m.starts_at);
            // Settled since the last held meeting: shown once more, as done.
            let settled_lately = settled_at.is_some_and(|s| last_held.is_none_or(|l| s > l));
            let show = item.meeting == m.id || (earlier && (!done || settled_lately));
            if show {
                lines.push(ActionLine {
                    agreed_in: agreed.map(|a| a.quarter.clone()).unwrap_or_default(),
                    ticket_status: ticket.map(|t| t.status.code().to_string()),
                    done,
                    item,
                });
            }
        }
        Ok(lines)
    }
}
