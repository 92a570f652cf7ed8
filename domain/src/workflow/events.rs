//! Events of the workflow aggregate (past tense, versioned).

use std::collections::BTreeMap;

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::definition::{
    Connection, CredentialRef, Node, NodeId, NodeStyle, OnError, RetrySettings, WorkflowDefinition,
    WorkflowSettings,
};
use crate::environment::Environment;

/// Schema version of every workflow event payload written by this build.
pub const WORKFLOW_EVENT_VERSION: &str = "1.0";

/// Why a whole definition was replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReplaceReason {
    /// Imported from a file (Weft or n8n JSON).
    Import,
    /// Written by the AI assistant.
    Assistant,
    /// Replaced from the editor (paste, bulk edit).
    Editor,
}

/// Fields of a node to change; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeChanges {
    /// New display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New parameters (the whole object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// New type version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_version: Option<f64>,
    /// New credential references.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<BTreeMap<String, CredentialRef>>,
    /// New notes; an empty string clears them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Disable or enable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// New retry settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetrySettings>,
    /// New style.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<NodeStyle>,
    /// New error behaviour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_error: Option<OnError>,
}

impl NodeChanges {
    /// Names of the fields this change sets (used for conflict detection and summaries).
    pub fn fields(&self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        let mut add = |set: bool, name: &'static str| {
            if set {
                fields.push(name);
            }
        };
        add(self.name.is_some(), "name");
        add(self.parameters.is_some(), "parameters");
        add(self.type_version.is_some(), "typeVersion");
        add(self.credentials.is_some(), "credentials");
        add(self.notes.is_some(), "notes");
        add(self.disabled.is_some(), "disabled");
        add(self.retry.is_some(), "retry");
        add(self.style.is_some(), "style");
        add(self.on_error.is_some(), "onError");
        fields
    }

    /// Drops the fields whose value equals the node's current value.
    pub fn without_noops(mut self, node: &Node) -> Self {
        if self.name.as_ref() == Some(&node.name) {
            self.name = None;
        }
        if self.parameters.as_ref() == Some(&node.parameters) {
            self.parameters = None;
        }
        if self.type_version == Some(node.type_version) {
            self.type_version = None;
        }
        if self.credentials.as_ref() == Some(&node.credentials) {
            self.credentials = None;
        }
        if self.notes.as_deref() == Some(node.notes.as_deref().unwrap_or("")) {
            self.notes = None;
        }
        if self.disabled == Some(node.disabled) {
            self.disabled = None;
        }
        if self.retry.as_ref() == Some(&node.retry) {
            self.retry = None;
        }
        if self.style.as_ref() == Some(&node.style) {
            self.style = None;
        }
        if self.on_error == Some(node.on_error) {
            self.on_error = None;
        }
        self
    }

    /// Applies the change to a node.
    pub fn apply_to(&self, node: &mut Node) {
        if let Some(name) = &self.name {
            node.name = name.clone();
        }
        if let Some(parameters) = &self.parameters {
            node.parameters = parameters.clone();
        }
        if let Some(version) = self.type_version {
            node.type_version = version;
        }
        if let Some(credentials) = &self.credentials {
            node.credentials = credentials.clone();
        }
        if let Some(notes) = &self.notes {
            node.notes = (!notes.is_empty()).then(|| notes.clone());
        }
        if let Some(disabled) = self.disabled {
            node.disabled = disabled;
        }
        if let Some(retry) = &self.retry {
            node.retry = retry.clone();
        }
        if let Some(style) = &self.style {
            node.style = style.clone();
        }
        if let Some(on_error) = self.on_error {
            node.on_error = on_error;
        }
    }
}

/// Everything that can happen to a workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum WorkflowEvent {
    /// The workflow was created in the Testing environment.
    WorkflowCreated {
        /// Name.
        name: String,
        /// Description.
        description: String,
        /// Initial definition.
        definition: WorkflowDefinition,
    },
    /// The workflow was renamed.
    WorkflowRenamed {
        /// New name.
        name: String,
    },
    /// The description changed.
    WorkflowDescribed {
        /// New description.
        description: String,
    },
    /// A node was added.
    NodeAdded {
        /// The node.
        node: Node,
    },
    /// A node was removed, with the connections that touched it.
    NodeRemoved {
        /// Node id.
        node_id: NodeId,
        /// Connections removed with it.
        removed_connections: Vec<Connection>,
    },
    /// A node moved on the canvas.
    NodeMoved {
        /// Node id.
        node_id: NodeId,
        /// New position.
        position: [f64; 2],
    },
    /// Some fields of a node changed.
    NodeUpdated {
        /// Node id.
        node_id: NodeId,
        /// The changed fields.
        changes: NodeChanges,
    },
    /// Two ports were connected.
    ConnectionAdded {
        /// The connection.
        connection: Connection,
    },
    /// A connection was removed.
    ConnectionRemoved {
        /// The connection.
        connection: Connection,
    },
    /// The whole definition was replaced.
    DefinitionReplaced {
        /// The new definition.
        definition: WorkflowDefinition,
        /// Why.
        reason: ReplaceReason,
    },
    /// Settings changed.
    SettingsChanged {
        /// New settings.
        settings: WorkflowSettings,
    },
    /// Variables changed.
    VariablesSet {
        /// New variables.
        variables: BTreeMap<String, Value>,
    },
    /// Items were pinned to a node.
    DataPinned {
        /// Node id.
        node_id: NodeId,
        /// The items.
        items: Vec<Value>,
    },
    /// A node's pinned items were removed.
    DataUnpinned {
        /// Node id.
        node_id: NodeId,
    },
    /// The workflow's triggers went live.
    WorkflowActivated,
    /// The workflow's triggers stopped.
    WorkflowDeactivated,
    /// A version of this workflow was promoted to another environment.
    WorkflowPromoted {
        /// The workflow in the target environment.
        target_workflow_id: String,
        /// Target environment.
        target_environment: Environment,
        /// The version promoted.
        source_version: u64,
    },
    /// This workflow received a promoted definition (the first one creates it).
    PromotionAccepted {
        /// The workflow promoted from.
        source_workflow_id: String,
        /// The exact source version.
        source_version: u64,
        /// This workflow's environment.
        environment: Environment,
        /// Name.
        name: String,
        /// Description.
        description: String,
        /// The promoted definition.
        definition: WorkflowDefinition,
    },
    /// The workflow was archived.
    WorkflowArchived,
    /// The workflow was restored from the archive.
    WorkflowRestored,
    /// An earlier version's definition became current again.
    WorkflowReverted {
        /// The version reverted to.
        to_version: u64,
        /// That version's definition.
        definition: WorkflowDefinition,
    },
}

impl WorkflowEvent {
    /// The event's type name as stored in the log.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::WorkflowCreated { .. } => "WorkflowCreated",
            Self::WorkflowRenamed { .. } => "WorkflowRenamed",
            Self::WorkflowDescribed { .. } => "WorkflowDescribed",
            Self::NodeAdded { .. } => "NodeAdded",
            Self::NodeRemoved { .. } => "NodeRemoved",
            Self::NodeMoved { .. } => "NodeMoved",
            Self::NodeUpdated { .. } => "NodeUpdated",
            Self::ConnectionAdded { .. } => "ConnectionAdded",
            Self::ConnectionRemoved { .. } => "ConnectionRemoved",
            Self::DefinitionReplaced { .. } => "DefinitionReplaced",
            Self::SettingsChanged { .. } => "SettingsChanged",
            Self::VariablesSet { .. } => "VariablesSet",
            Self::DataPinned { .. } => "DataPinned",
            Self::DataUnpinned { .. } => "DataUnpinned",
            Self::WorkflowActivated => "WorkflowActivated",
            Self::WorkflowDeactivated => "WorkflowDeactivated",
            Self::WorkflowPromoted { .. } => "WorkflowPromoted",
            Self::PromotionAccepted { .. } => "PromotionAccepted",
            Self::WorkflowArchived => "WorkflowArchived",
            Self::WorkflowRestored => "WorkflowRestored",
            Self::WorkflowReverted { .. } => "WorkflowReverted",
        }
    }

    /// A one-line human summary for version history and the audit log.
    pub fn summary(&self) -> String {
        match self {
            Self::WorkflowCreated {
                name, definition, ..
            } => {
                format!(
                    "created workflow \"{name}\" with {} nodes",
                    definition.nodes.len()
                )
            }
            Self::WorkflowRenamed { name } => format!("renamed workflow to \"{name}\""),
            Self::WorkflowDescribed { .. } => "changed the description".to_string(),
            Self::NodeAdded { node } => {
                format!("added node \"{}\" ({})", node.name, node.node_type)
            }
            Self::NodeRemoved {
                node_id,
                removed_connections,
            } => {
                format!(
                    "removed node {node_id} and {} connections",
                    removed_connections.len()
                )
            }
            Self::NodeMoved { node_id, .. } => format!("moved node {node_id}"),
            Self::NodeUpdated { node_id, changes } => {
                format!("changed {} of node {node_id}", changes.fields().join(", "))
            }
            Self::ConnectionAdded { connection } => format!(
                "connected {}[{}] to {}[{}]",
                connection.source,
                connection.source_output,
                connection.target,
                connection.target_input
            ),
            Self::ConnectionRemoved { connection } => format!(
                "disconnected {}[{}] from {}[{}]",
                connection.source,
                connection.source_output,
                connection.target,
                connection.target_input
            ),
            Self::DefinitionReplaced { definition, reason } => format!(
                "replaced the definition ({reason:?}, {} nodes)",
                definition.nodes.len()
            ),
            Self::SettingsChanged { .. } => "changed settings".to_string(),
            Self::VariablesSet { variables } => format!("set {} variables", variables.len()),
            Self::DataPinned { node_id, items } => {
                format!("pinned {} items to node {node_id}", items.len())
            }
            Self::DataUnpinned { node_id } => format!("unpinned data of node {node_id}"),
            Self::WorkflowActivated => "activated".to_string(),
            Self::WorkflowDeactivated => "deactivated".to_string(),
            Self::WorkflowPromoted {
                target_environment,
                source_version,
                ..
            } => {
                format!("promoted version {source_version} to {target_environment}")
            }
            Self::PromotionAccepted {
                source_workflow_id,
                source_version,
                environment,
                ..
            } => format!(
                "received version {source_version} of {source_workflow_id} in {environment}"
            ),
            Self::WorkflowArchived => "archived".to_string(),
            Self::WorkflowRestored => "restored from the archive".to_string(),
            Self::WorkflowReverted { to_version, .. } => {
                format!("reverted to version {to_version}")
            }
        }
    }
}

impl DomainEvent for WorkflowEvent {
    fn event_type(&self) -> String {
        self.type_name().to_string()
    }

    fn event_version(&self) -> String {
        WORKFLOW_EVENT_VERSION.to_string()
    }
}
