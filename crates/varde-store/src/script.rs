//! A write of several statements that runs as one database transaction, built first and sent
//! whole. On SQLite the statements travel as one query, so the whole transaction (its `BEGIN`,
//! every insert and its `COMMIT`) is one hand-off to sqlx's SQLite thread instead of one per
//! statement; on PostgreSQL they run one by one in a transaction, as any other write does.
//!
//! On SQLite, scripts go through one [`Committer`]: scripts that arrive while a commit is
//! being made are committed together in the next transaction, each inside a savepoint of its
//! own (group commit). A durable commit costs a sync of the write-ahead log, and several
//! requests at once then share one. A script that fails is undone alone; the others commit.
//!
//! Statements number their parameters from `$1` each; the script renumbers them. They may name
//! the row the script inserted last into a table with [`NEW_TICKET`] and [`NEW_TRANSACTION`],
//! which each engine spells its own way.

use sqlx::Row;
use tokio::sync::{mpsc, oneshot};

use crate::{Engine, Store, StoreError};

/// The id of the ticket this script inserted.
pub(crate) const NEW_TICKET: &str = "{new ticket}";
/// The id of the transaction this script inserted.
pub(crate) const NEW_TRANSACTION: &str = "{new transaction}";

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
            _ => ScriptError::Store(StoreError::Unavailable(e)),
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
        let interrupted = |e: String| {
            ScriptError::Store(StoreError::Unavailable(sqlx::Error::Protocol(format!(
                "the write was interrupted: {e}"
            ))))
        };
        match &store.engine {
            Engine::Sqlite { committer, .. } => {
                let (reply, answer) = oneshot::channel();
                committer
                    .jobs
                    .send(Job {
                        script: self.sqlite_text(),
                        reply,
                    })
                    .map_err(|e| interrupted(e.to_string()))?;
                answer.await.map_err(|e| interrupted(e.to_string()))?
            }
            Engine::Postgres(pool) => {
                let pool = pool.clone();
                tokio::spawn(async move { self.run_postgres(&pool).await })
                    .await
                    .map_err(|e| interrupted(e.to_string()))?
            }
        }
    }

    /// The statements as one query, parameters numbered across them. The answer row is
    /// selected before the transaction commits, while no other writer can have added a row.
    fn sqlite_text(self) -> SqliteScript {
        let mut sql = String::new();
        let mut values = Vec::new();
        for (text, v) in self.statements {
            let text = text
                .replace(NEW_TICKET, "(SELECT max(id) FROM tickets)")
                .replace(NEW_TRANSACTION, "(SELECT max(id) FROM transactions)");
            sql.push_str(&renumber(&text, values.len()));
            sql.push_str(";\n");
            values.extend(v);
        }
        SqliteScript { sql, values }
    }

    async fn run_postgres(self, pool: &sqlx::PgPool) -> std::result::Result<Vec<i64>, ScriptError> {
        let mut tx = pool.begin().await?;
        let last = self.statements.len().saturating_sub(1);
        let mut answer = Vec::new();
        for (i, (text, values)) in self.statements.into_iter().enumerate() {
            // As scalar subqueries, so PostgreSQL evaluates them once (an InitPlan) and can
            // look the row up by its key: a bare `id = currval(…)` is volatile, and scanned
            // the whole table for every new ticket (67 ms at 20,000 tickets).
            let text = text
                .replace(
                    NEW_TICKET,
                    "(SELECT currval(pg_get_serial_sequence('tickets', 'id')))",
                )
                .replace(
                    NEW_TRANSACTION,
                    "(SELECT currval(pg_get_serial_sequence('transactions', 'id')))",
                );
            let query = bind_all!(sqlx::query(sqlx::AssertSqlSafe(text)), values);
            if i == last {
                let row = query.fetch_optional(&mut *tx).await?;
                answer = first_row(row.as_ref())?;
            } else {
                query.execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(answer)
    }
}

/// A script rendered for SQLite.
struct SqliteScript {
    sql: String,
    values: Vec<Value>,
}

impl SqliteScript {
    /// Runs `prefix`, the script, then `suffix`, as one query on `conn`. Consumes the script:
    /// its parameters (a mail's raw message among them) are bound without a copy.
    async fn run(
        self,
        conn: &mut sqlx::SqliteConnection,
        prefix: &str,
        suffix: &str,
    ) -> std::result::Result<Vec<i64>, sqlx::Error> {
        let query = bind_all!(
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{prefix}\n{}{suffix}",
                self.sql
            ))),
            self.values
        );
        let rows = query.fetch_all(&mut *conn).await?;
        first_row(rows.first()).map_err(|e| match e {
            ScriptError::Store(StoreError::Unavailable(e)) => e,
            _ => sqlx::Error::Protocol("the answer row of a script does not decode".into()),
        })
    }
}

/// Where a script's outcome goes.
type Reply = oneshot::Sender<std::result::Result<Vec<i64>, ScriptError>>;

struct Job {
    script: SqliteScript,
    reply: Reply,
}

/// The one place scripts are committed on SQLite. See the module documentation.
#[derive(Clone, Debug)]
pub(crate) struct Committer {
    jobs: mpsc::UnboundedSender<Job>,
}

/// The most scripts one transaction takes.
const MOST_PER_COMMIT: usize = 32;

impl Committer {
    /// Starts committing scripts through `write`; stops when the last store holding this
    /// committer is gone.
    pub(crate) fn start(write: sqlx::SqlitePool) -> Committer {
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MOST_PER_COMMIT);
            while queue.recv_many(&mut batch, MOST_PER_COMMIT).await > 0 {
                commit(&write, std::mem::take(&mut batch)).await;
            }
        });
        Committer { jobs }
    }
}

/// Commits `batch`: alone, as one query; several, one savepoint each in one transaction.
/// Every job is answered only after its fate is durable.
async fn commit(write: &sqlx::SqlitePool, batch: Vec<Job>) {
    let (scripts, replies): (Vec<SqliteScript>, Vec<Reply>) =
        batch.into_iter().map(|job| (job.script, job.reply)).unzip();
    let fail_all = |replies: Vec<Reply>, e: &sqlx::Error| {
        for reply in replies {
            let _ = reply.send(Err(ScriptError::Store(StoreError::Unavailable(
                sqlx::Error::Protocol(e.to_string()),
            ))));
        }
    };
    let mut conn = match write.acquire().await {
        Ok(c) => c,
        Err(e) => return fail_all(replies, &e),
    };
    if scripts.len() == 1 {
        let script = scripts.into_iter().next().expect("one script");
        let outcome = script.run(&mut conn, "BEGIN IMMEDIATE;", "COMMIT;").await;
        if outcome.is_err() {
            // The statements stopped at the failing one; undo what ran before it.
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        }
        if let Some(reply) = replies.into_iter().next() {
            let _ = reply.send(outcome.map_err(ScriptError::from));
        }
        return;
    }
    if let Err(e) = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
        return fail_all(replies, &e);
    }
    let mut outcomes = Vec::with_capacity(scripts.len());
    for script in scripts {
        let outcome = script
            .run(&mut conn, "SAVEPOINT script;", "RELEASE script;")
            .await;
        if outcome.is_err() {
            let undone = sqlx::query("ROLLBACK TO script; RELEASE script;")
                .execute(&mut *conn)
                .await;
            if let Err(e) = undone {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                return fail_all(replies, &e);
            }
        }
        outcomes.push(outcome);
    }
    if let Err(e) = sqlx::query("COMMIT").execute(&mut *conn).await {
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        return fail_all(replies, &e);
    }
    for (reply, outcome) in replies.into_iter().zip(outcomes) {
        let _ = reply.send(outcome.map_err(ScriptError::from));
    }
}

fn first_row<R: Row>(row: Option<&R>) -> std::result::Result<Vec<i64>, ScriptError>
where
    usize: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let Some(row) = row else {
        return Ok(vec![]);
    };
    (0..row.len())
        .map(|i| row.try_get::<i64, _>(i).map_err(ScriptError::from))
        .collect::<std::result::Result<Vec<_>, _>>()
}

/// Adds `offset` to every `$N` parameter in `sql` (which holds no `$` in its literals).
fn renumber(sql: &str, offset: usize) -> String {
    if offset == 0 {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        out.push(c);
        if c != '$' {
            continue;
        }
        let mut n = String::new();
        while let Some(&(_, d)) = chars.peek() {
            if !d.is_ascii_digit() {
                break;
            }
            n.push(d);
            chars.next();
        }
        match n.parse::<usize>() {
            Ok(k) => out.push_str(&(k + offset).to_string()),
            Err(_) => out.push_str(&n),
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::renumber;

    #[test]
    fn parameters_are_renumbered_past_the_earlier_statements() {
        assert_eq!(
            renumber("INSERT INTO t (a, b) VALUES ($1, $2), ($10, $2)", 5),
            "INSERT INTO t (a, b) VALUES ($6, $7), ($15, $7)"
        );
        assert_eq!(renumber("SELECT $1", 0), "SELECT $1");
    }
}
