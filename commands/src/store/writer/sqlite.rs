//! The SQLite writer: one OS thread with its own rusqlite connection. SQLite has a single writer
//! anyway; doing the whole batch synchronously avoids an async round trip per statement.

use std::collections::HashSet;
use std::thread;

use rusqlite::{Connection, params};
use tokio::sync::{mpsc, watch};

use super::{Attempt, Request, WriterConfig, drain, settle, without_overlaps};
use crate::error::StoreError;
use crate::store::db::{Db, SQLITE_PRAGMAS};

const INSERT: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING";

pub(super) fn spawn(
    db: &Db,
    config: WriterConfig,
    mut receiver: mpsc::Receiver<Request>,
    appended: watch::Sender<u64>,
) -> Result<(), StoreError> {
    let path = db
        .sqlite_path()
        .ok_or_else(|| StoreError::Config("not a SQLite database".into()))?;
    let conn = Connection::open(&path).map_err(write_error)?;
    conn.execute_batch(SQLITE_PRAGMAS).map_err(write_error)?;
    thread::Builder::new()
        .name("weft-sqlite-writer".into())
        .spawn(move || {
            while let Some(first) = receiver.blocking_recv() {
                let mut pending =
                    without_overlaps(drain(first, &mut receiver, config.max_batch_events));
                while !pending.is_empty() {
                    let attempt = try_write(&conn, &pending);
                    pending = settle(pending, attempt, &appended);
                }
            }
        })
        .map_err(|e| StoreError::Config(format!("cannot start the SQLite writer thread: {e}")))?;
    Ok(())
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
                    event.aggregate_type,
                    event.aggregate_id,
                    event.sequence,
                    event.event_type,
                    event.event_version,
                    event.payload,
                    event.metadata
                ])
                .map_err(write_error)?;
            if inserted == 0 {
                conflicted.insert(index);
            }
        }
    }
    Ok(conflicted)
}
