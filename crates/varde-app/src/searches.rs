//! The ticket searches a person keeps by name (the console's saved searches, REST2's
//! `/searches`): one's own only.

use varde_core::access::{Action, Actor, Resource};
use varde_store::tickets::SavedSearch;

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
}
