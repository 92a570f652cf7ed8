//! Group commit: pending appends from every command are drained and written in one transaction.
//!
//! Optimistic concurrency is kept per command: a command whose `(aggregate, sequence)` rows are not
//! all inserted (the slot was taken) conflicted. Then the transaction is rolled back, the
//! conflicting commands are told so, and the rest of the batch is written again.
//!
//! SQLite has one writer thread using rusqlite directly (no async hops per statement); Postgres has
//! a few async writers, each with its own connection.

mod postgres;
mod sqlite;

use std::collections::HashSet;

use cqrs_es::persist::SerializedEvent;
use tokio::sync::{mpsc, oneshot, watch};

use super::db::{Backend, Db};
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

type Key = (String, String, i64);

/// One event ready for insertion; serialised by the appending task, not by the writer.
struct PendingRow {
    aggregate_type: String,
    aggregate_id: String,
    sequence: i64,
    event_type: String,
    event_version: String,
    payload: String,
    metadata: String,
}

impl PendingRow {
    fn key(&self) -> Key {
        (
            self.aggregate_type.clone(),
            self.aggregate_id.clone(),
            self.sequence,
        )
    }
}

struct Request {
    events: Vec<PendingRow>,
    reply: oneshot::Sender<Result<(), StoreError>>,
}

/// Sends appends to the writer.
pub(super) struct WriterHandle {
    sender: mpsc::Sender<Request>,
}

impl WriterHandle {
    pub(super) async fn append(&self, events: Vec<SerializedEvent>) -> Result<(), StoreError> {
        let (reply, response) = oneshot::channel();
        let events = events
            .into_iter()
            .map(|e| PendingRow {
                payload: e.payload.to_string(),
                metadata: e.metadata.to_string(),
                sequence: e.sequence as i64,
                aggregate_type: e.aggregate_type,
                aggregate_id: e.aggregate_id,
                event_type: e.event_type,
                event_version: e.event_version,
            })
            .collect();
        self.sender
            .send(Request { events, reply })
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        response.await.map_err(|_| StoreError::WriterStopped)?
    }
}

/// Starts the writer(s) for this backend.
pub(super) async fn spawn(
    db: Db,
    config: WriterConfig,
    appended: watch::Sender<u64>,
) -> Result<WriterHandle, StoreError> {
    let (sender, receiver) = mpsc::channel::<Request>(16_384);
    match db.backend() {
        Backend::Sqlite => sqlite::spawn(&db, config, receiver, appended)?,
        Backend::Postgres => postgres::spawn(&db, config, receiver, appended).await?,
    }
    Ok(WriterHandle { sender })
}

/// Takes the first request and whatever else is queued, up to `max_events` events.
fn drain(
    first: Request,
    receiver: &mut mpsc::Receiver<Request>,
    max_events: usize,
) -> Vec<Request> {
    let mut count = first.events.len();
    let mut batch = vec![first];
    while count < max_events {
        match receiver.try_recv() {
            Ok(request) => {
                count += request.events.len();
                batch.push(request);
            }
            Err(_) => break,
        }
    }
    batch
}

/// Rejects requests that claim a slot an earlier request of the same batch claims.
fn without_overlaps(batch: Vec<Request>) -> Vec<Request> {
    let mut claimed: HashSet<Key> = HashSet::new();
    let mut pending = Vec::with_capacity(batch.len());
    for request in batch {
        let keys: Vec<Key> = request.events.iter().map(PendingRow::key).collect();
        if keys.iter().any(|k| claimed.contains(k)) {
            let _ = request.reply.send(Err(StoreError::Conflict));
        } else {
            claimed.extend(keys);
            pending.push(request);
        }
    }
    pending
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
