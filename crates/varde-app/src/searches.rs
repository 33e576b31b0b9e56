//! Searches: the ticket searches a person keeps by name (the console's saved searches,
//! REST2's `/searches`), one's own only; and the search of tickets' transactions (REST2's
//! `/transactions`), for staff who see every ticket.

use varde_core::access::{Action, Actor, Resource, Visibility, visibility};
use varde_store::tickets::SavedSearch;
use varde_store::transaction_search::TxCondition;

use crate::{App, AppError, authorize};

impl App {
    /// The searches the actor keeps, by name.
    pub async fn saved_searches(&self, actor: &Actor) -> Result<Vec<SavedSearch>, AppError> {
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        authorize(actor, Action::Read, &Resource::OwnAccount(user))?;
        Ok(self.store.saved_searches(user).await?)
    }

    /// One of the actor's searches, by number or by name (any case); another's is not found.
    pub async fn saved_search(&self, actor: &Actor, key: &str) -> Result<SavedSearch, AppError> {
        let key = key.trim();
        self.saved_searches(actor)
            .await?
            .into_iter()
            .find(|s| s.id.to_string() == key || s.name.eq_ignore_ascii_case(key))
            .ok_or(AppError::NotFound)
    }

    /// The transactions that meet the conditions: a page of their ids, in order, and how many
    /// there are. Only for staff who see every ticket (the search does not look at tickets).
    pub async fn search_transactions(
        &self,
        actor: &Actor,
        conditions: &[TxCondition],
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<i64>, i64), AppError> {
        authorize(actor, Action::Read, &Resource::TicketSystem)?;
        if visibility(actor) != Visibility::All {
            return Err(AppError::Forbidden);
        }
        self.store
            .search_transactions(conditions, offset, limit)
            .await?
            .map_err(|e| AppError::Refused(e.0))
    }
}
