//! The observer of a taken-over execution: the recorder, except that the node run the previous
//! owner left open (recorded as an abandoned attempt followed by a retry) is continued rather
//! than started again, with its attempts numbered after the abandoned ones.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use weft_domain::definition::NodeId;
use weft_domain::execution::{ExecutionCommand, ExecutionEvent};

use super::super::submission::ResponseSlot;
use crate::observer::{ExecutionEvent as Step, ExecutionObserver};
use crate::record::ExecutionRecorder;
use crate::respond::{Responder, WebhookResponse};

/// The responder of a queued execution: keeps the first Respond to Webhook response until the
/// observer records it (so a submitter in another process can answer), and hands it at once to
/// a submitter waiting in this process.
pub(super) struct Captured {
    pending: Mutex<Option<WebhookResponse>>,
    local: Option<Arc<ResponseSlot>>,
}

impl Captured {
    pub(super) fn new(local: Option<Arc<ResponseSlot>>) -> Arc<Self> {
        Arc::new(Self {
            pending: Mutex::new(None),
            local,
        })
    }

    fn take(&self) -> Option<WebhookResponse> {
        self.pending.lock().expect("response lock").take()
    }
}

impl Responder for Captured {
    fn respond(&self, response: WebhookResponse) {
        if let Some(local) = &self.local {
            local.respond(response.clone());
        }
        self.pending
            .lock()
            .expect("response lock")
            .get_or_insert(response);
    }
}

/// Forwards steps to the recorder, continuing reopened runs.
pub(super) struct Continuing<'a> {
    pub(super) recorder: &'a mut ExecutionRecorder,
    /// Attempts already recorded per reopened node run.
    pub(super) reopened: HashMap<(NodeId, usize), u32>,
    /// The responder given to the engine.
    pub(super) responses: Arc<Captured>,
}

impl Continuing<'_> {
    /// Records the response a Respond to Webhook node (`node_id`, whose run just ended) gave.
    fn record_response(&mut self, node_id: &str) {
        let Some(response) = self.responses.take() else {
            return;
        };
        let event = ExecutionEvent::WebhookResponded {
            node_id: node_id.to_string(),
            status: response.status,
            headers: response.headers,
            body: serde_json::to_value(&response.body).unwrap_or_default(),
        };
        // Rejected only when an earlier owner already recorded the response: the first counts.
        let _ = self.recorder.execute(ExecutionCommand::RecordStep(event));
    }
}

impl ExecutionObserver for Continuing<'_> {
    fn on_event(&mut self, step: Step<'_>) {
        if let Step::NodeSucceeded { node_id, .. } | Step::NodeFailed { node_id, .. } = &step {
            self.record_response(node_id);
        }
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
