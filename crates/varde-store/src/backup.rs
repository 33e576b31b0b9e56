//! Backups of the embedded database while it serves, bringing one back, and the check that
//! tells whether a store is whole: the database's own integrity check, every reference
//! between tickets, history and stored files, and every stored file's content against the
//! digest it is filed under. PostgreSQL is backed up with its own tools (`docs/OPERATIONS.md`);
//! the check runs on both.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{Engine, Location, Result, Store, StoreError, read_pool};

/// What `check` found: the counts, and a sentence per problem (none when the store is whole).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    pub tickets: i64,
    pub transactions: i64,
    pub attachments: i64,
    pub blobs: i64,
    pub messages: i64,
    pub problems: Vec<String>,
}

/// References that must hold, each a count of the rows that break it, and what it means.
const REFERENCES: [(&str, &str); 5] = [
    (
        "SELECT count(*) FROM attachments a LEFT JOIN blobs b ON b.sha256 = a.blob_sha256 WHERE b.sha256 IS NULL",
        "attachments whose stored file is missing",
    ),
    (
        "SELECT count(*) FROM inbound_messages m LEFT JOIN blobs b ON b.sha256 = m.raw_sha256 WHERE b.sha256 IS NULL",
        "received mails whose raw message is missing",
    ),
    (
        "SELECT count(*) FROM transactions x LEFT JOIN tickets t ON t.id = x.ticket_id WHERE t.id IS NULL",
        "history entries of tickets that do not exist",
    ),
    (
        "SELECT count(*) FROM attachments a LEFT JOIN transactions x ON x.id = a.transaction_id WHERE x.id IS NULL",
        "attachments of history entries that do not exist",
    ),
    (
        "SELECT count(*) FROM tickets t LEFT JOIN tickets e ON e.id = t.effective_id WHERE e.id IS NULL",
        "tickets merged into tickets that do not exist",
    ),
];

/// Digests listed per round while stored files are checked (each file is then read alone, so
/// memory holds one file at a time, whatever their sizes).
const BLOBS_PER_ROUND: i64 = 500;

impl Store {
    /// Writes a consistent copy of the embedded database to `file` while it serves
    /// (`VACUUM INTO`: one read transaction, so the copy is one moment of the store). Refuses
    /// on PostgreSQL, whose backups are `pg_dump`'s, and when `file` exists.
    pub async fn backup_into(&self, file: &Path) -> Result<()> {
        let Engine::Sqlite { read, .. } = &self.engine else {
            return Err(StoreError::Refused(
                "a PostgreSQL store is backed up with pg_dump (docs/OPERATIONS.md)".into(),
            ));
        };
        if file.exists() {
            return Err(StoreError::Refused(format!(
                "{} exists; give a new file",
                file.display()
            )));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(file.to_string_lossy().into_owned())
            .execute(read)
            .await?;
        Ok(())
    }

    /// Checks that the store is whole (see the module's text).
    pub async fn check(&self) -> Result<Checked> {
        let mut c = Checked::default();
        if let Engine::Sqlite { read, .. } = &self.engine {
            let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_all(read)
                .await?;
            if rows != ["ok"] {
                c.problems
                    .extend(rows.into_iter().map(|r| format!("SQLite: {r}")));
            }
            let broken: Vec<(String,)> =
                sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                    .fetch_all(read)
                    .await?;
            for (table,) in broken {
                c.problems
                    .push(format!("{table}: a row refers to one that does not exist"));
            }
        }
        for (sql, what) in REFERENCES {
            let n: i64 = read_pool!(self, p => sqlx::query_scalar(sql).fetch_one(p).await)?;
            if n > 0 {
                c.problems.push(format!("{n} {what}"));
            }
        }
        (c.tickets, c.transactions, c.attachments, c.messages) = read_pool!(self, p => sqlx::query_as(
            "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM transactions), \
             (SELECT count(*) FROM attachments), (SELECT count(*) FROM inbound_messages)",
        ).fetch_one(p).await)?;
        self.check_blobs(&mut c).await?;
        Ok(c)
    }

    /// Reads every stored file and compares its content with its digest and size.
    async fn check_blobs(&self, c: &mut Checked) -> Result<()> {
        let mut after = String::new();
        loop {
            let rows: Vec<(String, i64)> = read_pool!(self, p => sqlx::query_as(
                "SELECT sha256, size FROM blobs WHERE sha256 > $1 ORDER BY sha256 LIMIT $2",
            ).bind(&after).bind(BLOBS_PER_ROUND).fetch_all(p).await)?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            after = last.0.clone();
            for (digest, size) in rows {
                c.blobs += 1;
                let content: Vec<u8> = read_pool!(self, p => sqlx::query_scalar(
                    "SELECT content FROM blobs WHERE sha256 = $1",
                ).bind(&digest).fetch_one(p).await)?;
                if hex::encode(Sha256::digest(&content)) != digest || size != content.len() as i64 {
                    c.problems.push(format!(
                        "the stored file {digest} does not match its digest"
                    ));
                }
            }
        }
    }
}

/// Brings a backup taken by [`Store::backup_into`] back as the embedded database of `dir`:
/// checks the backup first, refuses when `dir` already has a database (unless `replace`,
/// which keeps the old one beside it, with its write-ahead log, as `varde.db.replaced`, or
/// `.replaced.2` and on when that is taken), then opens it (migrating a backup of an older
/// version) and checks it again. Run it with the server stopped.
pub async fn restore_sqlite(backup: &Path, dir: &Path, replace: bool) -> Result<Checked> {
    let unavailable = |what: String| StoreError::Unavailable(what.into());
    let staging = tempfile_beside(dir)?;
    std::fs::copy(backup, staging.join("varde.db"))
        .map_err(|e| unavailable(format!("cannot read {}: {e}", backup.display())))?;
    let staged = match Store::open(&Location::SqliteDir(staging.clone())).await {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(StoreError::Refused(format!(
                "{} is not a Varde backup: {e}",
                backup.display()
            )));
        }
    };
    let checked = staged.check().await;
    // Closed before the file moves, so SQLite folds its write-ahead log into it.
    staged.close().await;
    let checked = checked?;
    if !checked.problems.is_empty() {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(StoreError::Refused(format!(
            "the backup is not whole: {}",
            checked.problems.join("; ")
        )));
    }
    // No server, gateway or command may have the directory's database open meanwhile.
    let lock = match crate::in_use(dir, true) {
        Ok(lock) => lock,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let target = dir.join("varde.db");
    if target.exists() {
        if !replace {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(StoreError::Refused(format!(
                "{} exists; stop the server and give --replace to put the backup in its place",
                target.display()
            )));
        }
        let aside = (1..)
            .map(|n| match n {
                1 => "varde.db.replaced".to_string(),
                n => format!("varde.db.replaced.{n}"),
            })
            .find(|name| !dir.join(name).exists())
            .unwrap_or_else(|| "varde.db.replaced".into());
        for (from, to) in [("varde.db-wal", "-wal"), ("varde.db-shm", "-shm")] {
            if dir.join(from).exists() {
                std::fs::rename(dir.join(from), dir.join(format!("{aside}{to}")))
                    .map_err(|e| unavailable(format!("cannot move {from} aside: {e}")))?;
            }
        }
        std::fs::rename(&target, dir.join(&aside))
            .map_err(|e| unavailable(format!("cannot move the old database aside: {e}")))?;
    }
    std::fs::rename(staging.join("varde.db"), &target)
        .map_err(|e| unavailable(format!("cannot put the backup in place: {e}")))?;
    let _ = std::fs::remove_dir_all(&staging);
    drop(lock);
    let restored = Store::open(&Location::SqliteDir(dir.to_path_buf())).await?;
    let checked = restored.check().await;
    restored.close().await;
    checked
}

/// A new directory beside `dir` (same file system, so the final move is a rename).
fn tempfile_beside(dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| StoreError::Unavailable(Box::new(e)))?;
    let staging = dir.join(format!(".restore-{}", std::process::id()));
    std::fs::create_dir_all(&staging).map_err(|e| StoreError::Unavailable(Box::new(e)))?;
    Ok(staging)
}
