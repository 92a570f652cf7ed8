//! Subscriptions, fed by the projection feed: an event is delivered once the read models include
//! it, whichever process appended it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_graphql::{Context, ID, Json, Result, Subscription};
use cqrs_es::Aggregate;
use futures::{Stream, StreamExt};
use serde_json::Value;
use weft_commands::StoredEvent;
use weft_domain::workflow::{Workflow, WorkflowEvent};

use super::actor::RequestContext;
use super::api::Api;
use super::error::{ApiError, ApiResult};
use super::feed::{Delivery, Follow};
use super::presence::holding;
use super::types::history::WorkflowEventMessage;
use super::types::presence::WorkflowPresence;
use super::types::workflow::version_arg;

/// Every subscription.
#[derive(Default)]
pub struct Subscription {
    messages: Arc<RecentMessages>,
}

/// How many recent events keep their built message.
const RECENT: usize = 16;

/// The messages of the latest feed events, each built once and shared by every subscriber of its
/// workflow (a thousand editors of one workflow cost one payload decode, not a thousand).
#[derive(Default)]
struct RecentMessages(Mutex<VecDeque<(Arc<StoredEvent>, Arc<WorkflowEventMessage>)>>);

impl RecentMessages {
    fn of(&self, event: &Arc<StoredEvent>) -> Arc<WorkflowEventMessage> {
        let mut recent = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, message)) = recent.iter().find(|(seen, _)| Arc::ptr_eq(seen, event)) {
            return message.clone();
        }
        let meta = |key: &str| event.metadata.get(key).cloned();
        let message = Arc::new(message(
            &event.aggregate_id,
            event.sequence,
            &event.event_type,
            Value::clone(&event.payload),
            meta,
        ));
        if recent.len() == RECENT {
            recent.pop_front();
        }
        recent.push_back((event.clone(), message.clone()));
        message
    }
}

/// Builds the message of one workflow event.
fn message(
    workflow_id: &str,
    version: u64,
    event_type: &str,
    payload: Value,
    meta: impl Fn(&str) -> Option<String>,
) -> WorkflowEventMessage {
    let summary = serde_json::from_value::<WorkflowEvent>(payload.clone())
        .map_or_else(|_| event_type.to_string(), |e| e.summary());
    WorkflowEventMessage {
        workflow_id: ID(workflow_id.to_string()),
        version,
        event_type: event_type.to_string(),
        summary,
        actor: meta("actor").unwrap_or_default(),
        recorded_at: meta("timestamp").unwrap_or_default(),
        correlation_id: meta("correlationId").unwrap_or_default(),
        payload: Json(payload),
    }
}

#[Subscription(name = "WorkflowSubscriptions")]
impl Subscription {
    /// Every edit of the workflow, with version, event type, summary, actor and payload. With
    /// `afterVersion`, the edits after that version are delivered first, so a client that saw
    /// version N misses nothing; without it, the edits after the version the read models show
    /// when the subscription starts. A subscriber that falls behind the server's feed catches up
    /// from the event store: it still gets every edit once, in order.
    async fn workflow_events(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        after_version: Option<i32>,
    ) -> Result<impl Stream<Item = Result<Arc<WorkflowEventMessage>>> + use<>> {
        let api = ctx.data_unchecked::<Api>().clone();
        let after = after_version
            .map(|v| version_arg("afterVersion", v))
            .transpose()
            .api()?;
        // Subscribe before reading the read models: every event past what they show now is
        // then announced to this subscription or read by it.
        let mut follow = Follow::stream(
            &api.feed,
            api.store.clone(),
            Workflow::TYPE,
            workflow_id.0.clone(),
        );
        let projected = api.workflow(&workflow_id).await.api()?.version;
        follow.skip_through(after.unwrap_or(projected));
        let messages = self.messages.clone();
        Ok(follow.into_stream().map(move |delivery| match delivery {
            Ok(Delivery::Live(event)) => Ok(messages.of(&event)),
            Ok(Delivery::Missed(event)) => {
                let meta = |key: &str| event.metadata.get(key).cloned();
                Ok(Arc::new(message(
                    &event.aggregate_id,
                    event.sequence,
                    &event.event_type,
                    Value::clone(&event.payload),
                    meta,
                )))
            }
            Err(error) => Err(ApiError::Command(error.into()).into_graphql()),
        }))
    }

    /// Who has the workflow open. While this subscription is open its caller counts as present;
    /// the current list comes first, then a new list whenever someone opens or closes the
    /// workflow. With `WEFT_REDIS_URL` set, people on every `weft serve` sharing that Redis are
    /// listed.
    async fn workflow_presence(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
    ) -> Result<impl Stream<Item = WorkflowPresence> + use<>> {
        let api = ctx.data_unchecked::<Api>().clone();
        api.workflow(&workflow_id).await.api()?;
        let actor = ctx
            .data_opt::<RequestContext>()
            .map(|caller| caller.actor.to_string())
            .ok_or_else(|| ApiError::Internal("the request has no caller".into()))
            .api()?;
        let joined = api
            .presence
            .join(&workflow_id, &actor)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))
            .api()?;
        let id = workflow_id;
        Ok(
            holding(joined.actors, joined.guard).map(move |actors| WorkflowPresence {
                workflow_id: id.clone(),
                actors,
            }),
        )
    }
}
