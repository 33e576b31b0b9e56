//! What changed for a service manager's customers since they last looked: tickets opened
//! and resolved, incidents and maintenance on their contracted services, ratings, roadmap
//! items they asked for that moved, action items settled, contract and contact changes,
//! and health that moved. Read in bulk, one query per kind; the mark moves only when the
//! service manager says they have seen it (a POST), never by reading the page.

use std::collections::{HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};
use varde_core::access::{Action, Actor, Resource};
use varde_core::entitlements::entitlements_on;
use varde_core::ids::OrganizationId;
use varde_core::status::EventKind;
use varde_core::workspace::changes::{Change, health_change, in_order};
use varde_core::workspace::roadmap::RoadmapState;
use varde_core::workspace::words::Rating;
use varde_store::status::EventFilter;

use crate::status::serves;
use crate::{Acting, App, AppError, authorize};

/// The page the mark is kept for.
const PAGE: &str = "customers";
/// How far back a first look goes, in days.
pub const FIRST_LOOK_DAYS: i64 = 7;

/// The changes for each organisation asked about since a moment.
pub struct CustomerChanges {
    pub since: Timestamp,
    /// True when the actor never marked the page seen: `since` is [`FIRST_LOOK_DAYS`] ago.
    pub first_look: bool,
    pub by_organization: HashMap<OrganizationId, Vec<Change>>,
}

impl App {
    /// What changed for `orgs` since the actor last marked "My customers" seen.
    pub async fn customer_changes(
        &self,
        actor: &Actor,
        orgs: &[OrganizationId],
    ) -> Result<CustomerChanges, AppError> {
        authorize(actor, Action::Read, &Resource::StaffConsole)?;
        authorize(actor, Action::Read, &Resource::OrganizationDirectory)?;
        let mark = match actor.user() {
            Some(user) => self.store.seen_mark(user, PAGE).await?,
            None => None,
        };
        let since = mark.unwrap_or(self.now() - SignedDuration::from_hours(24 * FIRST_LOOK_DAYS));
        let mut by_organization = self.changes_since(orgs, since).await?;
        for changes in by_organization.values_mut() {
            *changes = in_order(std::mem::take(changes));
        }
        Ok(CustomerChanges {
            since,
            first_look: mark.is_none(),
            by_organization,
        })
    }

    /// Marks "My customers" seen now: the next look starts from here.
    pub async fn mark_customers_seen(&self, by: &Acting) -> Result<(), AppError> {
        let user = by.actor.user().ok_or(AppError::Unauthenticated)?;
        authorize(&by.actor, Action::Write, &Resource::OwnAccount(user))?;
        authorize(&by.actor, Action::Read, &Resource::StaffConsole)?;
        self.store.mark_seen(user, PAGE, self.now()).await?;
        Ok(())
    }

    async fn changes_since(
        &self,
        orgs: &[OrganizationId],
        since: Timestamp,
    ) -> Result<HashMap<OrganizationId, Vec<Change>>, AppError> {
        let wanted: HashSet<OrganizationId> = orgs.iter().copied().collect();
        let mut out: HashMap<OrganizationId, Vec<Change>> =
            orgs.iter().map(|o| (*o, vec![])).collect();
        let mut add = |org: OrganizationId, change: Change| {
            if let Some(list) = out.get_mut(&org) {
                list.push(change);
            }
        };
        for (org, a) in self.store.ticket_activity(since).await? {
            if a.opened > 0 {
                add(
                    org,
                    Change::Opened {
                        tickets: a.opened,
                        urgent: a.urgent,
                    },
                );
            }
            if a.resolved > 0 {
                add(org, Change::Resolved(a.resolved));
            }
        }
        for (org, change) in self.events_since(&wanted, since).await? {
            add(org, change);
        }
        for r in self.store.ratings_since(since).await? {
            if let (Some(org), Ok(rating)) = (r.organization, Rating::parse(&r.rating)) {
                add(
                    org,
                    Change::Rated {
                        ticket: r.ticket,
                        rating,
                    },
                );
            }
        }
        for (org, change) in self.roadmap_moves_since(since).await? {
            add(org, change);
        }
        for (org, n) in self.store.action_items_done_since(since).await? {
            add(org, Change::ActionItemsDone(n));
        }
        for (org, n) in self.store.record_changes_since(since).await? {
            add(org, Change::CustomerRecord(n));
        }
        for (org, change) in self.health_moves_since(since).await? {
            add(org, change);
        }
        Ok(out)
    }

    /// Incidents and maintenance with news since `since` (started, or an update posted)
    /// on a service in each organisation's contracts.
    async fn events_since(
        &self,
        orgs: &HashSet<OrganizationId>,
        since: Timestamp,
    ) -> Result<Vec<(OrganizationId, Change)>, AppError> {
        let now = self.now();
        let mut events = self.store.events(EventFilter::Incidents, 500).await?;
        events.extend(self.store.events(EventFilter::Maintenances, 500).await?);
        events.retain(|e| e.updated_at >= since && e.started_at <= now);
        if events.is_empty() {
            return Ok(vec![]);
        }
        let today = now.to_zoned(self.office_zone()).date();
        let components = self.store.components().await?;
        let mut contracts: HashMap<OrganizationId, Vec<_>> = HashMap::new();
        for c in self.store.all_contracts().await? {
            if orgs.contains(&c.organization) {
                contracts.entry(c.organization).or_default().push(c.details);
            }
        }
        let mut out = vec![];
        for (org, mine) in contracts {
            let Ok(entitled) = entitlements_on(&mine, today) else {
                continue;
            };
            let ours: Vec<i64> = components
                .iter()
                .filter(|c| serves(c, &entitled.services))
                .map(|c| c.id)
                .collect();
            for e in events
                .iter()
                .filter(|e| e.components.iter().any(|c| ours.contains(c)))
            {
                let change = Change::Incident {
                    id: e.id,
                    title: e.name.clone(),
                    impact: e.impact,
                    maintenance: e.kind == EventKind::Maintenance,
                };
                out.push((org, change));
            }
        }
        Ok(out)
    }

    /// Roadmap items whose state changed since `since`, for each organisation that asked.
    async fn roadmap_moves_since(
        &self,
        since: Timestamp,
    ) -> Result<Vec<(OrganizationId, Change)>, AppError> {
        let moved: HashMap<i64, _> = self
            .store
            .roadmap_items()
            .await?
            .into_iter()
            .filter(|i| i.state_changed_at >= since && i.item.state != RoadmapState::New)
            .map(|i| (i.id, i))
            .collect();
        if moved.is_empty() {
            return Ok(vec![]);
        }
        let mut seen = HashSet::new();
        let mut out = vec![];
        for ask in self.store.asks().await? {
            let Some(item) = ask.item.and_then(|id| moved.get(&id)) else {
                continue;
            };
            if seen.insert((ask.organization, item.id)) {
                let change = Change::Roadmap {
                    id: item.id,
                    title: item.item.title.clone(),
                    state: item.item.state,
                };
                out.push((ask.organization, change));
            }
        }
        Ok(out)
    }

    /// Health that moved by [`varde_core::workspace::changes::HEALTH_NEWS`] or more between
    /// the last score on or before `since`'s day and today's.
    async fn health_moves_since(
        &self,
        since: Timestamp,
    ) -> Result<Vec<(OrganizationId, Change)>, AppError> {
        let tz = self.office_zone();
        let today = self.now().to_zoned(tz.clone()).date().to_string();
        let then_day = since.to_zoned(tz).date().to_string();
        if then_day == today {
            return Ok(vec![]);
        }
        let then: HashMap<OrganizationId, i64> = self
            .store
            .health_on(&then_day)
            .await?
            .into_iter()
            .map(|s| (s.organization, s.score))
            .collect();
        Ok(self
            .store
            .health_on(&today)
            .await?
            .into_iter()
            .filter_map(|s| {
                let change = health_change(then.get(&s.organization).copied(), Some(s.score))?;
                Some((s.organization, change))
            })
            .collect())
    }
}
