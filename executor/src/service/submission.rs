//! What a caller submits and what it gets back: the execution id at once, then (optionally) the
//! moment the execution is durably queued, an early webhook response, and the final outcome.

use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::{oneshot, watch};
use weft_domain::definition::NodeId;
use weft_domain::execution::{ExecutionMode, Trigger};
use weft_domain::metadata::Actor;

use super::error::ServiceError;
use crate::engine::ExecutionResult;
use crate::error::NodeError;
use crate::graph::CompiledWorkflow;
use crate::item::Item;
use crate::observer::ExecutionStatus;
use crate::record::FlushPoint;
use crate::report::run_data_json;
use crate::respond::{Responder, WebhookResponse};

/// Which version of a workflow runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WorkflowVersion {
    /// The version current at submission.
    #[default]
    Current,
    /// Exactly this version.
    Exact(u64),
}

/// A request to run a stored workflow.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The workflow.
    pub workflow_id: String,
    /// Which version.
    pub version: WorkflowVersion,
    /// What started it (recorded with the execution).
    pub trigger: Trigger,
    /// Items fed to the start node (one empty item when empty).
    pub input: Vec<Item>,
    /// Manual (pinned data honoured) or production.
    pub mode: ExecutionMode,
    /// The trigger node to start at (the webhook node that fired); default: n8n's start rule.
    pub start_node: Option<NodeId>,
    /// Run only up to this node ("Execute step"); default: the whole workflow.
    pub destination_node: Option<NodeId>,
    /// Who the events are attributed to.
    pub actor: Actor,
}

impl Submission {
    /// A manual run of the workflow's current version with `input`, attributed to `actor`.
    pub fn manual(workflow_id: impl Into<String>, input: Vec<Item>, actor: Actor) -> Self {
        Self {
            workflow_id: workflow_id.into(),
            version: WorkflowVersion::Current,
            trigger: Trigger::Manual,
            input,
            mode: ExecutionMode::Manual,
            start_node: None,
            destination_node: None,
            actor,
        }
    }
}

/// The end of an execution as its submitter sees it.
#[derive(Clone)]
pub struct ExecutionOutcome {
    /// The execution.
    pub execution_id: String,
    /// The workflow version that ran.
    pub workflow_version: u64,
    /// What the engine returned (status, error, every node run).
    pub result: ExecutionResult,
    /// The compiled workflow (for node names).
    pub workflow: Arc<CompiledWorkflow>,
    /// The response a Respond to Webhook node gave, if one ran.
    pub response: Option<WebhookResponse>,
}

impl std::fmt::Debug for ExecutionOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecutionOutcome")
            .field("execution_id", &self.execution_id)
            .field("workflow_version", &self.workflow_version)
            .field("result", &self.result)
            .field("response", &self.response)
            .finish_non_exhaustive()
    }
}

impl ExecutionOutcome {
    /// Final status (`Waiting` when a long Wait suspended it).
    pub fn status(&self) -> ExecutionStatus {
        self.result.status
    }

    /// The error that ended the run.
    pub fn error(&self) -> Option<&NodeError> {
        self.result.error.as_ref()
    }

    /// The items of the first output of the node that ran last (what n8n's "When Last Node
    /// Finishes" webhooks answer with).
    pub fn last_node_items(&self) -> Vec<Item> {
        let run_data = &self.result.run_data;
        run_data
            .order()
            .last()
            .and_then(|(node, run)| run_data.runs(*node)[*run].outputs.first())
            .map(|items| items.to_vec())
            .unwrap_or_default()
    }

    /// `{"status", "runData"}` as `weft run --json` prints it.
    pub fn run_data_json(&self) -> Value {
        run_data_json(&self.workflow, &self.result)
    }
}

/// The submitter's view of a running execution.
pub struct ExecutionHandle {
    /// The execution id (known before anything runs).
    pub execution_id: String,
    /// The exact workflow version that runs.
    pub workflow_version: u64,
    pub(super) committed: watch::Receiver<u64>,
    /// The response and the last sequence recorded when it was given.
    pub(super) response: oneshot::Receiver<(WebhookResponse, u64)>,
    pub(super) outcome: oneshot::Receiver<Result<ExecutionOutcome, ServiceError>>,
}

impl ExecutionHandle {
    /// Waits until the execution is durably queued (its first event committed): after this an
    /// answered request is never a lost execution.
    pub async fn accepted(&mut self) -> Result<(), ServiceError> {
        loop {
            if *self.committed.borrow_and_update() >= 1 {
                return Ok(());
            }
            if self.committed.changed().await.is_err() {
                return if *self.committed.borrow() >= 1 {
                    Ok(())
                } else {
                    Err(ServiceError::Stopped)
                };
            }
        }
    }

    /// The response of a Respond to Webhook node, once the events the execution recorded up to
    /// that node are committed; `None` when the execution ended (or suspended) without one, or
    /// its events could not be appended.
    pub async fn response(&mut self) -> Option<WebhookResponse> {
        let (response, recorded) = (&mut self.response).await.ok()?;
        self.committed.wait_for(|c| *c >= recorded).await.ok()?;
        Some(response)
    }

    /// Waits for the execution to end (or suspend) with its final events committed.
    pub async fn outcome(self) -> Result<ExecutionOutcome, ServiceError> {
        self.outcome.await.unwrap_or(Err(ServiceError::Stopped))
    }
}

/// Passes the first Respond to Webhook response to the waiting submitter and keeps a copy for
/// the outcome.
pub(super) struct ResponseSlot {
    sender: Mutex<Option<oneshot::Sender<(WebhookResponse, u64)>>>,
    given: Mutex<Option<WebhookResponse>>,
    recorded: FlushPoint,
}

impl ResponseSlot {
    pub(super) fn new(
        recorded: FlushPoint,
    ) -> (Arc<Self>, oneshot::Receiver<(WebhookResponse, u64)>) {
        let (sender, receiver) = oneshot::channel();
        let slot = Arc::new(Self {
            sender: Mutex::new(Some(sender)),
            given: Mutex::new(None),
            recorded,
        });
        (slot, receiver)
    }

    /// The response given, if any; closes the channel so a waiter learns there is none.
    pub(super) fn close(&self) -> Option<WebhookResponse> {
        self.sender.lock().expect("response lock").take();
        self.given.lock().expect("response lock").clone()
    }
}

impl Responder for ResponseSlot {
    fn respond(&self, response: WebhookResponse) {
        let Some(sender) = self.sender.lock().expect("response lock").take() else {
            return;
        };
        *self.given.lock().expect("response lock") = Some(response.clone());
        let _ = sender.send((response, self.recorded.recorded()));
    }
}
