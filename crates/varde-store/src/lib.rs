//! Varde's persistence: one [`Store`] over two engines, SQLite (embedded, the default) and
//! PostgreSQL (for several nodes), each with its own migrations under `migrations/`.
//!
//! Layout:
//! - this file: opening, migrating and pinging a store; the error type; the dispatch macros.
//! - [`rows`]: row structs and their conversion into domain values.
//! - [`accounts`]: users, sessions and API tokens.
//! - [`customers`]: organisations, contacts, contracts and their audit history.
//! - [`transfer`]: CSV import (with dry run) and export of the customer base.
//! - [`rt_source`] and [`import`]: `varde import-rt` — a Request Tracker database read-only,
//!   and the batches of RT tickets written with their own numbers; [`rt_fixture`]: RT
//!   databases in RT's own schema for tests and benchmarks.
//!
//! **Architecture Invariant:** every change to customer data writes its audit event in the same
//! database transaction as the change.
//!
//! **Architecture Invariant:** on SQLite one connection writes at a time: sqlx's pool of
//! exactly one writing connection and the embedded engine's writer ([`embedded`]) take turns
//! through one lock, so writers queue instead of failing with `SQLITE_BUSY`.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use varde_core::form::FieldErrors;

pub mod accounts;
pub mod activity;
pub mod backup;
mod change_codec;
pub mod customers;
mod embedded;
pub mod health;
pub mod import;
mod import_rows;
pub mod letters;
pub mod links;
pub mod macros;
pub mod mail;
pub mod onboarding;
pub mod outbox;
mod paged;
pub mod presence;
pub mod rate_limits;
pub mod roadmap;
pub mod rows;
pub mod rt_fixture;
pub mod rt_source;
mod script;
pub mod sla;
pub mod status;
mod status_audience;
pub mod status_subscriptions;
pub mod testing;
mod ticket_pairs;
pub mod ticket_search;
pub mod tickets;
pub mod transaction_search;
pub mod transfer;
pub mod work;
pub mod workspace;

pub use accounts::{AccountChange, NewAccount, TokenInfo};
pub use customers::{AuditEvent, OrganizationQuery, Page};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The change clashes with stored data (a unique e-mail, reference or domain).
    #[error("conflict: {0}")]
    Conflict(FieldErrors),
    /// The database could not be reached or failed; the caller may retry later.
    #[error("database unavailable: {0}")]
    Unavailable(Box<dyn std::error::Error + Send + Sync>),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored value no longer parses: the database was changed outside Varde.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// What was asked cannot be done as asked (a backup onto an existing file); says why.
    #[error("{0}")]
    Refused(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A database error is a conflict when the data clashes with stored data (a unique key, a
/// reference to something gone, a check), which retrying will not change; anything else means
/// the database is unavailable for now.
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        match &e {
            sqlx::Error::Database(d)
                if d.is_unique_violation()
                    || d.is_foreign_key_violation()
                    || d.is_check_violation() =>
            {
                let what = if d.is_unique_violation() {
                    "it clashes with a stored record"
                } else if d.is_foreign_key_violation() {
                    "it refers to a record that does not exist"
                } else {
                    "a stored value would break a rule of the database"
                };
                conflict(d.constraint().unwrap_or("record"), what)
            }
            _ => StoreError::Unavailable(Box::new(e)),
        }
    }
}

pub(crate) fn conflict(field: &str, message: impl Into<String>) -> StoreError {
    let mut e = FieldErrors::new();
    e.add(field, message);
    StoreError::Conflict(e)
}

/// The database Varde keeps its data in.
#[derive(Clone, Debug)]
pub struct Store {
    engine: Engine,
}

#[derive(Clone, Debug)]
enum Engine {
    Sqlite {
        /// Readers: several connections, WAL lets them run beside the writer.
        read: SqlitePool,
        /// sqlx's one writing connection.
        write: SqlitePool,
        /// Reads on the caller's thread ([`embedded`]).
        readers: std::sync::Arc<embedded::Readers>,
        /// Commits scripts: on the caller's thread, or several at once on its own thread
        /// when they queue.
        writer: embedded::writer::Writer,
        /// Whose turn it is to write: `write`'s or `writer`'s.
        writing: embedded::Writing,
        /// A shared lock on the directory's `varde.lock` while this store is open, so a
        /// restore cannot put another database under a running server or gateway.
        _in_use: std::sync::Arc<std::fs::File>,
    },
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the pool for reading, on whichever engine.
/// The body is compiled once per engine, so the same SQL text serves both where the dialects
/// agree (numbered `$N` parameters, `RETURNING`, `ON CONFLICT`).
macro_rules! read_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.engine {
            $crate::Engine::Sqlite { read: $pool, .. } => $body,
            $crate::Engine::Postgres($pool) => $body,
        }
    };
}

/// Like [`read_pool`], with the pool for writing. On SQLite the body runs in the writing
/// connection's turn (see the invariant above).
macro_rules! write_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.engine {
            $crate::Engine::Sqlite {
                write: $pool,
                writing,
                ..
            } => {
                let _turn = writing.lock().await;
                $body
            }
            $crate::Engine::Postgres($pool) => $body,
        }
    };
}

pub(crate) use {read_pool, write_pool};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Locks an embedded database's directory through its `varde.lock`: shared by every store
/// open on it (servers, gateways, commands), exclusive for a restore. Refused, not waited
/// for, when the other kind holds it.
pub(crate) fn in_use(dir: &Path, exclusive: bool) -> Result<std::fs::File> {
    let io = |e: std::io::Error| {
        StoreError::Unavailable(Box::new(std::io::Error::new(
            e.kind(),
            format!("cannot lock {}: {e}", dir.join("varde.lock").display()),
        )))
    };
    // Opened for reading when it is there (a lock needs no more), and made readable by all
    // when not: whoever runs a command first (root taking a backup, say) never shuts the
    // service's account out of it.
    let path = dir.join("varde.lock");
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            use std::os::unix::fs::OpenOptionsExt;
            use std::os::unix::fs::PermissionsExt;
            let f = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .mode(0o644)
                .open(&path)
                .map_err(io)?;
            // Empty, and readable by all whatever the umask: reading is all a lock needs.
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).map_err(io)?;
            f
        }
        Err(e) => return Err(io(e)),
    };
    let taken = if exclusive {
        file.try_lock()
    } else {
        file.try_lock_shared()
    };
    match taken {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) if exclusive => Err(StoreError::Refused(format!(
            "the database in {} is in use by a running Varde (a server, a mail gateway or a command); stop it first",
            dir.display()
        ))),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Refused(format!(
            "the database in {} is being restored; try again when the restore is done",
            dir.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
    }
}

/// Where the data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// An SQLite database file `varde.db` in this directory (created if missing).
    SqliteDir(std::path::PathBuf),
    /// A PostgreSQL URL, `postgres://user@host:port/db`.
    Postgres(String),
}

impl Store {
    /// Opens the store and brings its schema up to date.
    pub async fn open(location: &Location) -> Result<Store> {
        let store = match location {
            Location::SqliteDir(dir) => Store::open_sqlite(dir, true).await?,
            Location::Postgres(url) => Store::open_postgres(url).await?,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Opens a store as it is, for reading it whole (backups, checks): nothing is created
    /// and no migration runs, so a mistyped directory is an error and the copy is the
    /// database as it was.
    pub async fn open_as_is(location: &Location) -> Result<Store> {
        match location {
            Location::SqliteDir(dir) => {
                if !dir.join("varde.db").is_file() {
                    return Err(StoreError::Refused(format!(
                        "there is no Varde database in {}",
                        dir.display()
                    )));
                }
                Store::open_sqlite(dir, false).await
            }
            Location::Postgres(url) => Store::open_postgres(url).await,
        }
    }

    async fn open_sqlite(dir: &Path, create: bool) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Unavailable(Box::new(std::io::Error::new(
                e.kind(),
                format!("cannot create data directory {}: {e}", dir.display()),
            )))
        })?;
        let in_use = std::sync::Arc::new(in_use(dir, false)?);
        let path = dir.join("varde.db");
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(&path)
            .create_if_missing(create)
            // Small pages: a new ticket dirties about 25 pages (the row, its indexes, its
            // history, the full-text index), and every dirty page is written and synced in
            // full at commit. Takes effect when the database is created.
            .page_size(1024)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(options.clone().read_only(false))
            .await?;
        let writing = embedded::Writing::default();
        Ok(Store {
            engine: Engine::Sqlite {
                read,
                write,
                readers: std::sync::Arc::new(embedded::Readers::new(&path)),
                writer: embedded::writer::Writer::start(&path, writing.clone())?,
                writing,
                _in_use: in_use,
            },
        })
    }

    async fn open_postgres(url: &str) -> Result<Store> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Store {
            engine: Engine::Postgres(pool),
        })
    }

    /// Applies the migrations that have not run yet. Safe to call on every start, and from
    /// several nodes at once on PostgreSQL (sqlx takes an advisory lock).
    pub async fn migrate(&self) -> Result<()> {
        match &self.engine {
            Engine::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await?,
            Engine::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// `sqlite` or `postgres`.
    /// What a read inside a write transaction adds to lock the rows it reads until the
    /// transaction ends: `FOR UPDATE` on PostgreSQL; nothing on SQLite, whose one writer
    /// holds the database for the whole transaction.
    pub(crate) fn row_lock(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite { .. } => "",
            Engine::Postgres(_) => " FOR UPDATE",
        }
    }

    pub fn engine(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite { .. } => "sqlite",
            Engine::Postgres(_) => "postgres",
        }
    }

    /// How this engine writes parameters in a statement built at run time.
    pub(crate) fn placeholders(&self) -> Placeholders {
        match self.engine {
            Engine::Sqlite { .. } => Placeholders::Positional,
            Engine::Postgres(_) => Placeholders::Numbered,
        }
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<()> {
        read_pool!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Closes every connection; used at shutdown so SQLite checkpoints its WAL.
    pub async fn close(&self) {
        match &self.engine {
            Engine::Sqlite {
                read,
                write,
                readers,
                writer,
                ..
            } => {
                readers.close();
                writer.close().await;
                read.close().await;
                write.close().await;
            }
            Engine::Postgres(p) => p.close().await,
        }
    }
}

/// Microseconds since the Unix epoch, as every timestamp column stores it.
pub(crate) fn micros(t: jiff::Timestamp) -> i64 {
    t.as_microsecond()
}

pub(crate) fn from_micros(us: i64) -> Result<jiff::Timestamp> {
    jiff::Timestamp::from_microsecond(us)
        .map_err(|e| StoreError::Corrupt(format!("timestamp {us}: {e}")))
}

impl Store {
    /// The name of the PostgreSQL database, or the SQLite file's path.
    pub async fn database_name(&self) -> Result<String> {
        match &self.engine {
            Engine::Postgres(p) => Ok(sqlx::query_scalar("SELECT current_database()")
                .fetch_one(p)
                .await?),
            Engine::Sqlite { write, .. } => {
                Ok(write.connect_options().get_filename().display().to_string())
            }
        }
    }
}

/// How an engine writes parameters in a statement built at run time. SQLite treats `$N` as a
/// *named* parameter and finds each by a linear search, which makes a 9,000-parameter insert
/// quadratic; `?` is positional and costs nothing. PostgreSQL wants `$N`.
#[derive(Clone, Copy)]
pub(crate) enum Placeholders {
    Numbered,
    Positional,
}

impl Placeholders {
    /// The `n`th parameter (from 1).
    pub(crate) fn nth(self, n: usize) -> String {
        match self {
            Placeholders::Numbered => format!("${n}"),
            Placeholders::Positional => "?".into(),
        }
    }

    /// `($1,…),(…)…` for `rows` rows of `columns` values, numbered row by row.
    pub(crate) fn rows(self, columns: usize, rows: usize) -> String {
        let mut sql = String::with_capacity(rows * columns * 6);
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ",(" });
            for c in 0..columns {
                if c > 0 {
                    sql.push(',');
                }
                sql.push_str(&self.nth(r * columns + c + 1));
            }
            sql.push(')');
        }
        sql
    }
}
