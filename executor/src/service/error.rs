//! Failures of the execution service, each with a stable code for the API.

use weft_commands::StoreError;

use crate::record::RecordError;

/// Why an execution could not be submitted, run, stopped or retried.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No workflow has this id.
    #[error("workflow `{0}` not found")]
    WorkflowNotFound(String),
    /// The workflow has no such version.
    #[error("workflow `{workflow_id}` has no version {requested} (current: {current})")]
    VersionNotFound {
        /// The workflow.
        workflow_id: String,
        /// The version asked for.
        requested: u64,
        /// Its current version.
        current: u64,
    },
    /// No execution has this id.
    #[error("execution `{0}` not found")]
    ExecutionNotFound(String),
    /// The request is invalid (an archived workflow, a workflow that cannot run, bad input).
    #[error("{0}")]
    Invalid(String),
    /// The execution is in a state that does not allow the request (retrying a running one,
    /// stopping a finished one).
    #[error("{0}")]
    Conflict(String),
    /// Recording the execution failed.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The service stopped before the execution ended (the process is shutting down).
    #[error("the execution service stopped")]
    Stopped,
}

impl ServiceError {
    /// Stable machine-readable code: `NOT_FOUND`, `VALIDATION`, `CONFLICT` or `INTERNAL`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::WorkflowNotFound(_)
            | Self::VersionNotFound { .. }
            | Self::ExecutionNotFound(_) => "NOT_FOUND",
            Self::Invalid(_) => "VALIDATION",
            Self::Conflict(_) => "CONFLICT",
            Self::Record(_) | Self::Store(_) | Self::Stopped => "INTERNAL",
        }
    }
}
