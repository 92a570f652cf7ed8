//! Import and export of workflow documents.

use async_graphql::{Context, ID, Json, Object, Result};
use serde_json::Value;

use super::WorkflowChange;
use super::lifecycle::create;
use crate::graphql::api::Api;
use crate::graphql::documents::{WeftDocument, read_document};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::types::enums::ImportFormat;
use crate::graphql::types::workflow::version_arg;

/// Mutations that move workflows in and out as documents.
#[derive(Default)]
pub struct TransferMutations;

#[Object]
impl TransferMutations {
    /// Creates a workflow from a document: Weft JSON (as exported) or an n8n workflow whose
    /// node types Weft knows. Unknown node types are listed in a `VALIDATION` error. `name`
    /// overrides the document's name.
    async fn import_workflow(
        &self,
        ctx: &Context<'_>,
        document: Json<Value>,
        #[graphql(default_with = "ImportFormat::Weft")] format: ImportFormat,
        name: Option<String>,
    ) -> Result<WorkflowChange> {
        let api = ctx.data_unchecked::<Api>();
        let document =
            read_document(document.0, format, name, api.services.catalog.as_ref()).api()?;
        create(
            ctx,
            &document.name,
            &document.description,
            document.definition,
        )
        .await
    }

    /// The workflow as Weft JSON at `version` (the current version when absent).
    async fn export_workflow(
        &self,
        ctx: &Context<'_>,
        workflow_id: ID,
        version: Option<i32>,
    ) -> Result<Json<Value>> {
        let api = ctx.data_unchecked::<Api>();
        let workflow = api.commands.load(&workflow_id).await.api()?;
        let definition = match version {
            None => workflow.definition,
            Some(version) => {
                let version = version_arg("version", version).api()?;
                api.commands
                    .definition_at(&workflow_id, version)
                    .await
                    .api()?
            }
        };
        let document = WeftDocument {
            name: workflow.name,
            description: workflow.description,
            definition,
        };
        serde_json::to_value(document)
            .map(Json)
            .map_err(|e| ApiError::Internal(e.to_string()))
            .api()
    }
}
