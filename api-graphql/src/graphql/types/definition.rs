//! Output types of a workflow definition: nodes, connections, settings.

use async_graphql::{ID, InputObject, Json, SimpleObject};
use serde_json::Value;
use weft_domain::definition as domain;

use super::enums::{ConnectionKind, ExecutionOrder, OnError};

/// A point on the canvas.
#[derive(SimpleObject, InputObject, Clone, Copy, PartialEq)]
#[graphql(input_name = "PositionInput")]
pub struct Position {
    /// Horizontal.
    pub x: f64,
    /// Vertical.
    pub y: f64,
}

impl From<[f64; 2]> for Position {
    fn from([x, y]: [f64; 2]) -> Self {
        Self { x, y }
    }
}

impl From<Position> for [f64; 2] {
    fn from(position: Position) -> Self {
        [position.x, position.y]
    }
}

/// One step of a workflow.
#[derive(SimpleObject)]
pub struct Node {
    /// Stable id, unique within the workflow.
    pub id: ID,
    /// Node type from the catalog, e.g. `n8n-nodes-base.set`.
    #[graphql(name = "type")]
    pub node_type: String,
    /// Version of the node type.
    pub type_version: f64,
    /// Display name, unique within the workflow.
    pub name: String,
    /// Canvas position.
    pub position: Position,
    /// Node-specific parameters (`=` strings are expressions).
    pub parameters: Json<Value>,
    /// Credential references by credential type.
    pub credentials: Json<Value>,
    /// Disabled nodes pass their first input through.
    pub disabled: bool,
    /// Notes shown on the canvas.
    pub notes: Option<String>,
    /// Behaviour on failure.
    pub on_error: OnError,
    /// Retry settings (`retryOnFail`, `maxTries`, `waitBetweenTriesMs`, `backoffFactor`).
    pub retry: Json<Value>,
    /// Visual style (`color`, `icon`).
    pub style: Json<Value>,
}

fn json<T: serde::Serialize>(value: &T) -> Json<Value> {
    Json(serde_json::to_value(value).unwrap_or(Value::Null))
}

impl From<&domain::Node> for Node {
    fn from(node: &domain::Node) -> Self {
        Self {
            id: ID(node.id.clone()),
            node_type: node.node_type.clone(),
            type_version: node.type_version,
            name: node.name.clone(),
            position: node.position.into(),
            parameters: Json(node.parameters.clone()),
            credentials: json(&node.credentials),
            disabled: node.disabled,
            notes: node.notes.clone(),
            on_error: node.on_error.into(),
            retry: json(&node.retry),
            style: json(&node.style),
        }
    }
}

/// A directed edge from one node's output to another node's input.
#[derive(SimpleObject)]
pub struct Connection {
    /// Source node id.
    pub source: ID,
    /// Output index on the source (0 for the error output).
    pub source_output: u32,
    /// Target node id.
    pub target: ID,
    /// Input index on the target.
    pub target_input: u32,
    /// Main or error connection.
    pub kind: ConnectionKind,
}

impl From<&domain::Connection> for Connection {
    fn from(connection: &domain::Connection) -> Self {
        Self {
            source: ID(connection.source.clone()),
            source_output: connection.source_output,
            target: ID(connection.target.clone()),
            target_input: connection.target_input,
            kind: connection.kind.into(),
        }
    }
}

/// Workflow-level settings.
#[derive(SimpleObject)]
pub struct WorkflowSettings {
    /// IANA timezone; null means the server's default.
    pub timezone: Option<String>,
    /// Workflow to run when an execution fails.
    pub error_workflow: Option<ID>,
    /// Execution timeout in seconds.
    pub timeout_seconds: Option<u64>,
    /// Node execution order.
    pub execution_order: ExecutionOrder,
}

impl From<&domain::WorkflowSettings> for WorkflowSettings {
    fn from(settings: &domain::WorkflowSettings) -> Self {
        Self {
            timezone: settings.timezone.clone(),
            error_workflow: settings.error_workflow.clone().map(ID),
            timeout_seconds: settings.timeout_seconds,
            execution_order: settings.execution_order.into(),
        }
    }
}

/// A workflow's complete definition at one version.
#[derive(SimpleObject)]
pub struct Definition {
    /// The version this definition belongs to.
    pub version: u64,
    /// Nodes in canvas order.
    pub nodes: Vec<Node>,
    /// Connections between node ports.
    pub connections: Vec<Connection>,
    /// Settings.
    pub settings: WorkflowSettings,
    /// Variables available to expressions as `$vars`.
    pub variables: Json<Value>,
    /// Items pinned to nodes, keyed by node id.
    pub pin_data: Json<Value>,
    /// The whole definition as Weft JSON.
    pub json: Json<Value>,
}

impl Definition {
    /// The output form of `definition` at `version`.
    pub fn new(version: u64, definition: &domain::WorkflowDefinition) -> Self {
        Self {
            version,
            nodes: definition.nodes.iter().map(Node::from).collect(),
            connections: definition
                .connections
                .iter()
                .map(Connection::from)
                .collect(),
            settings: (&definition.settings).into(),
            variables: json(&definition.variables),
            pin_data: json(&definition.pin_data),
            json: json(definition),
        }
    }
}
