//! Step-by-step reporting of an execution, so the persistence layer can turn each step into an event.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::NodeError;
use crate::item::Items;

/// Final state of an execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExecutionStatus {
    /// Every scheduled node ran (failures were handled by `onError`).
    Success,
    /// A node failed and stopped the workflow, or the workflow timed out.
    Error,
    /// The run was canceled.
    Canceled,
    /// The run is suspended until a time (long Wait); resume it with its suspension.
    Waiting,
}

/// One step of an execution. Borrowed data is valid only during the call; items are shared
/// lists, so cloning them is cheap.
#[derive(Debug)]
pub enum ExecutionEvent<'a> {
    /// A node run begins.
    NodeStarted {
        /// Node id.
        node_id: &'a str,
        /// Run index of this node (0 for its first run).
        run_index: usize,
        /// Items per input (`None` for an input without data).
        inputs: &'a [Option<Items>],
    },
    /// A node run produced its outputs.
    NodeSucceeded {
        /// Node id.
        node_id: &'a str,
        /// Run index.
        run_index: usize,
        /// Items per output (the error output last, when the node has one).
        outputs: &'a [Items],
        /// Wall-clock time of the node run, all attempts included.
        duration: Duration,
        /// Whether the outputs came from pinned data instead of running the node.
        pinned: bool,
    },
    /// An attempt failed.
    NodeFailed {
        /// Node id.
        node_id: &'a str,
        /// Run index.
        run_index: usize,
        /// The failure.
        error: &'a NodeError,
        /// Attempt number, starting at 1.
        attempt: u32,
        /// Whether another attempt follows.
        will_retry: bool,
    },
    /// The engine waits before the next attempt of a failed node.
    NodeRetried {
        /// Node id.
        node_id: &'a str,
        /// Run index.
        run_index: usize,
        /// Number of the attempt about to start.
        next_attempt: u32,
        /// Wait before it.
        wait: Duration,
    },
    /// The run was canceled (or timed out) while this node was current.
    NodeCanceled {
        /// Node id.
        node_id: &'a str,
        /// Run index.
        run_index: usize,
    },
    /// A Wait node suspended the execution until `resume_at`.
    Suspended {
        /// The Wait node.
        node_id: &'a str,
        /// When to resume.
        resume_at: chrono::DateTime<chrono::Utc>,
    },
    /// The execution ended (or, with status `Waiting`, paused).
    Finished {
        /// Final status.
        status: ExecutionStatus,
        /// The error that ended the run, if any.
        error: Option<&'a NodeError>,
    },
}

/// Receives every step of an execution, in order, on the task that runs it.
pub trait ExecutionObserver: Send {
    /// Called once per step.
    fn on_event(&mut self, event: ExecutionEvent<'_>);
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoopObserver;

impl ExecutionObserver for NoopObserver {
    fn on_event(&mut self, _event: ExecutionEvent<'_>) {}
}

impl<F: FnMut(ExecutionEvent<'_>) + Send> ExecutionObserver for F {
    fn on_event(&mut self, event: ExecutionEvent<'_>) {
        self(event)
    }
}
