//! Execution mutations: run a workflow, stop an execution, retry one.

use std::time::Duration;

use async_graphql::{Context, ID, Json, Object, Result};
use serde_json::Value;
use weft_executor::Item;
use weft_executor::service::{
    ExecutionHandle, ExecutionOutcome, RetryFrom as ServiceRetryFrom,
    RetryVersion as ServiceRetryVersion, Submission, WorkflowVersion,
};
use weft_projections::executions::{ExecutionQueries, ExecutionRow};

use super::enums::{ExecutionStatus, RetryFrom, RetryVersion};
use super::types::Execution;
use crate::graphql::actor::RequestContext;
use crate::graphql::api::Api;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::types::workflow::version_arg;

/// How long a mutation's `execution` field waits for the read models.
const READ_YOUR_WRITES: Duration = Duration::from_secs(10);

/// Execution mutations.
#[derive(Default)]
pub struct ExecutionMutation;

/// A submitted execution.
pub struct ExecutionSubmission {
    execution_id: String,
    workflow_version: u64,
    outcome: Option<ExecutionOutcome>,
}

/// The read-model row of an execution once `ready` holds for it (bounded wait; afterwards what
/// the read models have).
pub(super) async fn execution_when(
    api: &Api,
    id: &str,
    ready: impl Fn(&ExecutionRow) -> bool,
) -> Result<ExecutionRow, ApiError> {
    let queries = ExecutionQueries::new(api.store.clone());
    let mut position = api.feed.position();
    let deadline = tokio::time::Instant::now() + READ_YOUR_WRITES;
    loop {
        position.borrow_and_update();
        let row = queries.execution(id).await?;
        if let Some(row) = &row
            && ready(row)
        {
            return Ok(row.clone());
        }
        match tokio::time::timeout_at(deadline, position.changed()).await {
            Ok(Ok(())) => continue,
            Ok(Err(_)) | Err(_) => {
                return row.ok_or_else(|| ApiError::ExecutionNotFound(id.to_string()));
            }
        }
    }
}

fn finished(row: &ExecutionRow) -> bool {
    ExecutionStatus::parse(&row.status).is_some_and(ExecutionStatus::is_finished)
}

#[Object]
impl ExecutionSubmission {
    /// The new execution's id.
    async fn execution_id(&self) -> ID {
        ID(self.execution_id.clone())
    }

    /// The exact workflow version it runs.
    async fn workflow_version(&self) -> u64 {
        self.workflow_version
    }

    /// `QUEUED` when not waited for; else the final status (`WAITING` when a long Wait
    /// suspended it).
    async fn status(&self) -> ExecutionStatus {
        use weft_executor::ExecutionStatus as Engine;
        match self.outcome.as_ref().map(ExecutionOutcome::status) {
            None => ExecutionStatus::Queued,
            Some(Engine::Success) => ExecutionStatus::Succeeded,
            Some(Engine::Error) => ExecutionStatus::Failed,
            Some(Engine::Canceled) => ExecutionStatus::Canceled,
            Some(Engine::Waiting) => ExecutionStatus::Waiting,
        }
    }

    /// With `wait: true`: `{status, runData}` with every node's runs and items by node name.
    async fn result(&self) -> Option<Json<Value>> {
        self.outcome.as_ref().map(|o| Json(o.run_data_json()))
    }

    /// The execution as the read models show it (waits briefly for them to include it; with
    /// `wait: true`, its final state).
    async fn execution(&self, ctx: &Context<'_>) -> Result<Execution> {
        let api = ctx.data_unchecked::<Api>();
        let waited = self.outcome.is_some();
        let row = execution_when(api, &self.execution_id, |row| {
            !waited || finished(row) || row.status == "waiting"
        })
        .await
        .api()?;
        Ok(Execution(row))
    }
}

async fn submitted(
    mut handle: ExecutionHandle,
    wait: bool,
) -> Result<ExecutionSubmission, ApiError> {
    let execution_id = handle.execution_id.clone();
    let workflow_version = handle.workflow_version;
    let outcome = if wait {
        Some(handle.outcome().await?)
    } else {
        handle.accepted().await?;
        None
    };
    Ok(ExecutionSubmission {
        execution_id,
        workflow_version,
        outcome,
    })
}

/// Input items: an array gives one item per element, an object one item, nothing one empty item.
fn input_items(input: Option<Json<Value>>) -> Result<Vec<Item>, ApiError> {
    match input.map(|j| j.0) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(values)) => values
            .into_iter()
            .enumerate()
            .map(|(i, value)| match value {
                Value::Object(_) => Ok(Item::from_n8n(&value)),
                other => Err(ApiError::Invalid(format!(
                    "`input[{i}]` must be an object, not {other}"
                ))),
            })
            .collect(),
        Some(value @ Value::Object(_)) => Ok(vec![Item::from_n8n(&value)]),
        Some(other) => Err(ApiError::Invalid(format!(
            "`input` must be an object or an array of objects, not {other}"
        ))),
    }
}

#[Object]
impl ExecutionMutation {
    /// Runs a workflow by hand (pinned data honoured) with `input` items (an object or an array
    /// of objects; default one empty item) on its current version or `version`. With
    /// `destinationNodeId` only the nodes on the way to that node run, then the node itself
    /// ("Execute step"). Returns once the execution is durably queued, or with `wait: true` once
    /// it ended. `VALIDATION` when the start or destination node is not in that version.
    #[allow(clippy::too_many_arguments)] // one Rust argument per GraphQL argument
    async fn execute_workflow(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        input: Option<Json<Value>>,
        version: Option<i32>,
        start_node_id: Option<String>,
        destination_node_id: Option<ID>,
        #[graphql(default = false)] wait: bool,
    ) -> Result<ExecutionSubmission> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        let version = match version {
            Some(v) => WorkflowVersion::Exact(version_arg("version", v).api()?),
            None => WorkflowVersion::Current,
        };
        let mut submission = Submission::manual(
            workflow_id.0,
            input_items(input).api()?,
            caller.actor.clone(),
        );
        submission.version = version;
        submission.start_node = start_node_id;
        submission.destination_node = destination_node_id.map(|id| id.0);
        let handle = api.executions.submit(submission).await.api()?;
        submitted(handle, wait).await.api()
    }

    /// Stops a queued, running or waiting execution at its current node (recorded as canceled)
    /// and returns it once it ended. `NOT_FOUND` for an unknown id, `CONFLICT` when it already
    /// ended.
    async fn stop_execution(&self, ctx: &Context<'_>, id: ID) -> Result<Execution> {
        let api = ctx.data_unchecked::<Api>();
        api.executions.stop(&id).await.api()?;
        Ok(Execution(execution_when(api, &id, finished).await.api()?))
    }

    /// Deletes a finished execution: it leaves the executions list and `execution(id)` answers
    /// `NOT_FOUND` from then on (its events stay in the log, so the audit trail keeps the
    /// deletion and who made it). `NOT_FOUND` for an unknown id, `CONFLICT` while it runs.
    async fn delete_execution(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        api.executions
            .delete(&id, caller.actor.clone())
            .await
            .api()?;
        api.caught_up().await;
        Ok(true)
    }

    /// Runs an ended execution again as a new execution: from its failed node (reusing the
    /// recorded outputs of the nodes before it) or from the start with the same input, on the
    /// original or the current workflow version. `CONFLICT` while it has not ended.
    async fn retry_execution(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default_with = "RetryFrom::FailedNode")] from: RetryFrom,
        #[graphql(default_with = "RetryVersion::Original")] version: RetryVersion,
        #[graphql(default = false)] wait: bool,
    ) -> Result<ExecutionSubmission> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        let from = match from {
            RetryFrom::FailedNode => ServiceRetryFrom::FailedNode,
            RetryFrom::Start => ServiceRetryFrom::Start,
        };
        let version = match version {
            RetryVersion::Original => ServiceRetryVersion::Original,
            RetryVersion::Current => ServiceRetryVersion::Current,
        };
        let handle = api
            .executions
            .retry(&id, from, version, caller.actor.clone())
            .await
            .api()?;
        submitted(handle, wait).await.api()
    }
}
