//! The node catalog: node types with their ports and parameter schemas.

use async_graphql::{Json, SimpleObject};
use serde_json::Value;
use weft_domain::catalog::NodeTypeDescription;

/// Names of a node type's main ports.
#[derive(SimpleObject)]
pub struct Ports {
    /// Input names.
    pub inputs: Vec<String>,
    /// Output names (for types with dynamic ports: those of a node with default parameters).
    pub outputs: Vec<String>,
}

/// A credential type a node accepts.
#[derive(SimpleObject)]
pub struct CredentialType {
    /// Credential type name, e.g. `httpBasicAuth`.
    pub name: String,
    /// Whether the node needs it.
    pub required: bool,
}

/// One node type of the catalog.
#[derive(SimpleObject)]
pub struct NodeType {
    /// Type id, e.g. `n8n-nodes-base.if`.
    pub name: String,
    /// Human name.
    pub display_name: String,
    /// One-sentence description.
    pub description: String,
    /// Library category (`trigger`, `flow`, `transform`, `action`, `code`, `annotation`).
    pub category: String,
    /// Implemented type versions.
    pub versions: Vec<f64>,
    /// For triggers: what starts an execution (`manual`, `webhook`, `schedule`, …).
    pub trigger: Option<String>,
    /// Whether the ports depend on the parameters (Switch rules, Merge inputs).
    pub dynamic_ports: bool,
    /// Main ports.
    pub ports: Ports,
    /// Parameter schema: a list of `{name, displayName, type: {kind, …}, default, required,
    /// expressions, options, description, showWhen}`; collections nest their `fields`.
    pub parameters: Json<Value>,
    /// Credential types.
    pub credentials: Vec<CredentialType>,
}

fn name_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl From<&NodeTypeDescription> for NodeType {
    fn from(description: &NodeTypeDescription) -> Self {
        Self {
            name: description.name.clone(),
            display_name: description.display_name.clone(),
            description: description.description.clone(),
            category: name_of(&description.category),
            versions: description.versions.clone(),
            trigger: description.trigger.as_ref().map(name_of),
            dynamic_ports: description.dynamic_ports.is_some(),
            ports: Ports {
                inputs: description.ports.inputs.clone(),
                outputs: description.ports.outputs.clone(),
            },
            parameters: Json(serde_json::to_value(&description.parameters).unwrap_or(Value::Null)),
            credentials: description
                .credentials
                .iter()
                .map(|c| CredentialType {
                    name: c.name.clone(),
                    required: c.required,
                })
                .collect(),
        }
    }
}
