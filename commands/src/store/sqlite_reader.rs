//! Reads of the SQLite log through rusqlite on blocking threads: the projection runner and command
//! loading read many small rows, which sqlx's async driver converts one by one.

use std::sync::{Arc, Mutex};

use cqrs_es::persist::SerializedEvent;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use tokio::sync::Semaphore;

use super::db::SQLITE_PRAGMAS;
use super::payload::EventPayload;
use super::reader::{LogPosition, StoredEvent, parse_json};
use crate::error::StoreError;

/// Reads that run at once, hence connections kept open. SQLite reads are CPU-bound (more than a
/// few on a small machine only queue on the cores), and every connection holds its own page cache
/// and occupies a blocking thread: unbounded, a burst of reads left dozens of both behind.
const MAX_READERS: usize = 4;

/// A small pool of read connections to one SQLite file.
pub(super) struct SqliteReader {
    path: String,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

fn read_error(error: rusqlite::Error) -> StoreError {
    StoreError::Write(format!("read failed: {error}"))
}

impl SqliteReader {
    pub(super) fn new(path: String) -> Arc<Self> {
        Arc::new(Self {
            path,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(MAX_READERS)),
        })
    }

    fn connection(&self) -> Result<Connection, StoreError> {
        if let Some(conn) = self.idle.lock().expect("reader pool").pop() {
            return Ok(conn);
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(read_error)?;
        conn.execute_batch(SQLITE_PRAGMAS).map_err(read_error)?;
        Ok(conn)
    }

    async fn with<R: Send + 'static>(
        self: &Arc<Self>,
        read: impl FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let this = self.clone();
        let permit = this
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| StoreError::Write(format!("reader pool closed: {e}")))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let conn = this.connection()?;
            let result = read(&conn);
            this.idle.lock().expect("reader pool").push(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Write(format!("reader thread failed: {e}")))?
    }

    pub(super) async fn stream(
        self: &Arc<Self>,
        aggregate_type: &str,
        aggregate_id: &str,
        until: Option<u64>,
    ) -> Result<Vec<SerializedEvent>, StoreError> {
        let (aggregate_type, aggregate_id) = (aggregate_type.to_string(), aggregate_id.to_string());
        let until = until.map_or(i64::MAX, |u| u as i64);
        self.with(move |conn| {
            let mut links = walk_back(conn, &aggregate_type, &aggregate_id, 0)?;
            links.retain(|link| link.sequence <= until);
            links
                .into_iter()
                .rev()
                .map(|link| {
                    let at = format!("{aggregate_type}-{aggregate_id}#{}", link.sequence);
                    Ok(SerializedEvent {
                        aggregate_id: aggregate_id.clone(),
                        sequence: link.sequence as usize,
                        aggregate_type: aggregate_type.clone(),
                        event_type: link.event_type,
                        event_version: link.event_version,
                        payload: parse_json(&at, &link.payload)?,
                        metadata: parse_json(&at, &link.metadata)?,
                    })
                })
                .collect()
        })
        .await
    }

    pub(super) async fn stream_after(
        self: &Arc<Self>,
        aggregate_type: &str,
        aggregate_id: &str,
        after_sequence: u64,
        until: LogPosition,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let (aggregate_type, aggregate_id) = (aggregate_type.to_string(), aggregate_id.to_string());
        self.with(move |conn| {
            let mut links = walk_back(conn, &aggregate_type, &aggregate_id, after_sequence as i64)?;
            links.retain(|link| link.position <= until.position);
            links
                .into_iter()
                .rev()
                .take(limit)
                .map(|link| {
                    let position = LogPosition {
                        commit: 0,
                        position: link.position,
                    };
                    let at = position.to_string();
                    Ok(StoredEvent {
                        position,
                        aggregate_type: aggregate_type.clone(),
                        aggregate_id: aggregate_id.clone(),
                        sequence: link.sequence as u64,
                        payload: EventPayload::from_text(link.payload),
                        metadata: parse_json(&at, &link.metadata)?,
                        event_type: link.event_type,
                        event_version: link.event_version,
                    })
                })
                .collect()
        })
        .await
    }

    pub(super) async fn read_after(
        self: &Arc<Self>,
        after: LogPosition,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.with(move |conn| {
            let mut query = conn
                .prepare_cached(
                    "SELECT global_position, aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata \
                     FROM events WHERE global_position > ?1 ORDER BY global_position LIMIT ?2",
                )
                .map_err(read_error)?;
            let mut rows = query.query(params![after.position, limit as i64]).map_err(read_error)?;
            let mut events = Vec::with_capacity(limit.min(10_000));
            while let Some(row) = rows.next().map_err(read_error)? {
                let position = LogPosition { commit: 0, position: row.get(0).map_err(read_error)? };
                let at = position.to_string();
                let text = |i: usize| -> Result<&str, StoreError> {
                    row.get_ref(i).map_err(read_error)?.as_str().map_err(|e| read_error(e.into()))
                };
                events.push(StoredEvent {
                    position,
                    aggregate_type: text(1)?.to_string(),
                    aggregate_id: text(2)?.to_string(),
                    sequence: row.get::<_, i64>(3).map_err(read_error)? as u64,
                    event_type: text(4)?.to_string(),
                    event_version: text(5)?.to_string(),
                    payload: EventPayload::from_text(text(6)?),
                    metadata: parse_json(&at, text(7)?)?,
                });
            }
            Ok(events)
        })
        .await
    }
}

/// One event of a stream as stored, before its JSON is parsed.
struct Link {
    position: i64,
    sequence: i64,
    event_type: String,
    event_version: String,
    payload: String,
    metadata: String,
}

/// A stream's events numbered above `after`, newest first: from the stream's head (`streams`)
/// back along each event's `previous` position, one primary-key lookup per event.
fn walk_back(
    conn: &Connection,
    aggregate_type: &str,
    aggregate_id: &str,
    after: i64,
) -> Result<Vec<Link>, StoreError> {
    // One read snapshot for the head and the walk.
    let snapshot = conn.unchecked_transaction().map_err(read_error)?;
    let mut next: Option<i64> = snapshot
        .prepare_cached("SELECT head FROM streams WHERE aggregate_type = ?1 AND aggregate_id = ?2")
        .and_then(|mut head| {
            head.query_row(params![aggregate_type, aggregate_id], |row| row.get(0))
                .optional()
        })
        .map_err(read_error)?;
    let mut link = snapshot
        .prepare_cached(
            "SELECT previous, sequence, event_type, event_version, payload, metadata \
             FROM events WHERE global_position = ?1",
        )
        .map_err(read_error)?;
    let mut links = Vec::new();
    while let Some(position) = next {
        let mut rows = link.query(params![position]).map_err(read_error)?;
        let row = rows
            .next()
            .map_err(read_error)?
            .ok_or_else(|| StoreError::Corrupt {
                position: position.to_string(),
                reason: format!(
                    "the stream {aggregate_type}-{aggregate_id} links to a missing event"
                ),
            })?;
        let sequence: i64 = row.get(1).map_err(read_error)?;
        if sequence <= after {
            break;
        }
        next = row.get(0).map_err(read_error)?;
        links.push(Link {
            position,
            sequence,
            event_type: row.get(2).map_err(read_error)?,
            event_version: row.get(3).map_err(read_error)?,
            payload: row.get(4).map_err(read_error)?,
            metadata: row.get(5).map_err(read_error)?,
        });
    }
    drop(link);
    snapshot.commit().map_err(read_error)?;
    Ok(links)
}
