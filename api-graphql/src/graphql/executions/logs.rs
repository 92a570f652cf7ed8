//! Log lines of an execution, derived from its recorded events (so they are exactly as
//! durable and replayable as the events).

use serde_json::Value;
use weft_domain::execution::{ExecutionEvent, ItemData};

use super::enums::LogLevel;

/// One log line.
#[derive(async_graphql::SimpleObject, Clone, Debug)]
pub struct ExecutionLog {
    /// Sequence of the event it comes from.
    pub sequence: u64,
    /// Severity.
    pub level: LogLevel,
    /// The node concerned, if any.
    pub node_id: Option<String>,
    /// What happened.
    pub message: String,
    /// When (RFC 3339).
    pub recorded_at: String,
}

/// The log line of one recorded event.
pub fn log_line(sequence: u64, payload: &Value, recorded_at: String) -> Option<ExecutionLog> {
    use ExecutionEvent::*;
    let event: ExecutionEvent = serde_json::from_value(payload.clone()).ok()?;
    let (level, node_id, message) = match event {
        ExecutionQueued {
            workflow_version,
            trigger,
            input,
            ..
        } => (
            LogLevel::Info,
            None,
            format!(
                "queued on workflow version {workflow_version} by a {} trigger with {} input item(s)",
                trigger.kind(),
                input.len()
            ),
        ),
        ExecutionStarted => (LogLevel::Info, None, "started".into()),
        NodeRunStarted {
            node_id, run_index, ..
        } => (
            LogLevel::Debug,
            Some(node_id.clone()),
            format!("node `{node_id}` run {run_index} started"),
        ),
        NodeRunSucceeded {
            node_id,
            run_index,
            outputs,
            duration_ms,
            pinned,
        } => (
            LogLevel::Info,
            Some(node_id.clone()),
            format!(
                "node `{node_id}` run {run_index} {} {} item(s) in {duration_ms} ms",
                if pinned {
                    "used pinned data:"
                } else {
                    "produced"
                },
                outputs.iter().map(ItemData::len).sum::<usize>()
            ),
        ),
        NodeRunFailed {
            node_id,
            run_index,
            error,
            attempt,
            will_retry,
        } => (
            if will_retry {
                LogLevel::Warn
            } else {
                LogLevel::Error
            },
            Some(node_id.clone()),
            format!(
                "node `{node_id}` run {run_index} attempt {attempt} failed: {}{}",
                error.message,
                if will_retry { " (will retry)" } else { "" }
            ),
        ),
        NodeRunRetried {
            node_id,
            next_attempt,
            wait_ms,
            ..
        } => (
            LogLevel::Warn,
            Some(node_id.clone()),
            format!("node `{node_id}` attempt {next_attempt} starts in {wait_ms} ms"),
        ),
        NodeRunCanceled { node_id, run_index } => (
            LogLevel::Warn,
            Some(node_id.clone()),
            format!("node `{node_id}` run {run_index} canceled"),
        ),
        ExecutionWaiting { node_id, resume_at } => (
            LogLevel::Info,
            Some(node_id.clone()),
            format!(
                "waiting at node `{node_id}` until {}",
                resume_at.to_rfc3339()
            ),
        ),
        ExecutionResumed => (LogLevel::Info, None, "resumed".into()),
        WebhookResponded {
            node_id, status, ..
        } => (
            LogLevel::Info,
            Some(node_id.clone()),
            format!("node `{node_id}` responded to the webhook with status {status}"),
        ),
        ExecutionSucceeded => (LogLevel::Info, None, "succeeded".into()),
        ExecutionFailed { error, node_id } => (
            LogLevel::Error,
            node_id.clone(),
            match node_id {
                Some(node) => format!("failed at node `{node}`: {}", error.message),
                None => format!("failed: {}", error.message),
            },
        ),
        ExecutionCanceled => (LogLevel::Warn, None, "canceled".into()),
        ExecutionDeleted => (LogLevel::Info, None, "deleted".into()),
    };
    Some(ExecutionLog {
        sequence,
        level,
        node_id,
        message,
        recorded_at,
    })
}
