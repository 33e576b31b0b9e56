//! The one thread that commits scripts on the embedded database. Scripts that arrive while a
//! commit is being made are committed together in the next transaction, each inside a
//! savepoint of its own (group commit): a durable commit costs a sync of the write-ahead log,
//! and several requests at once then share one. A script that fails is undone alone; the
//! others commit. Every script is answered only after its fate is durable.

use std::path::Path;
use std::sync::mpsc;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use super::{Writing, bind, is_unique_violation, open};
use crate::script::{NEW_TICKET, NEW_TRANSACTION, ScriptError, Value};
use crate::{Result, StoreError};

/// The most scripts one transaction takes.
const MOST_PER_COMMIT: usize = 32;

/// A script's statements, each with its own `$N` parameters.
pub(crate) type Statements = Vec<(String, Vec<Value>)>;

/// Where a script's outcome goes: the integer columns of its last statement's first row.
type Reply = oneshot::Sender<std::result::Result<Vec<i64>, ScriptError>>;

struct Job {
    statements: Statements,
    reply: Reply,
}

/// Sends scripts to the writer thread; the thread ends when the last sender is gone.
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Opens the writing connection on `path` and starts the thread.
    pub(crate) fn start(path: &Path, writing: Writing) -> Result<Writer> {
        let conn = open(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("varde-writer".into())
            .spawn(move || run(conn, queue, writing))
            .map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        Ok(Writer { jobs })
    }

    /// Commits `statements` as one transaction; the answer comes once it is durable.
    pub(crate) async fn commit(
        &self,
        statements: Statements,
    ) -> std::result::Result<Vec<i64>, ScriptError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || {
            ScriptError::Store(StoreError::Unavailable(
                "the embedded database's writer has stopped".into(),
            ))
        };
        self.jobs
            .send(Job { statements, reply })
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn run(conn: Connection, queue: mpsc::Receiver<Job>, writing: Writing) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        batch.extend(queue.try_iter().take(MOST_PER_COMMIT - 1));
        let _turn = writing.blocking_lock();
        commit(&conn, batch);
    }
}

/// Commits `batch`: alone, in a transaction of its own; several, one savepoint each in one
/// transaction.
fn commit(conn: &Connection, batch: Vec<Job>) {
    if batch.len() == 1 {
        let job = batch.into_iter().next().expect("one job");
        let outcome = conn
            .execute_batch("BEGIN IMMEDIATE")
            .and_then(|()| run_script(conn, &job.statements))
            .and_then(|answer| conn.execute_batch("COMMIT").map(|()| answer));
        if outcome.is_err() && !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        let _ = job.reply.send(outcome.map_err(script_error));
        return;
    }
    let fail_all = |batch: Vec<Job>, e: rusqlite::Error| {
        let why = e.to_string();
        for job in batch {
            let _ = job
                .reply
                .send(Err(ScriptError::Store(StoreError::Unavailable(
                    why.clone().into(),
                ))));
        }
    };
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        return fail_all(batch, e);
    }
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in &batch {
        let outcome = conn
            .execute_batch("SAVEPOINT script")
            .and_then(|()| run_script(conn, &job.statements))
            .and_then(|answer| conn.execute_batch("RELEASE script").map(|()| answer));
        if outcome.is_err()
            && let Err(e) = conn.execute_batch("ROLLBACK TO script; RELEASE script;")
        {
            let _ = conn.execute_batch("ROLLBACK");
            return fail_all(batch, e);
        }
        outcomes.push(outcome);
    }
    if let Err(e) = conn.execute_batch("COMMIT") {
        let _ = conn.execute_batch("ROLLBACK");
        return fail_all(batch, e);
    }
    for (job, outcome) in batch.into_iter().zip(outcomes) {
        let _ = job.reply.send(outcome.map_err(script_error));
    }
}

/// Runs every statement; gives the integer columns of the last statement's first row.
fn run_script(conn: &Connection, statements: &Statements) -> rusqlite::Result<Vec<i64>> {
    let mut answer = Vec::new();
    let last = statements.len().saturating_sub(1);
    for (i, (text, values)) in statements.iter().enumerate() {
        let text = text
            .replace(NEW_TICKET, "(SELECT max(id) FROM tickets)")
            .replace(NEW_TRANSACTION, "(SELECT max(id) FROM transactions)");
        let mut statement = conn.prepare_cached(&text)?;
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
