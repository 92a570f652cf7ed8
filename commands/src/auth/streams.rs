//! Loading and appending the small access aggregates (users, sessions, API keys, the user
//! directory, credentials) directly on the event store. Several streams can be appended in one
//! atomic write: a conflict on any of them stores nothing.

use cqrs_es::DomainEvent;
use cqrs_es::persist::SerializedEvent;
use serde::Serialize;
use serde::de::DeserializeOwned;
use weft_domain::metadata::EventMetadata;

use crate::error::StoreError;
use crate::store::EventStore;

/// A state folded from its events.
pub trait Folded: Default {
    /// The event type.
    type Event: DomainEvent + DeserializeOwned + Serialize;
    /// Applies one event.
    fn fold_event(&mut self, event: &Self::Event);
}

/// A state and the sequence of its last event (0: no events).
pub struct Loaded<T> {
    /// The folded state.
    pub state: T,
    /// Sequence of the last event.
    pub version: usize,
}

/// Folds the stream `aggregate_type`/`id`.
pub async fn load<T: Folded>(
    store: &EventStore,
    aggregate_type: &str,
    id: &str,
) -> Result<Loaded<T>, StoreError> {
    let mut state = T::default();
    let mut version = 0;
    for stored in store.stream(aggregate_type, id).await? {
        let event: T::Event =
            serde_json::from_value(stored.payload).map_err(|e| StoreError::Corrupt {
                position: format!("{aggregate_type}-{id}#{}", stored.sequence),
                reason: e.to_string(),
            })?;
        state.fold_event(&event);
        version = stored.sequence;
    }
    Ok(Loaded { state, version })
}

/// Events to append to one stream after `version`.
pub fn serialize<E: DomainEvent + Serialize>(
    aggregate_type: &str,
    id: &str,
    version: usize,
    events: &[E],
    metadata: &EventMetadata,
) -> Vec<SerializedEvent> {
    let metadata = serde_json::to_value(metadata.to_map()).expect("string map serializes");
    events
        .iter()
        .enumerate()
        .map(|(i, event)| SerializedEvent {
            aggregate_id: id.to_string(),
            sequence: version + i + 1,
            aggregate_type: aggregate_type.to_string(),
            event_type: event.event_type(),
            event_version: event.event_version(),
            payload: serde_json::to_value(event).expect("events serialize"),
            metadata: metadata.clone(),
        })
        .collect()
}

macro_rules! folded {
    ($state:ty, $event:ty) => {
        impl Folded for $state {
            type Event = $event;
            fn fold_event(&mut self, event: &Self::Event) {
                self.fold(event);
            }
        }
    };
}

folded!(weft_domain::user::User, weft_domain::user::UserEvent);
folded!(weft_domain::user::Session, weft_domain::user::SessionEvent);
folded!(weft_domain::user::ApiKey, weft_domain::user::ApiKeyEvent);

/// The directory streams hold one claim each: who it belongs to.
#[derive(Debug, Default)]
pub struct Claim(pub Option<String>);

impl Folded for Claim {
    type Event = weft_domain::user::DirectoryEvent;
    fn fold_event(&mut self, event: &Self::Event) {
        use weft_domain::user::DirectoryEvent;
        match event {
            DirectoryEvent::OwnerSetUp { user_id } | DirectoryEvent::EmailClaimed { user_id } => {
                self.0 = Some(user_id.clone());
            }
        }
    }
}
