//! Queries over the executions read models.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, SecondsFormat};
use weft_projections::executions::{ExecutionFilter, ExecutionQueries};

use super::enums::{ExecutionStatus, TriggerKind};
use super::types::{Execution, ExecutionPage};
use crate::graphql::api::Api;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::types::enums::Environment;

/// Largest page of executions.
const MAX_PAGE: i32 = 500;
/// Page size when `first` is absent.
const DEFAULT_PAGE: i32 = 50;

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

/// Execution queries.
#[derive(Default)]
pub struct ExecutionQuery;

#[Object]
impl ExecutionQuery {
    /// Executions, newest first, filtered by workflow, status, environment of the workflow,
    /// trigger and queue time (`from` inclusive, `to` exclusive, RFC 3339). Pages hold `first`
    /// executions (default 50, at most 500); pass `nextCursor` as `after` for the next page.
    #[allow(clippy::too_many_arguments)]
    async fn executions(
        &self,
        ctx: &Context<'_>,
        workflow_id: Option<ID>,
        status: Option<ExecutionStatus>,
        environment: Option<Environment>,
        trigger: Option<TriggerKind>,
        from: Option<String>,
        to: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ExecutionPage> {
        let api = ctx.data_unchecked::<Api>();
        let first = first.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&first) {
            return Err(ApiError::Invalid(format!(
                "`first` must be between 1 and {MAX_PAGE}"
            )))
            .api();
        }
        if let Some(cursor) = &after
            && !cursor.contains('|')
        {
            return Err(ApiError::Invalid(format!("invalid cursor `{cursor}`"))).api();
        }
        let filter = ExecutionFilter {
            workflow_id: workflow_id.map(|id| id.0),
            status: status.map(|s| s.as_str().to_string()),
            trigger: trigger.map(|t| t.as_str().to_string()),
            environment: environment.map(|e| {
                weft_domain::environment::Environment::from(e)
                    .as_str()
                    .to_string()
            }),
            from: timestamp("from", from).api()?,
            to: timestamp("to", to).api()?,
            limit: first as usize,
            after,
        };
        let page = ExecutionQueries::new(api.store.clone())
            .list(&filter)
            .await
            .api()?;
        Ok(ExecutionPage {
            items: page.items.into_iter().map(Execution).collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// One execution; `NOT_FOUND` when no execution has this id.
    async fn execution(&self, ctx: &Context<'_>, id: ID) -> Result<Execution> {
        let api = ctx.data_unchecked::<Api>();
        ExecutionQueries::new(api.store.clone())
            .execution(&id)
            .await
            .api()?
            .map(Execution)
            .ok_or_else(|| ApiError::ExecutionNotFound(id.0))
            .api()
    }
}
