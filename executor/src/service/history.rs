//! An execution as recorded: its events read back from the stream and folded, for retries,
//! stops and resumption.

use cqrs_es::Aggregate;
use weft_commands::{EventStore, StoreError};
use weft_domain::definition::NodeId;
use weft_domain::execution::{Execution, ExecutionEvent, ExecutionMode, ItemList, Trigger};

use super::error::ServiceError;
use crate::item::{Item, share};
use crate::options::RecordedRun;

/// The facts of one recorded execution a retry or a resumption needs.
#[derive(Debug, Clone)]
pub(super) struct History {
    /// The folded state.
    pub(super) state: Execution,
    /// The workflow version it ran.
    pub(super) workflow_version: u64,
    /// What started it.
    pub(super) trigger: Trigger,
    /// Manual or production.
    pub(super) mode: ExecutionMode,
    /// Its input items.
    pub(super) input: ItemList,
    /// Succeeded node runs in order, with their outputs.
    pub(super) succeeded: Vec<(NodeId, Vec<ItemList>)>,
    /// The node whose failure ended it.
    pub(super) failed_node: Option<NodeId>,
    /// The first node that ran (the start node).
    pub(super) start_node: Option<NodeId>,
    /// The node a partial run stopped at.
    pub(super) destination_node: Option<NodeId>,
}

impl History {
    /// Reads and folds the execution's stream; `ExecutionNotFound` when it has no events.
    pub(super) async fn load(store: &EventStore, execution_id: &str) -> Result<Self, ServiceError> {
        let mut stored = store.stream(Execution::TYPE, execution_id).await?;
        store
            .resolve_blobs(stored.iter_mut().map(|event| &mut event.payload))
            .await?;
        if stored.is_empty() {
            return Err(ServiceError::ExecutionNotFound(execution_id.to_string()));
        }
        let mut history = History {
            state: Execution::default(),
            workflow_version: 0,
            trigger: Trigger::Manual,
            mode: ExecutionMode::Manual,
            input: Vec::new(),
            succeeded: Vec::new(),
            failed_node: None,
            start_node: None,
            destination_node: None,
        };
        for event in stored {
            let sequence = event.sequence;
            let event: ExecutionEvent =
                serde_json::from_value(event.payload).map_err(|e| StoreError::Corrupt {
                    position: format!("execution-{execution_id}#{sequence}"),
                    reason: e.to_string(),
                })?;
            match &event {
                ExecutionEvent::ExecutionQueued {
                    workflow_version,
                    trigger,
                    mode,
                    input,
                    destination_node_id,
                    ..
                } => {
                    history.destination_node = destination_node_id.clone();
                    history.workflow_version = *workflow_version;
                    history.trigger = trigger.clone();
                    history.mode = *mode;
                    history.input = input.items().map_err(StoreError::from)?.clone();
                }
                ExecutionEvent::NodeRunStarted { node_id, .. } if history.start_node.is_none() => {
                    history.start_node = Some(node_id.clone());
                }
                ExecutionEvent::NodeRunSucceeded {
                    node_id, outputs, ..
                } => history.succeeded.push((
                    node_id.clone(),
                    outputs
                        .iter()
                        .map(|items| items.items().cloned())
                        .collect::<Result<_, _>>()
                        .map_err(StoreError::from)?,
                )),
                ExecutionEvent::NodeRunFailed {
                    node_id,
                    will_retry: false,
                    ..
                } => history.failed_node = Some(node_id.clone()),
                ExecutionEvent::ExecutionFailed {
                    node_id: Some(node_id),
                    ..
                } => history.failed_node = Some(node_id.clone()),
                _ => {}
            }
            history.state.apply(event);
        }
        Ok(history)
    }

    /// The input as items.
    pub(super) fn input_items(&self) -> Vec<Item> {
        self.input.iter().map(Item::from_n8n).collect()
    }

    /// The succeeded runs as recorded runs for the engine, keeping only nodes `exists` knows.
    pub(super) fn recorded_runs(&self, exists: impl Fn(&str) -> bool) -> Vec<RecordedRun> {
        self.succeeded
            .iter()
            .filter(|(node_id, _)| exists(node_id))
            .map(|(node_id, outputs)| RecordedRun {
                node_id: node_id.clone(),
                outputs: outputs
                    .iter()
                    .map(|items| share(items.iter().map(Item::from_n8n).collect()))
                    .collect(),
                sources: Vec::new(),
            })
            .collect()
    }
}
