//! The `Workflow` type: a read-model row plus its history, definitions and diffs.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use weft_domain::diff::diff_definitions;
use weft_projections::WorkflowRow;

use super::definition::Definition;
use super::diff::DefinitionDiff;
use super::enums::Environment;
use super::history::WorkflowVersion;
use crate::graphql::api::Api;
use crate::graphql::error::{ApiError, ApiResult};

/// A workflow as the read models show it.
pub struct Workflow(pub WorkflowRow);

/// Where a promoted workflow came from.
#[derive(SimpleObject)]
pub struct PromotionSource {
    /// The source workflow.
    pub workflow_id: ID,
    /// The exact source version promoted last.
    pub version: u64,
}

/// Reads a non-negative version argument.
pub fn version_arg(name: &str, value: i32) -> Result<u64, ApiError> {
    u64::try_from(value).map_err(|_| ApiError::Invalid(format!("`{name}` must not be negative")))
}

#[Object]
impl Workflow {
    /// Workflow id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Description.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Environment.
    async fn environment(&self) -> Environment {
        self.0.environment.into()
    }

    /// Whether the triggers are live.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// Whether the workflow is archived.
    async fn archived(&self) -> bool {
        self.0.archived
    }

    /// Current version (the number of events).
    async fn version(&self) -> u64 {
        self.0.version
    }

    /// Set on workflows created by promotion.
    async fn promoted_from(&self) -> Option<PromotionSource> {
        self.0
            .parent
            .as_ref()
            .map(|(workflow_id, version)| PromotionSource {
                workflow_id: ID(workflow_id.clone()),
                version: *version,
            })
    }

    /// When it was created (RFC 3339).
    async fn created_at(&self) -> &str {
        &self.0.created_at
    }

    /// Who created it.
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }

    /// When it last changed (RFC 3339).
    async fn updated_at(&self) -> &str {
        &self.0.updated_at
    }

    /// Who changed it last.
    async fn updated_by(&self) -> &str {
        &self.0.updated_by
    }

    /// The definition at `version`; the current one when absent.
    async fn definition(&self, ctx: &Context<'_>, version: Option<i32>) -> Result<Definition> {
        match version {
            None => Ok(Definition::new(self.0.version, &self.0.definition)),
            Some(version) => {
                let version = version_arg("version", version).api()?;
                let api = ctx.data_unchecked::<Api>();
                let definition = api
                    .commands
                    .definition_at(&self.0.id, version)
                    .await
                    .api()?;
                Ok(Definition::new(version, &definition))
            }
        }
    }

    /// Version history, oldest first.
    async fn versions(&self, ctx: &Context<'_>) -> Result<Vec<WorkflowVersion>> {
        let api = ctx.data_unchecked::<Api>();
        let rows = api.read.versions(&self.0.id).await.api()?;
        Ok(rows.into_iter().map(WorkflowVersion::from).collect())
    }

    /// What changed from version `from` to version `to`.
    async fn diff(&self, ctx: &Context<'_>, from: i32, to: i32) -> Result<DefinitionDiff> {
        let (from, to) = (
            version_arg("from", from).api()?,
            version_arg("to", to).api()?,
        );
        let api = ctx.data_unchecked::<Api>();
        let (before, after) = futures::try_join!(
            api.commands.definition_at(&self.0.id, from),
            api.commands.definition_at(&self.0.id, to)
        )
        .api()?;
        Ok(DefinitionDiff::new(
            from,
            to,
            diff_definitions(&before, &after),
        ))
    }
}

/// A page of the workflow list.
#[derive(SimpleObject)]
pub struct WorkflowPage {
    /// Workflows in creation order.
    pub items: Vec<Workflow>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}
