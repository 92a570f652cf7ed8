//! Input types of the mutations. Ids, names and positions are typed; parameters, credentials,
//! retry and style are JSON, as in the stored definition.

use async_graphql::{ID, InputObject, Json};
use serde_json::{Map, Value, json};
use weft_domain::definition as domain;
use weft_domain::workflow::NodeChanges;

use super::definition::Position;
use super::enums::{ConnectionKind, ExecutionOrder, OnError};
use crate::graphql::error::ApiError;

/// A new node.
#[derive(InputObject)]
pub struct NodeInput {
    /// Stable id, unique within the workflow.
    pub id: ID,
    /// Node type from the catalog.
    #[graphql(name = "type")]
    pub node_type: String,
    /// Type version (default 1).
    pub type_version: Option<f64>,
    /// Display name, unique within the workflow.
    pub name: String,
    /// Canvas position.
    pub position: Option<Position>,
    /// Parameters (an object).
    pub parameters: Option<Json<Value>>,
    /// Credential references by credential type: `{"httpBasicAuth": {"id": "…", "name": "…"}}`.
    pub credentials: Option<Json<Value>>,
    /// Start disabled.
    pub disabled: Option<bool>,
    /// Notes.
    pub notes: Option<String>,
    /// Behaviour on failure.
    pub on_error: Option<OnError>,
    /// Retry settings.
    pub retry: Option<Json<Value>>,
    /// Visual style.
    pub style: Option<Json<Value>>,
}

/// Decodes a JSON input into a domain type, naming the argument on failure.
pub fn decode<T: serde::de::DeserializeOwned>(what: &str, value: Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::Invalid(format!("invalid {what}: {e}")))
}

impl NodeInput {
    /// The domain node.
    pub fn into_domain(self) -> Result<domain::Node, ApiError> {
        let mut node = Map::new();
        node.insert("id".into(), json!(self.id.0));
        node.insert("type".into(), json!(self.node_type));
        node.insert("name".into(), json!(self.name));
        let optional = [
            ("typeVersion", self.type_version.map(|v| json!(v))),
            ("position", self.position.map(|p| json!([p.x, p.y]))),
            ("parameters", self.parameters.map(|j| j.0)),
            ("credentials", self.credentials.map(|j| j.0)),
            ("disabled", self.disabled.map(Value::Bool)),
            ("notes", self.notes.map(Value::String)),
            (
                "onError",
                self.on_error.map(|o| json!(domain::OnError::from(o))),
            ),
            ("retry", self.retry.map(|j| j.0)),
            ("style", self.style.map(|j| j.0)),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                node.insert(key.into(), value);
            }
        }
        decode("node", Value::Object(node))
    }
}

/// Fields of a node to change; absent fields stay as they are.
#[derive(InputObject)]
pub struct NodeChangesInput {
    /// New display name.
    pub name: Option<String>,
    /// New parameters (the whole object).
    pub parameters: Option<Json<Value>>,
    /// New type version.
    pub type_version: Option<f64>,
    /// New credential references.
    pub credentials: Option<Json<Value>>,
    /// New notes; an empty string clears them.
    pub notes: Option<String>,
    /// Disable or enable.
    pub disabled: Option<bool>,
    /// New retry settings.
    pub retry: Option<Json<Value>>,
    /// New style.
    pub style: Option<Json<Value>>,
    /// New behaviour on failure.
    pub on_error: Option<OnError>,
}

impl NodeChangesInput {
    /// The domain change set.
    pub fn into_domain(self) -> Result<NodeChanges, ApiError> {
        Ok(NodeChanges {
            name: self.name,
            parameters: self.parameters.map(|j| j.0),
            type_version: self.type_version,
            credentials: self
                .credentials
                .map(|j| decode("credentials", j.0))
                .transpose()?,
            notes: self.notes,
            disabled: self.disabled,
            retry: self.retry.map(|j| decode("retry", j.0)).transpose()?,
            style: self.style.map(|j| decode("style", j.0)).transpose()?,
            on_error: self.on_error.map(Into::into),
        })
    }
}

/// A connection between two node ports.
#[derive(InputObject)]
pub struct ConnectionInput {
    /// Source node id.
    pub source: ID,
    /// Output index on the source (0 for the error output).
    #[graphql(default)]
    pub source_output: u32,
    /// Target node id.
    pub target: ID,
    /// Input index on the target.
    #[graphql(default)]
    pub target_input: u32,
    /// Main or error connection.
    #[graphql(default_with = "ConnectionKind::Main")]
    pub kind: ConnectionKind,
}

impl From<ConnectionInput> for domain::Connection {
    fn from(input: ConnectionInput) -> Self {
        Self {
            source: input.source.0,
            source_output: input.source_output,
            target: input.target.0,
            target_input: input.target_input,
            kind: input.kind.into(),
        }
    }
}

/// Workflow-level settings (replaced as a whole).
#[derive(InputObject)]
pub struct WorkflowSettingsInput {
    /// IANA timezone; null uses the server's default.
    pub timezone: Option<String>,
    /// Workflow to run when an execution fails.
    pub error_workflow: Option<ID>,
    /// Execution timeout in seconds.
    pub timeout_seconds: Option<u64>,
    /// Node execution order.
    #[graphql(default_with = "ExecutionOrder::V1")]
    pub execution_order: ExecutionOrder,
}

impl From<WorkflowSettingsInput> for domain::WorkflowSettings {
    fn from(input: WorkflowSettingsInput) -> Self {
        Self {
            timezone: input.timezone,
            error_workflow: input.error_workflow.map(|id| id.0),
            timeout_seconds: input.timeout_seconds,
            execution_order: input.execution_order.into(),
        }
    }
}
