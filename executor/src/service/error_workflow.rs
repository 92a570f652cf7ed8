//! Error workflows: when an execution fails and its workflow version names an error workflow
//! (`settings.errorWorkflow`), that workflow runs with n8n's error data, starting at its Error
//! Trigger node. An error workflow's own failure does not start another one, so two workflows
//! that name each other cannot loop.

use serde_json::{Value, json};
use weft_domain::execution::{ExecutionMode, Trigger};
use weft_domain::metadata::Actor;

use super::ExecutionService;
use super::cache::ResolvedWorkflow;
use super::submission::{Submission, WorkflowVersion};
use crate::engine::ExecutionResult;
use crate::item::Item;
use crate::observer::ExecutionStatus;

/// The node type an error workflow starts at.
const ERROR_TRIGGER: &str = "n8n-nodes-base.errorTrigger";

/// A finished execution that may need its error workflow.
pub(super) struct Finished<'a> {
    /// The execution.
    pub(super) execution_id: &'a str,
    /// The workflow version that ran.
    pub(super) resolved: &'a ResolvedWorkflow,
    /// What the engine returned.
    pub(super) result: &'a ExecutionResult,
    /// What started it.
    pub(super) trigger: &'a Trigger,
    /// Manual or production.
    pub(super) mode: ExecutionMode,
}

/// n8n's error trigger item for a failed execution.
fn error_data(finished: &Finished<'_>) -> Value {
    let error = finished.result.error.as_ref();
    let failed_node = finished
        .result
        .failed_node
        .as_ref()
        .and_then(|id| finished.resolved.compiled.index_of(id))
        .map(|index| &finished.resolved.compiled.node(index).node);
    let retry_of = match finished.trigger {
        Trigger::Retry {
            original_execution_id,
            ..
        } => Value::String(original_execution_id.clone()),
        _ => Value::Null,
    };
    json!({
        "execution": {
            "id": finished.execution_id,
            "retryOf": retry_of,
            "mode": match finished.mode {
                ExecutionMode::Manual => "manual",
                ExecutionMode::Production => "trigger",
            },
            "lastNodeExecuted": failed_node.map(|n| n.name.clone()),
            "error": {
                "message": error.map(|e| e.message.clone()).unwrap_or_default(),
                "description": error.and_then(|e| e.description.clone()),
                "node": failed_node.map(|n| json!({"id": n.id, "name": n.name, "type": n.node_type})),
            },
        },
        "workflow": {
            "id": finished.resolved.info.id,
            "name": finished.resolved.info.name,
        },
    })
}

impl ExecutionService {
    /// Starts the error workflow of a failed execution in the background, if it has one.
    /// Problems (the error workflow was deleted, cannot run) are logged, never raised: the
    /// failed execution is already recorded.
    pub(super) fn start_error_workflow(&self, finished: Finished<'_>) {
        if finished.result.status != ExecutionStatus::Error
            || matches!(finished.trigger, Trigger::Error { .. })
        {
            return;
        }
        let Some(error_workflow) = finished.resolved.error_workflow.clone() else {
            return;
        };
        let input = Item::from_value(error_data(&finished));
        let failed_execution_id = finished.execution_id.to_string();
        let service = self.clone();
        tokio::spawn(async move {
            let started = async {
                let resolved = service
                    .resolve(&error_workflow, WorkflowVersion::Current)
                    .await?;
                let start_node = resolved
                    .compiled
                    .first_enabled_of_type(ERROR_TRIGGER)
                    .map(str::to_string);
                service
                    .submit(Submission {
                        workflow_id: error_workflow.clone(),
                        version: WorkflowVersion::Exact(resolved.version),
                        trigger: Trigger::Error {
                            failed_execution_id: failed_execution_id.clone(),
                        },
                        input: vec![input],
                        mode: ExecutionMode::Production,
                        start_node,
                        destination_node: None,
                        actor: Actor::system("error-workflow"),
                    })
                    .await
            };
            if let Err(error) = started.await {
                tracing::warn!(
                    %error,
                    failed_execution_id,
                    error_workflow,
                    "cannot start the error workflow"
                );
            }
        });
    }
}
