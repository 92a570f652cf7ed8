//! Weft's application layer: the event store (SQLite or Postgres, group commit, global commit
//! order), cqrs-es wiring, and command execution with rebase on concurrent edits.
//!
//! Boundaries: this crate owns writes to the `events` table; read models belong to
//! `weft-projections`.

pub mod auth;
pub mod error;
pub mod secrets;
pub mod store;
pub mod workflows;

pub use auth::{Access, AuthError, Principal};
pub use error::{CommandError, StoreError};
pub use store::{
    Backend, Blob, Commits, DEFAULT_BLOB_THRESHOLD, Db, EventPayload, EventStore, LogPosition,
    NewEvent, StoredEvent, WriterConfig,
};
pub use workflows::{CommandOutcome, Promotion, WorkflowCommands};

#[cfg(feature = "test-support")]
pub mod testing;
