//! The SQLite writer's memory of stream heads: each aggregate's version (highest sequence) and
//! the global position of that event, as in the `streams` table.
//!
//! Optimistic concurrency is checked here instead of by a unique index: an event numbered at or
//! below its stream's version conflicts. The writer thread is the only writer of its process, but
//! another process may append to the same file; so before each batch the log's last position is
//! compared with the one this writer left, and the memory is dropped when another writer moved it.
//! Heads touched by the batch being written are staged and kept only once it commits.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::StoreError;
use crate::store::new_event::NewEvent;

/// Streams remembered per generation; the older generation is dropped when the newer fills up,
/// so memory stays bounded (executions create a stream each) while active streams stay cached.
const GENERATION: usize = 16_384;

const LOAD: &str = "SELECT stream_id, version, head FROM streams \
     WHERE aggregate_type = ?1 AND aggregate_id = ?2";
const CREATE: &str =
    "INSERT INTO streams (aggregate_type, aggregate_id, version, head) VALUES (?1, ?2, ?3, ?4)";
const UPDATE: &str = "UPDATE streams SET version = ?2, head = ?3 WHERE stream_id = ?1";

/// One stream's head.
#[derive(Debug, Clone, Copy)]
pub(super) struct Head {
    /// Its row in `streams`; `None` until the stream's first event is written.
    stream_id: Option<i64>,
    /// The highest sequence written (0 for a new stream).
    pub(super) version: i64,
    /// The global position of the event with that sequence.
    pub(super) position: Option<i64>,
    /// Changed by the batch being written.
    dirty: bool,
}

/// Stream heads known to the writer.
#[derive(Default)]
pub(super) struct Heads {
    current: HashMap<String, Head>,
    older: HashMap<String, Head>,
    /// Heads read or changed by the batch being written.
    staged: HashMap<String, Head>,
    /// The log's last position when the memory was last known to match the database.
    log_end: Option<i64>,
    key: String,
}

/// The map key of a stream: the type's length makes it unambiguous.
fn write_key(key: &mut String, aggregate_type: &str, aggregate_id: &str) {
    use std::fmt::Write;
    key.clear();
    let _ = write!(
        key,
        "{}:{aggregate_type}{aggregate_id}",
        aggregate_type.len()
    );
}

/// The aggregate type and id of a key.
fn split_key(key: &str) -> (&str, &str) {
    let (len, rest) = key.split_once(':').expect("stream key has a length");
    rest.split_at(len.parse().expect("stream key length"))
}

fn sql_error(error: rusqlite::Error) -> StoreError {
    StoreError::Write(error.to_string())
}

impl Heads {
    /// Starts a batch inside its write transaction: forgets every head if the log's last
    /// position is not the one this writer left (another process appended). Returns that
    /// position.
    pub(super) fn begin(&mut self, conn: &Connection) -> Result<i64, StoreError> {
        let end: i64 = conn
            .prepare_cached("SELECT coalesce(max(global_position), 0) FROM events")
            .and_then(|mut query| query.query_row([], |row| row.get(0)))
            .map_err(sql_error)?;
        if self.log_end != Some(end) {
            self.current.clear();
            self.older.clear();
            self.log_end = Some(end);
        }
        self.staged.clear();
        Ok(end)
    }

    /// Whether every event of a command is numbered above its stream's version (counting the
    /// command's own earlier events). Loads unknown streams.
    pub(super) fn admits(
        &mut self,
        conn: &Connection,
        events: &[NewEvent],
    ) -> Result<bool, StoreError> {
        if let [event] = events {
            let head = self.stage(conn, event)?;
            return Ok(event.sequence() > head.version);
        }
        let mut claimed: Vec<(&str, &str, i64)> = Vec::with_capacity(events.len());
        for event in events {
            let (aggregate_type, aggregate_id) = (event.aggregate_type(), event.aggregate_id());
            let version = match claimed
                .iter()
                .find(|(t, i, _)| *t == aggregate_type && *i == aggregate_id)
            {
                Some(&(_, _, version)) => version,
                None => self.stage(conn, event)?.version,
            };
            if event.sequence() <= version {
                return Ok(false);
            }
            match claimed
                .iter_mut()
                .find(|(t, i, _)| *t == aggregate_type && *i == aggregate_id)
            {
                Some(claim) => claim.2 = event.sequence(),
                None => claimed.push((aggregate_type, aggregate_id, event.sequence())),
            }
        }
        Ok(true)
    }

    /// The staged head of an event's stream, taken from memory or the database.
    fn stage(&mut self, conn: &Connection, event: &NewEvent) -> Result<Head, StoreError> {
        write_key(&mut self.key, event.aggregate_type(), event.aggregate_id());
        if let Some(head) = self.staged.get(self.key.as_str()) {
            return Ok(*head);
        }
        let known = match self.current.get(self.key.as_str()) {
            Some(head) => Some(*head),
            None => self.older.remove(self.key.as_str()),
        };
        let head = match known {
            Some(head) => head,
            None => conn
                .prepare_cached(LOAD)
                .and_then(|mut query| {
                    query
                        .query_row(
                            params![event.aggregate_type(), event.aggregate_id()],
                            |row| {
                                Ok(Head {
                                    stream_id: Some(row.get(0)?),
                                    version: row.get(1)?,
                                    position: Some(row.get(2)?),
                                    dirty: false,
                                })
                            },
                        )
                        .optional()
                })
                .map_err(sql_error)?
                .unwrap_or(Head {
                    stream_id: None,
                    version: 0,
                    position: None,
                    dirty: false,
                }),
        };
        self.staged.insert(self.key.clone(), head);
        Ok(head)
    }

    /// Records an event written at `position` (its stream was staged by [`Heads::admits`]).
    pub(super) fn advance(&mut self, event: &NewEvent, position: i64) {
        write_key(&mut self.key, event.aggregate_type(), event.aggregate_id());
        let head = self
            .staged
            .get_mut(self.key.as_str())
            .expect("an admitted event's stream is staged");
        head.version = event.sequence();
        head.position = Some(position);
        head.dirty = true;
    }

    /// The previous event of a staged stream (`None` for a new stream).
    pub(super) fn previous(&mut self, event: &NewEvent) -> Option<i64> {
        write_key(&mut self.key, event.aggregate_type(), event.aggregate_id());
        self.staged.get(self.key.as_str()).and_then(|h| h.position)
    }

    /// Writes the changed heads to `streams` (still inside the batch's transaction).
    pub(super) fn write(&mut self, conn: &Connection) -> Result<(), StoreError> {
        let mut create = conn.prepare_cached(CREATE).map_err(sql_error)?;
        let mut update = conn.prepare_cached(UPDATE).map_err(sql_error)?;
        for (key, head) in self.staged.iter_mut().filter(|(_, head)| head.dirty) {
            let position = head.position.expect("a written stream has a head");
            match head.stream_id {
                Some(stream_id) => {
                    update
                        .execute(params![stream_id, head.version, position])
                        .map_err(sql_error)?;
                }
                None => {
                    let (aggregate_type, aggregate_id) = split_key(key);
                    create
                        .execute(params![
                            aggregate_type,
                            aggregate_id,
                            head.version,
                            position
                        ])
                        .map_err(sql_error)?;
                    head.stream_id = Some(conn.last_insert_rowid());
                }
            }
            head.dirty = false;
        }
        Ok(())
    }

    /// The batch committed (or wrote nothing): keeps its heads; `log_end` is the log's last
    /// position now.
    pub(super) fn commit(&mut self, log_end: i64) {
        for (key, head) in self.staged.drain() {
            if self.current.len() >= GENERATION && !self.current.contains_key(&key) {
                self.older = std::mem::take(&mut self.current);
            }
            self.current.insert(key, head);
        }
        self.log_end = Some(log_end);
    }

    /// The batch failed: nothing it read or wrote is trusted.
    pub(super) fn forget(&mut self) {
        self.staged.clear();
        self.current.clear();
        self.older.clear();
        self.log_end = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_back_into_type_and_id() {
        let mut key = String::new();
        write_key(&mut key, "work:flow", "1:2");
        assert_eq!(split_key(&key), ("work:flow", "1:2"));
        write_key(&mut key, "", "x");
        assert_eq!(split_key(&key), ("", "x"));
    }
}
