//! The structural difference between two versions of a workflow.

use async_graphql::{ID, Json, SimpleObject};
use serde_json::Value;
use weft_domain::diff as domain;

use super::definition::{Connection, Node};

/// One changed value, addressed by a dotted path (`parameters.url`, `position`, `timezone`).
#[derive(SimpleObject)]
pub struct ValueChange {
    /// Where the value lives.
    pub path: String,
    /// Value before (null when added).
    pub before: Json<Value>,
    /// Value after (null when removed).
    pub after: Json<Value>,
}

impl From<domain::ValueChange> for ValueChange {
    fn from(change: domain::ValueChange) -> Self {
        Self {
            path: change.path,
            before: Json(change.before),
            after: Json(change.after),
        }
    }
}

/// A node present in both versions whose fields differ.
#[derive(SimpleObject)]
pub struct NodeDiff {
    /// Node id.
    pub node_id: ID,
    /// Node name in the newer version.
    pub name: String,
    /// Changed fields, parameters one leaf at a time.
    pub changes: Vec<ValueChange>,
}

/// Everything that differs from version `from` to version `to`.
#[derive(SimpleObject)]
pub struct DefinitionDiff {
    /// The older version.
    pub from: u64,
    /// The newer version.
    pub to: u64,
    /// Whether the two definitions are equal.
    pub is_empty: bool,
    /// Nodes only in `to`.
    pub added_nodes: Vec<Node>,
    /// Nodes only in `from`.
    pub removed_nodes: Vec<Node>,
    /// Nodes in both that changed.
    pub changed_nodes: Vec<NodeDiff>,
    /// Connections only in `to`.
    pub added_connections: Vec<Connection>,
    /// Connections only in `from`.
    pub removed_connections: Vec<Connection>,
    /// Changed settings.
    pub settings: Vec<ValueChange>,
    /// Changed variables.
    pub variables: Vec<ValueChange>,
    /// Node ids whose pinned data changed.
    pub pin_data: Vec<ID>,
}

impl DefinitionDiff {
    /// The output form of `diff` between versions `from` and `to`.
    pub fn new(from: u64, to: u64, diff: domain::DefinitionDiff) -> Self {
        Self {
            from,
            to,
            is_empty: diff.is_empty(),
            added_nodes: diff.added_nodes.iter().map(Node::from).collect(),
            removed_nodes: diff.removed_nodes.iter().map(Node::from).collect(),
            changed_nodes: diff
                .changed_nodes
                .into_iter()
                .map(|n| NodeDiff {
                    node_id: ID(n.node_id),
                    name: n.name,
                    changes: n.changes.into_iter().map(ValueChange::from).collect(),
                })
                .collect(),
            added_connections: diff
                .added_connections
                .iter()
                .map(Connection::from)
                .collect(),
            removed_connections: diff
                .removed_connections
                .iter()
                .map(Connection::from)
                .collect(),
            settings: diff.settings.into_iter().map(ValueChange::from).collect(),
            variables: diff.variables.into_iter().map(ValueChange::from).collect(),
            pin_data: diff.pin_data.into_iter().map(ID).collect(),
        }
    }
}
