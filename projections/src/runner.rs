//! The projection runner: tails the global log from the stored checkpoint and applies each batch of
//! events to the read models and the checkpoint in one transaction, then announces the events.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, broadcast, watch};
use tokio::task::JoinHandle;
use weft_commands::{Backend, EventStore, LogPosition, StoreError, StoredEvent};

use crate::error::ProjectionError;
use crate::model::{WorkflowRow, apply_batch};
use crate::sink;
use crate::statements::SinkConnection;
use crate::tables::TableSet;

/// Events read per transaction.
const BATCH: usize = 5_000;

/// How long the runner sleeps when nothing woke it (covers missed notifications).
const IDLE_POLL: Duration = Duration::from_millis(500);

/// The shortest time between the starts of two live batches. Under load events arrive
/// continuously; without a gap every execution's events would be a commit of their own, each
/// rewriting the same table and index pages and taking the write lock the event writer needs.
/// An idle runner applies what arrives at once.
const MIN_BATCH_INTERVAL: Duration = Duration::from_millis(2);

/// Events the feed keeps for receivers that have not read them yet.
///
/// Small on purpose: a value stays in the ring until every receiver has read it or it is
/// overwritten, so a slow receiver pins up to this many events (payloads and metadata) in memory.
/// Falling behind costs nothing but a read: subscribers catch up from the event store (their own
/// stream, up to the position the read models reached) and the trigger watcher reloads its
/// tables, so the ring only has to cover the short bursts a receiver is not polled for.
pub const FEED_CAPACITY: usize = 1_024;

/// Subscribers' view of the runner: events after they reached the read models, and the position
/// the read models have reached.
#[derive(Clone)]
pub struct ProjectionFeed {
    events: broadcast::Sender<Arc<StoredEvent>>,
    workflow_events: broadcast::Sender<Arc<StoredEvent>>,
    position: watch::Receiver<LogPosition>,
}

impl ProjectionFeed {
    /// Every event from now on, once the read models include it, in commit order. A receiver
    /// more than [`FEED_CAPACITY`] events behind gets `Lagged` and must recover the events it
    /// missed itself (from the store, up to [`ProjectionFeed::position`]).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
        self.events.subscribe()
    }

    /// Like [`ProjectionFeed::subscribe`], with only the events of workflow streams. Workflows
    /// change at the pace of their editors, so a receiver only lags when it stops reading for
    /// [`FEED_CAPACITY`] workflow events, not whenever executions flood the feed.
    pub fn subscribe_workflows(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
        self.workflow_events.subscribe()
    }

    /// The position the read models have reached. It moves before the events up to it are
    /// announced, so it is never behind an event a receiver got or missed.
    pub fn position(&self) -> watch::Receiver<LogPosition> {
        self.position.clone()
    }
}

/// Applies the log to one set of read-model tables.
pub struct ProjectionRunner {
    store: EventStore,
    tables: TableSet,
    conn: SinkConnection,
    cache: HashMap<String, WorkflowRow>,
    checkpoint: LogPosition,
    events: broadcast::Sender<Arc<StoredEvent>>,
    workflow_events: broadcast::Sender<Arc<StoredEvent>>,
    position: watch::Sender<LogPosition>,
}

impl ProjectionRunner {
    /// A runner over `tables`, starting at their stored checkpoint, whose feed keeps
    /// [`FEED_CAPACITY`] events.
    pub async fn new(store: EventStore, tables: TableSet) -> Result<Self, ProjectionError> {
        Self::with_feed_capacity(store, tables, FEED_CAPACITY).await
    }

    /// Like [`ProjectionRunner::new`], with a feed that keeps `capacity` events (at least 1);
    /// tests use a tiny ring to make subscribers fall behind.
    pub async fn with_feed_capacity(
        store: EventStore,
        tables: TableSet,
        capacity: usize,
    ) -> Result<Self, ProjectionError> {
        let checkpoint = sink::load_checkpoint(store.db(), &tables).await?;
        let conn = SinkConnection::open(store.db()).await?;
        let (events, _) = broadcast::channel(capacity.max(1));
        let (workflow_events, _) = broadcast::channel(capacity.max(1));
        let (position, _) = watch::channel(checkpoint);
        Ok(Self {
            store,
            tables,
            conn,
            cache: HashMap::new(),
            checkpoint,
            events,
            workflow_events,
            position,
        })
    }

    /// The feed subscribers listen to.
    pub fn feed(&self) -> ProjectionFeed {
        ProjectionFeed {
            events: self.events.clone(),
            workflow_events: self.workflow_events.clone(),
            position: self.position.subscribe(),
        }
    }

    /// The checkpoint reached.
    pub fn checkpoint(&self) -> LogPosition {
        self.checkpoint
    }

    /// Applies every event committed before this call; returns how many were applied. On Postgres
    /// this waits for older transactions still in flight, which may hide committed events for a
    /// moment.
    pub async fn catch_up(&mut self) -> Result<usize, ProjectionError> {
        let head = self.store.head().await?;
        self.catch_up_to(head).await
    }

    /// Applies events up to and including `head`, which must be committed; returns how many.
    pub async fn catch_up_to(&mut self, head: LogPosition) -> Result<usize, ProjectionError> {
        let mut applied = 0;
        loop {
            applied += self.apply_available(Some(head)).await?;
            if self.checkpoint >= head {
                return Ok(applied);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Applies the events readers may see now, up to `until` (or all); returns how many. Does not
    /// wait for transactions in flight.
    pub async fn apply_available(
        &mut self,
        until: Option<LogPosition>,
    ) -> Result<usize, ProjectionError> {
        let mut applied = 0;
        // The next batch, read while this one is applied and written (a rebuild or a long
        // catch-up keeps both cores busy: one parses events, the other writes rows).
        let mut next: Option<JoinHandle<Result<Vec<StoredEvent>, StoreError>>> = None;
        loop {
            let mut events = match next.take() {
                Some(read) => read.await.map_err(|e| {
                    StoreError::Write(format!("reading ahead in the log failed: {e}"))
                })??,
                None => self.store.read_after(self.checkpoint, BATCH).await?,
            };
            if let Some(until) = until {
                events.retain(|e| e.position <= until);
            }
            let Some(last) = events.last().map(|e| e.position) else {
                return Ok(applied);
            };
            if events.len() == BATCH {
                let store = self.store.clone();
                next = Some(tokio::spawn(
                    async move { store.read_after(last, BATCH).await },
                ));
            }
            applied += events.len();
            let mut workflow_ids: Vec<String> = Vec::new();
            for event in events.iter().filter(|e| e.aggregate_type == "workflow") {
                if workflow_ids.last() != Some(&event.aggregate_id)
                    && !workflow_ids.contains(&event.aggregate_id)
                {
                    workflow_ids.push(event.aggregate_id.clone());
                }
            }
            sink::load_workflows(
                self.store.db(),
                &self.tables,
                &mut self.cache,
                &workflow_ids,
            )
            .await?;
            let mut cache = self.cache.clone_subset(&workflow_ids);
            let changes = apply_batch(&mut cache, &events)?;
            let committed = sink::write(
                self.store.db(),
                &mut self.conn,
                &self.tables,
                &cache,
                &changes,
                self.checkpoint,
                last,
            )
            .await?;
            if committed {
                self.cache.extend(cache);
                self.advance(events, last);
            } else {
                // Another process projected these events first: drop our cached rows and follow it.
                if let Some(read) = next.take() {
                    read.abort();
                }
                self.cache.clear();
                self.follow().await?;
            }
        }
    }

    fn advance(&mut self, events: Vec<StoredEvent>, to: LogPosition) {
        self.checkpoint = to;
        self.position.send_replace(to);
        for event in events {
            let event = Arc::new(event);
            if event.aggregate_type == "workflow" {
                let _ = self.workflow_events.send(event.clone());
            }
            let _ = self.events.send(event);
        }
    }

    /// Moves to the stored checkpoint written by another process, announcing the events passed.
    async fn follow(&mut self) -> Result<(), ProjectionError> {
        let target = sink::load_checkpoint(self.store.db(), &self.tables).await?;
        while self.checkpoint < target {
            let events: Vec<StoredEvent> = self
                .store
                .read_after(self.checkpoint, BATCH)
                .await?
                .into_iter()
                .filter(|e| e.position <= target)
                .collect();
            let Some(last) = events.last().map(|e| e.position) else {
                break;
            };
            self.advance(events, last);
        }
        Ok(())
    }

    /// Runs until the process stops: catch up, then wait for new events (this process's appends,
    /// Postgres notifications from other processes, or a periodic poll).
    pub async fn run(mut self) -> Result<(), ProjectionError> {
        let wake = Arc::new(Notify::new());
        if self.store.db().backend() == Backend::Postgres {
            listen_for_other_processes(self.store.db().url().to_string(), wake.clone()).await?;
        }
        let mut appended = self.store.appended();
        let mut last_batch: Option<tokio::time::Instant> = None;
        loop {
            if let Some(last) = last_batch {
                tokio::time::sleep_until(last + MIN_BATCH_INTERVAL).await;
            }
            last_batch = Some(tokio::time::Instant::now());
            if let Err(error) = self.apply_available(None).await {
                tracing::error!(%error, "projection batch failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                self.cache.clear();
                continue;
            }
            // Committed events hidden behind an older transaction in flight: look again soon.
            if self
                .store
                .head()
                .await
                .is_ok_and(|head| head > self.checkpoint)
            {
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
            tokio::select! {
                changed = appended.changed() => if changed.is_err() { return Ok(()) },
                _ = wake.notified() => {}
                _ = tokio::time::sleep(IDLE_POLL) => {}
            }
        }
    }
}

/// Wakes the runner on `NOTIFY weft_events` (sent by a trigger on every append, from any process).
async fn listen_for_other_processes(url: String, wake: Arc<Notify>) -> Result<(), ProjectionError> {
    let mut listener = sqlx::postgres::PgListener::connect(&url).await?;
    listener.listen("weft_events").await?;
    tokio::spawn(async move {
        loop {
            match listener.recv().await {
                Ok(_) => wake.notify_one(),
                Err(error) => {
                    tracing::warn!(%error, "event notification listener failed; relying on polling");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(())
}

/// Copies the cached rows of some workflows, so a batch that loses the checkpoint race leaves the
/// cache untouched.
trait CloneSubset {
    fn clone_subset(&self, ids: &[String]) -> HashMap<String, WorkflowRow>;
}

impl CloneSubset for HashMap<String, WorkflowRow> {
    fn clone_subset(&self, ids: &[String]) -> HashMap<String, WorkflowRow> {
        ids.iter()
            .filter_map(|id| self.get(id).map(|row| (id.clone(), row.clone())))
            .collect()
    }
}
