//! A subscription's view of the projection feed that survives falling behind it.
//!
//! The feed is a small ring ([`weft_projections::FEED_CAPACITY`]) shared by every subscriber. A
//! subscriber that is not polled for a while (slow connection, busy server) loses the oldest
//! events and gets `Lagged`. [`Follow`] then reads the events it cares about from the event
//! store and carries on with the live feed, so its subscription neither ends nor skips nor
//! repeats an event.
//!
//! Ordering guarantee: an event is delivered only once the read models include it. Live events
//! satisfy it because the runner announces them after committing them to the read models. A
//! catch-up read is bounded by [`ProjectionFeed::position`] read when the lag is noticed: every
//! event at or before that position is in the read models, and because the runner moves the
//! position before announcing events, every event the receiver missed lies at or before it.
//! Events after it are announced later and reach the receiver live; those also read (none for a
//! bounded read, but a receiver that lags again re-reads from where it stands) are skipped by
//! sequence (one stream: a stream's sequence order is its commit order) or by log position
//! (every stream: the feed announces in commit order).

use std::collections::VecDeque;
use std::sync::Arc;

use futures::{Stream, stream};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;
use weft_commands::{EventStore, LogPosition, StoreError, StoredEvent};
use weft_projections::ProjectionFeed;

/// Events read from the store per catch-up query.
const CATCH_UP_BATCH: usize = 500;

/// Which events a subscription follows.
pub enum Interest {
    /// One aggregate's stream, in sequence order, each sequence once.
    Stream {
        /// Aggregate type (`workflow`, `execution`).
        aggregate_type: &'static str,
        /// Aggregate id.
        aggregate_id: String,
    },
    /// Every event of the log that passes the test, in commit order, each once.
    Log(fn(&StoredEvent) -> bool),
}

/// One event for a subscriber.
pub enum Delivery {
    /// From the feed: the same `Arc` every subscriber gets, so a message built from it can be
    /// shared (keyed by the pointer).
    Live(Arc<StoredEvent>),
    /// Read from the store for this subscriber alone.
    Missed(Box<StoredEvent>),
}

impl Delivery {
    /// The event.
    pub fn event(&self) -> &StoredEvent {
        match self {
            Delivery::Live(event) => event,
            Delivery::Missed(event) => event,
        }
    }
}

/// A feed receiver that catches up from the store when it falls behind.
pub struct Follow {
    receiver: broadcast::Receiver<Arc<StoredEvent>>,
    position: watch::Receiver<LogPosition>,
    store: EventStore,
    interest: Interest,
    /// [`Interest::Stream`]: the last sequence delivered or queued.
    sequence: u64,
    /// [`Interest::Log`]: every event at or before this was received or read.
    seen: LogPosition,
    /// While catching up: the position to read up to.
    behind: Option<LogPosition>,
    missed: VecDeque<StoredEvent>,
}

impl Follow {
    /// Follows one stream from its start (see [`Follow::skip_through`]). Subscribes at once;
    /// the events of the stream the read models include now are read from the store first
    /// (before any live one), so a subscriber that starts at a known version misses nothing.
    pub fn stream(
        feed: &ProjectionFeed,
        store: EventStore,
        aggregate_type: &'static str,
        aggregate_id: String,
    ) -> Self {
        // Workflow streams have a feed of their own that executions never flood.
        let receiver = if aggregate_type == "workflow" {
            feed.subscribe_workflows()
        } else {
            feed.subscribe()
        };
        let position = feed.position();
        let now = *position.borrow();
        Self {
            receiver,
            position,
            store,
            interest: Interest::Stream {
                aggregate_type,
                aggregate_id,
            },
            sequence: 0,
            seen: LogPosition::START,
            behind: Some(now),
            missed: VecDeque::new(),
        }
    }

    /// Follows the events of the whole log that pass `test`, from now on (events the read
    /// models include when this is called are not delivered).
    pub fn log(feed: &ProjectionFeed, store: EventStore, test: fn(&StoredEvent) -> bool) -> Self {
        let receiver = feed.subscribe();
        let position = feed.position();
        let seen = *position.borrow();
        Self {
            receiver,
            position,
            store,
            interest: Interest::Log(test),
            sequence: 0,
            seen,
            behind: None,
            missed: VecDeque::new(),
        }
    }

    /// Delivers only the stream's events after `sequence` (call before the first
    /// [`Follow::next`]).
    pub fn skip_through(&mut self, sequence: u64) {
        self.sequence = self.sequence.max(sequence);
    }

    /// The next event, `None` once the feed has closed. A failed store read is returned once;
    /// the caller should end the subscription then.
    pub async fn next(&mut self) -> Option<Result<Delivery, StoreError>> {
        loop {
            if let Some(event) = self.missed.pop_front() {
                return Some(Ok(Delivery::Missed(Box::new(event))));
            }
            if let Some(until) = self.behind {
                if let Err(error) = self.read_missed(until).await {
                    return Some(Err(error));
                }
                continue;
            }
            match self.receiver.recv().await {
                Ok(event) => {
                    if self.accepts(&event) {
                        return Some(Ok(Delivery::Live(event)));
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    metrics::counter!("weft_subscription_catch_ups_total").increment(1);
                    tracing::debug!(
                        missed,
                        "a subscription fell behind the feed; reading the store"
                    );
                    self.behind = Some(*self.position.borrow());
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// The events as a stream, ending after the first error.
    pub fn into_stream(self) -> impl Stream<Item = Result<Delivery, StoreError>> + Send {
        stream::unfold(Some(self), |follow| async move {
            let mut follow = follow?;
            let item = follow.next().await?;
            let keep = item.is_ok().then_some(follow);
            Some((item, keep))
        })
    }

    /// Whether a live event is new and wanted; records it as seen.
    fn accepts(&mut self, event: &StoredEvent) -> bool {
        match &self.interest {
            Interest::Stream {
                aggregate_type,
                aggregate_id,
            } => {
                let ours = event.aggregate_type == *aggregate_type
                    && event.aggregate_id == *aggregate_id
                    && event.sequence > self.sequence;
                if ours {
                    self.sequence = event.sequence;
                }
                ours
            }
            Interest::Log(test) => {
                if event.position <= self.seen {
                    return false;
                }
                self.seen = event.position;
                test(event)
            }
        }
    }

    /// Reads one batch of what was missed, up to `until`, into `missed`; ends the catch-up when
    /// nothing is left.
    async fn read_missed(&mut self, until: LogPosition) -> Result<(), StoreError> {
        let done = match &self.interest {
            Interest::Stream {
                aggregate_type,
                aggregate_id,
            } => {
                let batch = self
                    .store
                    .stream_after(
                        aggregate_type,
                        aggregate_id,
                        self.sequence,
                        until,
                        CATCH_UP_BATCH,
                    )
                    .await?;
                if let Some(last) = batch.last() {
                    self.sequence = last.sequence;
                }
                let done = batch.len() < CATCH_UP_BATCH;
                self.missed.extend(batch);
                done
            }
            Interest::Log(test) => {
                let test = *test;
                let batch = self.store.read_after(self.seen, CATCH_UP_BATCH).await?;
                let full = batch.len() == CATCH_UP_BATCH;
                let mut past = false;
                for event in batch {
                    if event.position > until {
                        past = true;
                        break;
                    }
                    self.seen = event.position;
                    if test(&event) {
                        self.missed.push_back(event);
                    }
                }
                past || !full || self.seen >= until
            }
        };
        if done {
            self.behind = None;
            if let Interest::Log(_) = self.interest {
                self.seen = self.seen.max(until);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
