//! Group commit: one task drains every pending append and writes them in one transaction.
//!
//! Optimistic concurrency is kept per command: rows go in with `ON CONFLICT DO NOTHING RETURNING`,
//! and a command with any row missing from the result conflicted. Then the transaction is rolled
//! back, the conflicting commands are told so, and the rest of the batch is written again.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use cqrs_es::persist::SerializedEvent;
use sqlx::{AnyConnection, Connection, Row as _};
use tokio::sync::{Mutex, mpsc, oneshot, watch};

use super::db::{Backend, Db};
use crate::error::StoreError;

/// Tuning of the group-commit writer.
#[derive(Debug, Clone)]
pub struct WriterConfig {
    /// Most events written in one transaction.
    pub max_batch_events: usize,
    /// Concurrent writer transactions (always 1 on SQLite).
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

/// Sends appends to the writer tasks.
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

/// Starts the writer tasks, each with its own connection.
pub(super) async fn spawn(
    db: Db,
    config: WriterConfig,
    appended: watch::Sender<u64>,
) -> Result<WriterHandle, StoreError> {
    let (sender, receiver) = mpsc::channel::<Request>(16_384);
    let receiver = Arc::new(Mutex::new(receiver));
    let writers = match db.backend() {
        Backend::Sqlite => 1,
        Backend::Postgres => config.postgres_writers.max(1),
    };
    for _ in 0..writers {
        let conn = db.dedicated_connection().await?;
        let writer = Writer {
            db: db.clone(),
            conn,
            max_events: config.max_batch_events,
            appended: appended.clone(),
            statements: HashMap::new(),
        };
        tokio::spawn(writer.run(receiver.clone()));
    }
    Ok(WriterHandle { sender })
}

struct Writer {
    db: Db,
    conn: AnyConnection,
    max_events: usize,
    appended: watch::Sender<u64>,
    /// Insert statements by row count, already in this backend's dialect.
    statements: HashMap<usize, String>,
}

type Key = (String, String, i64);

impl Writer {
    async fn run(mut self, receiver: Arc<Mutex<mpsc::Receiver<Request>>>) {
        loop {
            let batch = {
                let mut receiver = receiver.lock().await;
                let Some(first) = receiver.recv().await else {
                    return;
                };
                let mut count = first.events.len();
                let mut batch = vec![first];
                while count < self.max_events {
                    match receiver.try_recv() {
                        Ok(request) => {
                            count += request.events.len();
                            batch.push(request);
                        }
                        Err(_) => break,
                    }
                }
                batch
            };
            self.write_batch(batch).await;
        }
    }

    async fn write_batch(&mut self, batch: Vec<Request>) {
        let mut pending = Vec::with_capacity(batch.len());
        let mut claimed: HashSet<Key> = HashSet::new();
        for request in batch {
            let keys: Vec<Key> = request.events.iter().map(PendingRow::key).collect();
            if keys.iter().any(|k| claimed.contains(k)) {
                let _ = request.reply.send(Err(StoreError::Conflict));
            } else {
                claimed.extend(keys);
                pending.push(request);
            }
        }
        while !pending.is_empty() {
            match self.try_write(&pending).await {
                Ok(conflicted) if conflicted.is_empty() => {
                    for request in pending {
                        let _ = request.reply.send(Ok(()));
                    }
                    self.appended.send_modify(|n| *n = n.wrapping_add(1));
                    return;
                }
                Ok(conflicted) => {
                    let mut keep = Vec::with_capacity(pending.len());
                    for (index, request) in pending.into_iter().enumerate() {
                        if conflicted.contains(&index) {
                            let _ = request.reply.send(Err(StoreError::Conflict));
                        } else {
                            keep.push(request);
                        }
                    }
                    pending = keep;
                }
                Err(error) => {
                    tracing::error!(%error, "event append failed");
                    let message = error.to_string();
                    for request in pending {
                        let _ = request.reply.send(Err(StoreError::Write(message.clone())));
                    }
                    return;
                }
            }
        }
    }

    /// Writes every pending request in one transaction; returns the indices of conflicting
    /// requests (then the transaction was rolled back) or an empty set (then it committed).
    async fn try_write(&mut self, pending: &[Request]) -> Result<HashSet<usize>, StoreError> {
        const ROWS_PER_STATEMENT: usize = 1000;
        let rows: Vec<(usize, &PendingRow)> = pending
            .iter()
            .enumerate()
            .flat_map(|(index, request)| request.events.iter().map(move |event| (index, event)))
            .collect();
        let mut inserted: HashSet<Key> = HashSet::with_capacity(rows.len());
        let mut tx = self.conn.begin().await?;
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let db = &self.db;
            let sql = self
                .statements
                .entry(chunk.len())
                .or_insert_with(|| db.sql(&insert_statement(chunk.len())).into_owned());
            let mut query = sqlx::query(sql.as_str());
            for (_, event) in chunk {
                query = query
                    .bind(event.aggregate_type.as_str())
                    .bind(event.aggregate_id.as_str())
                    .bind(event.sequence)
                    .bind(event.event_type.as_str())
                    .bind(event.event_version.as_str())
                    .bind(event.payload.as_str())
                    .bind(event.metadata.as_str());
            }
            for row in query.fetch_all(&mut *tx).await? {
                inserted.insert((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?));
            }
        }
        let conflicted: HashSet<usize> = rows
            .iter()
            .filter(|(_, event)| !inserted.contains(&event.key()))
            .map(|(index, _)| *index)
            .collect();
        if conflicted.is_empty() {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(conflicted)
    }
}

fn insert_statement(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) VALUES ",
    );
    for row in 0..rows {
        if row > 0 {
            sql.push(',');
        }
        let base = row * 7;
        sql.push_str(&format!(
            "(${},${},${},${},${},${},${})",
            base + 1,
            base + 2,
            base + 3,
            base + 4,
            base + 5,
            base + 6,
            base + 7
        ));
    }
    sql.push_str(" ON CONFLICT DO NOTHING RETURNING aggregate_type, aggregate_id, sequence");
    sql
}
