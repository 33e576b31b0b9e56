//! A write of several statements that runs as one database transaction, built first and sent
//! whole. On SQLite the script goes to the embedded engine's writer
//! ([`crate::embedded::writer`]), which runs every statement and commits: on the caller's
//! thread when no commit is under way, else on the writer thread with whatever else queued
//! (group commit). On PostgreSQL the statements run one by one in a transaction, as any other
//! write does.
//!
//! Statements number their parameters from `$1` each. They may name the row the script
//! inserted last into a table with [`NEW_TICKET`] and [`NEW_TRANSACTION`], and the id the next
//! ticket takes with [`NEXT_TICKET`], which each engine spells its own way.

use sqlx::Row;

use crate::{Engine, Store, StoreError};

/// The id of the ticket this script inserted.
pub(crate) const NEW_TICKET: &str = "{new ticket}";
/// The id of the transaction this script inserted.
pub(crate) const NEW_TRANSACTION: &str = "{new transaction}";
/// A one-row table whose `id` is the id the next ticket takes, for an insert that also
/// writes it elsewhere in the row (a new ticket's `effective_id`), so the row is written once.
pub(crate) const NEXT_TICKET: &str = "{next ticket}";
/// The table a ticket's new text is written to: the wait for the next indexing on SQLite
/// (`embedded::text_index`), the index itself on PostgreSQL.
pub(crate) const TEXT_TO_INDEX: &str = "{text to index}";

/// The placeholders as SQLite spells them. The embedded writer runs one script at a time on
/// one connection, and a table without AUTOINCREMENT gives a new row the largest id plus one.
pub(crate) const SQLITE_SPELLING: [(&str, &str); 4] = [
    (NEW_TICKET, "(SELECT max(id) FROM tickets)"),
    (NEW_TRANSACTION, "(SELECT max(id) FROM transactions)"),
    (
        NEXT_TICKET,
        "(SELECT coalesce(max(id), 0) + 1 AS id FROM tickets)",
    ),
    (TEXT_TO_INDEX, "text_to_index"),
];

/// The placeholders as PostgreSQL spells them: as scalar subqueries, so PostgreSQL evaluates
/// them once (an InitPlan) and can look the row up by its key: a bare `id = currval(…)` is
/// volatile, and scanned the whole table for every new ticket (67 ms at 20,000 tickets).
const POSTGRES_SPELLING: [(&str, &str); 4] = [
    (
        NEW_TICKET,
        "(SELECT currval(pg_get_serial_sequence('tickets', 'id')))",
    ),
    (
        NEW_TRANSACTION,
        "(SELECT currval(pg_get_serial_sequence('transactions', 'id')))",
    ),
    (
        NEXT_TICKET,
        "(SELECT nextval(pg_get_serial_sequence('tickets', 'id')) AS id)",
    ),
    (TEXT_TO_INDEX, "ticket_text"),
];

/// `text` with its placeholders spelled out; borrowed when it names none.
pub(crate) fn spelled<'a>(text: &'a str, spelling: &[(&str, &str)]) -> std::borrow::Cow<'a, str> {
    if !text.contains('{') {
        return text.into();
    }
    let mut text = text.to_string();
    for (placeholder, spelled) in spelling {
        if text.contains(placeholder) {
            text = text.replace(placeholder, spelled);
        }
    }
    text.into()
}

/// The placeholders' spelling in a transaction of `DB`, for statements run outside a
/// [`Script`] (inside a `write_pool!` transaction).
pub(crate) fn spelling_of<DB: sqlx::Database>(
    _: &sqlx::Transaction<'_, DB>,
) -> &'static [(&'static str, &'static str)] {
    if DB::NAME == "SQLite" {
        &SQLITE_SPELLING
    } else {
        &POSTGRES_SPELLING
    }
}

/// A parameter of a statement.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Blob(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(Some(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Value {
        Value::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(Some(v.to_string()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(Some(v))
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Value {
        Value::Text(v.map(str::to_string))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Value {
        Value::Text(v)
    }
}
impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Value {
        Value::Blob(v.to_vec())
    }
}

/// Binds `values` to `query` in order, whichever the engine.
macro_rules! bind_all {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for v in $values {
            query = match v {
                $crate::script::Value::Int(i) => query.bind(i),
                $crate::script::Value::Text(t) => query.bind(t),
                $crate::script::Value::Blob(b) => query.bind(b),
            };
        }
        query
    }};
}

pub(crate) use bind_all;

/// Statements to run together; the last one's first row is the script's answer.
#[derive(Default)]
pub(crate) struct Script {
    statements: Vec<(String, Vec<Value>)>,
}

/// Why a script failed: a unique constraint said no, or the database failed.
#[derive(Debug)]
pub(crate) enum ScriptError {
    /// A unique constraint refused a row: the same thing was written before.
    Duplicate,
    Store(StoreError),
}

impl From<sqlx::Error> for ScriptError {
    fn from(e: sqlx::Error) -> ScriptError {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => ScriptError::Duplicate,
            _ => ScriptError::Store(StoreError::Unavailable(Box::new(e))),
        }
    }
}

impl Script {
    pub(crate) fn push(&mut self, sql: &str, values: Vec<Value>) {
        self.statements.push((sql.to_string(), values));
    }

    /// Runs every statement in one transaction and gives the integer columns of the last
    /// statement's first row. Runs to its end even when the caller stops waiting (a client
    /// that hangs up), so a transaction is never left open on the writer's connection.
    pub(crate) async fn run(self, store: &Store) -> std::result::Result<Vec<i64>, ScriptError> {
        match &store.engine {
            Engine::Sqlite { writer, .. } => writer.commit(self.statements).await,
            Engine::Postgres(pool) => {
                let pool = pool.clone();
                tokio::spawn(async move { self.run_postgres(&pool).await })
                    .await
                    .map_err(|e| {
                        ScriptError::Store(StoreError::Unavailable(
                            format!("the write was interrupted: {e}").into(),
                        ))
                    })?
            }
        }
    }

    async fn run_postgres(self, pool: &sqlx::PgPool) -> std::result::Result<Vec<i64>, ScriptError> {
        let mut tx = pool.begin().await?;
        let last = self.statements.len().saturating_sub(1);
        let mut answer = Vec::new();
        for (i, (text, values)) in self.statements.into_iter().enumerate() {
            let text = spelled(&text, &POSTGRES_SPELLING).into_owned();
            let query = bind_all!(sqlx::query(sqlx::AssertSqlSafe(text)), values);
            if i == last {
                if let Some(row) = query.fetch_optional(&mut *tx).await? {
                    answer = (0..row.len())
                        .map(|i| row.try_get::<i64, _>(i))
                        .collect::<std::result::Result<_, _>>()?;
                }
            } else {
                query.execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(answer)
    }
}

/// Converts a script's failure where a unique clash cannot be a redelivery.
impl From<ScriptError> for StoreError {
    fn from(e: ScriptError) -> StoreError {
        match e {
            ScriptError::Duplicate => crate::conflict("id", "this was stored before"),
            ScriptError::Store(e) => e,
        }
    }
}

impl From<ScriptError> for crate::tickets::TicketError {
    fn from(e: ScriptError) -> Self {
        crate::tickets::TicketError::Store(e.into())
    }
}
