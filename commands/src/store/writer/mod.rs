//! Group commit: pending appends from every command are drained and written in one transaction.
//!
//! Optimistic concurrency is kept per command: a command that claims an `(aggregate, sequence)`
//! slot already taken conflicts, and the rest of its batch commits. Postgres finds out from the
//! unique index (rows not inserted: the transaction is rolled back and the batch written again
//! without the conflicting commands); SQLite checks each command against its streams' versions
//! before writing anything (`heads.rs`).
//!
//! SQLite has one writer thread using rusqlite directly (no async hops per statement); Postgres has
//! a few async writers, each with its own connection.

mod heads;
mod inbox;
mod postgres;
mod sqlite;

use std::collections::HashSet;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};

use super::db::{Backend, Db};
use super::new_event::NewEvent;
use crate::error::StoreError;

/// Tuning of the group-commit writer.
#[derive(Debug, Clone)]
pub struct WriterConfig {
    /// Most events written in one transaction.
    pub max_batch_events: usize,
    /// Concurrent writer transactions on Postgres (SQLite always has one writer).
    pub postgres_writers: usize,
}

impl Default for WriterConfig {
    fn default() -> Self {
        Self {
            max_batch_events: 8192,
            postgres_writers: 4,
        }
    }
}

/// The events of one command and where to send its outcome.
struct Request {
    events: Vec<NewEvent>,
    reply: oneshot::Sender<Result<(), StoreError>>,
}

/// The queue in front of the writer(s).
enum Queue {
    /// The SQLite writer thread waits on its inbox (woken once per batch).
    Sqlite(Arc<inbox::Inbox>),
    /// The async Postgres writers share a tokio channel.
    Postgres(mpsc::Sender<Request>),
}

/// Sends appends to the writer.
pub(super) struct WriterHandle {
    queue: Queue,
}

impl WriterHandle {
    pub(super) async fn append(&self, events: Vec<NewEvent>) -> Result<(), StoreError> {
        let (reply, response) = oneshot::channel();
        let request = Request { events, reply };
        match &self.queue {
            Queue::Sqlite(inbox) => inbox.push(request).map_err(|_| StoreError::WriterStopped)?,
            Queue::Postgres(sender) => sender
                .send(request)
                .await
                .map_err(|_| StoreError::WriterStopped)?,
        }
        response.await.map_err(|_| StoreError::WriterStopped)?
    }
}

impl Drop for WriterHandle {
    fn drop(&mut self) {
        // The SQLite thread stops once the queued requests are written.
        if let Queue::Sqlite(inbox) = &self.queue {
            inbox.close();
        }
    }
}

/// Starts the writer(s) for this backend.
pub(super) async fn spawn(
    db: Db,
    config: WriterConfig,
    appended: watch::Sender<u64>,
) -> Result<WriterHandle, StoreError> {
    let queue = match db.backend() {
        Backend::Sqlite => {
            let inbox = Arc::new(inbox::Inbox::new(config.max_batch_events));
            sqlite::spawn(&db, inbox.clone(), appended)?;
            Queue::Sqlite(inbox)
        }
        Backend::Postgres => {
            let (sender, receiver) = mpsc::channel::<Request>(16_384);
            postgres::spawn(&db, config, receiver, appended).await?;
            Queue::Postgres(sender)
        }
    };
    Ok(WriterHandle { queue })
}

/// Rejects requests that claim a slot an earlier request of the same batch claims.
fn without_overlaps(batch: Vec<Request>) -> Vec<Request> {
    let overlapping: Vec<bool> = {
        let mut claimed: HashSet<(&str, &str, i64)> =
            HashSet::with_capacity(batch.iter().map(|r| r.events.len()).sum());
        batch
            .iter()
            .map(|request| {
                if request.events.iter().any(|e| claimed.contains(&e.key())) {
                    true
                } else {
                    claimed.extend(request.events.iter().map(NewEvent::key));
                    false
                }
            })
            .collect()
    };
    if !overlapping.contains(&true) {
        return batch;
    }
    batch
        .into_iter()
        .zip(overlapping)
        .filter_map(|(request, overlaps)| {
            if overlaps {
                let _ = request.reply.send(Err(StoreError::Conflict));
                None
            } else {
                Some(request)
            }
        })
        .collect()
}

/// What one attempt at writing a batch found.
enum Attempt {
    /// Everything committed.
    Committed,
    /// Rolled back; these request indices conflicted.
    Conflicts(HashSet<usize>),
}

/// Answers the requests after an attempt; returns those to write again.
fn settle(
    pending: Vec<Request>,
    attempt: Result<Attempt, StoreError>,
    appended: &watch::Sender<u64>,
) -> Vec<Request> {
    match attempt {
        Ok(Attempt::Committed) => {
            for request in pending {
                let _ = request.reply.send(Ok(()));
            }
            appended.send_modify(|n| *n = n.wrapping_add(1));
            Vec::new()
        }
        Ok(Attempt::Conflicts(conflicted)) => pending
            .into_iter()
            .enumerate()
            .filter_map(|(index, request)| {
                if conflicted.contains(&index) {
                    let _ = request.reply.send(Err(StoreError::Conflict));
                    None
                } else {
                    Some(request)
                }
            })
            .collect(),
        Err(error) => {
            tracing::error!(%error, "event append failed");
            let message = error.to_string();
            for request in pending {
                let _ = request.reply.send(Err(StoreError::Write(message.clone())));
            }
            Vec::new()
        }
    }
}
