//! The event store: one append-only log over SQLite (embedded) or Postgres (scale-out).
//!
//! Appends go through a group-commit writer ([`writer`]) so concurrent commands share one
//! transaction and one fsync, while each command keeps its optimistic-concurrency check: a command
//! whose `(aggregate, sequence)` is taken gets a conflict and nothing of it is stored.
//! Readers see events in one global commit order ([`LogPosition`]).

mod blobs;
mod db;
mod new_event;
mod payload;
mod reader;
mod repository;
mod sqlite_conn;
mod sqlite_reader;
mod writer;

use std::sync::Arc;

pub use blobs::{Blob, DEFAULT_BLOB_THRESHOLD};
pub use db::{Backend, Db};
pub use new_event::NewEvent;
pub use payload::EventPayload;
pub use reader::{LogPosition, StoredEvent};
pub use sqlite_conn::Commits;
pub use writer::WriterConfig;

use cqrs_es::persist::SerializedEvent;
use tokio::sync::watch;

use crate::error::StoreError;

/// Handle to the event store; cheap to clone.
#[derive(Clone)]
pub struct EventStore {
    inner: Arc<Inner>,
    /// Item lists whose JSON text is longer than this are stored as blobs.
    blob_threshold: usize,
}

struct Inner {
    db: Db,
    writer: writer::WriterHandle,
    sqlite: Option<Arc<sqlite_reader::SqliteReader>>,
    appended: watch::Sender<u64>,
}

impl EventStore {
    /// Opens the database at `url` (`sqlite://path` or `postgres://…`), applies migrations and
    /// starts the group-commit writer.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with(url, WriterConfig::default()).await
    }

    /// Like [`EventStore::open`], with explicit writer settings.
    pub async fn open_with(url: &str, config: WriterConfig) -> Result<Self, StoreError> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        let (appended, _) = watch::channel(0u64);
        let writer = writer::spawn(db.clone(), config, appended.clone()).await?;
        let sqlite = db.sqlite_path().map(sqlite_reader::SqliteReader::new);
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                writer,
                sqlite,
                appended,
            }),
            blob_threshold: DEFAULT_BLOB_THRESHOLD,
        })
    }

    /// This handle with another blob threshold: execution recorders using it store item lists
    /// whose JSON text is longer than `bytes` in the blob table (default
    /// [`DEFAULT_BLOB_THRESHOLD`]).
    pub fn with_blob_threshold(mut self, bytes: usize) -> Self {
        self.blob_threshold = bytes;
        self
    }

    /// Item lists whose JSON text is longer than this many bytes go to the blob table.
    pub fn blob_threshold(&self) -> usize {
        self.blob_threshold
    }

    /// The database behind the store (shared with the projections).
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// Appends the events of one command atomically. Fails with [`StoreError::Conflict`] when any
    /// `(aggregate, sequence)` is already taken; then nothing of the command is stored.
    pub async fn append(&self, events: Vec<SerializedEvent>) -> Result<(), StoreError> {
        self.append_slice(&events).await
    }

    /// Like [`EventStore::append`], borrowing the events (the cqrs-es repository path).
    pub async fn append_slice(&self, events: &[SerializedEvent]) -> Result<(), StoreError> {
        let rows = events
            .iter()
            .map(NewEvent::from_serialized)
            .collect::<Result<Vec<_>, _>>()?;
        self.append_new(rows).await
    }

    /// Appends events built with [`NewEvent::new`], serialised once by the caller: the cheapest
    /// way in. Same atomicity and conflict rules as [`EventStore::append`].
    pub async fn append_new(&self, events: Vec<NewEvent>) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let started = std::time::Instant::now();
        let appended = self.inner.writer.append(events).await;
        // From the call to the commit that made the events durable (or the conflict).
        metrics::histogram!("weft_append_seconds").record(started.elapsed().as_secs_f64());
        appended
    }

    /// The events of one aggregate, in sequence order.
    pub async fn stream(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, StoreError> {
        self.stream_to(aggregate_type, aggregate_id, None).await
    }

    /// The events of one aggregate up to and including `last_sequence`.
    pub async fn stream_until(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        last_sequence: u64,
    ) -> Result<Vec<SerializedEvent>, StoreError> {
        self.stream_to(aggregate_type, aggregate_id, Some(last_sequence))
            .await
    }

    async fn stream_to(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        until: Option<u64>,
    ) -> Result<Vec<SerializedEvent>, StoreError> {
        match &self.inner.sqlite {
            Some(sqlite) => sqlite.stream(aggregate_type, aggregate_id, until).await,
            None => reader::stream(&self.inner.db, aggregate_type, aggregate_id, until).await,
        }
    }

    /// Up to `limit` events of one aggregate with a sequence above `after_sequence` and a place in
    /// the log at or before `until`, in sequence order, with their positions. Bounded by a
    /// position the projections have reached, this reads exactly the events of the stream that
    /// the read models include (a subscriber catching up after it fell behind the feed).
    pub async fn stream_after(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        after_sequence: u64,
        until: LogPosition,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        match &self.inner.sqlite {
            Some(sqlite) => {
                sqlite
                    .stream_after(aggregate_type, aggregate_id, after_sequence, until, limit)
                    .await
            }
            None => {
                reader::stream_after(
                    &self.inner.db,
                    aggregate_type,
                    aggregate_id,
                    after_sequence,
                    until,
                    limit,
                )
                .await
            }
        }
    }

    /// Up to `limit` events after `after`, in global commit order. Never skips an event that
    /// commits later with a smaller position (see [`LogPosition`]).
    pub async fn read_after(
        &self,
        after: LogPosition,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        match &self.inner.sqlite {
            Some(sqlite) => sqlite.read_after(after, limit).await,
            None => reader::read_after(&self.inner.db, after, limit).await,
        }
    }

    /// The position of the last committed event (every event up to it is committed, though on
    /// Postgres a reader may briefly not be allowed past an older transaction still in flight).
    pub async fn head(&self) -> Result<LogPosition, StoreError> {
        reader::head(&self.inner.db).await
    }

    /// A receiver that changes whenever this process committed new events. Other processes'
    /// appends are announced through the database (Postgres `LISTEN weft_events`).
    pub fn appended(&self) -> watch::Receiver<u64> {
        self.inner.appended.subscribe()
    }
}
