//! Execution subscriptions, fed by the projection feed: an event is delivered once the read
//! models include it, whichever process appended it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::{Context, ID, Json, Result, SimpleObject, Subscription};
use cqrs_es::Aggregate;
use futures::{Stream, StreamExt, stream};
use serde_json::Value;
use weft_domain::execution::Execution as ExecutionAggregate;
use weft_projections::executions::ExecutionQueries;

use super::enums::ExecutionStatus;
use super::items::resolve_payloads;
use crate::graphql::api::Api;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::feed::{Delivery, Follow};

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

/// Execution subscriptions.
#[derive(Default)]
pub struct ExecutionSubscription;

#[Subscription]
impl ExecutionSubscription {
    /// Every event of one execution (node started/finished with its items, waiting, the
    /// outcome): first those recorded so far, then live ones. The stream ends after the final
    /// event. A subscriber that falls behind the server's feed catches up from the event store,
    /// so it still gets every event once, in order. `NOT_FOUND` for an unknown execution.
    async fn execution_events(
        &self,
        ctx: &Context<'_>,
        execution_id: ID,
    ) -> Result<impl Stream<Item = Result<ExecutionEventMessage>> + use<>> {
        let api = ctx.data_unchecked::<Api>().clone();
        // Subscribe first: the events the read models include now are read from the store,
        // every later one is announced.
        let follow = Follow::stream(
            &api.feed,
            api.store.clone(),
            ExecutionAggregate::TYPE,
            execution_id.0.clone(),
        );
        // Queued but not projected yet still exists: its events arrive live.
        let exists = api
            .store
            .stream_until(ExecutionAggregate::TYPE, &execution_id, 1)
            .await
            .map_err(weft_commands::CommandError::from)
            .api()?;
        if exists.is_empty() {
            return Err(ApiError::ExecutionNotFound(execution_id.0)).api();
        }
        let store = api.store.clone();
        let messages = follow.into_stream().then(move |delivery| {
            let store = store.clone();
            async move {
                let (sequence, event_type, metadata, mut payload, id) = match delivery {
                    Ok(Delivery::Live(event)) => (
                        event.sequence,
                        event.event_type.clone(),
                        event.metadata.get("timestamp").cloned(),
                        Value::clone(&event.payload),
                        event.aggregate_id.clone(),
                    ),
                    Ok(Delivery::Missed(event)) => {
                        let event = *event;
                        (
                            event.sequence,
                            event.event_type,
                            event.metadata.get("timestamp").cloned(),
                            event.payload.into_value(),
                            event.aggregate_id,
                        )
                    }
                    Err(error) => return Err(ApiError::Command(error.into()).into_graphql()),
                };
                resolve_payloads(&store, std::iter::once(&mut payload))
                    .await
                    .map_err(ApiError::into_graphql)?;
                let at = metadata.unwrap_or_default();
                Ok(message(&id, sequence, &event_type, payload, at))
            }
        });
        // The stream ends right after the final event (or an error), without waiting for more.
        let messages = Box::pin(messages);
        Ok(stream::unfold(
            (messages, false),
            |(mut messages, ended)| async move {
                if ended {
                    return None;
                }
                let item = messages.next().await?;
                let ended = item
                    .as_ref()
                    .map_or(true, |message| is_final(&message.event_type));
                Some((item, (messages, ended)))
            },
        ))
    }

    /// Status changes (queued, started, waiting, resumed, succeeded, failed, canceled) of the
    /// workflow's executions, live. A subscriber that falls behind the server's feed reads the
    /// changes it missed from the event store (in commit order, each once). `NOT_FOUND` for an
    /// unknown workflow.
    async fn executions(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
    ) -> Result<impl Stream<Item = Result<ExecutionChange>> + use<>> {
        let api = ctx.data_unchecked::<Api>().clone();
        let follow = Follow::log(&api.feed, api.store.clone(), |event| {
            event.aggregate_type == ExecutionAggregate::TYPE
                && status_after(&event.event_type).is_some()
        });
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
        let queries = ExecutionQueries::new(api.store.clone());
        // Which workflow each execution belongs to, learned from queued events or the read model.
        let owners: Arc<Mutex<HashMap<String, bool>>> = Arc::default();
        let stream = follow.into_stream().filter_map(move |delivery| {
            let queries = queries.clone();
            let owners = owners.clone();
            let workflow = workflow.clone();
            async move {
                let delivery = match delivery {
                    Ok(delivery) => delivery,
                    Err(error) => return Some(Err(ApiError::Command(error.into()).into_graphql())),
                };
                let event = delivery.event();
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
