//! The `Execution` type: a row of the executions read model with its node runs, logs, path and
//! replay events.

use async_graphql::{Context, ID, Json, Object, Result, SimpleObject};
use cqrs_es::Aggregate;
use cqrs_es::persist::SerializedEvent;
use serde_json::Value;
use weft_domain::definition::WorkflowDefinition;
use weft_domain::execution::Execution as ExecutionAggregate;
use weft_projections::executions::{ExecutionQueries, ExecutionRow, NodeRunRow};

use super::enums::{ExecutionStatus, LogLevel};
use super::items::{resolve_lists, resolve_payloads};
use super::logs::{ExecutionLog, log_line};
use crate::graphql::api::Api;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::types::workflow::Workflow;

/// One execution.
pub struct Execution(pub ExecutionRow);

/// A page of executions, newest first.
#[derive(SimpleObject)]
pub struct ExecutionPage {
    /// The executions.
    pub items: Vec<Execution>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// One run of one node, with its item lists parsed and blob references resolved.
pub struct NodeRun {
    row: NodeRunRow,
    inputs: Option<Value>,
    outputs: Option<Value>,
}

/// A connection items flowed through.
#[derive(SimpleObject, Clone, PartialEq, Eq)]
pub struct TraversedConnection {
    /// Source node id.
    pub source: String,
    /// Source output index.
    pub source_output: u32,
    /// Target node id.
    pub target: String,
    /// Target input index.
    pub target_input: u32,
}

/// One step of the execution path.
#[derive(SimpleObject)]
pub struct PathStep {
    /// Node id.
    pub node_id: String,
    /// Run index of the node.
    pub run_index: u32,
    /// `running`, `succeeded`, `failed` or `canceled`.
    pub status: String,
}

/// The node runs in order and the connections items flowed through, for highlighting.
#[derive(SimpleObject)]
pub struct ExecutionPath {
    /// Node runs in start order.
    pub steps: Vec<PathStep>,
    /// Connections whose source output produced items for a target that then ran.
    pub connections: Vec<TraversedConnection>,
}

/// One recorded event.
#[derive(SimpleObject)]
pub struct ReplayEvent {
    /// Sequence in the execution's stream (1 = queued).
    pub sequence: u64,
    /// Event type (`NodeRunStarted`, …).
    #[graphql(name = "type")]
    pub event_type: String,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
    /// Who it is attributed to.
    pub actor: String,
    /// The event's payload.
    pub payload: Json<Value>,
}

/// Everything needed to step through a run: the ordered events and the exact workflow version.
#[derive(SimpleObject)]
pub struct ExecutionReplay {
    /// The workflow version that ran.
    pub workflow_version: u64,
    /// The definition of that version.
    pub definition: Json<Value>,
    /// Every event, in order.
    pub events: Vec<ReplayEvent>,
}

fn json_text(text: Option<&str>) -> Option<Json<Value>> {
    parse(text).map(Json)
}

fn parse(text: Option<&str>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

fn meta(event: &SerializedEvent, key: &str) -> String {
    event
        .metadata
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

impl Execution {
    async fn events(&self, api: &Api) -> Result<Vec<SerializedEvent>, ApiError> {
        api.store
            .stream(ExecutionAggregate::TYPE, &self.0.id)
            .await
            .map_err(|e| ApiError::Command(e.into()))
    }

    async fn node_run_rows(&self, api: &Api) -> Result<Vec<NodeRunRow>, ApiError> {
        Ok(ExecutionQueries::new(api.store.clone())
            .detail(&self.0.id)
            .await?
            .map(|detail| detail.node_runs)
            .unwrap_or_default())
    }

    async fn definition(&self, api: &Api) -> Result<WorkflowDefinition, ApiError> {
        Ok(api
            .commands
            .definition_at(&self.0.workflow_id, self.0.workflow_version)
            .await?)
    }
}

/// Connections whose source produced items on that output before the target ran.
fn traversed(definition: &WorkflowDefinition, runs: &[NodeRunRow]) -> Vec<TraversedConnection> {
    let produced = |node: &str, output: u32, before: u64| {
        runs.iter().any(|run| {
            run.node_id == node
                && run.sequence < before
                && run
                    .outputs
                    .as_ref()
                    .and_then(|outputs| outputs.get(output as usize))
                    .is_some_and(has_items)
        })
    };
    definition
        .connections
        .iter()
        .filter(|c| {
            runs.iter().any(|target| {
                target.node_id == c.target && produced(&c.source, c.source_output, target.sequence)
            })
        })
        .map(|c| TraversedConnection {
            source: c.source.clone(),
            source_output: c.source_output,
            target: c.target.clone(),
            target_input: c.target_input,
        })
        .collect()
}

/// Whether a recorded item list (an array, or a blob reference counting its items) is non-empty.
fn has_items(list: &Value) -> bool {
    match list {
        Value::Array(items) => !items.is_empty(),
        Value::Object(blob) => blob
            .get("items")
            .and_then(Value::as_u64)
            .is_some_and(|count| count > 0),
        _ => false,
    }
}

#[Object]
impl Execution {
    /// Execution id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// The workflow.
    async fn workflow_id(&self) -> ID {
        ID(self.0.workflow_id.clone())
    }

    /// The exact workflow version that ran.
    async fn workflow_version(&self) -> u64 {
        self.0.workflow_version
    }

    /// The workflow as it is now (null once it is gone from the read models).
    async fn workflow(&self, ctx: &Context<'_>) -> Result<Option<Workflow>> {
        let api = ctx.data_unchecked::<Api>();
        Ok(api
            .read
            .workflow(&self.0.workflow_id)
            .await
            .api()?
            .map(Workflow))
    }

    /// Status.
    async fn status(&self) -> ExecutionStatus {
        ExecutionStatus::parse(&self.0.status).unwrap_or(ExecutionStatus::Running)
    }

    /// Trigger kind (`manual`, `webhook`, `schedule`, `error`, `subWorkflow`, `retry`).
    async fn trigger(&self) -> &str {
        &self.0.trigger_kind
    }

    /// The trigger with its details (webhook method and path, retried execution, …).
    async fn trigger_detail(&self) -> Option<Json<Value>> {
        json_text(Some(&self.0.trigger_detail))
    }

    /// `manual` or `production`.
    async fn mode(&self) -> &str {
        &self.0.mode
    }

    /// When it was queued (RFC 3339).
    async fn queued_at(&self) -> &str {
        &self.0.queued_at
    }

    /// When it started.
    async fn started_at(&self) -> Option<&str> {
        self.0.started_at.as_deref()
    }

    /// When it ended.
    async fn finished_at(&self) -> Option<&str> {
        self.0.finished_at.as_deref()
    }

    /// Milliseconds from start to end.
    async fn duration_ms(&self) -> Option<i64> {
        self.0.duration_ms()
    }

    /// The error that ended it (`{kind, message, description?, itemIndex?}`).
    async fn error(&self) -> Option<Json<Value>> {
        json_text(self.0.error.as_deref())
    }

    /// The node that failed.
    async fn error_node_id(&self) -> Option<&str> {
        self.0.error_node_id.as_deref()
    }

    /// Node runs in the order they started, with their items, attempts and durations.
    async fn node_runs(&self, ctx: &Context<'_>) -> Result<Vec<NodeRun>> {
        let api = ctx.data_unchecked::<Api>();
        let mut runs: Vec<NodeRun> = self
            .node_run_rows(api)
            .await
            .api()?
            .into_iter()
            .map(|mut row| NodeRun {
                inputs: Some(std::mem::take(&mut row.inputs)),
                outputs: row.outputs.take(),
                row,
            })
            .collect();
        let lists = runs
            .iter_mut()
            .flat_map(|run| [&mut run.inputs, &mut run.outputs])
            .collect();
        resolve_lists(&api.store, lists).await.api()?;
        Ok(runs)
    }

    /// Log lines derived from the recorded events, at `minLevel` (default `INFO`) and above.
    async fn logs(
        &self,
        ctx: &Context<'_>,
        min_level: Option<LogLevel>,
    ) -> Result<Vec<ExecutionLog>> {
        let api = ctx.data_unchecked::<Api>();
        let min = min_level.unwrap_or(LogLevel::Info);
        Ok(self
            .events(api)
            .await
            .api()?
            .iter()
            .filter_map(|e| log_line(e.sequence as u64, &e.payload, meta(e, "timestamp")))
            .filter(|line| line.level >= min)
            .collect())
    }

    /// Node runs in order and the connections items flowed through.
    async fn path(&self, ctx: &Context<'_>) -> Result<ExecutionPath> {
        let api = ctx.data_unchecked::<Api>();
        let runs = self.node_run_rows(api).await.api()?;
        let definition = self.definition(api).await.api()?;
        Ok(ExecutionPath {
            connections: traversed(&definition, &runs),
            steps: runs
                .into_iter()
                .map(|run| PathStep {
                    node_id: run.node_id,
                    run_index: run.run_index,
                    status: run.status,
                })
                .collect(),
        })
    }

    /// The ordered events with timestamps and the exact workflow version that ran.
    async fn replay(&self, ctx: &Context<'_>) -> Result<ExecutionReplay> {
        let api = ctx.data_unchecked::<Api>();
        let definition = self.definition(api).await.api()?;
        let mut events = self.events(api).await.api()?;
        resolve_payloads(&api.store, events.iter_mut().map(|e| &mut e.payload))
            .await
            .api()?;
        Ok(ExecutionReplay {
            workflow_version: self.0.workflow_version,
            definition: Json(serde_json::to_value(definition).unwrap_or_default()),
            events: events
                .iter_mut()
                .map(|e| ReplayEvent {
                    sequence: e.sequence as u64,
                    event_type: e.event_type.clone(),
                    recorded_at: meta(e, "timestamp"),
                    actor: meta(e, "actor"),
                    payload: Json(std::mem::take(&mut e.payload)),
                })
                .collect(),
        })
    }
}

#[Object]
impl NodeRun {
    /// Node id.
    async fn node_id(&self) -> &str {
        &self.row.node_id
    }

    /// Run index of the node (0 for its first run).
    async fn run_index(&self) -> u32 {
        self.row.run_index
    }

    /// `running`, `succeeded`, `failed` or `canceled`.
    async fn status(&self) -> &str {
        &self.row.status
    }

    /// Attempts made (more than 1 after retries).
    async fn attempts(&self) -> u32 {
        self.row.attempts
    }

    /// Items per input (`null` for an input without data), as n8n items.
    async fn inputs(&self) -> Option<Json<Value>> {
        self.inputs.clone().map(Json)
    }

    /// Items per output, as n8n items.
    async fn outputs(&self) -> Option<Json<Value>> {
        self.outputs.clone().map(Json)
    }

    /// The error of the last attempt.
    async fn error(&self) -> Option<Json<Value>> {
        self.row.error.clone().map(Json)
    }

    /// When it started.
    async fn started_at(&self) -> &str {
        &self.row.started_at
    }

    /// When it ended.
    async fn finished_at(&self) -> Option<&str> {
        self.row.finished_at.as_deref()
    }

    /// Wall-clock milliseconds, all attempts included.
    async fn duration_ms(&self) -> Option<u64> {
        self.row.duration_ms
    }

    /// Whether the outputs are pinned data.
    async fn pinned(&self) -> bool {
        self.row.pinned
    }
}
