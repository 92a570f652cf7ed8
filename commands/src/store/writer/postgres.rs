//! The Postgres writers: one dispatcher gathers batches from the queue and hands each to an idle
//! connection task; each connection writes and commits its batch.
//!
//! Like the SQLite writer, the dispatcher waits for the commands of the batch it just handed out
//! to come back (they usually append again at once, right after their commit), but never longer
//! than the latest commit took (at most [`MAX_LINGER`]). Otherwise concurrent commands split into
//! several small batches, each paying a WAL flush. A second connection commits in parallel only
//! when more is queued than that (heavy load).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::{AnyConnection, Connection, Row as _};
use tokio::sync::{mpsc, watch};

use super::{Attempt, Request, WriterConfig, settle, without_overlaps};
use crate::error::StoreError;
use crate::store::db::Db;
use crate::store::new_event::NewEvent;

/// Rows per INSERT statement (7 binds each, well under Postgres' 65,535).
const ROWS_PER_STATEMENT: usize = 1000;

/// The longest a batch waits for the commands of the previous batch to come back.
const MAX_LINGER: Duration = Duration::from_millis(2);

/// A connection task ready for a batch.
type Idle = mpsc::Sender<Vec<Request>>;

pub(super) async fn spawn(
    db: &Db,
    config: WriterConfig,
    receiver: mpsc::Receiver<Request>,
    appended: watch::Sender<u64>,
) -> Result<(), StoreError> {
    let writers = config.postgres_writers.max(1);
    let (idle, idle_receiver) = mpsc::channel::<Idle>(writers);
    let last_commit_micros = Arc::new(AtomicU64::new(0));
    for _ in 0..writers {
        let writer = Writer {
            conn: db.dedicated_connection().await?,
            appended: appended.clone(),
            statements: HashMap::new(),
            last_commit_micros: last_commit_micros.clone(),
        };
        tokio::spawn(writer.run(idle.clone()));
    }
    let dispatcher = Dispatcher {
        receiver,
        idle: idle_receiver,
        max_events: config.max_batch_events.max(1),
        last_commit_micros,
    };
    tokio::spawn(dispatcher.run());
    Ok(())
}

struct Dispatcher {
    receiver: mpsc::Receiver<Request>,
    idle: mpsc::Receiver<Idle>,
    max_events: usize,
    last_commit_micros: Arc<AtomicU64>,
}

impl Dispatcher {
    async fn run(mut self) {
        // Commands of the previous batch, expected back soon.
        let mut expected = 0;
        while let Some(first) = self.receiver.recv().await {
            let Some(writer) = self.idle.recv().await else {
                return;
            };
            let linger = Duration::from_micros(self.last_commit_micros.load(Ordering::Relaxed))
                .min(MAX_LINGER);
            // As many as the previous batch had (its commands come back), or all that is queued.
            let wanted = expected.max(self.receiver.len() + 1);
            let batch = self.gather(first, wanted, linger).await;
            expected = batch.len();
            if let Err(mpsc::error::SendError(batch)) = writer.send(batch).await {
                for request in batch {
                    let _ = request.reply.send(Err(StoreError::WriterStopped));
                }
            }
        }
    }

    /// Takes `first` and whatever is queued; then waits up to `linger` until `wanted` requests
    /// are in the batch, never beyond `max_events` events.
    async fn gather(&mut self, first: Request, wanted: usize, linger: Duration) -> Vec<Request> {
        let mut events = first.events.len();
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + linger;
        while events < self.max_events {
            let request = match self.receiver.try_recv() {
                Ok(request) => request,
                Err(_) if batch.len() >= wanted => break,
                Err(_) => match tokio::time::timeout_at(deadline, self.receiver.recv()).await {
                    Ok(Some(request)) => request,
                    Ok(None) | Err(_) => break,
                },
            };
            events += request.events.len();
            batch.push(request);
        }
        batch
    }
}

struct Writer {
    conn: AnyConnection,
    appended: watch::Sender<u64>,
    /// Insert statements by row count.
    statements: HashMap<usize, String>,
    last_commit_micros: Arc<AtomicU64>,
}

impl Writer {
    async fn run(mut self, idle: mpsc::Sender<Idle>) {
        let (sender, mut batches) = mpsc::channel::<Vec<Request>>(1);
        loop {
            if idle.send(sender.clone()).await.is_err() {
                return;
            }
            let Some(batch) = batches.recv().await else {
                return;
            };
            let started = Instant::now();
            let mut pending = without_overlaps(batch);
            while !pending.is_empty() {
                let attempt = self.try_write(&pending).await;
                if matches!(attempt, Ok(Attempt::Committed)) {
                    self.last_commit_micros
                        .store(started.elapsed().as_micros() as u64, Ordering::Relaxed);
                }
                pending = settle(pending, attempt, &self.appended);
            }
        }
    }

    async fn try_write(&mut self, pending: &[Request]) -> Result<Attempt, StoreError> {
        let rows: Vec<(usize, &NewEvent)> = pending
            .iter()
            .enumerate()
            .flat_map(|(index, request)| request.events.iter().map(move |event| (index, event)))
            .collect();
        let mut inserted: HashSet<(String, String, i64)> = HashSet::with_capacity(rows.len());
        let mut tx = self.conn.begin().await?;
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let sql = self
                .statements
                .entry(chunk.len())
                .or_insert_with(|| insert_statement(chunk.len()));
            let mut query = sqlx::query(sql.as_str());
            for (_, event) in chunk {
                query = query
                    .bind(event.aggregate_type())
                    .bind(event.aggregate_id())
                    .bind(event.sequence())
                    .bind(event.event_type())
                    .bind(event.event_version())
                    .bind(event.payload())
                    .bind(event.metadata());
            }
            for row in query.fetch_all(&mut *tx).await? {
                inserted.insert((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?));
            }
        }
        // Every row came back (the usual case): nothing conflicted.
        let conflicted: HashSet<usize> = if inserted.len() == rows.len() {
            HashSet::new()
        } else {
            rows.iter()
                .filter(|(_, event)| {
                    let (aggregate_type, aggregate_id, sequence) = event.key();
                    !inserted.contains(&(
                        aggregate_type.to_string(),
                        aggregate_id.to_string(),
                        sequence,
                    ))
                })
                .map(|(index, _)| *index)
                .collect()
        };
        if conflicted.is_empty() {
            tx.commit().await?;
            Ok(Attempt::Committed)
        } else {
            tx.rollback().await?;
            Ok(Attempt::Conflicts(conflicted))
        }
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
        let params: Vec<String> = (1..=7).map(|i| format!("${}", base + i)).collect();
        sql.push_str(&format!("({})", params.join(",")));
    }
    sql.push_str(" ON CONFLICT DO NOTHING RETURNING aggregate_type, aggregate_id, sequence");
    sql
}
