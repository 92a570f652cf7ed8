//! Version history, audit log and live workflow events.

use async_graphql::{ID, Json, SimpleObject};
use serde_json::Value;
use weft_projections::{AuditRow, VersionRow};

/// One version of a workflow: the event that made it.
#[derive(SimpleObject)]
pub struct WorkflowVersion {
    /// The version number (1 = created).
    pub version: u64,
    /// Event type, e.g. `NodeAdded`.
    pub event_type: String,
    /// One-line human summary.
    pub summary: String,
    /// Who made it (`user:ID`, `system:NAME`, …).
    pub actor: String,
    /// When (RFC 3339).
    pub recorded_at: String,
}

impl From<VersionRow> for WorkflowVersion {
    fn from(row: VersionRow) -> Self {
        Self {
            version: row.version,
            event_type: row.event_type,
            summary: row.summary,
            actor: row.actor,
            recorded_at: row.recorded_at,
        }
    }
}

/// One entry of the audit log: any event of any aggregate.
#[derive(SimpleObject)]
pub struct AuditEntry {
    /// Place in the global log.
    pub position: String,
    /// Aggregate type, e.g. `workflow`.
    pub aggregate_type: String,
    /// Aggregate id (the workflow id for workflow events).
    pub aggregate_id: ID,
    /// Version of the aggregate after the event.
    pub sequence: u64,
    /// Event type.
    pub event_type: String,
    /// Who caused it.
    pub actor: String,
    /// When (RFC 3339).
    pub recorded_at: String,
    /// Request the event belongs to.
    pub correlation_id: String,
    /// One-line human summary.
    pub summary: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        Self {
            position: row.global_position.to_string(),
            aggregate_type: row.aggregate_type,
            aggregate_id: ID(row.aggregate_id),
            sequence: row.sequence,
            event_type: row.event_type,
            actor: row.actor,
            recorded_at: row.recorded_at,
            correlation_id: row.correlation_id,
            summary: row.summary,
        }
    }
}

/// A page of the audit log.
#[derive(SimpleObject)]
pub struct AuditPage {
    /// Entries, oldest first.
    pub items: Vec<AuditEntry>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// An edit of a workflow, delivered once the read models include it.
#[derive(SimpleObject, Clone)]
pub struct WorkflowEventMessage {
    /// The workflow.
    pub workflow_id: ID,
    /// The workflow's version after this event.
    pub version: u64,
    /// Event type, e.g. `NodeMoved`.
    pub event_type: String,
    /// One-line human summary.
    pub summary: String,
    /// Who made the edit.
    pub actor: String,
    /// When (RFC 3339).
    pub recorded_at: String,
    /// Request the edit belongs to.
    pub correlation_id: String,
    /// The event payload as stored.
    pub payload: Json<Value>,
}
