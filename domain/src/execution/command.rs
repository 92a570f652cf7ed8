//! Commands of the execution aggregate.

use super::events::{ExecutionEvent, ExecutionMode, ItemList, Trigger};

/// What the owner of an execution asks of it.
///
/// Queueing, starting, resuming and canceling are decisions; the steps of a running execution
/// (node runs, waiting, the outcome) are facts the engine reports, which the aggregate checks
/// against the execution's state before they are recorded.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecutionCommand {
    /// Accept an execution of the exact workflow version.
    Queue {
        /// The workflow.
        workflow_id: String,
        /// The exact version to run.
        workflow_version: u64,
        /// What started it.
        trigger: Trigger,
        /// Manual or production.
        mode: ExecutionMode,
        /// Items fed to the start node.
        input: ItemList,
        /// Run only up to this node (and the node itself).
        destination_node_id: Option<String>,
    },
    /// A worker begins running the queued execution.
    Start,
    /// Continue a waiting execution.
    Resume,
    /// Cancel a queued, running or waiting execution.
    Cancel,
    /// Remove a finished execution from the executions views (its events stay in the log).
    Delete,
    /// Record a step the engine reported (node run events, waiting, success, failure).
    RecordStep(ExecutionEvent),
}
