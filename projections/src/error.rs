//! Errors of the projections crate.

use weft_commands::StoreError;

/// Failures while building or reading read models.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A read-model query failed.
    #[error("read model error: {0}")]
    Database(#[from] sqlx::Error),
    /// Reading a SQLite read model directly (the rebuild's table hashes) failed.
    #[error("read model error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// An event payload did not match its type.
    #[error("cannot project event {position} ({event_type}): {reason}")]
    BadEvent {
        /// Where in the log.
        position: String,
        /// Event type.
        event_type: String,
        /// Why.
        reason: String,
    },
    /// `rebuild --verify` found rebuilt tables that differ from the live ones.
    #[error("read models differ after rebuild: {0}")]
    VerifyFailed(String),
}

/// An event's payload as `T`, or [`ProjectionError::BadEvent`] naming the event.
pub(crate) fn parse_payload<T: serde::de::DeserializeOwned>(
    event: &weft_commands::StoredEvent,
) -> Result<T, ProjectionError> {
    event
        .payload
        .parse()
        .map_err(|e| ProjectionError::BadEvent {
            position: event.position.to_string(),
            event_type: event.event_type.clone(),
            reason: e.to_string(),
        })
}
