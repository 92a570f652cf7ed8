//! Answering submitters in this process whose execution another process runs: a task tails the
//! log (woken by the store's append notifications, which cross processes on Postgres) and, for
//! each waiting submitter, hands over the recorded webhook response and, once the execution ended
//! or suspended, an outcome rebuilt from its events.

use std::sync::Arc;
use std::time::Duration;

use cqrs_es::Aggregate;
use weft_commands::{LogPosition, StoreError, StoredEvent};
use weft_domain::execution::{Execution, ExecutionEvent, RunError};

use super::super::submission::ExecutionOutcome;
use super::super::{ExecutionService, ServiceError, WorkflowVersion};
use crate::engine::ExecutionResult;
use crate::error::NodeError;
use crate::item::{Item, share};
use crate::observer::ExecutionStatus;
use crate::respond::WebhookResponse;
use crate::run_data::{NodeRun, RunData};

const PAGE: usize = 500;

/// Starts the task that answers this service's submitters from other processes' events; it
/// ends when the service is dropped.
pub(in crate::service) fn watch(service: &ExecutionService) {
    let weak = Arc::downgrade(&service.inner);
    let store = service.inner.store.clone();
    tokio::spawn(async move {
        let mut appended = store.appended();
        let mut after = store.head().await.unwrap_or(LogPosition::START);
        loop {
            tokio::select! {
                changed = appended.changed() => if changed.is_err() { break },
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            let Some(inner) = weak.upgrade() else { break };
            let service = ExecutionService { inner };
            let Some(durable) = service.inner.queue.as_ref() else {
                break;
            };
            if durable.waiters.is_empty() {
                if let Ok(head) = store.head().await {
                    after = head;
                }
                continue;
            }
            loop {
                let page = match store.read_after(after, PAGE).await {
                    Ok(page) => page,
                    Err(error) => {
                        tracing::warn!(%error, "reading the log for waiting submitters failed");
                        break;
                    }
                };
                let Some(last) = page.last() else { break };
                after = last.position;
                for event in &page {
                    if event.aggregate_type == Execution::TYPE
                        && durable.waiters.contains(&event.aggregate_id)
                    {
                        service.deliver(event).await;
                    }
                }
                if page.len() < PAGE {
                    break;
                }
            }
        }
    });
}

/// The recorded response as the engine gave it.
fn response_of(event: &ExecutionEvent) -> Option<WebhookResponse> {
    let ExecutionEvent::WebhookResponded {
        status,
        headers,
        body,
        ..
    } = event
    else {
        return None;
    };
    Some(WebhookResponse {
        status: *status,
        headers: headers.clone(),
        body: serde_json::from_value(body.clone()).ok()?,
    })
}

fn node_error(error: &RunError) -> NodeError {
    NodeError {
        kind: serde_json::from_value(serde_json::Value::String(error.kind.clone()))
            .unwrap_or(crate::error::NodeErrorKind::Operation),
        message: error.message.clone(),
        description: error.description.clone(),
        item_index: error.item_index.map(|i| i as usize),
    }
}

impl ExecutionService {
    /// Passes one event of a waited-for execution to its submitter.
    async fn deliver(&self, stored: &StoredEvent) {
        let Ok(event) = stored.payload.parse::<ExecutionEvent>() else {
            return;
        };
        // Without a durable queue nobody waits here for an execution run elsewhere.
        let Some(durable) = self.inner.queue.as_ref() else {
            return;
        };
        if let Some(response) = response_of(&event) {
            durable.waiters.respond(&stored.aggregate_id, response);
            return;
        }
        if matches!(
            event,
            ExecutionEvent::ExecutionSucceeded
                | ExecutionEvent::ExecutionFailed { .. }
                | ExecutionEvent::ExecutionCanceled
                | ExecutionEvent::ExecutionWaiting { .. }
        ) {
            self.answer_from_events(&stored.aggregate_id).await;
        }
    }

    /// Answers the submitter of an execution that ended (or suspended) from its events; does
    /// nothing while it runs.
    pub(in crate::service) async fn answer_from_events(&self, execution_id: &str) {
        // Without a durable queue nobody waits here for an execution run elsewhere.
        let Some(durable) = self.inner.queue.as_ref() else {
            return;
        };
        let outcome = match self.outcome_from_events(execution_id).await {
            Ok(Some(outcome)) => Ok(outcome),
            Ok(None) => return,
            Err(error) => Err(error),
        };
        if let Some(waiter) = durable.waiters.take(execution_id) {
            let outcome = outcome.map(|mut outcome| {
                // A response given in this process counts even if its event came later.
                if let Some(response) = waiter.slot.close() {
                    outcome.response = Some(response);
                }
                outcome
            });
            let _ = waiter.sender.send(outcome);
        }
    }

    /// The outcome of an execution as its events record it; `None` while it runs.
    async fn outcome_from_events(
        &self,
        execution_id: &str,
    ) -> Result<Option<ExecutionOutcome>, ServiceError> {
        let mut stored = self
            .inner
            .store
            .stream(Execution::TYPE, execution_id)
            .await?;
        self.inner
            .store
            .resolve_blobs(stored.iter_mut().map(|event| &mut event.payload))
            .await?;
        let mut events = Vec::with_capacity(stored.len());
        for event in stored {
            let sequence = event.sequence;
            events.push(
                serde_json::from_value::<ExecutionEvent>(event.payload).map_err(|e| {
                    StoreError::Corrupt {
                        position: format!("execution-{execution_id}#{sequence}"),
                        reason: e.to_string(),
                    }
                })?,
            );
        }
        let mut state = Execution::default();
        for event in &events {
            state.apply(event.clone());
        }
        let status = match state.status {
            weft_domain::execution::ExecutionStatus::Succeeded => ExecutionStatus::Success,
            weft_domain::execution::ExecutionStatus::Failed => ExecutionStatus::Error,
            weft_domain::execution::ExecutionStatus::Canceled => ExecutionStatus::Canceled,
            weft_domain::execution::ExecutionStatus::Waiting => ExecutionStatus::Waiting,
            _ => return Ok(None),
        };
        let resolved = self
            .resolve(
                &state.workflow_id,
                WorkflowVersion::Exact(state.workflow_version),
            )
            .await?;
        let compiled = &resolved.compiled;
        let mut result = ExecutionResult {
            status,
            error: None,
            failed_node: None,
            run_data: RunData::new(compiled.nodes().len()),
            suspended: None,
        };
        let mut response = None;
        for event in &events {
            match event {
                ExecutionEvent::NodeRunSucceeded {
                    node_id,
                    outputs,
                    duration_ms,
                    ..
                } => {
                    if let Some(node) = compiled.index_of(node_id) {
                        result.run_data.push(
                            node,
                            NodeRun {
                                sources: Vec::new(),
                                outputs: outputs
                                    .iter()
                                    .map(|items| {
                                        Ok(share(
                                            items.items()?.iter().map(Item::from_n8n).collect(),
                                        ))
                                    })
                                    .collect::<Result<_, StoreError>>()?,
                                error: None,
                                duration: Duration::from_millis(*duration_ms),
                            },
                        );
                    }
                }
                ExecutionEvent::NodeRunFailed {
                    node_id,
                    error,
                    will_retry: false,
                    ..
                } => {
                    if let Some(node) = compiled.index_of(node_id) {
                        result.run_data.push(
                            node,
                            NodeRun {
                                error: Some(node_error(error)),
                                ..Default::default()
                            },
                        );
                    }
                }
                ExecutionEvent::ExecutionFailed { error, node_id } => {
                    result.error = Some(node_error(error));
                    result.failed_node = node_id.clone();
                }
                ExecutionEvent::NodeRunCanceled { node_id, .. } => {
                    result.failed_node = Some(node_id.clone());
                }
                event => {
                    if response.is_none() {
                        response = response_of(event);
                    }
                }
            }
        }
        Ok(Some(ExecutionOutcome {
            execution_id: execution_id.to_string(),
            workflow_version: resolved.version,
            result,
            workflow: compiled.clone(),
            response,
        }))
    }
}
