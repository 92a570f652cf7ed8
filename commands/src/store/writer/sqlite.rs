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
//! - Waiting only pays when commands do come straight back. Webhook executions, for one, append
//!   again only after a response, a new request and a run, so every wait ran out and added its
//!   length to each commit cycle (c=64 webhooks: 2.9–3.9k req/s with the wait, 4.5k without).
//!   After [`MISSES_BEFORE_PAUSE`] waits in a row ran out, the writer stops waiting and tries
//!   once more every [`RETRY_EVERY`] batches.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use tokio::runtime::Handle;
use tokio::sync::watch;

use super::heads::Heads;
use super::inbox::Inbox;
use super::{Attempt, Request, settle};
use crate::error::StoreError;
use crate::store::Commits;
use crate::store::db::Db;

const INSERT: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, previous) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// Waits in a row that ran out before the writer stops waiting.
const MISSES_BEFORE_PAUSE: u32 = 2;

/// While it does not wait, the writer tries waiting again once per this many batches.
const RETRY_EVERY: u64 = 32;

/// The longest a batch waits for the commands of the previous commit to come back.
const MAX_LINGER: Duration = Duration::from_millis(2);

pub(super) fn spawn(
    db: &Db,
    inbox: Arc<Inbox>,
    appended: watch::Sender<u64>,
) -> Result<(), StoreError> {
    let conn = db.sqlite_connection(Commits::Durable)?;
    let runtime = Handle::try_current()
        .map_err(|_| StoreError::Config("the SQLite writer needs a tokio runtime".into()))?;
    let writer = Writer {
        conn,
        inbox,
        appended,
        runtime,
        heads: Heads::default(),
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
    heads: Heads,
}

impl Writer {
    fn run(mut self) {
        // Commands expected back soon, and how long the wait for them may last.
        let mut expected = 1;
        let mut linger = Duration::ZERO;
        let mut misses = 0;
        let mut batches: u64 = 0;
        while let Some((batch, ran_out)) = self.inbox.take(expected, linger) {
            let started = Instant::now();
            if ran_out {
                misses += 1;
            } else if !linger.is_zero() {
                misses = 0;
            }
            batches += 1;
            let committed = self.write(batch);
            let waiting_pays = misses < MISSES_BEFORE_PAUSE || batches.is_multiple_of(RETRY_EVERY);
            linger = if waiting_pays {
                started.elapsed().min(MAX_LINGER)
            } else {
                Duration::ZERO
            };
            // What queued during the commit came from other commands than those just committed.
            expected = (self.inbox.queued() + committed.len()).max(1);
            self.answer(committed);
        }
    }

    /// Writes a batch; commands that conflict are answered here. Returns the commands that
    /// committed, not yet answered.
    fn write(&mut self, batch: Vec<Request>) -> Vec<Request> {
        if batch.is_empty() {
            return batch;
        }
        match self.try_write(&batch) {
            Ok(admitted) => {
                if admitted.contains(&true) {
                    self.appended.send_modify(|n| *n = n.wrapping_add(1));
                }
                if !admitted.contains(&false) {
                    return batch;
                }
                let conflicted = admitted
                    .iter()
                    .enumerate()
                    .filter(|(_, admitted)| !**admitted)
                    .map(|(index, _)| index)
                    .collect();
                settle(batch, Ok(Attempt::Conflicts(conflicted)), &self.appended)
            }
            Err(error) => {
                self.heads.forget();
                settle(batch, Err(error), &self.appended)
            }
        }
    }

    /// Writes the admitted commands of a batch in one transaction; returns which were admitted.
    fn try_write(&mut self, batch: &[Request]) -> Result<Vec<bool>, StoreError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(write_error)?;
        match self.insert_all(batch) {
            Ok((admitted, log_end)) => {
                let finish = if admitted.contains(&true) {
                    "COMMIT"
                } else {
                    "ROLLBACK"
                };
                if let Err(error) = self.conn.execute_batch(finish) {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    return Err(write_error(error));
                }
                self.heads.commit(log_end);
                Ok(admitted)
            }
            Err(error) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(error)
            }
        }
    }

    /// Inserts the events of every command whose sequences are free, chaining each to its
    /// stream's previous event, and moves the streams' heads. Returns which commands were
    /// admitted and the log's last position.
    fn insert_all(&mut self, batch: &[Request]) -> Result<(Vec<bool>, i64), StoreError> {
        let conn = &self.conn;
        let heads = &mut self.heads;
        let begun_at = heads.begin(conn)?;
        let mut insert = conn.prepare_cached(INSERT).map_err(write_error)?;
        let mut admitted = Vec::with_capacity(batch.len());
        let mut log_end = begun_at;
        for request in batch {
            if !heads.admits(conn, &request.events)? {
                admitted.push(false);
                continue;
            }
            for event in &request.events {
                insert
                    .execute(params![
                        event.aggregate_type(),
                        event.aggregate_id(),
                        event.sequence(),
                        event.event_type(),
                        event.event_version(),
                        event.payload(),
                        event.metadata(),
                        heads.previous(event),
                    ])
                    .map_err(write_error)?;
                let position = conn.last_insert_rowid();
                heads.advance(event, position);
                log_end = position;
            }
            admitted.push(true);
        }
        heads.write(conn)?;
        Ok((admitted, log_end))
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
