//! Typed errors of the execution aggregate.

/// Why an execution step was rejected. Nothing is appended when a step fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecutionError {
    /// The execution was queued before.
    #[error("the execution is already queued")]
    AlreadyQueued,
    /// The step needs a queued execution that has not started.
    #[error("the execution is not queued (status {0})")]
    NotQueued(&'static str),
    /// Node steps and waiting need a running execution.
    #[error("the execution is not running (status {0})")]
    NotRunning(&'static str),
    /// Resuming needs a waiting execution.
    #[error("the execution is not waiting (status {0})")]
    NotWaiting(&'static str),
    /// The execution already ended.
    #[error("the execution already finished (status {0})")]
    Finished(&'static str),
    /// A node run with this index began before.
    #[error("node `{node_id}` run {run_index} already started")]
    NodeRunAlreadyStarted {
        /// The node.
        node_id: String,
        /// The run index.
        run_index: u32,
    },
    /// The step names a node run that is not in progress.
    #[error("node `{node_id}` run {run_index} is not in progress")]
    NodeRunNotOpen {
        /// The node.
        node_id: String,
        /// The run index.
        run_index: u32,
    },
    /// A retry was recorded although the last attempt did not ask for one.
    #[error("node `{node_id}` run {run_index} has no failed attempt to retry")]
    NothingToRetry {
        /// The node.
        node_id: String,
        /// The run index.
        run_index: u32,
    },
    /// Only a finished execution can be deleted.
    #[error("the execution has not finished (status {0}); stop it first")]
    NotFinished(&'static str),
    /// The execution was deleted; nothing may follow.
    #[error("the execution was deleted")]
    Deleted,
    /// The execution already gave its webhook response.
    #[error("the execution already responded to its webhook")]
    AlreadyResponded,
    /// Success needs every node run closed.
    #[error("node runs still in progress: {0}")]
    NodeRunsOpen(String),
}
