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
//!   answered and re-queued at once and never waits.

use std::collections::HashSet;
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::thread;
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use tokio::runtime::Handle;
use tokio::sync::watch;

use super::{Attempt, Request, WriterConfig, settle, without_overlaps};
use crate::error::StoreError;
use crate::store::db::{Db, SQLITE_PRAGMAS};

const INSERT: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING";

/// The longest a batch waits for the commands of the previous commit to come back.
const MAX_LINGER: Duration = Duration::from_millis(2);

pub(super) fn spawn(
    db: &Db,
    config: WriterConfig,
    receiver: Receiver<Request>,
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
        receiver,
        max_events: config.max_batch_events.max(1),
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
    receiver: Receiver<Request>,
    max_events: usize,
    appended: watch::Sender<u64>,
    runtime: Handle,
}

/// The next batch being gathered.
#[derive(Default)]
struct Batch {
    requests: Vec<Request>,
    events: usize,
}

impl Batch {
    fn push(&mut self, request: Request) {
        self.events += request.events.len();
        self.requests.push(request);
    }
}

impl Writer {
    fn run(self) {
        let mut next = Batch::default();
        // Commands expected back soon, and how long the wait for them may last.
        let mut expected = 0;
        let mut linger = Duration::ZERO;
        let mut open = true;
        while open {
            if next.requests.is_empty() {
                match self.receiver.recv() {
                    Ok(request) => next.push(request),
                    Err(_) => return,
                }
            }
            open = self.fill(&mut next, expected, linger);
            let batch = std::mem::take(&mut next);
            let started = Instant::now();
            let committed = self.write(batch.requests);
            linger = started.elapsed().min(MAX_LINGER);
            // What queued during the commit came from other commands than those just committed.
            open &= self.take_queued(&mut next);
            expected = next.requests.len() + committed.len();
            self.answer(committed);
        }
    }

    /// Moves whatever is queued into `batch`; false once every sender is gone.
    fn take_queued(&self, batch: &mut Batch) -> bool {
        while batch.events < self.max_events {
            match self.receiver.try_recv() {
                Ok(request) => batch.push(request),
                Err(TryRecvError::Empty) => return true,
                Err(TryRecvError::Disconnected) => return false,
            }
        }
        true
    }

    /// Takes what is queued, then waits up to `linger` until `expected` requests are in the batch.
    fn fill(&self, batch: &mut Batch, expected: usize, linger: Duration) -> bool {
        if !self.take_queued(batch) {
            return false;
        }
        let deadline = Instant::now() + linger;
        while batch.requests.len() < expected && batch.events < self.max_events {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            match self.receiver.recv_timeout(left) {
                Ok(request) => batch.push(request),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return false,
            }
        }
        true
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
