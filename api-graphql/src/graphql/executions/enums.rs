//! Enums of the executions API.

use async_graphql::Enum;

/// Where an execution is in its life.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum ExecutionStatus {
    /// Accepted, waiting for a slot.
    Queued,
    /// Running.
    Running,
    /// Suspended by a Wait node until its due time.
    Waiting,
    /// Finished successfully.
    Succeeded,
    /// Finished with an error.
    Failed,
    /// Stopped.
    Canceled,
}

impl ExecutionStatus {
    /// The status as stored in the read models.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Waiting => "waiting",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }

    /// Parses a stored status.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "waiting" => Self::Waiting,
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            "canceled" => Self::Canceled,
            _ => return None,
        })
    }

    /// Whether the execution ended.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Canceled)
    }
}

/// What started an execution.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum TriggerKind {
    /// By hand (editor, CLI, API).
    Manual,
    /// An HTTP request to a webhook.
    Webhook,
    /// A schedule.
    Schedule,
    /// The failure of another execution (error workflow).
    Error,
    /// An Execute Workflow node.
    SubWorkflow,
    /// A retry of another execution.
    Retry,
}

impl TriggerKind {
    /// The kind as stored in the read models.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Webhook => "webhook",
            Self::Schedule => "schedule",
            Self::Error => "error",
            Self::SubWorkflow => "subWorkflow",
            Self::Retry => "retry",
        }
    }
}

/// Severity of an execution log line.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub enum LogLevel {
    /// Step-by-step detail.
    Debug,
    /// Normal progress.
    Info,
    /// Something went wrong but the run went on (a retried attempt, a cancellation).
    Warn,
    /// A failure.
    Error,
}

/// Where a retry starts.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum RetryFrom {
    /// At the failed node, reusing the recorded outputs of the nodes before it.
    FailedNode,
    /// At the start, with the same input.
    Start,
}

/// Which workflow version a retry runs.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum RetryVersion {
    /// The version the original execution ran.
    Original,
    /// The workflow's current version.
    Current,
}
