//! Differences between two workflow definitions: what the version history and the promote dialog
//! show.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::definition::{Connection, Node, WorkflowDefinition};

/// One changed value, addressed by a dotted path (`parameters.url`, `position`, `timezone`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValueChange {
    /// Where the value lives.
    pub path: String,
    /// Value before (`null` when added).
    pub before: Value,
    /// Value after (`null` when removed).
    pub after: Value,
}

/// A node present in both definitions whose fields differ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeDiff {
    /// Node id.
    pub node_id: String,
    /// Node name after the change.
    pub name: String,
    /// Changed fields, parameters listed one leaf at a time.
    pub changes: Vec<ValueChange>,
}

/// Everything that differs between two definitions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefinitionDiff {
    /// Nodes only in the newer definition.
    pub added_nodes: Vec<Node>,
    /// Nodes only in the older definition.
    pub removed_nodes: Vec<Node>,
    /// Nodes in both that changed.
    pub changed_nodes: Vec<NodeDiff>,
    /// Connections only in the newer definition.
    pub added_connections: Vec<Connection>,
    /// Connections only in the older definition.
    pub removed_connections: Vec<Connection>,
    /// Changed settings fields.
    pub settings: Vec<ValueChange>,
    /// Changed variables.
    pub variables: Vec<ValueChange>,
    /// Node ids whose pinned data changed.
    pub pin_data: Vec<String>,
}

impl DefinitionDiff {
    /// Whether the two definitions are equal.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Computes the difference from `before` to `after`.
pub fn diff_definitions(before: &WorkflowDefinition, after: &WorkflowDefinition) -> DefinitionDiff {
    let old: BTreeMap<&str, &Node> = before.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let new: BTreeMap<&str, &Node> = after.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let added_nodes = after
        .nodes
        .iter()
        .filter(|n| !old.contains_key(n.id.as_str()))
        .cloned()
        .collect();
    let removed_nodes = before
        .nodes
        .iter()
        .filter(|n| !new.contains_key(n.id.as_str()))
        .cloned()
        .collect();
    let changed_nodes = after
        .nodes
        .iter()
        .filter_map(|n| {
            let previous = old.get(n.id.as_str())?;
            let mut changes = Vec::new();
            compare(&mut changes, "", &to_value(previous), &to_value(n));
            (!changes.is_empty()).then(|| NodeDiff {
                node_id: n.id.clone(),
                name: n.name.clone(),
                changes,
            })
        })
        .collect();
    let old_links: BTreeSet<&Connection> = before.connections.iter().collect();
    let new_links: BTreeSet<&Connection> = after.connections.iter().collect();
    let mut settings = Vec::new();
    compare(
        &mut settings,
        "",
        &to_value(&before.settings),
        &to_value(&after.settings),
    );
    let mut variables = Vec::new();
    compare(
        &mut variables,
        "",
        &to_value(&before.variables),
        &to_value(&after.variables),
    );
    let pin_ids: BTreeSet<&String> = before
        .pin_data
        .keys()
        .chain(after.pin_data.keys())
        .collect();
    DefinitionDiff {
        added_nodes,
        removed_nodes,
        changed_nodes,
        added_connections: new_links
            .difference(&old_links)
            .map(|c| (*c).clone())
            .collect(),
        removed_connections: old_links
            .difference(&new_links)
            .map(|c| (*c).clone())
            .collect(),
        settings,
        variables,
        pin_data: pin_ids
            .into_iter()
            .filter(|id| before.pin_data.get(*id) != after.pin_data.get(*id))
            .cloned()
            .collect(),
    }
}

fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Records leaf differences; objects are walked key by key, everything else compared whole.
fn compare(out: &mut Vec<ValueChange>, path: &str, before: &Value, after: &Value) {
    if before == after {
        return;
    }
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                compare(
                    out,
                    &child,
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
            }
        }
        _ => out.push(ValueChange {
            path: path.to_string(),
            before: before.clone(),
            after: after.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn definition() -> WorkflowDefinition {
        serde_json::from_value(json!({
            "nodes": [
                {"id": "a", "type": "n8n-nodes-base.set", "name": "A", "parameters": {"x": 1, "y": {"z": 2}}},
                {"id": "b", "type": "n8n-nodes-base.noOp", "name": "B"}
            ],
            "connections": [{"source": "a", "target": "b"}]
        }))
        .unwrap()
    }

    #[test]
    fn identical_definitions_have_an_empty_diff() {
        assert!(diff_definitions(&definition(), &definition()).is_empty());
    }

    #[test]
    fn lists_added_removed_and_changed_parts() {
        let before = definition();
        let mut after = definition();
        after.nodes[0].parameters = json!({"x": 1, "y": {"z": 3}, "w": true});
        after.nodes[0].position = [10.0, 0.0];
        after.nodes.remove(1);
        after.connections.clear();
        after.nodes.push(
            serde_json::from_value(json!({"id": "c", "type": "n8n-nodes-base.if", "name": "C"}))
                .unwrap(),
        );
        after.settings.timezone = Some("UTC".into());
        let diff = diff_definitions(&before, &after);
        assert_eq!(
            diff.added_nodes
                .iter()
                .map(|n| n.id.as_str())
                .collect::<Vec<_>>(),
            ["c"]
        );
        assert_eq!(
            diff.removed_nodes
                .iter()
                .map(|n| n.id.as_str())
                .collect::<Vec<_>>(),
            ["b"]
        );
        assert_eq!(diff.removed_connections.len(), 1);
        let paths: Vec<_> = diff.changed_nodes[0]
            .changes
            .iter()
            .map(|c| c.path.as_str())
            .collect();
        assert_eq!(paths, ["parameters.w", "parameters.y.z", "position"]);
        assert_eq!(diff.changed_nodes[0].changes[1].before, json!(2));
        assert_eq!(diff.changed_nodes[0].changes[1].after, json!(3));
        assert_eq!(
            diff.settings,
            vec![ValueChange {
                path: "timezone".into(),
                before: Value::Null,
                after: json!("UTC")
            }]
        );
    }
}
