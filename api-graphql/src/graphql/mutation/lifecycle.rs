//! Creating, naming, activating, archiving, reverting and promoting workflows.

use async_graphql::{Context, ID, Json, Object, Result};
use serde_json::Value;
use weft_commands::CommandOutcome;
use weft_domain::definition::WorkflowDefinition;
use weft_domain::workflow::WorkflowAction;

use super::{WorkflowChange, execute};
use crate::graphql::actor::RequestContext;
use crate::graphql::api::Api;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::types::enums::Environment;
use crate::graphql::types::inputs::decode;
use crate::graphql::types::workflow::{Workflow, version_arg};

/// Mutations on a workflow as a whole.
#[derive(Default)]
pub struct LifecycleMutations;

/// The result of a promotion.
pub struct PromotionResult {
    source: WorkflowChange,
    target: WorkflowChange,
    promoted_version: u64,
}

#[Object]
impl PromotionResult {
    /// The promoted workflow's id.
    async fn workflow_id(&self) -> ID {
        ID(self.source.workflow_id.clone())
    }

    /// The promoted workflow's version after recording the promotion.
    async fn version(&self) -> u64 {
        self.source.outcome.version
    }

    /// The exact version that was promoted.
    async fn promoted_version(&self) -> u64 {
        self.promoted_version
    }

    /// The workflow in the target environment (created on first promotion).
    async fn target_workflow_id(&self) -> ID {
        ID(self.target.workflow_id.clone())
    }

    /// The target workflow's version after receiving the promotion.
    async fn target_version(&self) -> u64 {
        self.target.outcome.version
    }

    /// The promoted workflow.
    async fn workflow(&self, ctx: &Context<'_>) -> Result<Workflow> {
        self.source.workflow(ctx).await
    }

    /// The workflow in the target environment.
    async fn target(&self, ctx: &Context<'_>) -> Result<Workflow> {
        self.target.workflow(ctx).await
    }
}

#[Object]
impl LifecycleMutations {
    /// Creates a workflow in the Testing environment. `definition` is Weft JSON (`nodes`,
    /// `connections`, `settings`, …); empty when absent.
    async fn create_workflow(
        &self,
        ctx: &Context<'_>,
        name: String,
        #[graphql(default)] description: String,
        definition: Option<Json<Value>>,
    ) -> Result<WorkflowChange> {
        let definition: WorkflowDefinition = match definition {
            Some(json) => decode("definition", json.0).api()?,
            None => WorkflowDefinition::default(),
        };
        create(ctx, &name, &description, definition).await
    }

    /// Renames the workflow.
    async fn rename_workflow(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        name: String,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        let action = WorkflowAction::RenameWorkflow { name };
        execute(ctx, workflow_id, expected_version, action).await
    }

    /// Changes the description.
    async fn describe_workflow(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        description: String,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        let action = WorkflowAction::DescribeWorkflow { description };
        execute(ctx, workflow_id, expected_version, action).await
    }

    /// Starts listening to the workflow's triggers (needs an enabled webhook, schedule, … node).
    async fn activate_workflow(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        let api = ctx.data_unchecked::<Api>();
        let current = api.commands.load(&workflow_id).await.api()?;
        if let Some(clash) = api
            .webhook_routes
            .conflict(&workflow_id, &current.definition)
        {
            return Err(ApiError::Clash(clash).into_graphql());
        }
        execute(
            ctx,
            workflow_id,
            expected_version,
            WorkflowAction::ActivateWorkflow,
        )
        .await
    }

    /// Stops listening to the workflow's triggers.
    async fn deactivate_workflow(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        execute(
            ctx,
            workflow_id,
            expected_version,
            WorkflowAction::DeactivateWorkflow,
        )
        .await
    }

    /// Archives the workflow (deactivating it first).
    async fn archive_workflow(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        execute(
            ctx,
            workflow_id,
            expected_version,
            WorkflowAction::ArchiveWorkflow,
        )
        .await
    }

    /// Brings an archived workflow back.
    async fn restore_workflow(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        execute(
            ctx,
            workflow_id,
            expected_version,
            WorkflowAction::RestoreWorkflow,
        )
        .await
    }

    /// Makes the definition of `version` current again, as a new version.
    async fn revert_workflow(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        version: i32,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        let version = version_arg("version", version).api()?;
        let expected = expected_version
            .map(|v| version_arg("expectedVersion", v))
            .transpose()
            .api()?;
        let outcome = api
            .commands
            .revert(&workflow_id, version, expected, &caller.metadata())
            .await
            .api()?;
        Ok(WorkflowChange {
            workflow_id: workflow_id.0,
            outcome,
        })
    }

    /// Promotes the current version to the next environment (testing → launched → production).
    async fn promote_workflow(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        target_environment: Environment,
        expected_version: Option<i32>,
    ) -> Result<PromotionResult> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        let expected = expected_version
            .map(|v| version_arg("expectedVersion", v))
            .transpose()
            .api()?;
        let promotion = api
            .commands
            .promote(
                &workflow_id,
                target_environment.into(),
                expected,
                &caller.metadata(),
            )
            .await
            .api()?;
        let change = |workflow_id: String, version: u64| WorkflowChange {
            workflow_id,
            outcome: CommandOutcome {
                version,
                events: Vec::new(),
            },
        };
        Ok(PromotionResult {
            source: change(workflow_id.0, promotion.source_version + 1),
            target: change(promotion.target_workflow_id, promotion.target_version),
            promoted_version: promotion.source_version,
        })
    }
}

/// Creates a workflow as the request's actor.
pub(super) async fn create(
    ctx: &Context<'_>,
    name: &str,
    description: &str,
    definition: WorkflowDefinition,
) -> Result<WorkflowChange> {
    let api = ctx.data_unchecked::<Api>();
    let caller = ctx.data::<RequestContext>()?;
    let (workflow_id, outcome) = api
        .commands
        .create(name, description, definition, &caller.metadata())
        .await
        .api()?;
    Ok(WorkflowChange {
        workflow_id,
        outcome,
    })
}
