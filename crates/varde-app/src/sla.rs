//! A ticket's SLA, computed one way for every reader: RT's `Due` (REST 1.0 and REST2), the
//! console's ticket page, and (with the same rules, batched) the SLA watch in `varde-notify`.
//! The support tier comes from the organisation's contracts in force on the office's day
//! (Stockholm, as the watch counts days), the policy is the version in force when the ticket
//! was created, and the clock is the core's pure `sla::clock` over the ticket's own history.

use std::collections::HashMap;

use varde_core::catalogue::SupportTier;
use varde_core::sla::{Clock, Policy};
use varde_core::ticket::{Ticket, TicketId};

use crate::{App, AppError};

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
pub fn due(t: &Ticket, sla: Option<&TicketSla>) -> Option<jiff::Timestamp> {
    t.due.or_else(|| sla?.clock.as_ref()?.next_deadline())
}

impl App {
    /// The SLA of several tickets at once: one read of their histories, and one of contracts
    /// and policy versions per organisation and tier.
    pub async fn sla_of<'a>(
        &self,
        tickets: impl IntoIterator<Item = &'a Ticket>,
    ) -> Result<HashMap<TicketId, TicketSla>, AppError> {
        let tickets: Vec<&Ticket> = tickets.into_iter().collect();
        let ids: Vec<TicketId> = tickets.iter().map(|t| t.id).collect();
        let mut histories = self.store.transactions_of(&ids).await?;
        let now = self.now();
        let today = now.to_zoned(self.office_zone()).date();
        let mut tiers = HashMap::new();
        let mut versions = HashMap::new();
        let mut out = HashMap::new();
        for t in tickets {
            let tier = match tiers.get(&t.organization) {
                Some(tier) => *tier,
                None => {
                    let tier = self.store.support_tier(t.organization, today).await?;
                    tiers.insert(t.organization, tier);
                    tier
                }
            };
            if let std::collections::hash_map::Entry::Vacant(slot) = versions.entry(tier) {
                slot.insert(self.store.policy_versions(tier).await?);
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
}
