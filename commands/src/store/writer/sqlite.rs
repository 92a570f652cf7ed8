//! The SQLite writer: one OS thread with its own rusqlite connection. SQLite has a single writer
//! anyway; doing the whole batch synchronously avoids an async round trip per statement.
//!
//! The thread's time is what bounds throughput, so it does nothing but write:
//! - Commands that committed are answered by one task on the tokio runtime (waking tasks from
//!   inside the runtime is cheap; from this thread each wake-up is a cross-thread unpark), which
//!   also frees their rows.
//! - Batches are filled before writing. Each commit costs an fsync whatever its size, and the
//!   commands answered by one commit usually append again a few microseconds later. Without
//!   waiting for them, two halves of the writers alternate between commits; so after a commit the
//!   writer waits until the commands it just answered (plus those that queued meanwhile) are back,
//!   but never longer than the last commit took (at most [`MAX_LINGER`]). A lone writer is
//!   answered and re-queued at once and never waits. The [`Inbox`] wakes the thread once, when
//!   the awaited requests are all queued, not once per request.

use std::collections::HashSet;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use tokio::runtime::Handle;
use tokio::sync::watch;

use super::inbox::Inbox;
use super::{Attempt, Request, settle, without_overlaps};
use crate::error::StoreError;
use crate::store::db::{Db, SQLITE_PRAGMAS};

const INSERT: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING";

/// The longest a batch waits for the commands of the previous commit to come back.
const MAX_LINGER: Duration = Duration::from_millis(2);

pub(super) fn spawn(
    db: &Db,
    inbox: Arc<Inbox>,
    appended: watch::Sender<u64>,
) -> Result<(), StoreError> {
    let path = db
        .sqlite_path()
        .ok_or_else(|| StoreError::Config("not a SQLite database".into()))?;
    let conn = Connection::open(&path).map_err(write_error)?;
    conn.execute_batch(SQLITE_PRAGMAS).map_err(write_error)?;
    let runtime = Handle::try_current()
        .map_err(|_| StoreError::Config("the SQLite writer needs a tokio runtime".into()))?;
    let writer = Writer {
        conn,
        inbox,
        appended,
        runtime,
    };
    thread::Builder::new()
        .name("weft-sqlite-writer".into())
        .spawn(move || writer.run())
        .map_err(|e| StoreError::Config(format!("cannot start the SQLite writer thread: {e}")))?;
    Ok(())
}

struct Writer {
    conn: Connection,
    inbox: Arc<Inbox>,
    appended: watch::Sender<u64>,
    runtime: Handle,
}

impl Writer {
    fn run(self) {
        // Commands expected back soon, and how long the wait for them may last.
        let mut expected = 1;
        let mut linger = Duration::ZERO;
        while let Some(batch) = self.inbox.take(expected, linger) {
            let started = Instant::now();
            let committed = self.write(batch);
            linger = started.elapsed().min(MAX_LINGER);
            // What queued during the commit came from other commands than those just committed.
            expected = (self.inbox.queued() + committed.len()).max(1);
            self.answer(committed);
        }
    }

    /// Writes a batch, retrying without commands that conflicted (they are answered here);
    /// returns the commands that committed, not yet answered.
    fn write(&self, batch: Vec<Request>) -> Vec<Request> {
        let mut pending = without_overlaps(batch);
        while !pending.is_empty() {
            match try_write(&self.conn, &pending) {
                Ok(Attempt::Committed) => {
                    self.appended.send_modify(|n| *n = n.wrapping_add(1));
                    return pending;
                }
                attempt => pending = settle(pending, attempt, &self.appended),
            }
        }
        pending
    }

    /// Answers committed commands from a task on the runtime.
    fn answer(&self, committed: Vec<Request>) {
        if committed.is_empty() {
            return;
        }
        self.runtime.spawn(async move {
            for request in committed {
                let _ = request.reply.send(Ok(()));
            }
        });
    }
}

fn write_error(error: rusqlite::Error) -> StoreError {
    StoreError::Write(error.to_string())
}

fn try_write(conn: &Connection, pending: &[Request]) -> Result<Attempt, StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(write_error)?;
    let result = insert_all(conn, pending);
    match result {
        Ok(conflicted) if conflicted.is_empty() => {
            conn.execute_batch("COMMIT").map_err(write_error)?;
            Ok(Attempt::Committed)
        }
        Ok(conflicted) => {
            conn.execute_batch("ROLLBACK").map_err(write_error)?;
            Ok(Attempt::Conflicts(conflicted))
        }
        Err(error) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(error)
        }
    }
}

/// Inserts every row; returns the indices of requests with a row that was not inserted.
fn insert_all(conn: &Connection, pending: &[Request]) -> Result<HashSet<usize>, StoreError> {
    let mut insert = conn.prepare_cached(INSERT).map_err(write_error)?;
    let mut conflicted = HashSet::new();
    for (index, request) in pending.iter().enumerate() {
        for event in &request.events {
            let inserted = insert
                .execute(params![
                    event.aggregate_type(),
                    event.aggregate_id(),
                    event.sequence(),
                    event.event_type(),
                    event.event_version(),
                    event.payload(),
                    event.metadata()
                ])
                .map_err(write_error)?;
            if inserted == 0 {
                conflicted.insert(index);
            }
        }
    }
    Ok(conflicted)
}
