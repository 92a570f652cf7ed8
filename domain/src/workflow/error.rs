//! Typed errors of the workflow aggregate.

use crate::environment::Environment;
use crate::triggers::TriggerError;

/// Why a workflow command was rejected. Nothing is appended when a command fails.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorkflowError {
    /// The workflow does not exist (yet).
    #[error("workflow not found")]
    NotFound,
    /// A create was sent for a workflow that exists.
    #[error("workflow already exists")]
    AlreadyExists,
    /// A name was empty or too long.
    #[error("invalid name: {0}")]
    InvalidName(String),
    /// Two nodes would share an id.
    #[error("a node with id `{0}` already exists")]
    DuplicateNodeId(String),
    /// Two nodes would share a name.
    #[error("a node named `{0}` already exists")]
    DuplicateNodeName(String),
    /// A command named a node that is not in the workflow.
    #[error("node `{0}` does not exist")]
    NodeNotFound(String),
    /// A node's type (or type version) is not in the node catalog.
    #[error("unknown node type `{node_type}` version {version} (node `{node}`)")]
    UnknownNodeType {
        /// The node's name.
        node: String,
        /// The type id.
        node_type: String,
        /// The type version.
        version: f64,
    },
    /// A node's parameters were not a JSON object.
    #[error("parameters of node `{0}` must be a JSON object")]
    InvalidParameters(String),
    /// A connection names a port the node does not have.
    #[error("node `{node}` has no {port}")]
    PortNotFound {
        /// The node id.
        node: String,
        /// The missing port, e.g. `output 3`.
        port: String,
    },
    /// The same connection exists twice.
    #[error("the connection {0} already exists")]
    DuplicateConnection(String),
    /// A removal named a connection that is not there.
    #[error("the connection {0} does not exist")]
    ConnectionNotFound(String),
    /// Production workflows change only by promotion.
    #[error("production workflows can only be changed by promotion")]
    ProductionIsReadOnly,
    /// Archived workflows must be restored before they change.
    #[error("the workflow is archived; restore it first")]
    Archived,
    /// Activation needs at least one enabled trigger that listens (webhook, schedule, …).
    #[error("the workflow has no enabled trigger node that can be activated")]
    NoActivatableTrigger,
    /// An enabled schedule or webhook trigger of an active (or activating) workflow cannot work.
    #[error(transparent)]
    InvalidTrigger(#[from] TriggerError),
    /// Promotion goes one step at a time: testing → launched → production.
    #[error("cannot promote from {from} to {to}")]
    InvalidPromotion {
        /// Source environment.
        from: Environment,
        /// Requested target.
        to: Environment,
    },
    /// The target of a promotion is not this environment's existing workflow.
    #[error("this workflow is already promoted to {environment} as `{existing}`")]
    PromotionTargetMismatch {
        /// Environment.
        environment: Environment,
        /// The existing target workflow id.
        existing: String,
    },
    /// A promotion arrived from a different source lineage than earlier ones.
    #[error("this workflow receives promotions from `{expected}`, not `{actual}`")]
    PromotionSourceMismatch {
        /// The recorded source.
        expected: String,
        /// The source named by the command.
        actual: String,
    },
    /// The requested version does not exist.
    #[error("version {requested} does not exist (current version is {current})")]
    VersionNotFound {
        /// Requested version.
        requested: u64,
        /// Current version.
        current: u64,
    },
    /// The caller claims a version newer than the workflow has.
    #[error("expected version {expected} is ahead of the current version {current}")]
    ExpectedVersionAhead {
        /// Sent by the caller.
        expected: u64,
        /// Current version.
        current: u64,
    },
    /// The workflow changed since `expected` in a way that overlaps this command.
    #[error("conflict: version {expected} is outdated (current {current}); changed meanwhile: {}", overlapping.join(", "))]
    Conflict {
        /// The version the caller based the command on.
        expected: u64,
        /// The current version.
        current: u64,
        /// What both the command and the newer events touch.
        overlapping: Vec<String>,
    },
}

impl WorkflowError {
    /// Stable machine-readable code (`NOT_FOUND`, `CONFLICT` or `VALIDATION`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "NOT_FOUND",
            Self::Conflict { .. } | Self::AlreadyExists => "CONFLICT",
            _ => "VALIDATION",
        }
    }
}
