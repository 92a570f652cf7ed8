//! Workflow definition types: the graph a workflow runs (nodes, connections, settings, variables,
//! pinned data). Close to n8n's document model, but connections refer to node ids so renames are cheap.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Stable identifier of a node inside one workflow (survives renames).
pub type NodeId = String;

/// A workflow's complete, executable definition.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowDefinition {
    /// Nodes in canvas insertion order.
    #[serde(default)]
    pub nodes: Vec<Node>,
    /// Directed edges between node ports.
    #[serde(default)]
    pub connections: Vec<Connection>,
    /// Workflow-level settings.
    #[serde(default)]
    pub settings: WorkflowSettings,
    /// Named constants available to expressions as `$vars`.
    #[serde(default)]
    pub variables: BTreeMap<String, Value>,
    /// Items pinned to a node's first output for manual runs, keyed by node id.
    #[serde(default)]
    pub pin_data: BTreeMap<NodeId, Vec<Value>>,
}

impl WorkflowDefinition {
    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// Mutable access to the node with this id.
    pub fn node_mut(&mut self, id: &str) -> Option<&mut Node> {
        self.nodes.iter_mut().find(|n| n.id == id)
    }

    /// The node with this display name.
    pub fn node_by_name(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }
}

/// One step of a workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// Stable id, unique within the workflow.
    pub id: NodeId,
    /// Node type from the catalog, e.g. `n8n-nodes-base.set`.
    #[serde(rename = "type")]
    pub node_type: String,
    /// Version of the node type's behaviour (may be fractional, as in n8n).
    #[serde(default = "default_type_version")]
    pub type_version: f64,
    /// Display name, unique within the workflow; expressions refer to nodes by name.
    pub name: String,
    /// Canvas position `[x, y]`.
    #[serde(default)]
    pub position: [f64; 2],
    /// Node-specific parameters; strings starting with `=` are expressions.
    #[serde(default = "empty_object")]
    pub parameters: Value,
    /// Credential references by credential type.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub credentials: BTreeMap<String, CredentialRef>,
    /// A disabled node passes its first input through unchanged.
    #[serde(default)]
    pub disabled: bool,
    /// Free-form notes shown on the canvas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Visual style.
    #[serde(default, skip_serializing_if = "NodeStyle::is_default")]
    pub style: NodeStyle,
    /// Retry-on-failure settings.
    #[serde(default, skip_serializing_if = "RetrySettings::is_default")]
    pub retry: RetrySettings,
    /// What happens when the node fails.
    #[serde(default)]
    pub on_error: OnError,
}

impl Node {
    /// A node of `node_type` (version 1) with default settings and empty parameters.
    pub fn new(id: &str, node_type: &str, name: &str) -> Self {
        Self {
            id: id.to_string(),
            node_type: node_type.to_string(),
            type_version: default_type_version(),
            name: name.to_string(),
            position: [0.0, 0.0],
            parameters: empty_object(),
            credentials: BTreeMap::new(),
            disabled: false,
            notes: None,
            style: NodeStyle::default(),
            retry: RetrySettings::default(),
            on_error: OnError::default(),
        }
    }
}

fn default_type_version() -> f64 {
    1.0
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

/// A reference to a stored credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRef {
    /// Credential id.
    pub id: String,
    /// Credential name at the time it was chosen (display only).
    #[serde(default)]
    pub name: String,
}

/// How a node looks on the canvas.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeStyle {
    /// CSS colour, e.g. `#ff6d5a`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Icon override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
}

impl NodeStyle {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// Retry a failing node before giving up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetrySettings {
    /// Retry at all.
    #[serde(default)]
    pub retry_on_fail: bool,
    /// Total tries including the first one.
    #[serde(default = "default_max_tries")]
    pub max_tries: u32,
    /// Wait before the second try, in milliseconds.
    #[serde(default = "default_wait_ms")]
    pub wait_between_tries_ms: u64,
    /// Multiply the wait by this factor after each try (1.0 = constant wait).
    #[serde(default = "default_backoff")]
    pub backoff_factor: f64,
}

fn default_max_tries() -> u32 {
    3
}
fn default_wait_ms() -> u64 {
    1000
}
fn default_backoff() -> f64 {
    1.0
}

impl Default for RetrySettings {
    fn default() -> Self {
        Self {
            retry_on_fail: false,
            max_tries: default_max_tries(),
            wait_between_tries_ms: default_wait_ms(),
            backoff_factor: default_backoff(),
        }
    }
}

impl RetrySettings {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// Behaviour of a node when it fails.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OnError {
    /// Fail the execution (default).
    #[default]
    StopWorkflow,
    /// Emit the error as a regular output item and go on.
    ContinueRegularOutput,
    /// Route failed items to the node's error output.
    ContinueErrorOutput,
}

/// Kind of a connection: regular data flow or the error output of the source node.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionKind {
    /// Items from a main output.
    #[default]
    Main,
    /// Failed items from the error output (used when the node's `onError` is `continueErrorOutput`).
    Error,
}

/// A directed edge from one node's output to another node's input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Source node id.
    pub source: NodeId,
    /// Output index on the source (0 for the error output).
    #[serde(default)]
    pub source_output: u32,
    /// Target node id.
    pub target: NodeId,
    /// Input index on the target.
    #[serde(default)]
    pub target_input: u32,
    /// Main or error connection.
    #[serde(default)]
    pub kind: ConnectionKind,
}

/// Order in which ready nodes run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExecutionOrder {
    /// n8n's legacy breadth-first order.
    #[serde(rename = "v0")]
    V0,
    /// n8n's v1 order: depth-first, siblings by canvas position (default).
    #[default]
    #[serde(rename = "v1")]
    V1,
}

/// Workflow-level settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowSettings {
    /// IANA timezone for schedules and `$now`; `None` means the server's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Workflow id to run when an execution of this workflow fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_workflow: Option<String>,
    /// Execution timeout in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    /// Node execution order.
    #[serde(default)]
    pub execution_order: ExecutionOrder,
}
