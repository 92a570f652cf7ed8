//! Execution events as row changes (pure; no database access).
//!
//! Rows created in a batch absorb the batch's later events, so an execution that starts and ends
//! within one batch is written as plain inserts. Events for rows written by an earlier batch
//! become updates that set only the fields they know.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use weft_commands::StoredEvent;
use weft_domain::execution::{ExecutionEvent, ExecutionStatus};

use crate::error::ProjectionError;

/// One row of the executions list.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionRow {
    /// Execution id.
    pub id: String,
    /// Workflow id.
    pub workflow_id: String,
    /// The exact workflow version that ran.
    pub workflow_version: u64,
    /// `queued`, `running`, `waiting`, `succeeded`, `failed` or `canceled`.
    pub status: String,
    /// Trigger kind (`manual`, `webhook`, …).
    pub trigger_kind: String,
    /// The trigger with its details, as JSON.
    pub trigger_detail: String,
    /// `manual` or `production`.
    pub mode: String,
    /// When it was queued (RFC 3339).
    pub queued_at: String,
    /// When it started.
    pub started_at: Option<String>,
    /// When it ended.
    pub finished_at: Option<String>,
    /// The error that ended it, as JSON.
    pub error: Option<String>,
    /// The node that failed.
    pub error_node_id: Option<String>,
    /// Sequence of the last event applied.
    pub last_sequence: u64,
}

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
    /// Items per input, as JSON (as in the event: a large list is a blob reference
    /// `{"blob", "bytes", "items"}`, which the API resolves).
    pub inputs: String,
    /// Items per output, as JSON (large lists as blob references, like `inputs`).
    pub outputs: Option<String>,
    /// The last failure, as JSON.
    pub error: Option<String>,
    /// When it started.
    pub started_at: String,
    /// When it ended.
    pub finished_at: Option<String>,
    /// Wall-clock milliseconds.
    pub duration_ms: Option<u64>,
    /// Whether the outputs are pinned data.
    pub pinned: bool,
}

/// Fields an event sets on an execution row written earlier; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecutionUpdate {
    /// Execution id.
    pub id: String,
    /// New status.
    pub status: Option<String>,
    /// Start time.
    pub started_at: Option<String>,
    /// End time.
    pub finished_at: Option<String>,
    /// Error JSON.
    pub error: Option<String>,
    /// Failed node.
    pub error_node_id: Option<String>,
    /// Sequence of the event.
    pub last_sequence: u64,
}

/// Fields an event sets on a node-run row written earlier.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeRunUpdate {
    /// Execution id.
    pub execution_id: String,
    /// Node id.
    pub node_id: String,
    /// Run index.
    pub run_index: u32,
    /// New status.
    pub status: Option<String>,
    /// Attempts.
    pub attempts: Option<u32>,
    /// Outputs JSON.
    pub outputs: Option<String>,
    /// Error JSON.
    pub error: Option<String>,
    /// End time.
    pub finished_at: Option<String>,
    /// Duration.
    pub duration_ms: Option<u64>,
    /// Pinned.
    pub pinned: Option<bool>,
}

impl ExecutionUpdate {
    fn apply_to(&self, row: &mut ExecutionRow) {
        set(&mut row.status, &self.status);
        set_opt(&mut row.started_at, &self.started_at);
        set_opt(&mut row.finished_at, &self.finished_at);
        set_opt(&mut row.error, &self.error);
        set_opt(&mut row.error_node_id, &self.error_node_id);
        row.last_sequence = self.last_sequence;
    }
}

impl NodeRunUpdate {
    fn apply_to(&self, row: &mut NodeRunRow) {
        set(&mut row.status, &self.status);
        set(&mut row.attempts, &self.attempts);
        set_opt(&mut row.outputs, &self.outputs);
        set_opt(&mut row.error, &self.error);
        set_opt(&mut row.finished_at, &self.finished_at);
        set_opt(&mut row.duration_ms, &self.duration_ms);
        set(&mut row.pinned, &self.pinned);
    }
}

fn set<T: Clone>(field: &mut T, value: &Option<T>) {
    if let Some(value) = value {
        *field = value.clone();
    }
}

fn set_opt<T: Clone>(field: &mut Option<T>, value: &Option<T>) {
    if value.is_some() {
        *field = value.clone();
    }
}

/// The executions rows changed by one batch of events.
#[derive(Debug, Default)]
pub struct ExecutionChanges {
    /// Executions first seen in this batch, in order.
    pub new_executions: Vec<ExecutionRow>,
    /// Updates of executions from earlier batches, in event order.
    pub execution_updates: Vec<ExecutionUpdate>,
    /// Node runs started in this batch, in order.
    pub new_node_runs: Vec<NodeRunRow>,
    /// Updates of node runs from earlier batches, in event order.
    pub node_run_updates: Vec<NodeRunUpdate>,
    /// Executions deleted in this batch: their rows go after every other change (nothing
    /// follows a deletion in a stream).
    pub deleted: Vec<String>,
    executions_index: HashMap<String, usize>,
    node_runs_index: HashMap<(String, String, u32), usize>,
}

impl ExecutionChanges {
    fn update_execution(&mut self, update: ExecutionUpdate) {
        match self.executions_index.get(&update.id) {
            Some(&index) => update.apply_to(&mut self.new_executions[index]),
            None => self.execution_updates.push(update),
        }
    }

    fn update_node_run(&mut self, update: NodeRunUpdate) {
        let key = (
            update.execution_id.clone(),
            update.node_id.clone(),
            update.run_index,
        );
        match self.node_runs_index.get(&key) {
            Some(&index) => update.apply_to(&mut self.new_node_runs[index]),
            None => self.node_run_updates.push(update),
        }
    }

    /// Applies one event of an `execution` stream.
    pub fn apply(&mut self, stored: &StoredEvent) -> Result<(), ProjectionError> {
        let event = ExecutionEvent::deserialize(&stored.payload).map_err(|e| {
            ProjectionError::BadEvent {
                position: stored.position.to_string(),
                event_type: stored.event_type.clone(),
                reason: e.to_string(),
            }
        })?;
        let at = stored
            .metadata
            .get("timestamp")
            .cloned()
            .unwrap_or_default();
        let id = &stored.aggregate_id;
        let status = |s: ExecutionStatus| Some(s.as_str().to_string());
        let execution = |status: Option<String>| ExecutionUpdate {
            id: id.clone(),
            status,
            last_sequence: stored.sequence,
            ..Default::default()
        };
        let node_run = |node_id: &str, run_index: u32| NodeRunUpdate {
            execution_id: id.clone(),
            node_id: node_id.to_string(),
            run_index,
            ..Default::default()
        };
        use ExecutionEvent::*;
        match &event {
            ExecutionQueued {
                workflow_id,
                workflow_version,
                trigger,
                mode,
                ..
            } => {
                self.executions_index
                    .insert(id.clone(), self.new_executions.len());
                self.new_executions.push(ExecutionRow {
                    id: id.clone(),
                    workflow_id: workflow_id.clone(),
                    workflow_version: *workflow_version,
                    status: ExecutionStatus::Queued.as_str().to_string(),
                    trigger_kind: trigger.kind().to_string(),
                    trigger_detail: json_text(trigger),
                    mode: mode.as_str().to_string(),
                    queued_at: at,
                    started_at: None,
                    finished_at: None,
                    error: None,
                    error_node_id: None,
                    last_sequence: stored.sequence,
                });
                return Ok(());
            }
            ExecutionStarted => self.update_execution(ExecutionUpdate {
                started_at: Some(at),
                ..execution(status(ExecutionStatus::Running))
            }),
            ExecutionResumed => self.update_execution(execution(status(ExecutionStatus::Running))),
            WebhookResponded { .. } => self.update_execution(execution(None)),
            ExecutionWaiting { .. } => {
                self.update_execution(execution(status(ExecutionStatus::Waiting)))
            }
            ExecutionSucceeded | ExecutionCanceled => {
                let outcome = if matches!(event, ExecutionSucceeded) {
                    ExecutionStatus::Succeeded
                } else {
                    ExecutionStatus::Canceled
                };
                self.update_execution(ExecutionUpdate {
                    finished_at: Some(at),
                    ..execution(status(outcome))
                })
            }
            ExecutionFailed { error, node_id } => self.update_execution(ExecutionUpdate {
                finished_at: Some(at),
                error: Some(json_text(error)),
                error_node_id: node_id.clone(),
                ..execution(status(ExecutionStatus::Failed))
            }),
            NodeRunStarted {
                node_id,
                run_index,
                inputs,
            } => {
                self.node_runs_index.insert(
                    (id.clone(), node_id.clone(), *run_index),
                    self.new_node_runs.len(),
                );
                self.new_node_runs.push(NodeRunRow {
                    execution_id: id.clone(),
                    sequence: stored.sequence,
                    node_id: node_id.clone(),
                    run_index: *run_index,
                    status: "running".into(),
                    attempts: 1,
                    inputs: json_text(inputs),
                    outputs: None,
                    error: None,
                    started_at: at,
                    finished_at: None,
                    duration_ms: None,
                    pinned: false,
                });
            }
            NodeRunSucceeded {
                node_id,
                run_index,
                outputs,
                duration_ms,
                pinned,
            } => self.update_node_run(NodeRunUpdate {
                status: Some("succeeded".into()),
                outputs: Some(json_text(outputs)),
                finished_at: Some(at),
                duration_ms: Some(*duration_ms),
                pinned: Some(*pinned),
                ..node_run(node_id, *run_index)
            }),
            NodeRunFailed {
                node_id,
                run_index,
                error,
                attempt,
                will_retry,
            } => self.update_node_run(NodeRunUpdate {
                status: (!will_retry).then(|| "failed".to_string()),
                attempts: Some(*attempt),
                error: Some(json_text(error)),
                finished_at: (!will_retry).then_some(at),
                ..node_run(node_id, *run_index)
            }),
            NodeRunRetried {
                node_id,
                run_index,
                next_attempt,
                ..
            } => self.update_node_run(NodeRunUpdate {
                attempts: Some(*next_attempt),
                ..node_run(node_id, *run_index)
            }),
            NodeRunCanceled { node_id, run_index } => self.update_node_run(NodeRunUpdate {
                status: Some("canceled".into()),
                finished_at: Some(at),
                ..node_run(node_id, *run_index)
            }),
            ExecutionDeleted => self.deleted.push(id.clone()),
        }
        if event.type_name().starts_with("NodeRun") {
            self.update_execution(execution(None));
        }
        Ok(())
    }
}

/// A field stored as JSON text.
fn json_text<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
