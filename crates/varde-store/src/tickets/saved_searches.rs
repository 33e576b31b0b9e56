//! The searches an agent keeps, by name.

use jiff::Timestamp;

use crate::{Result, Store, micros, read_pool, write_pool};

/// A search an agent keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedSearch {
    pub id: i64,
    pub name: String,
    pub query: String,
}

impl Store {
    /// Saves (or replaces, by name) a search of `user`.
    pub async fn save_search(
        &self,
        user: varde_core::ids::UserId,
        name: &str,
        query: &str,
        now: Timestamp,
    ) -> Result<()> {
        write_pool!(self, p => sqlx::query(
            "INSERT INTO saved_searches (user_id, name, query, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, name) DO UPDATE SET query = excluded.query",
        ).bind(user.0).bind(name.trim()).bind(query).bind(micros(now)).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn saved_searches(&self, user: varde_core::ids::UserId) -> Result<Vec<SavedSearch>> {
        let rows: Vec<(i64, String, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, name, query FROM saved_searches WHERE user_id = $1 ORDER BY name",
        ).bind(user.0).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, name, query)| SavedSearch { id, name, query })
            .collect())
    }

    pub async fn delete_saved_search(&self, user: varde_core::ids::UserId, id: i64) -> Result<()> {
        write_pool!(self, p => sqlx::query("DELETE FROM saved_searches WHERE id = $1 AND user_id = $2").bind(id).bind(user.0).execute(p).await.map(|_| ()))?;
        Ok(())
    }
}
