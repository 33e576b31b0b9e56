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

/// What the writer thread is asked: to commit a script, or to close its connection and end.
enum Message {
    Commit(Job),
    Close(oneshot::Sender<()>),
}

/// Sends scripts to the writer thread; the thread ends when asked to close, or when the last
/// sender is gone.
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Message>,
}

impl Writer {
    /// Opens the writing connection on `path` and starts the thread.
    pub(crate) fn start(path: &Path, writing: Writing) -> Result<Writer> {
        let conn = open(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let (jobs, queue) = mpsc::channel::<Message>();
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
            .send(Message::Commit(Job { statements, reply }))
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Commits what was sent before, closes the writing connection and ends the thread; a
    /// script sent afterwards is refused.
    pub(crate) async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.jobs.send(Message::Close(done)).is_ok() {
            let _ = closed.await;
        }
    }
}

fn run(conn: Connection, queue: mpsc::Receiver<Message>, writing: Writing) {
    let mut closing = None;
    while closing.is_none()
        && let Ok(first) = queue.recv()
    {
        let mut batch = Vec::with_capacity(MOST_PER_COMMIT);
        for message in std::iter::once(first).chain(queue.try_iter()) {
            match message {
                Message::Commit(job) => batch.push(job),
                Message::Close(done) => {
                    closing = Some(done);
                    break;
                }
            }
            if batch.len() == MOST_PER_COMMIT {
                break;
            }
        }
        if !batch.is_empty() {
            let _turn = writing.blocking_lock();
            commit(&conn, batch);
        }
    }
    drop(conn);
    if let Some(done) = closing {
        let _ = done.send(());
    }
}

/// Commits `batch` in one transaction, each script in a savepoint of its own, so a failing
/// script is undone alone. (Alone or several, the same way: on this thread a savepoint costs
/// no hand-off, and an empty commit writes nothing.)
fn commit(conn: &Connection, batch: Vec<Job>) {
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
        let mut statement = if text.contains('{') {
            conn.prepare_cached(
                &text
                    .replace(NEW_TICKET, "(SELECT max(id) FROM tickets)")
                    .replace(NEW_TRANSACTION, "(SELECT max(id) FROM transactions)"),
            )?
        } else {
            conn.prepare_cached(text)?
        };
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
