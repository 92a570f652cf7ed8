//! Events of the execution aggregate (past tense, versioned).

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::items::ItemData;
use crate::definition::NodeId;

/// Schema version of every execution event payload written by this build.
pub const EXECUTION_EVENT_VERSION: &str = "1.0";

/// Items as n8n JSON (`{json, binary?, pairedItem?}`), one list per port.
pub type ItemList = Vec<Value>;

/// What started an execution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Trigger {
    /// Started by hand (editor, `weft run`).
    Manual,
    /// An HTTP request to a webhook path.
    #[serde(rename_all = "camelCase")]
    Webhook {
        /// HTTP method.
        method: String,
        /// Webhook path.
        path: String,
    },
    /// A schedule fired.
    #[serde(rename_all = "camelCase")]
    Schedule {
        /// The due time that fired.
        due_at: DateTime<Utc>,
    },
    /// Another execution failed and this workflow is its error workflow.
    #[serde(rename_all = "camelCase")]
    Error {
        /// The failed execution.
        failed_execution_id: String,
    },
    /// An Execute Workflow node of another execution.
    #[serde(rename_all = "camelCase")]
    SubWorkflow {
        /// The calling execution.
        parent_execution_id: String,
        /// The calling node.
        parent_node_id: NodeId,
    },
    /// A retry of an earlier execution.
    #[serde(rename_all = "camelCase")]
    Retry {
        /// The execution retried.
        original_execution_id: String,
        /// The node the retry starts from (`None`: from the start, same input).
        from_node_id: Option<NodeId>,
    },
}

impl Trigger {
    /// The trigger kind as stored in read models (`manual`, `webhook`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Webhook { .. } => "webhook",
            Self::Schedule { .. } => "schedule",
            Self::Error { .. } => "error",
            Self::SubWorkflow { .. } => "subWorkflow",
            Self::Retry { .. } => "retry",
        }
    }
}

/// Manual runs honour pinned data; production runs ignore it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExecutionMode {
    /// Started by hand.
    Manual,
    /// Started by an active trigger.
    Production,
}

impl ExecutionMode {
    /// The mode as stored in read models.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Production => "production",
        }
    }
}

/// A node failure as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunError {
    /// Category (`parameter`, `expression`, `code`, `timeout`, …).
    pub kind: String,
    /// Human-readable message.
    pub message: String,
    /// Extra detail (the failing expression, a hint, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Index of the item being processed, when item-specific.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_index: Option<u64>,
}

/// Something that happened to one execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum ExecutionEvent {
    /// The execution was accepted for the exact workflow version.
    ExecutionQueued {
        /// The workflow.
        workflow_id: String,
        /// The exact version that runs.
        workflow_version: u64,
        /// What started it.
        trigger: Trigger,
        /// Manual or production.
        mode: ExecutionMode,
        /// Items fed to the start node.
        input: ItemData,
        /// A partial run ("Execute step"): only the nodes on the way to this node run, then
        /// the node itself.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        destination_node_id: Option<NodeId>,
    },
    /// A worker began running it.
    ExecutionStarted,
    /// A node run began.
    NodeRunStarted {
        /// The node.
        node_id: NodeId,
        /// Run index of this node (0 for its first run).
        run_index: u32,
        /// Items per input (`None` for an input without data).
        inputs: Vec<Option<ItemData>>,
    },
    /// A node run produced its outputs.
    NodeRunSucceeded {
        /// The node.
        node_id: NodeId,
        /// Run index.
        run_index: u32,
        /// Items per output.
        outputs: Vec<ItemData>,
        /// Wall-clock milliseconds, all attempts included.
        duration_ms: u64,
        /// Whether the outputs are pinned data (the node did not run).
        pinned: bool,
    },
    /// An attempt of a node run failed.
    NodeRunFailed {
        /// The node.
        node_id: NodeId,
        /// Run index.
        run_index: u32,
        /// The failure.
        error: RunError,
        /// Attempt number, starting at 1.
        attempt: u32,
        /// Whether another attempt follows (the run stays open).
        will_retry: bool,
    },
    /// The next attempt of a failed node run is scheduled.
    NodeRunRetried {
        /// The node.
        node_id: NodeId,
        /// Run index.
        run_index: u32,
        /// The attempt about to start.
        next_attempt: u32,
        /// Wait before it, in milliseconds.
        wait_ms: u64,
    },
    /// A node run was canceled (or never began because the execution was canceled or timed out).
    NodeRunCanceled {
        /// The node.
        node_id: NodeId,
        /// Run index.
        run_index: u32,
    },
    /// A Respond to Webhook node gave the response to the request that started the execution
    /// (recorded where the response must reach another process: the durable queue).
    WebhookResponded {
        /// The Respond to Webhook node.
        node_id: NodeId,
        /// HTTP status code.
        status: u16,
        /// Extra headers.
        headers: std::collections::BTreeMap<String, String>,
        /// The body as the engine gives it (`{"kind": "json"|"text"|"empty", "value"}`).
        body: Value,
    },
    /// A Wait node suspended the execution.
    ExecutionWaiting {
        /// The Wait node.
        node_id: NodeId,
        /// When to resume.
        resume_at: DateTime<Utc>,
    },
    /// A suspended execution continues.
    ExecutionResumed,
    /// Every scheduled node ran.
    ExecutionSucceeded,
    /// A node failure or the workflow timeout ended the run.
    ExecutionFailed {
        /// Why.
        error: RunError,
        /// The node that failed, when one did.
        node_id: Option<NodeId>,
    },
    /// The run was canceled.
    ExecutionCanceled,
    /// A finished execution was deleted: the read models drop it; nothing may follow.
    ExecutionDeleted,
}

impl ExecutionEvent {
    /// The event's type name as stored.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::ExecutionQueued { .. } => "ExecutionQueued",
            Self::ExecutionStarted => "ExecutionStarted",
            Self::NodeRunStarted { .. } => "NodeRunStarted",
            Self::NodeRunSucceeded { .. } => "NodeRunSucceeded",
            Self::NodeRunFailed { .. } => "NodeRunFailed",
            Self::NodeRunRetried { .. } => "NodeRunRetried",
            Self::NodeRunCanceled { .. } => "NodeRunCanceled",
            Self::WebhookResponded { .. } => "WebhookResponded",
            Self::ExecutionWaiting { .. } => "ExecutionWaiting",
            Self::ExecutionResumed => "ExecutionResumed",
            Self::ExecutionSucceeded => "ExecutionSucceeded",
            Self::ExecutionFailed { .. } => "ExecutionFailed",
            Self::ExecutionCanceled => "ExecutionCanceled",
            Self::ExecutionDeleted => "ExecutionDeleted",
        }
    }
}

impl DomainEvent for ExecutionEvent {
    fn event_type(&self) -> String {
        self.type_name().to_string()
    }

    fn event_version(&self) -> String {
        EXECUTION_EVENT_VERSION.to_string()
    }
}
