//! The observer of a taken-over execution: the recorder, except that the node run the previous
//! owner left open (recorded as an abandoned attempt followed by a retry) is continued rather
//! than started again, with its attempts numbered after the abandoned ones.

use std::collections::HashMap;

use weft_domain::definition::NodeId;

use crate::observer::{ExecutionEvent as Step, ExecutionObserver};
use crate::record::ExecutionRecorder;

/// Forwards steps to the recorder, continuing reopened runs.
pub(super) struct Continuing<'a> {
    pub(super) recorder: &'a mut ExecutionRecorder,
    /// Attempts already recorded per reopened node run.
    pub(super) reopened: HashMap<(NodeId, usize), u32>,
}

impl ExecutionObserver for Continuing<'_> {
    fn on_event(&mut self, step: Step<'_>) {
        let offset = |node_id: &str, run_index: usize| {
            self.reopened
                .get(&(node_id.to_string(), run_index))
                .copied()
        };
        let step = match step {
            // The run is still open in the stream: its retry was recorded at takeover.
            Step::NodeStarted {
                node_id, run_index, ..
            } if offset(node_id, run_index).is_some() => return,
            Step::NodeFailed {
                node_id,
                run_index,
                error,
                attempt,
                will_retry,
            } => Step::NodeFailed {
                node_id,
                run_index,
                error,
                attempt: attempt + offset(node_id, run_index).unwrap_or(0),
                will_retry,
            },
            Step::NodeRetried {
                node_id,
                run_index,
                next_attempt,
                wait,
            } => Step::NodeRetried {
                node_id,
                run_index,
                next_attempt: next_attempt + offset(node_id, run_index).unwrap_or(0),
                wait,
            },
            step => step,
        };
        self.recorder.on_event(step);
    }
}
