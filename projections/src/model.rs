//! Turning events into read-model rows (pure; no database access).

use std::collections::HashMap;

use serde_json::Value;
use weft_commands::StoredEvent;
use weft_domain::definition::WorkflowDefinition;
use weft_domain::environment::Environment;
use weft_domain::workflow::{WorkflowEvent, apply_to_definition};

use crate::error::{ProjectionError, parse_payload};

/// One row of the workflow list, with the current definition.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowRow {
    /// Workflow id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Environment.
    pub environment: Environment,
    /// Triggers live.
    pub active: bool,
    /// Archived.
    pub archived: bool,
    /// Current version.
    pub version: u64,
    /// Source workflow and version, for promoted workflows.
    pub parent: Option<(String, u64)>,
    /// When the first event was recorded (RFC 3339).
    pub created_at: String,
    /// Who created it.
    pub created_by: String,
    /// When the last event was recorded.
    pub updated_at: String,
    /// Who changed it last.
    pub updated_by: String,
    /// Current definition.
    pub definition: WorkflowDefinition,
}

/// One version-history entry.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionRow {
    /// Workflow id.
    pub workflow_id: String,
    /// Version.
    pub version: u64,
    /// Event type.
    pub event_type: String,
    /// Human summary.
    pub summary: String,
    /// Actor.
    pub actor: String,
    /// Time.
    pub recorded_at: String,
}

/// One audit-log entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    /// Global position (position part).
    pub global_position: i64,
    /// Aggregate type.
    pub aggregate_type: String,
    /// Aggregate id.
    pub aggregate_id: String,
    /// Sequence in the aggregate.
    pub sequence: u64,
    /// Event type.
    pub event_type: String,
    /// Actor.
    pub actor: String,
    /// Time.
    pub recorded_at: String,
    /// Correlation id.
    pub correlation_id: String,
    /// Human summary.
    pub summary: String,
}

/// The row changes of one batch of events.
#[derive(Debug, Default)]
pub struct Changes {
    /// Workflow ids whose rows changed (rows are in the cache).
    pub workflows: Vec<String>,
    /// New version entries.
    pub versions: Vec<VersionRow>,
    /// New audit entries.
    pub audit: Vec<AuditRow>,
    /// Executions rows.
    pub executions: crate::executions::ExecutionChanges,
    /// Users, API keys and credential metadata rows.
    pub access: crate::access::AccessChanges,
}

/// A metadata value of `event` (empty when missing).
pub(crate) fn meta<'a>(event: &'a StoredEvent, key: &str) -> &'a str {
    event.metadata.get(key).map_or("", String::as_str)
}

/// Execution events that someone's action caused (a trigger fired, a user canceled or deleted
/// the run); the rest of an execution's stream is the engine recording its progress, which the
/// execution's detail and replay show.
const AUDITED_EXECUTION_EVENTS: [&str; 3] =
    ["ExecutionQueued", "ExecutionCanceled", "ExecutionDeleted"];

/// Whether `event` gets an audit-log entry: every event of workflows, credentials, users and API
/// keys, and of executions only the actions in [`AUDITED_EXECUTION_EVENTS`]. A webhook execution
/// appends about a dozen progress events; auditing each as well (a row and three index entries)
/// held c=64 webhooks at 6.1–6.6k req/s, against 8.6–9.5k without.
pub(crate) fn is_audited(event: &StoredEvent) -> bool {
    event.aggregate_type != "execution"
        || AUDITED_EXECUTION_EVENTS.contains(&event.event_type.as_str())
}

/// Applies a batch of events to the cached workflow rows and collects new history rows.
/// `cache` must already hold every existing workflow row the batch touches.
pub fn apply_batch(
    cache: &mut HashMap<String, WorkflowRow>,
    events: &[StoredEvent],
) -> Result<Changes, ProjectionError> {
    let mut changes = Changes::default();
    for event in events {
        let summary = if event.aggregate_type == "workflow" {
            let parsed: WorkflowEvent = parse_payload(event)?;
            let summary = parsed.summary();
            let (actor, recorded_at) = (meta(event, "actor"), meta(event, "timestamp"));
            apply_workflow_event(cache, event, &parsed, actor, recorded_at);
            if !changes.workflows.contains(&event.aggregate_id) {
                changes.workflows.push(event.aggregate_id.clone());
            }
            changes.versions.push(VersionRow {
                workflow_id: event.aggregate_id.clone(),
                version: event.sequence,
                event_type: event.event_type.clone(),
                summary: summary.clone(),
                actor: actor.to_string(),
                recorded_at: recorded_at.to_string(),
            });
            summary
        } else {
            if event.aggregate_type == "execution" {
                changes.executions.apply(event)?;
            } else {
                changes.access.apply(event)?;
            }
            // Most events of a busy server are unaudited execution progress: nothing of the
            // audit row is built for them.
            if !is_audited(event) {
                continue;
            }
            event.event_type.clone()
        };
        changes.audit.push(AuditRow {
            global_position: event.position.position,
            aggregate_type: event.aggregate_type.clone(),
            aggregate_id: event.aggregate_id.clone(),
            sequence: event.sequence,
            event_type: event.event_type.clone(),
            actor: meta(event, "actor").to_string(),
            recorded_at: meta(event, "timestamp").to_string(),
            correlation_id: meta(event, "correlationId").to_string(),
            summary,
        });
    }
    Ok(changes)
}

fn apply_workflow_event(
    cache: &mut HashMap<String, WorkflowRow>,
    stored: &StoredEvent,
    event: &WorkflowEvent,
    actor: &str,
    recorded_at: &str,
) {
    let row = cache
        .entry(stored.aggregate_id.clone())
        .or_insert_with(|| WorkflowRow {
            id: stored.aggregate_id.clone(),
            name: String::new(),
            description: String::new(),
            environment: Environment::Testing,
            active: false,
            archived: false,
            version: 0,
            parent: None,
            created_at: recorded_at.to_string(),
            created_by: actor.to_string(),
            updated_at: String::new(),
            updated_by: String::new(),
            definition: WorkflowDefinition::default(),
        });
    apply_to_definition(&mut row.definition, event);
    use WorkflowEvent::*;
    match event {
        WorkflowCreated {
            name, description, ..
        } => {
            row.name = name.clone();
            row.description = description.clone();
        }
        WorkflowRenamed { name } => row.name = name.clone(),
        WorkflowDescribed { description } => row.description = description.clone(),
        WorkflowActivated => row.active = true,
        WorkflowDeactivated => row.active = false,
        WorkflowArchived => row.archived = true,
        WorkflowRestored => row.archived = false,
        PromotionAccepted {
            source_workflow_id,
            source_version,
            environment,
            name,
            description,
            ..
        } => {
            row.environment = *environment;
            row.name = name.clone();
            row.description = description.clone();
            row.parent = Some((source_workflow_id.clone(), *source_version));
        }
        _ => {}
    }
    row.version = stored.sequence;
    row.updated_at = recorded_at.to_string();
    row.updated_by = actor.to_string();
}

/// Parses the stored definition column.
pub fn parse_definition(text: &str) -> Result<WorkflowDefinition, ProjectionError> {
    serde_json::from_str::<Value>(text)
        .and_then(serde_json::from_value)
        .map_err(|e| ProjectionError::BadEvent {
            position: "workflows.definition".into(),
            event_type: String::new(),
            reason: e.to_string(),
        })
}
