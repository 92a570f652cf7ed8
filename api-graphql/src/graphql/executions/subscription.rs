//! Execution subscriptions, fed by the projection feed: an event is delivered once the read
//! models include it, whichever process appended it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::{Context, ID, Json, Result, SimpleObject, Subscription};
use cqrs_es::Aggregate;
use futures::{Stream, StreamExt, stream};
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use weft_commands::StoredEvent;
use weft_domain::execution::Execution as ExecutionAggregate;
use weft_projections::executions::ExecutionQueries;

use super::enums::ExecutionStatus;
use super::items::resolve_payloads;
use crate::graphql::api::Api;
use crate::graphql::error::{ApiError, ApiResult};

/// One event of an execution.
#[derive(SimpleObject, Clone)]
pub struct ExecutionEventMessage {
    /// The execution.
    pub execution_id: ID,
    /// Sequence in the execution's stream.
    pub sequence: u64,
    /// Event type (`NodeRunStarted`, `NodeRunSucceeded`, …).
    #[graphql(name = "type")]
    pub event_type: String,
    /// The node, for node-run events.
    pub node_id: Option<String>,
    /// The node's run index, for node-run events.
    pub run_index: Option<u32>,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
    /// The payload, with the node's input or output items.
    pub payload: Json<Value>,
}

/// An execution of a workflow changed status.
#[derive(SimpleObject, Clone)]
pub struct ExecutionChange {
    /// The execution.
    pub execution_id: ID,
    /// Its workflow.
    pub workflow_id: ID,
    /// The status after the change.
    pub status: ExecutionStatus,
    /// The event that changed it.
    #[graphql(name = "type")]
    pub event_type: String,
    /// When (RFC 3339).
    pub recorded_at: String,
}

fn message(
    execution_id: &str,
    sequence: u64,
    event_type: &str,
    payload: Value,
    recorded_at: String,
) -> ExecutionEventMessage {
    ExecutionEventMessage {
        execution_id: ID(execution_id.to_string()),
        sequence,
        event_type: event_type.to_string(),
        node_id: payload
            .get("nodeId")
            .and_then(Value::as_str)
            .map(str::to_string),
        run_index: payload
            .get("runIndex")
            .and_then(Value::as_u64)
            .map(|r| r as u32),
        recorded_at,
        payload: Json(payload),
    }
}

fn is_final(event_type: &str) -> bool {
    matches!(
        event_type,
        "ExecutionSucceeded" | "ExecutionFailed" | "ExecutionCanceled"
    )
}

fn status_after(event_type: &str) -> Option<ExecutionStatus> {
    Some(match event_type {
        "ExecutionQueued" => ExecutionStatus::Queued,
        "ExecutionStarted" | "ExecutionResumed" => ExecutionStatus::Running,
        "ExecutionWaiting" => ExecutionStatus::Waiting,
        "ExecutionSucceeded" => ExecutionStatus::Succeeded,
        "ExecutionFailed" => ExecutionStatus::Failed,
        "ExecutionCanceled" => ExecutionStatus::Canceled,
        _ => return None,
    })
}

fn lagged(missed: u64) -> async_graphql::Error {
    ApiError::Internal(format!(
        "the subscription fell behind by {missed} events; resubscribe"
    ))
    .into_graphql()
}

/// Execution subscriptions.
#[derive(Default)]
pub struct ExecutionSubscription;

#[Subscription]
impl ExecutionSubscription {
    /// Every event of one execution (node started/finished with its items, waiting, the
    /// outcome): first those recorded so far, then live ones. The stream ends after the final
    /// event. `NOT_FOUND` for an unknown execution.
    async fn execution_events(
        &self,
        ctx: &Context<'_>,
        execution_id: ID,
    ) -> Result<impl Stream<Item = Result<ExecutionEventMessage>> + use<>> {
        let api = ctx.data_unchecked::<Api>().clone();
        // Subscribe first: every event after what the stream read shows is then announced.
        let receiver = api.feed.subscribe();
        let mut stored = api
            .store
            .stream(ExecutionAggregate::TYPE, &execution_id)
            .await
            .map_err(weft_commands::CommandError::from)
            .api()?;
        if stored.is_empty() {
            return Err(ApiError::ExecutionNotFound(execution_id.0)).api();
        }
        resolve_payloads(&api.store, stored.iter_mut().map(|e| &mut e.payload))
            .await
            .api()?;
        let store = api.store.clone();
        let id = execution_id.0;
        let mut last = 0u64;
        let mut ended = false;
        let backlog: Vec<Result<ExecutionEventMessage>> = stored
            .into_iter()
            .map(|event| {
                last = event.sequence as u64;
                ended |= is_final(&event.event_type);
                let at = event
                    .metadata
                    .get("timestamp")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                Ok(message(&id, last, &event.event_type, event.payload, at))
            })
            .collect();
        // Live events after the backlog; the stream ends right after the final event.
        let live = stream::unfold(
            (receiver, last, ended),
            move |(mut receiver, mut last, ended)| {
                let id = id.clone();
                let store = store.clone();
                async move {
                    if ended {
                        return None;
                    }
                    loop {
                        match receiver.recv().await {
                            Ok(event)
                                if event.aggregate_type == ExecutionAggregate::TYPE
                                    && event.aggregate_id == id
                                    && event.sequence > last =>
                            {
                                last = event.sequence;
                                let done = is_final(&event.event_type);
                                let at =
                                    event.metadata.get("timestamp").cloned().unwrap_or_default();
                                let mut payload = event.payload.clone();
                                if let Err(error) =
                                    resolve_payloads(&store, std::iter::once(&mut payload)).await
                                {
                                    return Some((
                                        Err(error.into_graphql()),
                                        (receiver, last, true),
                                    ));
                                }
                                let item = message(&id, last, &event.event_type, payload, at);
                                return Some((Ok(item), (receiver, last, done)));
                            }
                            Ok(_) => continue,
                            Err(RecvError::Lagged(missed)) => {
                                return Some((Err(lagged(missed)), (receiver, last, true)));
                            }
                            Err(RecvError::Closed) => return None,
                        }
                    }
                }
            },
        );
        Ok(stream::iter(backlog).chain(live))
    }

    /// Status changes (queued, started, waiting, resumed, succeeded, failed, canceled) of the
    /// workflow's executions, live. `NOT_FOUND` for an unknown workflow.
    async fn executions(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
    ) -> Result<impl Stream<Item = Result<ExecutionChange>> + use<>> {
        let api = ctx.data_unchecked::<Api>().clone();
        let receiver = api.feed.subscribe();
        let exists = api
            .store
            .stream_until(weft_domain::workflow::Workflow::TYPE, &workflow_id, 1)
            .await
            .map_err(weft_commands::CommandError::from)
            .api()?;
        if exists.is_empty() {
            return Err(ApiError::WorkflowNotFound(workflow_id.0)).api();
        }
        let workflow = workflow_id.0;
        let queries = ExecutionQueries::new(api.store.db().clone());
        // Which workflow each execution belongs to, learned from queued events or the read model.
        let owners: Arc<Mutex<HashMap<String, bool>>> = Arc::default();
        let stream = BroadcastStream::new(receiver).filter_map(move |item| {
            let queries = queries.clone();
            let owners = owners.clone();
            let workflow = workflow.clone();
            async move {
                let event: Arc<StoredEvent> = match item {
                    Ok(event) => event,
                    Err(BroadcastStreamRecvError::Lagged(missed)) => {
                        return Some(Err(lagged(missed)));
                    }
                };
                if event.aggregate_type != ExecutionAggregate::TYPE {
                    return None;
                }
                let status = status_after(&event.event_type)?;
                let known = owners
                    .lock()
                    .expect("owners lock")
                    .get(&event.aggregate_id)
                    .copied();
                let ours = match known {
                    Some(ours) => ours,
                    None => {
                        let owner = match event.payload.get("workflowId").and_then(Value::as_str) {
                            Some(owner) => Some(owner.to_string()),
                            None => queries
                                .execution(&event.aggregate_id)
                                .await
                                .ok()
                                .flatten()
                                .map(|row| row.workflow_id),
                        };
                        let ours = owner.as_deref() == Some(workflow.as_str());
                        let mut owners = owners.lock().expect("owners lock");
                        if owners.len() > 10_000 {
                            owners.clear();
                        }
                        owners.insert(event.aggregate_id.clone(), ours);
                        ours
                    }
                };
                ours.then(|| {
                    Ok(ExecutionChange {
                        execution_id: ID(event.aggregate_id.clone()),
                        workflow_id: ID(workflow.clone()),
                        status,
                        event_type: event.event_type.clone(),
                        recorded_at: event.metadata.get("timestamp").cloned().unwrap_or_default(),
                    })
                })
            }
        });
        Ok(stream)
    }
}
