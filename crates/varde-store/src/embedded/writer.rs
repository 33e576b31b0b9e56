//! The embedded database's one writer: a script is committed on the caller's thread when no
//! other commit is under way, and otherwise queued for the writer thread, which commits what
//! queued together in its next transaction, each script inside a savepoint of its own (group
//! commit): a durable commit costs a sync of the write-ahead log, and several requests at once
//! then share one. A script that fails is undone alone; the others commit. Every script is
//! answered only after its fate is durable.
//!
//! Committing where it is asked spares the two thread wake-ups of a hand-off (there and back),
//! which cost more CPU than the statements of a ticket create; it holds the caller's thread for
//! the commit, sync included, and only one caller at a time does so (the others queue). A
//! caller never waits there for another process's write lock (a gateway, an import): its
//! script then goes to the writer thread, which waits for it.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use super::text_index::{COMMITS_BETWEEN, INDEX_WAITING};
use super::{BUSY, Writing, bind, is_unique_violation, open};
use crate::script::{SQLITE_SPELLING, ScriptError, Value, spelled};
use crate::{Result, StoreError};

/// The most scripts one transaction takes.
const MOST_PER_COMMIT: usize = 32;

/// A script's statements, each with its own `$N` parameters.
pub(crate) type Statements = Vec<(String, Vec<Value>)>;

/// A script's outcome: the integer columns of its last statement's first row.
type Outcome = std::result::Result<Vec<i64>, ScriptError>;

struct Job {
    statements: Statements,
    reply: oneshot::Sender<Outcome>,
}

/// Commits scripts on the embedded database. Clones share one writer; when the last is gone,
/// the writer thread commits what is queued and ends.
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    handle: Arc<Handle>,
}

/// What the clones of a [`Writer`] share; its drop tells the thread to end.
#[derive(Debug)]
struct Handle(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    /// The writing connection; `None` once closed.
    conn: Mutex<Option<Connection>>,
    state: Mutex<State>,
    /// Where the writer thread waits for scripts to commit.
    queued: Condvar,
    writing: Writing,
    /// Commits since the waiting text was last indexed ([`super::text_index`]).
    since_indexed: AtomicU32,
}

#[derive(Debug, Default)]
struct State {
    /// A commit is under way, on a caller's thread or on the writer thread.
    busy: bool,
    queue: Vec<Job>,
    /// Asked to close: what is queued is committed, nothing more is taken.
    closing: bool,
    /// Told once the connection is closed.
    closed: Vec<oneshot::Sender<()>>,
    /// The connection is closed and the writer thread has ended.
    ended: bool,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a script of {} statements", self.statements.len())
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.0.state().closing = true;
        self.0.queued.notify_one();
    }
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Commits `scripts` in one transaction on the writing connection, with the indexing of
    /// the waiting text every [`COMMITS_BETWEEN`] commits. Unless `wait`, gives the scripts
    /// back at once when another process holds the database's write lock (a caller's thread
    /// does not wait for another process; the writer thread does, as long as SQLite's busy
    /// timeout). A panic on the way is caught: the transaction is rolled back and the scripts
    /// fail, and the writer goes on.
    fn commit(
        &self,
        scripts: Vec<Statements>,
        wait: bool,
    ) -> std::result::Result<Vec<Outcome>, Vec<Statements>> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let Some(conn) = conn.as_ref() else {
            return Ok(scripts.iter().map(|_| Err(stopped())).collect());
        };
        let begun = if wait {
            conn.execute_batch("BEGIN IMMEDIATE")
        } else {
            let _ = conn.busy_timeout(Duration::ZERO);
            let begun = conn.execute_batch("BEGIN IMMEDIATE");
            let _ = conn.busy_timeout(BUSY);
            begun
        };
        match begun {
            Err(e) if !wait && is_busy(&e) => return Err(scripts),
            Err(e) => return Ok(failed(&scripts, &e)),
            Ok(()) => {}
        }
        let index = self.text_written();
        if index {
            self.since_indexed.store(0, Ordering::Relaxed);
        }
        let outcomes =
            std::panic::catch_unwind(AssertUnwindSafe(|| commit_begun(conn, &scripts, index)));
        Ok(outcomes.unwrap_or_else(|_| {
            let _ = conn.execute_batch("ROLLBACK");
            failed(&scripts, &"the write stopped half way and was undone")
        }))
    }

    /// Counts a commit that may leave text waiting; true once the waiting text is due to be
    /// indexed.
    fn text_written(&self) -> bool {
        self.since_indexed.fetch_add(1, Ordering::Relaxed) + 1 >= COMMITS_BETWEEN
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy)
    )
}

/// Every script of `scripts` failed for `why`.
fn failed(scripts: &[Statements], why: &dyn std::fmt::Display) -> Vec<Outcome> {
    let why = why.to_string();
    scripts
        .iter()
        .map(|_| {
            Err(ScriptError::Store(StoreError::Unavailable(
                why.clone().into(),
            )))
        })
        .collect()
}

fn stopped() -> ScriptError {
    ScriptError::Store(StoreError::Unavailable(
        "the embedded database's writer has stopped".into(),
    ))
}

impl Writer {
    /// Opens the writing connection on `path` and starts the writer thread.
    pub(crate) fn start(path: &Path, writing: Writing) -> Result<Writer> {
        let shared = Arc::new(Shared {
            conn: Mutex::new(Some(open(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?)),
            state: Mutex::new(State::default()),
            queued: Condvar::new(),
            writing,
            since_indexed: AtomicU32::new(0),
        });
        let thread = shared.clone();
        std::thread::Builder::new()
            .name("varde-writer".into())
            .spawn(move || run(&thread))
            .map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        Ok(Writer {
            handle: Arc::new(Handle(shared)),
        })
    }

    /// Commits `statements` as one transaction; the answer comes once it is durable. Here,
    /// when no commit is under way and it is the writer's turn; else on the writer thread.
    pub(crate) async fn commit(&self, mut statements: Statements) -> Outcome {
        let shared = &self.handle.0;
        let answer = {
            let mut state = shared.state();
            if state.closing {
                return Err(stopped());
            }
            if !state.busy
                && state.queue.is_empty()
                && let Ok(turn) = shared.writing.try_lock()
            {
                state.busy = true;
                drop(state);
                let committed = shared.commit(vec![statements], false);
                drop(turn);
                state = shared.state();
                state.busy = false;
                match committed {
                    Ok(mut outcomes) => {
                        if !state.queue.is_empty() || state.closing {
                            shared.queued.notify_one();
                        }
                        return outcomes.pop().unwrap_or_else(|| Err(stopped()));
                    }
                    // Another process writes: the writer thread waits for it, not this one.
                    Err(mut back) => statements = back.pop().unwrap_or_default(),
                }
            }
            let (reply, answer) = oneshot::channel();
            state.queue.push(Job { statements, reply });
            if !state.busy {
                shared.queued.notify_one();
            }
            answer
        };
        answer.await.map_err(|_| stopped())?
    }

    /// Counts a write made elsewhere (sqlx's connection) that left text waiting to be
    /// indexed; true once the waiting text is due.
    pub(crate) fn text_written(&self) -> bool {
        self.handle.0.text_written()
    }

    /// Commits what was asked before, closes the writing connection and ends the writer
    /// thread; a script asked afterwards is refused.
    pub(crate) async fn close(&self) {
        let shared = &self.handle.0;
        let (done, closed) = oneshot::channel();
        {
            let mut state = shared.state();
            if state.ended {
                return;
            }
            state.closing = true;
            state.closed.push(done);
        }
        shared.queued.notify_one();
        let _ = closed.await;
    }
}

/// The writer thread: commits what queued, up to [`MOST_PER_COMMIT`] scripts at a time, while
/// no commit is under way elsewhere; closes the connection once asked and nothing is left.
fn run(shared: &Shared) {
    let mut state = shared.state();
    loop {
        while state.busy || (state.queue.is_empty() && !state.closing) {
            state = shared.queued.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        if state.queue.is_empty() {
            break;
        }
        state.busy = true;
        drop(state);
        // Scripts that queue while the other writer has its turn join this commit.
        let turn = shared.writing.blocking_lock();
        let batch: Vec<Job> = {
            let mut state = shared.state();
            let taken = state.queue.len().min(MOST_PER_COMMIT);
            state.queue.drain(..taken).collect()
        };
        let (scripts, replies): (Vec<_>, Vec<_>) =
            batch.into_iter().map(|j| (j.statements, j.reply)).unzip();
        let outcomes = match shared.commit(scripts, true) {
            Ok(outcomes) => outcomes,
            Err(back) => failed(&back, &"the database stayed locked"),
        };
        drop(turn);
        for (reply, outcome) in replies.into_iter().zip(outcomes) {
            let _ = reply.send(outcome);
        }
        state = shared.state();
        state.busy = false;
    }
    drop(shared.conn.lock().unwrap_or_else(|e| e.into_inner()).take());
    state.ended = true;
    for done in state.closed.drain(..) {
        let _ = done.send(());
    }
}

/// Commits `scripts` in the transaction just begun, each in a savepoint of its own, so a
/// failing script is undone alone (alone or several, the same way: a savepoint costs no
/// hand-off, and an empty commit writes nothing); and with them, when `index`, the indexing of
/// the waiting text, which when it fails is undone alone and left waiting for the next time.
fn commit_begun(conn: &Connection, scripts: &[Statements], index: bool) -> Vec<Outcome> {
    let fail_all = |e: rusqlite::Error| failed(scripts, &e);
    let mut outcomes = Vec::with_capacity(scripts.len());
    for statements in scripts {
        let outcome = conn
            .execute_batch("SAVEPOINT script")
            .and_then(|()| run_script(conn, statements))
            .and_then(|answer| conn.execute_batch("RELEASE script").map(|()| answer));
        if outcome.is_err()
            && let Err(e) = conn.execute_batch("ROLLBACK TO script; RELEASE script;")
        {
            let _ = conn.execute_batch("ROLLBACK");
            return fail_all(e);
        }
        outcomes.push(outcome.map_err(script_error));
    }
    if index && let Err(e) = index_waiting_text(conn) {
        tracing::warn!(error = %e, "the waiting text was not indexed; it waits for the next time");
        if let Err(e) = conn.execute_batch("ROLLBACK TO text; RELEASE text;") {
            let _ = conn.execute_batch("ROLLBACK");
            return fail_all(e);
        }
    }
    if let Err(e) = conn.execute_batch("COMMIT") {
        let _ = conn.execute_batch("ROLLBACK");
        return fail_all(e);
    }
    outcomes
}

/// Indexes the waiting text, in a savepoint of its own.
fn index_waiting_text(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("SAVEPOINT text")?;
    for statement in INDEX_WAITING {
        conn.prepare_cached(statement)?.execute([])?;
    }
    conn.execute_batch("RELEASE text")
}

/// Runs every statement; gives the integer columns of the last statement's first row.
fn run_script(conn: &Connection, statements: &Statements) -> rusqlite::Result<Vec<i64>> {
    let mut answer = Vec::new();
    let last = statements.len().saturating_sub(1);
    for (i, (text, values)) in statements.iter().enumerate() {
        let mut statement = conn.prepare_cached(&spelled(text, &SQLITE_SPELLING))?;
        bind(&mut statement, values)?;
        let mut rows = statement.raw_query();
        let mut first = true;
        while let Some(row) = rows.next()? {
            if i == last && first {
                answer = (0..row.as_ref().column_count())
                    .map(|c| row.get::<_, i64>(c))
                    .collect::<rusqlite::Result<_>>()?;
            }
            first = false;
        }
    }
    Ok(answer)
}

fn script_error(e: rusqlite::Error) -> ScriptError {
    if is_unique_violation(&e) {
        ScriptError::Duplicate
    } else {
        ScriptError::Store(super::store_error(e))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn insert(v: &str) -> Statements {
        vec![(
            "INSERT INTO t (v) VALUES ($1) RETURNING id".to_string(),
            vec![v.into()],
        )]
    }

    fn started(dir: &Path) -> (Writer, Writing) {
        let path = dir.join("w.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE);",
        )
        .unwrap();
        let writing = Writing::default();
        (Writer::start(&path, writing.clone()).unwrap(), writing)
    }

    /// While another writer has its turn, scripts queue; once the turn is free the writer
    /// thread commits them in one transaction, and the one a unique key refuses fails alone.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queued_scripts_commit_together_and_a_failing_one_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, writing) = started(dir.path());
        let turn = writing.lock().await;
        let tasks: Vec<_> = ["a", "b", "a", "c"]
            .into_iter()
            .map(|v| {
                let writer = writer.clone();
                tokio::spawn(async move { writer.commit(insert(v)).await })
            })
            .collect();
        while writer.handle.0.state().queue.len() < 4 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        drop(turn);
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap());
        }
        let ok: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
        assert_eq!(ok.len(), 3, "{outcomes:?}");
        assert_eq!(
            outcomes
                .iter()
                .filter(|o| matches!(o, Err(ScriptError::Duplicate)))
                .count(),
            1,
            "{outcomes:?}"
        );
        // The next script finds no commit under way and commits on the caller's thread.
        assert_eq!(writer.commit(insert("d")).await.unwrap(), vec![4]);
        assert!(!writer.handle.0.state().busy);
    }

    /// While another process holds the database's write lock, a script is not committed on
    /// its caller's thread (which would wait there for SQLite's busy timeout, holding up the
    /// runtime): it goes to the writer thread, which commits it once the lock is free.
    #[tokio::test]
    async fn a_caller_does_not_wait_for_another_process_to_write() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, _) = started(dir.path());
        let other = Connection::open(dir.path().join("w.db")).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let started = std::time::Instant::now();
        let task = tokio::spawn({
            let writer = writer.clone();
            async move { writer.commit(insert("a")).await }
        });
        // On this one-threaded runtime, the sleep ends only if the commit did not hold the thread.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!task.is_finished());
        other.execute_batch("COMMIT").unwrap();
        assert_eq!(task.await.unwrap().unwrap(), vec![1]);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    /// Closing commits what was asked before, then refuses; the connection is closed, so the
    /// write-ahead log is folded into the database. Closing again returns at once.
    #[tokio::test]
    async fn closing_commits_what_came_before_and_refuses_what_comes_after() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, _) = started(dir.path());
        writer.commit(insert("a")).await.unwrap();
        writer.close().await;
        writer.close().await;
        assert!(matches!(
            writer.commit(insert("b")).await,
            Err(ScriptError::Store(StoreError::Unavailable(_)))
        ));
        assert!(writer.handle.0.conn.lock().unwrap().is_none());
        let rows: i64 = Connection::open(dir.path().join("w.db"))
            .unwrap()
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }
}
