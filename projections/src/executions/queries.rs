//! Reads of the executions read models: the filtered list with cursor pages, one execution's
//! detail, and its path.

use chrono::DateTime;
use cqrs_es::Aggregate;
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;
use weft_commands::{Db, EventStore, LogPosition};
use weft_domain::execution::Execution as ExecutionAggregate;

use super::model::ExecutionRow;
use super::node_runs::{NodeRunRow, node_runs};
use super::tables::EXECUTIONS;
use crate::conditions::{Bind, Conditions};
use crate::error::ProjectionError;

/// Filters of the executions list (newest first).
#[derive(Debug, Clone, Default)]
pub struct ExecutionFilter {
    /// Only executions of this workflow.
    pub workflow_id: Option<String>,
    /// Only this status (`running`, `succeeded`, …).
    pub status: Option<String>,
    /// Only this trigger kind (`manual`, `webhook`, …).
    pub trigger: Option<String>,
    /// Only executions of workflows in this environment (`testing`, `launched`, `production`).
    pub environment: Option<String>,
    /// Queued at or after (RFC 3339).
    pub from: Option<String>,
    /// Queued before (RFC 3339).
    pub to: Option<String>,
    /// Page size (1–1000).
    pub limit: usize,
    /// Cursor: `next_cursor` of the previous page.
    pub after: Option<String>,
}

/// One page of the executions list.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionPage {
    /// The executions, newest first.
    pub items: Vec<ExecutionRow>,
    /// Cursor of the next page, when there may be one.
    pub next_cursor: Option<String>,
}

/// One execution with its node runs in run order.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionDetail {
    /// The list row.
    pub execution: ExecutionRow,
    /// Node runs in the order they started.
    pub node_runs: Vec<NodeRunRow>,
}

/// One step of an execution path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathStep {
    /// Node id.
    pub node_id: String,
    /// Run index of the node.
    pub run_index: u32,
    /// Status of the run.
    pub status: String,
}

impl ExecutionRow {
    /// Milliseconds from start to end, once both are known.
    pub fn duration_ms(&self) -> Option<i64> {
        let start = DateTime::parse_from_rfc3339(self.started_at.as_deref()?).ok()?;
        let end = DateTime::parse_from_rfc3339(self.finished_at.as_deref()?).ok()?;
        Some((end - start).num_milliseconds())
    }

    /// The error that ended the execution, parsed.
    pub fn error_json(&self) -> Option<Value> {
        serde_json::from_str(self.error.as_deref()?).ok()
    }
}

fn cursor_of(row: &ExecutionRow) -> String {
    format!("{}|{}", row.queued_at, row.id)
}

fn execution_from(row: &AnyRow) -> Result<ExecutionRow, ProjectionError> {
    Ok(ExecutionRow {
        id: row.try_get(0)?,
        workflow_id: row.try_get(1)?,
        workflow_version: row.try_get::<i64, _>(2)? as u64,
        status: row.try_get(3)?,
        trigger_kind: row.try_get(4)?,
        trigger_detail: row.try_get(5)?,
        mode: row.try_get(6)?,
        queued_at: row.try_get(7)?,
        started_at: row.try_get(8)?,
        finished_at: row.try_get(9)?,
        error: row.try_get(10)?,
        error_node_id: row.try_get(11)?,
        last_sequence: row.try_get::<i64, _>(12)? as u64,
    })
}

/// Read access to the executions read models.
#[derive(Clone)]
pub struct ExecutionQueries {
    db: Db,
    store: EventStore,
}

impl ExecutionQueries {
    /// Queries over the read models in `store`'s database and the execution streams.
    pub fn new(store: EventStore) -> Self {
        Self {
            db: store.db().clone(),
            store,
        }
    }

    /// One page of executions, newest first.
    pub async fn list(&self, filter: &ExecutionFilter) -> Result<ExecutionPage, ProjectionError> {
        let mut conditions = Conditions::default();
        let text = |value: &str| Bind::Text(value.to_string());
        if let Some(workflow_id) = &filter.workflow_id {
            conditions.push("workflow_id = ?", vec![text(workflow_id)]);
        }
        if let Some(status) = &filter.status {
            conditions.push("status = ?", vec![text(status)]);
        }
        if let Some(trigger) = &filter.trigger {
            conditions.push("trigger_kind = ?", vec![text(trigger)]);
        }
        if let Some(environment) = &filter.environment {
            conditions.push(
                "workflow_id IN (SELECT id FROM workflows WHERE environment = ?)",
                vec![text(environment)],
            );
        }
        if let Some(from) = &filter.from {
            conditions.push("queued_at >= ?", vec![text(from)]);
        }
        if let Some(to) = &filter.to {
            conditions.push("queued_at < ?", vec![text(to)]);
        }
        if let Some((queued_at, id)) = filter.after.as_deref().and_then(|c| c.split_once('|')) {
            conditions.push(
                "(queued_at < ? OR (queued_at = ? AND id < ?))",
                vec![text(queued_at), text(queued_at), text(id)],
            );
        }
        let limit = filter.limit.clamp(1, 1000);
        let sql = format!(
            "SELECT {} FROM {}{} ORDER BY queued_at DESC, id DESC LIMIT {}",
            EXECUTIONS.columns.join(","),
            EXECUTIONS.name,
            conditions.clause(),
            limit + 1
        );
        let mut items = conditions
            .fetch(&self.db, &sql)
            .await?
            .iter()
            .map(execution_from)
            .collect::<Result<Vec<_>, _>>()?;
        let more = items.len() > limit;
        items.truncate(limit);
        let next_cursor = if more {
            items.last().map(cursor_of)
        } else {
            None
        };
        Ok(ExecutionPage { items, next_cursor })
    }

    /// One execution's list row.
    pub async fn execution(&self, id: &str) -> Result<Option<ExecutionRow>, ProjectionError> {
        let sql = self
            .db
            .sql(&format!(
                "SELECT {} FROM {} WHERE id = $1",
                EXECUTIONS.columns.join(","),
                EXECUTIONS.name
            ))
            .into_owned();
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.db.pool())
            .await?
            .as_ref()
            .map(execution_from)
            .transpose()
    }

    /// Ids of the executions queued before `queued_before` (RFC 3339, as the event metadata
    /// writes it) that have not ended (queued, running or waiting), oldest first.
    pub async fn unfinished_ids(
        &self,
        queued_before: &str,
    ) -> Result<Vec<String>, ProjectionError> {
        let sql = self
            .db
            .sql(&format!(
                "SELECT id FROM {} WHERE status IN ('queued', 'running', 'waiting') \
                 AND queued_at < $1 ORDER BY queued_at, id",
                EXECUTIONS.name
            ))
            .into_owned();
        let rows = sqlx::query(&sql)
            .bind(queued_before)
            .fetch_all(self.db.pool())
            .await?;
        rows.iter()
            .map(|row| row.try_get(0).map_err(ProjectionError::from))
            .collect()
    }

    /// One execution with its node runs in run order, as far into its stream as its list row.
    pub async fn detail(&self, id: &str) -> Result<Option<ExecutionDetail>, ProjectionError> {
        let Some(execution) = self.execution(id).await? else {
            return Ok(None);
        };
        let node_runs = self.node_runs(&execution).await?;
        Ok(Some(ExecutionDetail {
            execution,
            node_runs,
        }))
    }

    /// The node runs of an execution in run order, without their items (for highlighting).
    pub async fn path(&self, id: &str) -> Result<Vec<PathStep>, ProjectionError> {
        let Some(execution) = self.execution(id).await? else {
            return Ok(Vec::new());
        };
        Ok(self
            .node_runs(&execution)
            .await?
            .into_iter()
            .map(|run| PathStep {
                node_id: run.node_id,
                run_index: run.run_index,
                status: run.status,
            })
            .collect())
    }

    /// The node runs recorded by the events the list row includes (sequences 1 to its
    /// `last_sequence`; a stream's sequences have no gaps).
    async fn node_runs(
        &self,
        execution: &ExecutionRow,
    ) -> Result<Vec<NodeRunRow>, ProjectionError> {
        let events = self
            .store
            .stream_after(
                ExecutionAggregate::TYPE,
                &execution.id,
                0,
                LogPosition::END,
                execution.last_sequence as usize,
            )
            .await?;
        node_runs(&events)
    }
}
