//! Execution events as row changes (pure; no database access).
//!
//! Rows created in a batch absorb the batch's later events, so an execution that starts and ends
//! within one batch is written as plain inserts. Events for rows written by an earlier batch
//! become updates that set only the fields they know.

use std::collections::HashMap;

use serde::Serialize;
use weft_commands::StoredEvent;
use weft_domain::execution::{ExecutionEvent, ExecutionStatus};

use super::node_runs::is_node_run_event;
use crate::error::{ProjectionError, parse_payload};
use crate::model::meta;

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
    /// Executions deleted in this batch: their rows go after every other change (nothing
    /// follows a deletion in a stream).
    pub deleted: Vec<String>,
    executions_index: HashMap<String, usize>,
}

impl ExecutionChanges {
    fn update_execution(&mut self, update: ExecutionUpdate) {
        match self.executions_index.get(&update.id) {
            Some(&index) => update.apply_to(&mut self.new_executions[index]),
            None => self.execution_updates.push(update),
        }
    }

    /// Applies one event of an `execution` stream.
    pub fn apply(&mut self, stored: &StoredEvent) -> Result<(), ProjectionError> {
        let id = &stored.aggregate_id;
        let execution = |status: Option<String>| ExecutionUpdate {
            id: id.clone(),
            status,
            last_sequence: stored.sequence,
            ..Default::default()
        };
        if is_node_run_event(&stored.event_type) {
            // Node runs are read from the stream itself (`super::node_runs`); the row only
            // records how far into the stream it is.
            self.update_execution(execution(None));
            return Ok(());
        }
        let event = parse_payload::<ExecutionEvent>(stored)?;
        let at = meta(stored, "timestamp").to_string();
        let status = |s: ExecutionStatus| Some(s.as_str().to_string());
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
            NodeRunStarted { .. }
            | NodeRunSucceeded { .. }
            | NodeRunFailed { .. }
            | NodeRunRetried { .. }
            | NodeRunCanceled { .. } => self.update_execution(execution(None)),
            ExecutionDeleted => self.deleted.push(id.clone()),
        }
        Ok(())
    }
}

/// A field stored as JSON text.
fn json_text<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
