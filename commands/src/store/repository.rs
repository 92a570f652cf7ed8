//! cqrs-es integration: the event store as a `PersistedEventRepository` (no snapshots; STACK.md
//! explains why cqrs-es 0.5's snapshot store must not be used).

use cqrs_es::Aggregate;
use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use serde_json::Value;

use super::EventStore;
use crate::error::StoreError;

impl From<StoreError> for PersistenceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict => PersistenceError::OptimisticLockError,
            StoreError::Corrupt { .. } => PersistenceError::DeserializationError(Box::new(error)),
            StoreError::Database(_) | StoreError::WriterStopped | StoreError::Write(_) => {
                PersistenceError::ConnectionError(Box::new(error))
            }
            other => PersistenceError::UnknownError(Box::new(other)),
        }
    }
}

impl PersistedEventRepository for EventStore {
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        Ok(self.stream(A::TYPE, aggregate_id).await?)
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let events = self.stream(A::TYPE, aggregate_id).await?;
        Ok(events
            .into_iter()
            .filter(|e| e.sequence > last_sequence)
            .collect())
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        _aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        Ok(None)
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        _snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        Ok(self.append_slice(events).await?)
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        let events = self.stream(A::TYPE, aggregate_id).await?;
        Ok(replay(events))
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        let mut all = Vec::new();
        let mut after = super::LogPosition::START;
        loop {
            let page = self.read_after(after, 10_000).await?;
            let Some(last) = page.last() else { break };
            after = last.position;
            all.extend(
                page.into_iter()
                    .filter(|e| e.aggregate_type == A::TYPE)
                    .map(|e| SerializedEvent {
                        aggregate_id: e.aggregate_id,
                        sequence: e.sequence as usize,
                        aggregate_type: e.aggregate_type,
                        event_type: e.event_type,
                        event_version: e.event_version,
                        payload: e.payload.into_value(),
                        metadata: serde_json::to_value(e.metadata).unwrap_or_default(),
                    }),
            );
        }
        Ok(replay(all))
    }
}

fn replay(events: Vec<SerializedEvent>) -> ReplayStream {
    let (mut feed, stream) = ReplayStream::new(events.len().max(1));
    tokio::spawn(async move {
        for event in events {
            if feed.push(Ok(event)).await.is_err() {
                return;
            }
        }
    });
    stream
}
