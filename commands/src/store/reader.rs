//! Reading the log: one aggregate's stream, or every event in global commit order.

use std::collections::HashMap;
use std::fmt;

use cqrs_es::persist::SerializedEvent;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use weft_domain::metadata::EventMetadata;

use super::db::{Backend, Db};
use super::payload::EventPayload;
use crate::error::StoreError;

/// A point in the global commit order.
///
/// On SQLite the commit id is always 0 and the position is the row id (one writer, so row order is
/// commit order). On Postgres the commit id is the writing transaction's id and a reader only moves
/// past a transaction id once every older transaction has finished, so an event that commits late
/// with a smaller position is never skipped.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct LogPosition {
    /// Transaction id (Postgres) or 0 (SQLite).
    pub commit: i64,
    /// Identity / row id of the event.
    pub position: i64,
}

impl LogPosition {
    /// Before the first event.
    pub const START: LogPosition = LogPosition {
        commit: 0,
        position: 0,
    };

    /// After every event there will ever be (an upper bound for reads that want everything).
    pub const END: LogPosition = LogPosition {
        commit: i64::MAX,
        position: i64::MAX,
    };
}

impl fmt::Display for LogPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.commit, self.position)
    }
}

/// An event as stored, with its place in the global order.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Place in the global commit order.
    pub position: LogPosition,
    /// Aggregate type, e.g. `workflow`.
    pub aggregate_type: String,
    /// Aggregate id.
    pub aggregate_id: String,
    /// Sequence within the aggregate (its version after this event).
    pub sequence: u64,
    /// Event type name.
    pub event_type: String,
    /// Payload schema version.
    pub event_version: String,
    /// Payload (parsed on first use).
    pub payload: EventPayload,
    /// Raw metadata map.
    pub metadata: HashMap<String, String>,
}

impl StoredEvent {
    /// Typed metadata, when complete.
    pub fn typed_metadata(&self) -> Option<EventMetadata> {
        EventMetadata::from_map(&self.metadata)
    }
}

/// Parses a stored JSON column, naming the event when it is malformed.
pub(super) fn parse_json<T: serde::de::DeserializeOwned>(
    at: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(at, e))
}

fn corrupt(position: impl fmt::Display, reason: impl fmt::Display) -> StoreError {
    StoreError::Corrupt {
        position: position.to_string(),
        reason: reason.to_string(),
    }
}

/// One aggregate's events through sqlx (Postgres; SQLite uses `SqliteReader`).
pub(super) async fn stream(
    db: &Db,
    aggregate_type: &str,
    aggregate_id: &str,
    until: Option<u64>,
) -> Result<Vec<SerializedEvent>, StoreError> {
    let sql = db.sql(
        "SELECT sequence, event_type, event_version, payload, metadata FROM events \
         WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence <= $3 ORDER BY sequence",
    );
    let rows = sqlx::query(&sql)
        .bind(aggregate_type)
        .bind(aggregate_id)
        .bind(until.map_or(i64::MAX, |u| u as i64))
        .fetch_all(db.pool())
        .await?;
    rows.into_iter()
        .map(|row| {
            let sequence: i64 = row.try_get(0)?;
            let at = || format!("{aggregate_type}-{aggregate_id}#{sequence}");
            let payload: String = row.try_get(3)?;
            let metadata: String = row.try_get(4)?;
            Ok(SerializedEvent {
                aggregate_id: aggregate_id.to_string(),
                sequence: sequence as usize,
                aggregate_type: aggregate_type.to_string(),
                event_type: row.try_get(1)?,
                event_version: row.try_get(2)?,
                payload: serde_json::from_str(&payload).map_err(|e| corrupt(at(), e))?,
                metadata: serde_json::from_str(&metadata).map_err(|e| corrupt(at(), e))?,
            })
        })
        .collect()
}

/// One aggregate's events after a sequence and at or before a log position, through sqlx
/// (Postgres; SQLite uses `SqliteReader`). Every transaction at or before a position the
/// projections reached has finished, so the bound is exact.
pub(super) async fn stream_after(
    db: &Db,
    aggregate_type: &str,
    aggregate_id: &str,
    after_sequence: u64,
    until: LogPosition,
    limit: usize,
) -> Result<Vec<StoredEvent>, StoreError> {
    let sql = format!(
        "SELECT {PG_EVENT_COLUMNS} FROM events \
         WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence > $3 \
           AND (transaction_id, global_position) <= ($4::text::xid8, $5) \
         ORDER BY sequence LIMIT $6"
    );
    let rows = sqlx::query(&sql)
        .bind(aggregate_type)
        .bind(aggregate_id)
        .bind(after_sequence as i64)
        .bind(until.commit.to_string())
        .bind(until.position)
        .bind(limit as i64)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(pg_stored_event).collect()
}

/// Events after `after` in Postgres commit order (see [`LogPosition`]).
pub(super) async fn read_after(
    db: &Db,
    after: LogPosition,
    limit: usize,
) -> Result<Vec<StoredEvent>, StoreError> {
    // SQLite reads go through `SqliteReader`; this is the Postgres commit-order query.
    let sql = format!(
        "SELECT {PG_EVENT_COLUMNS} FROM events \
         WHERE (transaction_id, global_position) > ($1::text::xid8, $2) \
           AND transaction_id < pg_snapshot_xmin(pg_current_snapshot()) \
         ORDER BY transaction_id, global_position LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(after.commit.to_string())
        .bind(after.position)
        .bind(limit as i64)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(pg_stored_event).collect()
}

/// The columns [`pg_stored_event`] reads, in its order.
const PG_EVENT_COLUMNS: &str = "transaction_id::text::bigint, global_position, aggregate_type, \
     aggregate_id, sequence, event_type, event_version, payload, metadata";

/// One Postgres row selected with [`PG_EVENT_COLUMNS`].
fn pg_stored_event(row: &sqlx::any::AnyRow) -> Result<StoredEvent, StoreError> {
    let position = LogPosition {
        commit: row.try_get(0)?,
        position: row.try_get(1)?,
    };
    let sequence: i64 = row.try_get(4)?;
    let payload: String = row.try_get(7)?;
    let metadata: String = row.try_get(8)?;
    Ok(StoredEvent {
        position,
        aggregate_type: row.try_get(2)?,
        aggregate_id: row.try_get(3)?,
        sequence: sequence as u64,
        event_type: row.try_get(5)?,
        event_version: row.try_get(6)?,
        payload: EventPayload::from_text(payload),
        metadata: serde_json::from_str(&metadata).map_err(|e| corrupt(position, e))?,
    })
}

pub(super) async fn head(db: &Db) -> Result<LogPosition, StoreError> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT 0, global_position FROM events ORDER BY global_position DESC LIMIT 1"
        }
        Backend::Postgres => {
            "SELECT transaction_id::text::bigint, global_position FROM events \
             ORDER BY transaction_id DESC, global_position DESC LIMIT 1"
        }
    };
    let row = sqlx::query(sql).fetch_optional(db.pool()).await?;
    match row {
        Some(row) => Ok(LogPosition {
            commit: row.try_get(0)?,
            position: row.try_get(1)?,
        }),
        None => Ok(LogPosition::START),
    }
}
