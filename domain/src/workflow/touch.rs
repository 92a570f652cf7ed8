//! What each event writes and each command reads, for rebasing commands over newer events.
//!
//! A command based on version `E` while the workflow is at `C > E` is rebased when none of the
//! keys it reads was written by events `E+1..=C`; otherwise it is a conflict. Keys are fine-grained
//! (one node field, one connection) so two people editing different parts never conflict.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::events::WorkflowEvent;
use crate::definition::{Connection, NodeId};

/// Part of a node a command touches.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NodeAspect {
    /// The node's existence (added or removed).
    Existence,
    /// Only requires the node to exist (e.g. a connection to it); never written.
    Reference,
    /// One field: `position`, `name`, `parameters`, `notes`, …
    Field(String),
}

/// One unit of workflow state for conflict detection.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TouchKey {
    /// Everything (creation).
    Everything,
    /// The whole definition (replace, revert, promotion in, or a promotion that reads it).
    WholeDefinition,
    /// Name or description.
    Meta(String),
    /// A node aspect.
    Node(NodeId, NodeAspect),
    /// A connection.
    Connection(Connection),
    /// Workflow settings.
    Settings,
    /// Workflow variables.
    Variables,
    /// A node's pinned data.
    PinData(NodeId),
    /// Active flag.
    Activation,
    /// Archive state.
    Lifecycle,
    /// Promotion records.
    Promotion,
}

impl TouchKey {
    fn is_definition(&self) -> bool {
        matches!(
            self,
            Self::WholeDefinition
                | Self::Node(..)
                | Self::Connection(_)
                | Self::Settings
                | Self::Variables
                | Self::PinData(_)
        )
    }

    /// Whether a command reading `self` conflicts with an event that wrote `written`.
    pub fn conflicts_with(&self, written: &TouchKey) -> bool {
        match (self, written) {
            (Self::Everything, _) | (_, Self::Everything) => true,
            (Self::WholeDefinition, w) => w.is_definition(),
            (r, Self::WholeDefinition) => r.is_definition(),
            (Self::Node(a, read), Self::Node(b, write)) => {
                a == b
                    && (read == write
                        || *read == NodeAspect::Existence
                        || *write == NodeAspect::Existence)
            }
            (r, w) => r == w,
        }
    }
}

impl fmt::Display for TouchKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Everything => f.write_str("the whole workflow"),
            Self::WholeDefinition => f.write_str("the definition"),
            Self::Meta(field) => write!(f, "workflow {field}"),
            Self::Node(id, NodeAspect::Existence | NodeAspect::Reference) => write!(f, "node {id}"),
            Self::Node(id, NodeAspect::Field(field)) => write!(f, "{field} of node {id}"),
            Self::Connection(c) => write!(
                f,
                "connection {}[{}]→{}[{}]",
                c.source, c.source_output, c.target, c.target_input
            ),
            Self::Settings => f.write_str("settings"),
            Self::Variables => f.write_str("variables"),
            Self::PinData(id) => write!(f, "pinned data of node {id}"),
            Self::Activation => f.write_str("activation"),
            Self::Lifecycle => f.write_str("archive state"),
            Self::Promotion => f.write_str("promotions"),
        }
    }
}

/// The keys an event writes.
pub fn written_by(event: &WorkflowEvent) -> Vec<TouchKey> {
    use WorkflowEvent::*;
    let node = |id: &NodeId, aspect: NodeAspect| TouchKey::Node(id.clone(), aspect);
    match event {
        WorkflowCreated { .. } => vec![TouchKey::Everything],
        WorkflowRenamed { .. } => vec![TouchKey::Meta("name".into())],
        WorkflowDescribed { .. } => vec![TouchKey::Meta("description".into())],
        NodeAdded { node: n } => vec![node(&n.id, NodeAspect::Existence)],
        NodeRemoved {
            node_id,
            removed_connections,
        } => {
            let mut keys = vec![
                node(node_id, NodeAspect::Existence),
                TouchKey::PinData(node_id.clone()),
            ];
            keys.extend(
                removed_connections
                    .iter()
                    .cloned()
                    .map(TouchKey::Connection),
            );
            keys
        }
        NodeMoved { node_id, .. } => vec![node(node_id, NodeAspect::Field("position".into()))],
        NodeUpdated { node_id, changes } => changes
            .fields()
            .into_iter()
            .map(|field| node(node_id, NodeAspect::Field(field.to_string())))
            .collect(),
        ConnectionAdded { connection } | ConnectionRemoved { connection } => {
            vec![TouchKey::Connection(connection.clone())]
        }
        DefinitionReplaced { .. } | WorkflowReverted { .. } => vec![TouchKey::WholeDefinition],
        PromotionAccepted { .. } => vec![TouchKey::WholeDefinition, TouchKey::Meta("name".into())],
        SettingsChanged { .. } => vec![TouchKey::Settings],
        VariablesSet { .. } => vec![TouchKey::Variables],
        DataPinned { node_id, .. } | DataUnpinned { node_id } => {
            vec![TouchKey::PinData(node_id.clone())]
        }
        WorkflowActivated | WorkflowDeactivated => vec![TouchKey::Activation],
        WorkflowPromoted { .. } => vec![TouchKey::Promotion],
        WorkflowArchived | WorkflowRestored => vec![TouchKey::Lifecycle],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(id: &str, f: &str) -> TouchKey {
        TouchKey::Node(id.into(), NodeAspect::Field(f.into()))
    }

    #[test]
    fn different_fields_of_one_node_do_not_conflict() {
        assert!(!field("a", "position").conflicts_with(&field("a", "parameters")));
        assert!(field("a", "parameters").conflicts_with(&field("a", "parameters")));
        assert!(!field("a", "parameters").conflicts_with(&field("b", "parameters")));
    }

    #[test]
    fn existence_conflicts_with_every_aspect_of_that_node() {
        let removed = TouchKey::Node("a".into(), NodeAspect::Existence);
        assert!(field("a", "name").conflicts_with(&removed));
        assert!(TouchKey::Node("a".into(), NodeAspect::Reference).conflicts_with(&removed));
        assert!(removed.conflicts_with(&field("a", "notes")));
        assert!(
            !TouchKey::Node("a".into(), NodeAspect::Reference).conflicts_with(&field("a", "notes"))
        );
    }

    #[test]
    fn whole_definition_conflicts_with_definition_parts_only() {
        assert!(TouchKey::WholeDefinition.conflicts_with(&field("a", "name")));
        assert!(TouchKey::Settings.conflicts_with(&TouchKey::WholeDefinition));
        assert!(!TouchKey::WholeDefinition.conflicts_with(&TouchKey::Activation));
        assert!(!TouchKey::Activation.conflicts_with(&TouchKey::WholeDefinition));
        assert!(TouchKey::Activation.conflicts_with(&TouchKey::Everything));
    }
}
