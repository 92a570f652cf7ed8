//! Read-side queries over the read models.

use sqlx::Row;
use weft_commands::Db;
use weft_domain::environment::Environment;

use crate::conditions::{Bind, Conditions};
use crate::error::ProjectionError;
use crate::model::{AuditRow, VersionRow, WorkflowRow};
use crate::sink::row_to_workflow;
use crate::tables::{AUDIT_LOG, WORKFLOW_VERSIONS, WORKFLOWS};

/// Filters of the workflow list.
#[derive(Debug, Clone, Default)]
pub struct WorkflowFilter {
    /// Only this environment.
    pub environment: Option<Environment>,
    /// Only active (or inactive) workflows.
    pub active: Option<bool>,
    /// Archived workflows instead of live ones (default: live only).
    pub archived: bool,
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
    /// Page size.
    pub limit: usize,
    /// Cursor: the last id of the previous page (ids sort by creation time).
    pub after: Option<String>,
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this actor (`user:ID`, `system:NAME`, …).
    pub actor: Option<String>,
    /// Only events of this aggregate (workflow id).
    pub aggregate_id: Option<String>,
    /// Recorded at or after (RFC 3339).
    pub from: Option<String>,
    /// Recorded before (RFC 3339).
    pub to: Option<String>,
    /// Page size.
    pub limit: usize,
    /// Cursor: the last global position of the previous page.
    pub after: Option<i64>,
}

/// Read access to the read models.
#[derive(Clone)]
pub struct ReadModels {
    db: Db,
}

impl ReadModels {
    /// Queries over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// The database behind the read models.
    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    /// Lists workflows, ordered by id (creation order).
    pub async fn workflows(
        &self,
        filter: &WorkflowFilter,
    ) -> Result<Vec<WorkflowRow>, ProjectionError> {
        let mut conditions = Conditions::default();
        conditions.push("archived = ?", vec![Bind::Int(i64::from(filter.archived))]);
        if let Some(environment) = filter.environment {
            conditions.push(
                "environment = ?",
                vec![Bind::Text(environment.as_str().into())],
            );
        }
        if let Some(active) = filter.active {
            conditions.push("active = ?", vec![Bind::Int(i64::from(active))]);
        }
        if let Some(search) = filter.search.as_ref().filter(|s| !s.is_empty()) {
            conditions.push(
                "LOWER(name) LIKE ?",
                vec![Bind::Text(format!("%{}%", search.to_lowercase()))],
            );
        }
        if let Some(after) = &filter.after {
            conditions.push("id > ?", vec![Bind::Text(after.clone())]);
        }
        let sql = format!(
            "SELECT {} FROM {}{} ORDER BY id LIMIT {}",
            WORKFLOWS.columns.join(","),
            WORKFLOWS.name,
            conditions.clause(),
            filter.limit.clamp(1, 1000)
        );
        conditions
            .fetch(&self.db, &sql)
            .await?
            .iter()
            .map(row_to_workflow)
            .collect()
    }

    /// One workflow with its current definition.
    pub async fn workflow(&self, id: &str) -> Result<Option<WorkflowRow>, ProjectionError> {
        let mut by_id = Conditions::default();
        by_id.push("id = ?", vec![Bind::Text(id.into())]);
        let sql = format!(
            "SELECT {} FROM {}{}",
            WORKFLOWS.columns.join(","),
            WORKFLOWS.name,
            by_id.clause()
        );
        let rows = by_id.fetch(&self.db, &sql).await?;
        rows.first().map(row_to_workflow).transpose()
    }

    /// The version history of a workflow, oldest first.
    pub async fn versions(&self, workflow_id: &str) -> Result<Vec<VersionRow>, ProjectionError> {
        let mut by_workflow = Conditions::default();
        by_workflow.push("workflow_id = ?", vec![Bind::Text(workflow_id.into())]);
        let sql = format!(
            "SELECT {} FROM {}{} ORDER BY version",
            WORKFLOW_VERSIONS.columns.join(","),
            WORKFLOW_VERSIONS.name,
            by_workflow.clause()
        );
        let rows = by_workflow.fetch(&self.db, &sql).await?;
        rows.iter()
            .map(|row| {
                Ok(VersionRow {
                    workflow_id: row.try_get(0)?,
                    version: row.try_get::<i64, _>(1)? as u64,
                    event_type: row.try_get(2)?,
                    summary: row.try_get(3)?,
                    actor: row.try_get(4)?,
                    recorded_at: row.try_get(5)?,
                })
            })
            .collect()
    }

    /// Audit entries, oldest first.
    pub async fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>, ProjectionError> {
        let mut conditions = Conditions::default();
        if let Some(actor) = &filter.actor {
            conditions.push("actor = ?", vec![Bind::Text(actor.clone())]);
        }
        if let Some(aggregate) = &filter.aggregate_id {
            conditions.push("aggregate_id = ?", vec![Bind::Text(aggregate.clone())]);
        }
        if let Some(from) = &filter.from {
            conditions.push("recorded_at >= ?", vec![Bind::Text(from.clone())]);
        }
        if let Some(to) = &filter.to {
            conditions.push("recorded_at < ?", vec![Bind::Text(to.clone())]);
        }
        if let Some(after) = filter.after {
            conditions.push("global_position > ?", vec![Bind::Int(after)]);
        }
        let sql = format!(
            "SELECT {} FROM {}{} ORDER BY global_position LIMIT {}",
            AUDIT_LOG.columns.join(","),
            AUDIT_LOG.name,
            conditions.clause(),
            filter.limit.clamp(1, 10_000)
        );
        let rows = conditions.fetch(&self.db, &sql).await?;
        rows.iter()
            .map(|row| {
                Ok(AuditRow {
                    global_position: row.try_get(0)?,
                    aggregate_type: row.try_get(1)?,
                    aggregate_id: row.try_get(2)?,
                    sequence: row.try_get::<i64, _>(3)? as u64,
                    event_type: row.try_get(4)?,
                    actor: row.try_get(5)?,
                    recorded_at: row.try_get(6)?,
                    correlation_id: row.try_get(7)?,
                    summary: row.try_get(8)?,
                })
            })
            .collect()
    }
}
