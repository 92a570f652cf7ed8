//! An execution's node runs, folded from its own stream when they are read (pure).
//!
//! The execution stream already holds every node run in order with its items, so the detail is
//! not copied into a table: the projection only keeps the executions list row, and a detail read
//! folds the stream's node-run events (about a dozen for a typical run) up to the list row's
//! `last_sequence`, which keeps the detail consistent with the row it belongs to.

use serde_json::Value;
use weft_commands::StoredEvent;
use weft_domain::execution::ExecutionEvent;

use crate::error::{ProjectionError, parse_payload};
use crate::model::meta;

/// One node run of an execution.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeRunRow {
    /// Execution id.
    pub execution_id: String,
    /// Sequence of the run's `NodeRunStarted` event: the run order.
    pub sequence: u64,
    /// Node id.
    pub node_id: String,
    /// Run index of the node.
    pub run_index: u32,
    /// `running`, `succeeded`, `failed` or `canceled`.
    pub status: String,
    /// Attempts made.
    pub attempts: u32,
    /// Items per input, as recorded (a large list is a blob reference
    /// `{"blob", "bytes", "items"}`, which the API resolves).
    pub inputs: Value,
    /// Items per output, as recorded (large lists as blob references, like `inputs`).
    pub outputs: Option<Value>,
    /// The last failure.
    pub error: Option<Value>,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// When it ended.
    pub finished_at: Option<String>,
    /// Wall-clock milliseconds.
    pub duration_ms: Option<u64>,
    /// Whether the outputs are pinned data.
    pub pinned: bool,
}

/// Whether an event type changes a node run (and nothing else of its execution but the
/// execution row's `last_sequence`).
pub fn is_node_run_event(event_type: &str) -> bool {
    event_type.starts_with("NodeRun")
}

/// The node runs recorded by `events` (one execution's stream in sequence order), in the order
/// they started.
pub fn node_runs(events: &[StoredEvent]) -> Result<Vec<NodeRunRow>, ProjectionError> {
    let mut runs: Vec<NodeRunRow> = Vec::new();
    for stored in events.iter().filter(|e| is_node_run_event(&e.event_type)) {
        let event = parse_payload::<ExecutionEvent>(stored)?;
        let at = meta(stored, "timestamp").to_string();
        use ExecutionEvent::*;
        match event {
            NodeRunStarted {
                node_id,
                run_index,
                inputs,
            } => runs.push(NodeRunRow {
                execution_id: stored.aggregate_id.clone(),
                sequence: stored.sequence,
                node_id,
                run_index,
                status: "running".into(),
                attempts: 1,
                inputs: to_value(&inputs),
                outputs: None,
                error: None,
                started_at: at,
                finished_at: None,
                duration_ms: None,
                pinned: false,
            }),
            NodeRunSucceeded {
                node_id,
                run_index,
                outputs,
                duration_ms,
                pinned,
            } => {
                if let Some(run) = find(&mut runs, &node_id, run_index) {
                    run.status = "succeeded".into();
                    run.outputs = Some(to_value(&outputs));
                    run.finished_at = Some(at);
                    run.duration_ms = Some(duration_ms);
                    run.pinned = pinned;
                }
            }
            NodeRunFailed {
                node_id,
                run_index,
                error,
                attempt,
                will_retry,
            } => {
                if let Some(run) = find(&mut runs, &node_id, run_index) {
                    if !will_retry {
                        run.status = "failed".into();
                        run.finished_at = Some(at);
                    }
                    run.attempts = attempt;
                    run.error = Some(to_value(&error));
                }
            }
            NodeRunRetried {
                node_id,
                run_index,
                next_attempt,
                ..
            } => {
                if let Some(run) = find(&mut runs, &node_id, run_index) {
                    run.attempts = next_attempt;
                }
            }
            NodeRunCanceled { node_id, run_index } => {
                if let Some(run) = find(&mut runs, &node_id, run_index) {
                    run.status = "canceled".into();
                    run.finished_at = Some(at);
                }
            }
            _ => {}
        }
    }
    Ok(runs)
}

/// The latest run of `node_id` with `run_index` (a node's run indexes are unique in a stream;
/// searching from the end finds it at once for the run that just started).
fn find<'a>(
    runs: &'a mut [NodeRunRow],
    node_id: &str,
    run_index: u32,
) -> Option<&'a mut NodeRunRow> {
    runs.iter_mut()
        .rev()
        .find(|run| run.node_id == node_id && run.run_index == run_index)
}

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}
