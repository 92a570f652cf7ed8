//! Engine steps as domain execution events.

use weft_domain::execution::{ExecutionEvent as Recorded, ItemData, ItemList, RunError};

use crate::error::NodeError;
use crate::item::{Item, Items};
use crate::observer::ExecutionEvent as Step;

/// Items as n8n JSON.
pub(super) fn item_list(items: &[Item]) -> ItemList {
    items.iter().map(Item::to_n8n).collect()
}

/// Items as inline item data (the recorder moves large lists to blobs when it stores them).
fn item_data(items: &[Item]) -> ItemData {
    ItemData::Inline(item_list(items))
}

/// A node error as recorded.
pub(super) fn run_error(error: &NodeError) -> RunError {
    RunError {
        kind: serde_json::to_value(error.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        message: error.message.clone(),
        description: error.description.clone(),
        item_index: error.item_index.map(|i| i as u64),
    }
}

/// The node-level event of a step; `None` for steps that end the execution (`Finished`), which
/// the recorder turns into commands.
pub(super) fn node_event(step: &Step<'_>) -> Option<Recorded> {
    Some(match step {
        Step::NodeStarted {
            node_id,
            run_index,
            inputs,
        } => Recorded::NodeRunStarted {
            node_id: node_id.to_string(),
            run_index: *run_index as u32,
            inputs: inputs
                .iter()
                .map(|input| input.as_ref().map(|items: &Items| item_data(items)))
                .collect(),
        },
        Step::NodeSucceeded {
            node_id,
            run_index,
            outputs,
            duration,
            pinned,
        } => Recorded::NodeRunSucceeded {
            node_id: node_id.to_string(),
            run_index: *run_index as u32,
            outputs: outputs.iter().map(|items| item_data(items)).collect(),
            duration_ms: duration.as_millis() as u64,
            pinned: *pinned,
        },
        Step::NodeFailed {
            node_id,
            run_index,
            error,
            attempt,
            will_retry,
        } => Recorded::NodeRunFailed {
            node_id: node_id.to_string(),
            run_index: *run_index as u32,
            error: run_error(error),
            attempt: *attempt,
            will_retry: *will_retry,
        },
        Step::NodeRetried {
            node_id,
            run_index,
            next_attempt,
            wait,
        } => Recorded::NodeRunRetried {
            node_id: node_id.to_string(),
            run_index: *run_index as u32,
            next_attempt: *next_attempt,
            wait_ms: wait.as_millis() as u64,
        },
        Step::NodeCanceled { node_id, run_index } => Recorded::NodeRunCanceled {
            node_id: node_id.to_string(),
            run_index: *run_index as u32,
        },
        Step::Suspended { node_id, resume_at } => Recorded::ExecutionWaiting {
            node_id: node_id.to_string(),
            resume_at: *resume_at,
        },
        Step::Finished { .. } => return None,
    })
}
