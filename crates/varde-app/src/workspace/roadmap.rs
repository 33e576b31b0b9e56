//! The roadmap register as staff weigh it: every item with the customers who asked and the
//! demand across them, the feedback not yet filed, and filing, merging and deciding.

use std::collections::HashMap;

use varde_core::access::{Action, Actor, Resource};
use varde_core::catalogue::SupportTier;
use varde_core::entitlements::entitlements_on;
use varde_core::ids::OrganizationId;
use varde_core::workspace::roadmap::{Demand, ItemForm, by_demand, demand};
use varde_store::roadmap::{Ask, RoadmapItem};

use crate::{Acting, App, AppError, authorize};

/// A roadmap item with the customers who asked for it.
pub struct RoadmapEntry {
    pub item: RoadmapItem,
    pub asks: Vec<Ask>,
    pub demand: Demand,
}

/// The register: items by demand, and the feedback still to file.
pub struct Roadmap {
    pub entries: Vec<RoadmapEntry>,
    pub unfiled: Vec<Ask>,
    /// Each asking organisation's support tier today (none when its contracts give none).
    pub tiers: HashMap<OrganizationId, SupportTier>,
}

impl App {
    /// The roadmap register, the items most asked for first.
    pub async fn roadmap(&self, actor: &Actor) -> Result<Roadmap, AppError> {
        authorize(actor, Action::Read, &Resource::Roadmap)?;
        let items = self.store.roadmap_items().await?;
        let asks = self.store.asks().await?;
        let today = self.now().to_zoned(self.office_zone()).date();
        let mut tiers = HashMap::new();
        for org in asks.iter().map(|a| a.organization) {
            if tiers.contains_key(&org) {
                continue;
            }
            let contracts = self.store.contracts_of(org).await?;
            if let Ok(e) = entitlements_on(contracts.iter().map(|c| &c.details), today) {
                tiers.insert(org, e.tier);
            }
        }
        let (filed, unfiled): (Vec<Ask>, Vec<Ask>) = asks.into_iter().partition(|a| {
            a.item
                .is_some_and(|i| items.iter().any(|item| item.id == i))
        });
        let mut ranked: Vec<(RoadmapEntry, _, Demand)> = items
            .into_iter()
            .map(|item| {
                let asks: Vec<Ask> = filed
                    .iter()
                    .filter(|a| a.item == Some(item.id))
                    .cloned()
                    .collect();
                let d = demand(
                    &asks
                        .iter()
                        .map(|a| varde_core::workspace::roadmap::Ask {
                            organization: a.organization.0,
                            tier: tiers.get(&a.organization).copied(),
                        })
                        .collect::<Vec<_>>(),
                );
                let state = item.item.state;
                (
                    RoadmapEntry {
                        item,
                        asks,
                        demand: d.clone(),
                    },
                    state,
                    d,
                )
            })
            .collect();
        by_demand(&mut ranked);
        Ok(Roadmap {
            entries: ranked.into_iter().map(|(e, _, _)| e).collect(),
            unfiled,
            tiers,
        })
    }

    /// Adds an item, filing the given feedback under it.
    pub async fn create_roadmap_item(
        &self,
        by: &Acting,
        form: &ItemForm,
        asks: &[i64],
    ) -> Result<i64, AppError> {
        authorize(&by.actor, Action::Write, &Resource::Roadmap)?;
        let item = form.parse().map_err(AppError::Invalid)?;
        Ok(self
            .store
            .create_roadmap_item(&by.name, &item, asks, self.now())
            .await?)
    }

    /// Changes an item: its words, its service, its state and the reason customers read.
    pub async fn update_roadmap_item(
        &self,
        by: &Acting,
        id: i64,
        form: &ItemForm,
    ) -> Result<RoadmapItem, AppError> {
        authorize(&by.actor, Action::Write, &Resource::Roadmap)?;
        let item = form.parse().map_err(AppError::Invalid)?;
        Ok(self
            .store
            .update_roadmap_item(&by.name, id, &item, self.now())
            .await?)
    }

    /// Files a piece of feedback under an item (or takes it out, with `None`).
    pub async fn file_ask(&self, by: &Acting, ask: i64, item: Option<i64>) -> Result<(), AppError> {
        authorize(&by.actor, Action::Write, &Resource::Roadmap)?;
        if let Some(i) = item {
            let target = self
                .store
                .roadmap_item(i)
                .await?
                .ok_or(AppError::NotFound)?;
            if target.merged_into.is_some() {
                return Err(AppError::Refused(format!(
                    "item {i} was merged into another; file it there"
                )));
            }
        }
        Ok(self.store.file_ask(ask, item).await?)
    }

    /// Merges the same wish noted twice: `gone`'s customers join `keep`.
    pub async fn merge_roadmap_items(
        &self,
        by: &Acting,
        keep: i64,
        gone: i64,
    ) -> Result<(), AppError> {
        authorize(&by.actor, Action::Write, &Resource::Roadmap)?;
        if keep == gone {
            return Err(AppError::Refused(
                "an item cannot be merged into itself".into(),
            ));
        }
        for id in [keep, gone] {
            let i = self
                .store
                .roadmap_item(id)
                .await?
                .ok_or(AppError::NotFound)?;
            if i.merged_into.is_some() {
                return Err(AppError::Refused(format!(
                    "item {id} was already merged into another"
                )));
            }
        }
        Ok(self
            .store
            .merge_roadmap_items(&by.name, keep, gone, self.now())
            .await?)
    }
}
