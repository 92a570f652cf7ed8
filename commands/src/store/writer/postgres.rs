//! The Postgres writers: a few async tasks, each with its own connection, share one queue.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use sqlx::{AnyConnection, Connection, Row as _};
use tokio::sync::{Mutex, mpsc, watch};

use super::{Attempt, Request, WriterConfig, drain, settle, without_overlaps};
use crate::error::StoreError;
use crate::store::db::Db;
use crate::store::new_event::NewEvent;

/// Rows per INSERT statement (7 binds each, well under Postgres' 65,535).
const ROWS_PER_STATEMENT: usize = 1000;

pub(super) async fn spawn(
    db: &Db,
    config: WriterConfig,
    receiver: mpsc::Receiver<Request>,
    appended: watch::Sender<u64>,
) -> Result<(), StoreError> {
    let receiver = Arc::new(Mutex::new(receiver));
    for _ in 0..config.postgres_writers.max(1) {
        let writer = Writer {
            conn: db.dedicated_connection().await?,
            max_events: config.max_batch_events,
            appended: appended.clone(),
            statements: HashMap::new(),
        };
        tokio::spawn(writer.run(receiver.clone()));
    }
    Ok(())
}

struct Writer {
    conn: AnyConnection,
    max_events: usize,
    appended: watch::Sender<u64>,
    /// Insert statements by row count.
    statements: HashMap<usize, String>,
}

impl Writer {
    async fn run(mut self, receiver: Arc<Mutex<mpsc::Receiver<Request>>>) {
        loop {
            let batch = {
                let mut receiver = receiver.lock().await;
                let Some(first) = receiver.recv().await else {
                    return;
                };
                drain(first, &mut receiver, self.max_events)
            };
            let mut pending = without_overlaps(batch);
            while !pending.is_empty() {
                let attempt = self.try_write(&pending).await;
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
