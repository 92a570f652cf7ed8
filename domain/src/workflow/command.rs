//! Commands a workflow accepts. Each may carry the version the caller last saw.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::events::{NodeChanges, ReplaceReason};
use crate::definition::{Connection, Node, NodeId, WorkflowDefinition, WorkflowSettings};
use crate::environment::Environment;

/// A command plus the optimistic-concurrency guard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowCommand {
    /// The workflow version the caller based this command on. When the workflow has moved on,
    /// the command is rebased if it touches nothing the newer events touched, and rejected with a
    /// conflict otherwise. `None` applies the command to the current version.
    #[serde(default)]
    pub expected_version: Option<u64>,
    /// What to do.
    pub action: WorkflowAction,
}

impl WorkflowCommand {
    /// A command with no version guard.
    pub fn new(action: WorkflowAction) -> Self {
        Self {
            expected_version: None,
            action,
        }
    }

    /// A command guarded by the version the caller saw.
    pub fn at(expected_version: u64, action: WorkflowAction) -> Self {
        Self {
            expected_version: Some(expected_version),
            action,
        }
    }
}

/// The imperative actions on a workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum WorkflowAction {
    /// Create the workflow.
    CreateWorkflow {
        /// Display name.
        name: String,
        /// Description.
        #[serde(default)]
        description: String,
        /// Initial definition (may be empty).
        #[serde(default)]
        definition: WorkflowDefinition,
    },
    /// Change the display name.
    RenameWorkflow {
        /// New name.
        name: String,
    },
    /// Change the description.
    DescribeWorkflow {
        /// New description.
        description: String,
    },
    /// Add a node.
    AddNode {
        /// The node.
        node: Node,
    },
    /// Remove a node and its connections.
    RemoveNode {
        /// Node id.
        node_id: NodeId,
    },
    /// Move a node on the canvas.
    MoveNode {
        /// Node id.
        node_id: NodeId,
        /// New position.
        position: [f64; 2],
    },
    /// Change some of a node's fields.
    UpdateNode {
        /// Node id.
        node_id: NodeId,
        /// The fields to change.
        changes: NodeChanges,
    },
    /// Connect two ports.
    AddConnection {
        /// The connection.
        connection: Connection,
    },
    /// Remove a connection.
    RemoveConnection {
        /// The connection.
        connection: Connection,
    },
    /// Replace the whole definition (import, AI assistant, editor paste).
    ReplaceDefinition {
        /// The new definition.
        definition: WorkflowDefinition,
        /// Why.
        reason: ReplaceReason,
    },
    /// Replace the workflow settings.
    ChangeSettings {
        /// New settings.
        settings: WorkflowSettings,
    },
    /// Replace the workflow variables.
    SetVariables {
        /// New variables.
        variables: BTreeMap<String, Value>,
    },
    /// Pin items to a node's first output for manual runs, or unpin with `None`.
    PinData {
        /// Node id.
        node_id: NodeId,
        /// Items (`{json: …}` objects), or `None` to unpin.
        items: Option<Vec<Value>>,
    },
    /// Start listening to the workflow's triggers.
    ActivateWorkflow,
    /// Stop listening to the workflow's triggers.
    DeactivateWorkflow,
    /// Promote the current version to the next environment.
    PromoteWorkflow {
        /// Environment to promote to (must be the next one).
        target_environment: Environment,
        /// The target workflow: the existing one for this environment, or a fresh id.
        target_workflow_id: String,
    },
    /// Receive a promoted definition (creates the workflow on first promotion).
    AcceptPromotion {
        /// The workflow promoted from.
        source_workflow_id: String,
        /// The exact source version promoted.
        source_version: u64,
        /// This workflow's environment.
        environment: Environment,
        /// Name taken from the source.
        name: String,
        /// Description taken from the source.
        description: String,
        /// The promoted definition.
        definition: WorkflowDefinition,
    },
    /// Archive the workflow (deactivating it first).
    ArchiveWorkflow,
    /// Bring an archived workflow back.
    RestoreWorkflow,
    /// Make the definition of an earlier version current again, as a new version.
    RevertToVersion {
        /// The version to go back to.
        version: u64,
        /// That version's definition, as folded from the log by the application layer.
        definition: WorkflowDefinition,
    },
}
