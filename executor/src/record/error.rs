//! Failures of recording an execution.

use weft_commands::StoreError;
use weft_domain::execution::ExecutionError;

use crate::error::ExecutorError;

/// Why an execution could not be run and recorded.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Appending the execution's events failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A step did not fit the execution's state (a recorder or engine bug).
    #[error("execution step rejected: {0}")]
    Rejected(#[from] ExecutionError),
    /// The workflow could not run; its failure is recorded.
    #[error(transparent)]
    Engine(#[from] ExecutorError),
    /// The flusher task ended without reporting (the runtime is shutting down).
    #[error("the execution event flusher stopped")]
    FlusherStopped,
}
