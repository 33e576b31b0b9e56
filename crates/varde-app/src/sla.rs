//! A ticket's SLA, computed one way for every reader: RT's `Due` (REST 1.0 and REST2), the
//! console's ticket page, and (with the same rules, batched) the SLA watch in `varde-notify`.
//! The support tier comes from the organisation's contracts in force on the office's day
//! (Stockholm, as the watch counts days), the policy is the version in force when the ticket
//! was created, and the clock is the core's pure `sla::clock` over the ticket's own history.

use std::collections::HashMap;

pub mod board;
pub use board::{Clocks, Mark};

use varde_core::catalogue::SupportTier;
use varde_core::sla::{Clock, Policy};
use varde_core::ticket::{Ticket, TicketId};

use jiff::Timestamp;
use varde_store::{Store, StoreError};

use varde_core::access::{Action, Actor, Resource};

use crate::{App, AppError, authorize};

/// A ticket's SLA: the tier it is served at, the policy version and the live clock (none when
/// the policy has no target for the ticket).
#[derive(Clone, Debug)]
pub struct TicketSla {
    pub tier: SupportTier,
    pub policy: Policy,
    pub clock: Option<Clock>,
}

/// RT's `Due` of a ticket: a `Due` set by hand wins, else the earliest deadline among its SLA
/// targets not yet met; nothing when nothing is left to meet.
pub fn due(t: &Ticket, sla: Option<&TicketSla>) -> Option<Timestamp> {
    t.due.or_else(|| sla?.clock.as_ref()?.next_deadline())
}

impl App {
    /// The SLA of several tickets at once: one read of their histories, and one of contracts
    /// and policy versions per organisation and tier.
    pub async fn sla_of<'a>(
        &self,
        tickets: impl IntoIterator<Item = &'a Ticket>,
    ) -> Result<HashMap<TicketId, TicketSla>, AppError> {
        Ok(sla_at(&self.store, tickets, self.now()).await?)
    }
}

/// The console's views of tickets by their SLA clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlaList {
    /// A target not met and missed.
    Breached,
    /// A target not met and not missed, its clock running, due within [`DUE_SOON`].
    DueSoon,
}

/// What "breaching soon" means: due within the next two hours.
pub const DUE_SOON: jiff::SignedDuration = jiff::SignedDuration::from_hours(2);

/// One page of an [`SlaList`]: the tickets (earliest due first), their SLA, and how many
/// tickets the list holds in all.
pub struct SlaPage {
    pub tickets: Vec<Ticket>,
    pub slas: HashMap<TicketId, TicketSla>,
    pub total: usize,
}

impl App {
    /// Every running ticket that is breached, or breaching soon, earliest due first, from
    /// `offset` for `limit`: read off the board of clocks ([`Clocks`]) rather than every
    /// ticket's history, so it costs the same with 100 running tickets or 50,000.
    pub async fn sla_list(
        &self,
        actor: &Actor,
        list: SlaList,
        offset: usize,
        limit: usize,
    ) -> Result<SlaPage, AppError> {
        // Every ticket's clock: the staff's queues, never a customer's.
        authorize(actor, Action::Read, &Resource::StaffConsole)?;
        let now = self.now();
        let until = now + DUE_SOON;
        let mut picked: Vec<(Option<Timestamp>, TicketId)> = self
            .clocks
            .sighting(&self.store, now)
            .await?
            .into_iter()
            .filter(|(_, m)| match list {
                SlaList::Breached => m.breached_at(now),
                SlaList::DueSoon => m.due_by(now, until),
            })
            .map(|(id, m)| (m.due, id))
            .collect();
        picked.sort_unstable();
        let ids: Vec<TicketId> = picked
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(_, id)| *id)
            .collect();
        let tickets = self.store.tickets(&ids).await?;
        let slas = sla_at(&self.store, &tickets, now).await?;
        Ok(SlaPage {
            tickets,
            slas,
            total: picked.len(),
        })
    }

    /// The board of clocks this node keeps (the SLA watch brings it up to date).
    pub fn clocks(&self) -> &Clocks {
        &self.clocks
    }
}

/// [`App::sla_of`] at a given moment, for the SLA watch, which reads many clocks at one
/// instant of its round.
pub async fn sla_at<'a>(
    store: &Store,
    tickets: impl IntoIterator<Item = &'a Ticket>,
    now: Timestamp,
) -> Result<HashMap<TicketId, TicketSla>, StoreError> {
    let tickets: Vec<&Ticket> = tickets.into_iter().collect();
    let ids: Vec<TicketId> = tickets.iter().map(|t| t.id).collect();
    let mut histories = store.transactions_of(&ids).await?;
    let today = now.to_zoned(crate::office_zone()).date();
    let mut tiers = HashMap::new();
    let mut versions = HashMap::new();
    let mut out = HashMap::new();
    for t in tickets {
        let tier = match tiers.get(&t.organization) {
            Some(tier) => *tier,
            None => {
                let tier = store.support_tier(t.organization, today).await?;
                tiers.insert(t.organization, tier);
                tier
            }
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = versions.entry(tier) {
            slot.insert(store.policy_versions(tier).await?);
        }
        let policy = varde_store::sla::in_force(&versions[&tier], tier, t.created);
        // A merged ticket's history holds the merged ones' too: the clock reads its own.
        let history: Vec<_> = histories
            .remove(&t.id)
            .unwrap_or_default()
            .into_iter()
            .filter(|tx| tx.ticket == t.id)
            .collect();
        let clock = varde_core::sla::clock(&history, &policy, &policy.calendar(), now);
        out.insert(
            t.id,
            TicketSla {
                tier,
                policy,
                clock,
            },
        );
    }
    Ok(out)
}
