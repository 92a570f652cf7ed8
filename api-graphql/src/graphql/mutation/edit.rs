//! Edits of a workflow's definition: nodes, connections, settings, variables, pinned data.

use async_graphql::{Context, ID, Json, Object, Result};
use serde_json::Value;
use weft_domain::workflow::WorkflowAction;

use super::{WorkflowChange, execute};
use crate::graphql::error::ApiResult;
use crate::graphql::types::definition::Position;
use crate::graphql::types::enums::ReplaceReason;
use crate::graphql::types::inputs::{
    ConnectionInput, NodeChangesInput, NodeInput, WorkflowSettingsInput, decode,
};

/// Mutations that edit the definition.
#[derive(Default)]
pub struct EditMutations;

#[Object]
impl EditMutations {
    /// Adds a node.
    async fn add_node(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        node: NodeInput,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        let node = node.into_domain().api()?;
        execute(
            ctx,
            workflow_id,
            expected_version,
            WorkflowAction::AddNode { node },
        )
        .await
    }

    /// Removes a node and its connections.
    async fn remove_node(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        node_id: ID,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        let action = WorkflowAction::RemoveNode { node_id: node_id.0 };
        execute(ctx, workflow_id, expected_version, action).await
    }

    /// Moves a node on the canvas.
    async fn move_node(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        node_id: ID,
        position: Position,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        let action = WorkflowAction::MoveNode {
            node_id: node_id.0,
            position: position.into(),
        };
        execute(ctx, workflow_id, expected_version, action).await
    }

    /// Changes some of a node's fields.
    async fn update_node(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        node_id: ID,
        changes: NodeChangesInput,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        let action = WorkflowAction::UpdateNode {
            node_id: node_id.0,
            changes: changes.into_domain().api()?,
        };
        execute(ctx, workflow_id, expected_version, action).await
    }

    /// Connects two ports.
    async fn add_connection(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        connection: ConnectionInput,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        let action = WorkflowAction::AddConnection {
            connection: connection.into(),
        };
        execute(ctx, workflow_id, expected_version, action).await
    }

    /// Removes a connection.
    async fn remove_connection(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        connection: ConnectionInput,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        let action = WorkflowAction::RemoveConnection {
            connection: connection.into(),
        };
        execute(ctx, workflow_id, expected_version, action).await
    }

    /// Replaces the whole definition (Weft JSON: `nodes`, `connections`, `settings`, …).
    async fn replace_definition(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        definition: Json<Value>,
        #[graphql(default_with = "ReplaceReason::Editor")] reason: ReplaceReason,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        let action = WorkflowAction::ReplaceDefinition {
            definition: decode("definition", definition.0).api()?,
            reason: reason.into(),
        };
        execute(ctx, workflow_id, expected_version, action).await
    }

    /// Replaces the workflow settings.
    async fn change_settings(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        settings: WorkflowSettingsInput,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        let action = WorkflowAction::ChangeSettings {
            settings: settings.into(),
        };
        execute(ctx, workflow_id, expected_version, action).await
    }

    /// Replaces the workflow variables (a JSON object).
    async fn set_variables(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        variables: Json<Value>,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        let action = WorkflowAction::SetVariables {
            variables: decode("variables (expected an object)", variables.0).api()?,
        };
        execute(ctx, workflow_id, expected_version, action).await
    }

    /// Pins items (a list of `{json: …}` objects) to a node's first output; null unpins.
    async fn pin_data(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        node_id: ID,
        items: Option<Json<Value>>,
        expected_version: Option<i32>,
    ) -> Result<WorkflowChange> {
        let action = WorkflowAction::PinData {
            node_id: node_id.0,
            items: items
                .map(|j| decode("items (expected a list)", j.0))
                .transpose()
                .api()?,
        };
        execute(ctx, workflow_id, expected_version, action).await
    }
}
