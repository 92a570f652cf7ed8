//! What a worker that claims an execution needs from its stream: the folded state, how it was
//! started, the outputs of the node runs that succeeded (replayed, not run again) and how a
//! previous owner left it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use weft_commands::{EventStore, StoreError};
use weft_domain::definition::NodeId;
use weft_domain::execution::{
    Execution, ExecutionEvent, ExecutionMode, ItemList, RunError, Trigger,
};

use weft_domain::metadata::{Actor, EventMetadata};

use crate::item::{Item, Items, share};

/// One execution as recorded so far.
pub(super) struct Recorded {
    /// Who the execution's events are attributed to (the submitter).
    pub(super) actor: Actor,
    /// The folded state (its version is the stream's last sequence).
    pub(super) state: Execution,
    /// What started it.
    pub(super) trigger: Trigger,
    /// Manual or production.
    pub(super) mode: ExecutionMode,
    /// Its input items.
    pub(super) input: ItemList,
    /// The first node that ran.
    pub(super) start_node: Option<NodeId>,
    /// The node a partial run stops at.
    pub(super) destination_node: Option<NodeId>,
    /// Outputs of the node runs that succeeded, by node and run index.
    pub(super) succeeded: HashMap<(NodeId, usize), Vec<Items>>,
    /// When a waiting execution is due.
    pub(super) resume_at: Option<DateTime<Utc>>,
    /// A node failure that ends the run, recorded without the final `ExecutionFailed` (the
    /// previous owner died in between).
    pub(super) final_failure: Option<(NodeId, RunError)>,
    /// A node run canceled without the final `ExecutionCanceled`.
    pub(super) canceled: bool,
}

impl Recorded {
    /// Reads and folds the stream; `None` when it has no events.
    pub(super) async fn load(
        store: &EventStore,
        execution_id: &str,
    ) -> Result<Option<Self>, StoreError> {
        let mut stored = store.stream(Execution::TYPE, execution_id).await?;
        // Blob-backed item lists are replayed exactly as recorded.
        store
            .resolve_blobs(stored.iter_mut().map(|event| &mut event.payload))
            .await?;
        if stored.is_empty() {
            return Ok(None);
        }
        let mut recorded = Recorded {
            actor: serde_json::from_value(stored[0].metadata.clone())
                .ok()
                .and_then(|map| EventMetadata::from_map(&map))
                .map_or_else(|| Actor::system("worker"), |m| m.actor),
            state: Execution::default(),
            trigger: Trigger::Manual,
            mode: ExecutionMode::Manual,
            input: Vec::new(),
            start_node: None,
            destination_node: None,
            succeeded: HashMap::new(),
            resume_at: None,
            final_failure: None,
            canceled: false,
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
                    trigger,
                    mode,
                    input,
                    destination_node_id,
                    ..
                } => {
                    recorded.destination_node = destination_node_id.clone();
                    recorded.trigger = trigger.clone();
                    recorded.mode = *mode;
                    recorded.input = input.items()?.clone();
                }
                ExecutionEvent::NodeRunStarted { node_id, .. } => {
                    if recorded.start_node.is_none() {
                        recorded.start_node = Some(node_id.clone());
                    }
                    recorded.final_failure = None;
                    recorded.canceled = false;
                }
                ExecutionEvent::NodeRunSucceeded {
                    node_id,
                    run_index,
                    outputs,
                    ..
                } => {
                    let outputs = outputs
                        .iter()
                        .map(|items| Ok(share(items.items()?.iter().map(Item::from_n8n).collect())))
                        .collect::<Result<_, StoreError>>()?;
                    recorded
                        .succeeded
                        .insert((node_id.clone(), *run_index as usize), outputs);
                }
                ExecutionEvent::NodeRunFailed {
                    node_id,
                    error,
                    will_retry: false,
                    ..
                } => recorded.final_failure = Some((node_id.clone(), error.clone())),
                ExecutionEvent::NodeRunCanceled { .. } => recorded.canceled = true,
                ExecutionEvent::ExecutionWaiting { resume_at, .. } => {
                    recorded.resume_at = Some(*resume_at)
                }
                _ => {}
            }
            recorded.state.apply(event);
        }
        Ok(Some(recorded))
    }

    /// The input as items (one empty item when none was recorded).
    pub(super) fn input_items(&self) -> Vec<Item> {
        if self.input.is_empty() {
            vec![Item::default()]
        } else {
            self.input.iter().map(Item::from_n8n).collect()
        }
    }
}
