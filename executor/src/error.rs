//! Error types of the engine.

use serde::{Deserialize, Serialize};

/// What went wrong in a node run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NodeErrorKind {
    /// A parameter is missing or has the wrong type.
    Parameter,
    /// An expression failed to evaluate.
    Expression,
    /// User code (Code node) threw.
    Code,
    /// A sandbox limit (time) was hit.
    Timeout,
    /// A sandbox limit (memory) was hit.
    OutOfMemory,
    /// The node's operation failed on the data.
    Operation,
    /// A Stop and Error node stopped the run on purpose.
    Stopped,
    /// The node type (or version) is not implemented.
    Unsupported,
}

/// A failed node run, as recorded in the execution log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct NodeError {
    /// Category.
    pub kind: NodeErrorKind,
    /// Human-readable message.
    pub message: String,
    /// Extra detail (the failing expression, a hint, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Index of the item being processed, when the failure is item-specific.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_index: Option<usize>,
}

impl NodeError {
    /// A new error of this kind.
    pub fn new(kind: NodeErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            description: None,
            item_index: None,
        }
    }

    /// A failure of the node's operation.
    pub fn operation(message: impl Into<String>) -> Self {
        Self::new(NodeErrorKind::Operation, message)
    }

    /// A bad or missing parameter.
    pub fn parameter(message: impl Into<String>) -> Self {
        Self::new(NodeErrorKind::Parameter, message)
    }

    /// Adds a description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Records the item index.
    pub fn at_item(mut self, index: usize) -> Self {
        self.item_index.get_or_insert(index);
        self
    }
}

/// Errors that prevent an execution from starting or continuing, independent of node failures.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExecutorError {
    /// The workflow has no node the run can start from.
    #[error("the workflow has no start node")]
    NoStartNode,
    /// A node id referenced by a connection, option or resume state does not exist.
    #[error("unknown node `{0}`")]
    UnknownNode(String),
    /// A document could not be read as a workflow.
    #[error("invalid workflow: {0}")]
    InvalidWorkflow(String),
    /// The destination of a partial run cannot be reached from where the run starts.
    #[error("node `{0}` cannot be reached from the start node")]
    Unreachable(String),
    /// The run loop detected that it could not make progress.
    #[error("execution seems to be in an endless loop at node `{0}`")]
    EndlessLoop(String),
}
