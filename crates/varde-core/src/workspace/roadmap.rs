//! The roadmap register: what customers asked for, as items the product organisation weighs.
//!
//! A customer's wish is noted as feedback on its organisation (who asked, when, in which
//! meeting or ticket); staff file each piece of feedback under a roadmap item, so the same wish
//! from several customers is one item with all of them attached. An item has a state and a
//! reason the customers may read. Demand across customers is derived from the feedback.

use std::collections::BTreeSet;

use crate::catalogue::{Service, SupportTier};
use crate::form::FieldErrors;
use crate::vocabulary;

vocabulary!(
    /// Where a roadmap item stands.
    RoadmapState, "roadmap state" {
        New => "new", "New";
        UnderConsideration => "under_consideration", "Under consideration";
        Planned => "planned", "Planned";
        Done => "done", "Done";
        Declined => "declined", "Declined";
    }
);

impl RoadmapState {
    /// Whether the item is settled (nothing more will happen to it).
    pub fn settled(self) -> bool {
        matches!(self, RoadmapState::Done | RoadmapState::Declined)
    }
}

/// A roadmap item as staff type it.
#[derive(Clone, Debug, Default)]
pub struct ItemForm {
    pub title: String,
    /// A service code (`compute`, `storage`, `backup`), or blank for the platform as a whole.
    pub service: String,
    pub state: String,
    /// What the customers may read about the state: why declined, when planned.
    pub reason: String,
}

/// A parsed roadmap item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub title: String,
    pub service: Option<Service>,
    pub state: RoadmapState,
    pub reason: String,
}

impl ItemForm {
    pub fn parse(&self) -> Result<Item, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = self.title.trim();
        if title.is_empty() {
            errors.add("title", "name the wish in a few words");
        } else if title.chars().count() > 200 {
            errors.add("title", "at most 200 characters");
        }
        let service = match self.service.trim() {
            "" => None,
            s => errors.take("service", Service::parse(s)),
        };
        let state = match self.state.trim() {
            "" => Some(RoadmapState::New),
            s => errors.take("state", RoadmapState::parse(s)),
        };
        let reason = self.reason.trim();
        if state == Some(RoadmapState::Declined) && reason.is_empty() {
            errors.add("reason", "say why, in words the customers may read");
        }
        if reason.chars().count() > 2000 {
            errors.add("reason", "at most 2000 characters");
        }
        match state {
            Some(state) if errors.is_empty() => Ok(Item {
                title: title.to_string(),
                service,
                state,
                reason: reason.to_string(),
            }),
            _ => Err(errors),
        }
    }
}

/// One customer's ask, as demand counts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ask {
    pub organization: i64,
    pub tier: Option<SupportTier>,
}

/// How much an item is asked for across customers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Demand {
    /// Distinct organisations that asked.
    pub customers: usize,
    /// Pieces of feedback (one customer may ask more than once).
    pub asks: usize,
    /// Of the customers, how many have premium support.
    pub premium: usize,
    /// The highest tier among them.
    pub top_tier: Option<SupportTier>,
}

/// The demand from a list of asks.
pub fn demand(asks: &[Ask]) -> Demand {
    let mut orgs = BTreeSet::new();
    let mut premium = BTreeSet::new();
    let mut top_tier = None;
    for a in asks {
        orgs.insert(a.organization);
        if a.tier == Some(SupportTier::Premium) {
            premium.insert(a.organization);
        }
        top_tier = top_tier.max(a.tier);
    }
    Demand {
        customers: orgs.len(),
        asks: asks.len(),
        premium: premium.len(),
        top_tier,
    }
}

/// Orders items by demand: the most customers first, then the most premium customers, then
/// the most asks; settled items last.
pub fn by_demand<T>(items: &mut [(T, RoadmapState, Demand)]) {
    items.sort_by(|a, b| {
        a.1.settled()
            .cmp(&b.1.settled())
            .then(b.2.customers.cmp(&a.2.customers))
            .then(b.2.premium.cmp(&a.2.premium))
            .then(b.2.asks.cmp(&a.2.asks))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declined_item_needs_a_reason_the_customer_may_read() {
        let form = ItemForm {
            title: "GPU flavours".into(),
            service: "compute".into(),
            state: "declined".into(),
            reason: " ".into(),
        };
        assert!(form.parse().unwrap_err().get("reason").is_some());
        let ok = ItemForm {
            reason: "No GPUs in our racks before 2028.".into(),
            ..form
        }
        .parse()
        .unwrap();
        assert_eq!(ok.service, Some(Service::Compute));
        assert_eq!(ok.state, RoadmapState::Declined);
    }

    #[test]
    fn a_blank_state_is_new_and_an_unknown_one_is_refused() {
        let item = ItemForm {
            title: "IPv6 on floating IPs".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!((item.state, item.service), (RoadmapState::New, None));
        let bad = ItemForm {
            title: "x".into(),
            state: "maybe".into(),
            service: "gpu".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert!(bad.get("state").is_some() && bad.get("service").is_some());
    }

    #[test]
    fn demand_counts_customers_once_and_orders_settled_items_last() {
        let asks = [
            Ask {
                organization: 1,
                tier: Some(SupportTier::Premium),
            },
            Ask {
                organization: 1,
                tier: Some(SupportTier::Premium),
            },
            Ask {
                organization: 2,
                tier: Some(SupportTier::Base),
            },
        ];
        let d = demand(&asks);
        assert_eq!(
            d,
            Demand {
                customers: 2,
                asks: 3,
                premium: 1,
                top_tier: Some(SupportTier::Premium)
            }
        );
        let one = demand(&asks[2..]);
        let mut items = vec![
            ("done", RoadmapState::Done, d.clone()),
            ("one", RoadmapState::New, one),
            ("two", RoadmapState::Planned, d),
        ];
        by_demand(&mut items);
        let order: Vec<&str> = items.iter().map(|i| i.0).collect();
        assert_eq!(order, ["two", "one", "done"]);
    }
}
