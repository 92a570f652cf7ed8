//! Queries over the read models.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, SecondsFormat};
use weft_projections::{AuditFilter, WorkflowFilter};

use super::api::Api;
use super::error::{ApiError, ApiResult};
use super::types::catalog::NodeType;
use super::types::enums::Environment;
use super::types::history::{AuditEntry, AuditPage};
use super::types::workflow::{Workflow, WorkflowPage};

/// Largest page the list queries return.
const MAX_PAGE: i32 = 500;
/// Page size of `workflows` when `first` is absent.
const DEFAULT_WORKFLOWS: i32 = 50;
/// Page size of `auditLog` when `first` is absent.
const DEFAULT_AUDIT: i32 = 100;

/// Every query.
#[derive(Default)]
pub struct Query;

fn page_size(first: i32) -> Result<usize, ApiError> {
    if (1..=MAX_PAGE).contains(&first) {
        Ok(first as usize)
    } else {
        Err(ApiError::Invalid(format!(
            "`first` must be between 1 and {MAX_PAGE}"
        )))
    }
}

/// Normalises an RFC 3339 time to the stored form, so comparisons are exact.
fn timestamp(name: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    value
        .map(|text| {
            DateTime::parse_from_rfc3339(&text)
                .map(|t| {
                    t.with_timezone(&chrono::Utc)
                        .to_rfc3339_opts(SecondsFormat::Micros, true)
                })
                .map_err(|e| ApiError::Invalid(format!("`{name}` is not an RFC 3339 time: {e}")))
        })
        .transpose()
}

#[Object(name = "WorkflowQueries")]
impl Query {
    /// Workflows in creation order, filtered; `archived: true` lists the archive instead. Pages
    /// hold `first` workflows (default 50, at most 500).
    #[allow(clippy::too_many_arguments)]
    async fn workflows(
        &self,
        ctx: &Context<'_>,
        environment: Option<Environment>,
        active: Option<bool>,
        search: Option<String>,
        archived: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<WorkflowPage> {
        let api = ctx.data_unchecked::<Api>();
        let limit = page_size(first.unwrap_or(DEFAULT_WORKFLOWS)).api()?;
        let filter = WorkflowFilter {
            environment: environment.map(Into::into),
            active,
            archived: archived.unwrap_or(false),
            search,
            limit: limit + 1,
            after,
        };
        let mut rows = api.read.workflows(&filter).await.api()?;
        let next_cursor = (rows.len() > limit).then(|| {
            rows.truncate(limit);
            rows[limit - 1].id.clone()
        });
        Ok(WorkflowPage {
            items: rows.into_iter().map(Workflow).collect(),
            next_cursor,
        })
    }

    /// One workflow; `NOT_FOUND` when no workflow has this id.
    async fn workflow(&self, ctx: &Context<'_>, id: ID) -> Result<Workflow> {
        let api = ctx.data_unchecked::<Api>();
        Ok(Workflow(api.workflow(&id).await.api()?))
    }

    /// Every recorded action, oldest first: each event of workflows, credentials, users and API
    /// keys, and of executions the ones someone caused (queued, canceled, deleted; a run's
    /// progress is in its detail and replay). Filtered by actor (`user:ID`, `system:NAME`, …),
    /// workflow and time (`from` inclusive, `to` exclusive, RFC 3339). Pages hold `first` entries
    /// (default 100, at most 500).
    #[allow(clippy::too_many_arguments)]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        actor: Option<String>,
        workflow_id: Option<ID>,
        from: Option<String>,
        to: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<AuditPage> {
        let api = ctx.data_unchecked::<Api>();
        let limit = page_size(first.unwrap_or(DEFAULT_AUDIT)).api()?;
        let after = after
            .map(|cursor| {
                cursor
                    .parse::<i64>()
                    .map_err(|_| ApiError::Invalid(format!("invalid cursor `{cursor}`")))
            })
            .transpose()
            .api()?;
        let filter = AuditFilter {
            actor,
            aggregate_id: workflow_id.map(|id| id.0),
            from: timestamp("from", from).api()?,
            to: timestamp("to", to).api()?,
            limit: limit + 1,
            after,
        };
        let mut rows = api.read.audit(&filter).await.api()?;
        let next_cursor = (rows.len() > limit).then(|| {
            rows.truncate(limit);
            rows[limit - 1].global_position.to_string()
        });
        Ok(AuditPage {
            items: rows.into_iter().map(AuditEntry::from).collect(),
            next_cursor,
        })
    }

    /// The node catalog: every node type with its ports and parameter schema, triggers first.
    async fn node_types(&self, ctx: &Context<'_>) -> Vec<NodeType> {
        let api = ctx.data_unchecked::<Api>();
        api.services
            .catalog
            .all()
            .into_iter()
            .map(NodeType::from)
            .collect()
    }
}
