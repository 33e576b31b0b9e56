//! What the searches share: a parameter's placeholder in each engine's SQL, and the count and
//! page of ids a search answers with.

use crate::ticket_search::{Dialect, Param};
use crate::{Result, Store, read_pool};

/// Adds a parameter and gives its placeholder in `dialect` (SQLite's `?`, PostgreSQL's `$n`).
pub(crate) fn placeholder(params: &mut Vec<Param>, dialect: Dialect, p: Param) -> String {
    params.push(p);
    match dialect {
        Dialect::Sqlite => "?".into(),
        Dialect::Postgres => format!("${}", params.len()),
    }
}

impl Store {
    /// How many rows a search finds and a page of their ids: `count_sql` and `page_sql` take
    /// the same parameters, in order.
    pub(crate) async fn counted_page(
        &self,
        count_sql: String,
        page_sql: String,
        params: &[Param],
    ) -> Result<(i64, Vec<i64>)> {
        Ok(read_pool!(self, p => {
            let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql));
            let mut page = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(page_sql));
            for param in params {
                match param {
                    Param::Text(s) => {
                        count = count.bind(s.clone());
                        page = page.bind(s.clone());
                    }
                    Param::Int(i) => {
                        count = count.bind(*i);
                        page = page.bind(*i);
                    }
                }
            }
            (count.fetch_one(p).await?, page.fetch_all(p).await?)
        }))
    }
}
