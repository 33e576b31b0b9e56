//! The embedded engine's own way to SQLite, beside sqlx's (issue 20): `rusqlite` connections
//! that run where they are called, so a read does not travel to another thread and back.
//!
//! sqlx's SQLite driver gives every connection a thread of its own and sends each query there
//! and back: two thread wake-ups per query, which cost more than the query itself (a ticket
//! create spent over half its CPU putting threads to sleep and waking them). Here:
//! - **reads** run on the caller's thread, on a connection taken from a small pool of idle
//!   read-only connections ([`Readers`]): no hand-off at all. They are index lookups of a few
//!   tens of microseconds, less than one hand-off would cost; reads that may take long (reports,
//!   searches) stay on sqlx's threads until they move here too.
//! - **writes** of a whole [`crate::script::Script`] go to one writing connection
//!   ([`writer`]): committed on the caller's thread when no commit is under way, else queued
//!   for the writer thread, which commits several scripts per transaction (group commit).
//!
//! These connections open the same file as sqlx's pools, with the same settings. The embedded
//! writer and sqlx's one writing connection take turns through [`Writing`], so the database
//! still has one writer at a time (see the invariant in `lib.rs`).
//!
//! Parameters are written `$N`, as for PostgreSQL, or `?`; a statement's `$N` is bound to the
//! Nth value, however often and in whatever order it appears.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Statement};

use crate::script::Value;
use crate::{Result, StoreError};

pub(crate) mod text_index;
pub(crate) mod writer;

/// Whose turn it is to write: the writer thread's or sqlx's writing connection's.
pub(crate) type Writing = Arc<tokio::sync::Mutex<()>>;

/// The most idle read connections kept; more are opened when more threads read at once.
const MOST_IDLE_READERS: usize = 4;

/// Statements each connection keeps prepared.
const PREPARED: usize = 64;

/// How long a connection waits for another's lock before giving up (as sqlx's).
pub(crate) const BUSY: Duration = Duration::from_secs(10);

/// Read-only connections that run a read on the calling thread.
#[derive(Debug)]
pub(crate) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    pub(crate) fn new(path: &Path) -> Readers {
        Readers {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on an idle connection (opened if none is idle) and puts it back.
    pub(crate) fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let taken = self.idle.lock().map(|mut idle| idle.pop()).unwrap_or(None);
        let conn = match taken {
            Some(c) => c,
            None => open(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?,
        };
        let out = read(&conn).map_err(store_error);
        // A connection left inside a transaction would keep reading an old snapshot: closed.
        if conn.is_autocommit()
            && let Ok(mut idle) = self.idle.lock()
            && idle.len() < MOST_IDLE_READERS
        {
            idle.push(conn);
        }
        out
    }

    /// Like [`Self::read`], in one read transaction: the reads see the database as it was at
    /// the first of them, whatever commits meanwhile.
    pub(crate) fn read_together<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T> {
        self.read(|c| {
            c.execute_batch("BEGIN")?;
            let out = read(c);
            c.execute_batch(if out.is_ok() { "COMMIT" } else { "ROLLBACK" })?;
            out
        })
    }

    /// Closes the idle connections (at shutdown, so the last connection to close folds the
    /// write-ahead log into the database).
    pub(crate) fn close(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }
}

/// Opens `path` with the settings every connection of the embedded database has.
pub(crate) fn open(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(store_error)?;
    conn.busy_timeout(BUSY).map_err(store_error)?;
    conn.set_prepared_statement_cache_capacity(PREPARED);
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")
        .map_err(store_error)?;
    Ok(conn)
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Value::Int(Some(i)) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Text(Some(t)) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            Value::Int(None) | Value::Text(None) => ToSqlOutput::Borrowed(ValueRef::Null),
        })
    }
}

/// Binds `values` to `statement`: `$N` (or `?N`) to the Nth value, a bare `?` to the value in
/// its position.
pub(crate) fn bind(statement: &mut Statement<'_>, values: &[Value]) -> rusqlite::Result<()> {
    for index in 1..=statement.parameter_count() {
        let n = match statement.parameter_name(index) {
            None => index,
            Some(name) => name
                .strip_prefix(['$', '?'])
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| rusqlite::Error::InvalidParameterName(name.to_string()))?,
        };
        let value = values
            .get(n.wrapping_sub(1))
            .ok_or(rusqlite::Error::InvalidParameterCount(n, values.len()))?;
        statement.raw_bind_parameter(index, value)?;
    }
    Ok(())
}

/// Whether a failure is a unique key refusing a row.
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error(), Some(f) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

/// The store's error for a failure of SQLite: a clash with stored data is a conflict (as
/// sqlx's are, `From<sqlx::Error>`), a value that does not decode is corrupt data, anything
/// else leaves the database unavailable for now.
pub(crate) fn store_error(e: rusqlite::Error) -> StoreError {
    use rusqlite::ffi;
    let what = match e.sqlite_error().map(|f| f.extended_code) {
        _ if is_unique_violation(&e) => Some("it clashes with a stored record"),
        Some(ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => {
            Some("it refers to a record that does not exist")
        }
        Some(ffi::SQLITE_CONSTRAINT_CHECK) => {
            Some("a stored value would break a rule of the database")
        }
        _ => None,
    };
    match (what, &e) {
        (Some(what), _) => crate::conflict("record", what),
        (
            None,
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::InvalidColumnName(..),
        ) => StoreError::Corrupt(e.to_string()),
        (None, _) => StoreError::Unavailable(Box::new(e)),
    }
}

/// A row as both engines decode it: by column name, through sqlx on PostgreSQL and through
/// serde here. A `bool` column is an integer in SQLite: such fields say
/// `#[serde(deserialize_with = "crate::embedded::flag")]`.
pub(crate) trait Decoded:
    for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + serde::de::DeserializeOwned + Send + Unpin
{
}

impl<T> Decoded for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + serde::de::DeserializeOwned
        + Send
        + Unpin
{
}

/// Reads a flag stored as SQLite's integer (or as a boolean), also inside a flattened row.
pub(crate) fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<bool, D::Error> {
    struct Flag;
    impl serde::de::Visitor<'_> for Flag {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a flag, 0 or 1")
        }
        fn visit_bool<E>(self, v: bool) -> std::result::Result<bool, E> {
            Ok(v)
        }
        fn visit_i64<E>(self, v: i64) -> std::result::Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_u64<E>(self, v: u64) -> std::result::Result<bool, E> {
            Ok(v != 0)
        }
    }
    d.deserialize_any(Flag)
}

/// The first `most` rows `sql` gives with `values`, decoded, on `conn`.
pub(crate) fn select<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    values: &[Value],
    most: usize,
) -> rusqlite::Result<Vec<T>> {
    let mut statement = conn.prepare_cached(sql)?;
    bind(&mut statement, values)?;
    let columns: Vec<String> = statement
        .column_names()
        .into_iter()
        .map(str::to_string)
        .collect();
    let mut rows = statement.raw_query();
    let mut out = Vec::new();
    while out.len() < most
        && let Some(row) = rows.next()?
    {
        out.push(
            serde_rusqlite::from_row_with_columns(row, &columns).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    0,
                    rusqlite::types::Type::Null,
                    Box::new(e),
                )
            })?,
        );
    }
    Ok(out)
}

impl crate::Store {
    /// The rows `sql` selects with `values`, as `T`, on either engine: on SQLite read on this
    /// thread (see the module documentation), on PostgreSQL through sqlx's pool.
    pub(crate) async fn rows<T: Decoded>(&self, sql: &str, values: Vec<Value>) -> Result<Vec<T>> {
        match &self.engine {
            crate::Engine::Sqlite { readers, .. } => {
                readers.read(|conn| select(conn, sql, &values, usize::MAX))
            }
            crate::Engine::Postgres(pool) => Ok(crate::script::bind_all!(
                sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql.to_string())),
                values
            )
            .fetch_all(pool)
            .await?),
        }
    }

    /// The first row `sql` selects with `values`, as `T`, if any (see [`Self::rows`]).
    pub(crate) async fn row<T: Decoded>(&self, sql: &str, values: Vec<Value>) -> Result<Option<T>> {
        match &self.engine {
            crate::Engine::Sqlite { readers, .. } => readers
                .read(|conn| select(conn, sql, &values, 1))
                .map(|rows| rows.into_iter().next()),
            crate::Engine::Postgres(pool) => Ok(crate::script::bind_all!(
                sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql.to_string())),
                values
            )
            .fetch_optional(pool)
            .await?),
        }
    }
}
