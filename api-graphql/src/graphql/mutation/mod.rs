//! Mutations: one per workflow command. Every edit takes an optional `expectedVersion`; a stale
//! one is rebased when it touches nothing the newer versions touched, and rejected with
//! `CONFLICT` (and `extensions.currentVersion`) otherwise.

mod edit;
mod lifecycle;
mod transfer;

use async_graphql::{Context, ID, MergedObject, Object, Result};
use weft_commands::CommandOutcome;
use weft_domain::workflow::{WorkflowAction, WorkflowCommand, WorkflowEvent};

use super::actor::RequestContext;
use super::api::Api;
use super::error::ApiResult;
use super::types::workflow::{Workflow, version_arg};

/// Every workflow mutation.
#[derive(MergedObject, Default)]
pub struct WorkflowMutations(
    lifecycle::LifecycleMutations,
    edit::EditMutations,
    transfer::TransferMutations,
);

/// What a mutation did to one workflow.
pub struct WorkflowChange {
    workflow_id: String,
    outcome: CommandOutcome,
}

#[Object]
impl WorkflowChange {
    /// The workflow.
    async fn workflow_id(&self) -> ID {
        ID(self.workflow_id.clone())
    }

    /// The workflow's version after the mutation.
    async fn version(&self) -> u64 {
        self.outcome.version
    }

    /// Whether anything changed (false when the command was a no-op).
    async fn changed(&self) -> bool {
        !self.outcome.events.is_empty()
    }

    /// Types of the events appended.
    async fn event_types(&self) -> Vec<&'static str> {
        self.outcome
            .events
            .iter()
            .map(WorkflowEvent::type_name)
            .collect()
    }

    /// The workflow including this change (waits briefly for the read models to catch up).
    async fn workflow(&self, ctx: &Context<'_>) -> Result<Workflow> {
        let api = ctx.data_unchecked::<Api>();
        let row = api
            .workflow_at_least(&self.workflow_id, self.outcome.version)
            .await
            .api()?;
        Ok(Workflow(row))
    }
}

/// Runs one command on `workflow_id` as the request's actor.
async fn execute(
    ctx: &Context<'_>,
    workflow_id: ID,
    expected_version: Option<i32>,
    action: WorkflowAction,
) -> Result<WorkflowChange> {
    let api = ctx.data_unchecked::<Api>();
    let caller = ctx.data::<RequestContext>()?;
    let command = WorkflowCommand {
        expected_version: expected_version
            .map(|v| version_arg("expectedVersion", v))
            .transpose()
            .api()?,
        action,
    };
    let outcome = api
        .commands
        .execute(&workflow_id, command, &caller.metadata())
        .await
        .api()?;
    Ok(WorkflowChange {
        workflow_id: workflow_id.0,
        outcome,
    })
}
