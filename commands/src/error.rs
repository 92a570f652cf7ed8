//! Errors of the application layer.

use weft_domain::execution::UnresolvedBlob;
use weft_domain::workflow::WorkflowError;

/// Failures of the event store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer took one of the `(aggregate, sequence)` slots first.
    #[error("optimistic concurrency conflict: the stream moved on")]
    Conflict,
    /// Bad configuration (database URL, paths).
    #[error("{0}")]
    Config(String),
    /// Applying migrations failed.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored payload could not be read.
    #[error("corrupt event {position}: {reason}")]
    Corrupt {
        /// Where.
        position: String,
        /// Why.
        reason: String,
    },
    /// An event refers to item data that is not in the blob table.
    #[error("item data blob {0} is missing from the blob table")]
    MissingBlob(String),
    /// A batched write failed; every command in the batch gets this error and nothing is stored.
    #[error("append failed: {0}")]
    Write(String),
    /// The writer task stopped (the process is shutting down).
    #[error("the event writer has stopped")]
    WriterStopped,
}

impl From<UnresolvedBlob> for StoreError {
    /// An item list still referring to its blob after resolution: the blob was not found.
    fn from(unresolved: UnresolvedBlob) -> Self {
        Self::MissingBlob(unresolved.0)
    }
}

/// Failures of a workflow command.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The aggregate rejected the command.
    #[error(transparent)]
    Rejected(#[from] WorkflowError),
    /// Too many concurrent writers kept moving the stream.
    #[error("gave up after {0} concurrent-write retries")]
    TooMuchContention(u32),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CommandError {
    /// Stable machine-readable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Rejected(e) => e.code(),
            Self::TooMuchContention(_) => "CONFLICT",
            Self::Store(_) => "INTERNAL",
        }
    }
}
