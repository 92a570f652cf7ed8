//! Types that describe a node type: identity, ports and the parameter schema.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Ports;
use crate::definition::Node;

/// Where a node type is listed in the editor's node library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NodeCategory {
    /// Starts executions.
    Trigger,
    /// Routes items (If, Switch, Merge, Wait, …).
    Flow,
    /// Reshapes items (Set, Sort, Aggregate, …).
    Transform,
    /// Talks to the outside world (HTTP Request, …).
    Action,
    /// Runs user code.
    Code,
    /// Canvas decoration (sticky notes).
    Annotation,
}

/// What starts an execution for a trigger node type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TriggerKind {
    /// Started by a person from the editor, API or CLI.
    Manual,
    /// An HTTP request to the workflow's webhook path.
    Webhook,
    /// A cron expression or interval.
    Schedule,
    /// Another workflow failed.
    Error,
    /// Called by an Execute Workflow node.
    SubWorkflow,
}

impl TriggerKind {
    /// Whether an active workflow listens for this trigger (manual runs need no activation).
    pub fn activatable(self) -> bool {
        !matches!(self, Self::Manual)
    }
}

/// Value type of a parameter, which drives the editor's form field and validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ParameterType {
    /// Free text.
    String,
    /// Multi-line text or code in the given language.
    Code {
        /// Language, e.g. `javascript` or `json`.
        language: String,
    },
    /// A number.
    Number,
    /// True or false.
    Boolean,
    /// One value out of `options`.
    Options,
    /// Any JSON value.
    Json,
    /// A list of objects, each with the given fields (rules, assignments, conditions).
    Collection {
        /// The fields of each entry.
        fields: Vec<ParameterSpec>,
    },
    /// An object with optional named fields.
    Fixed {
        /// The fields.
        fields: Vec<ParameterSpec>,
    },
}

/// One allowed value of an `options` parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterOption {
    /// Stored value.
    pub value: String,
    /// Label shown in the editor.
    pub label: String,
}

/// Schema of one node parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParameterSpec {
    /// Key in the node's `parameters` object.
    pub name: String,
    /// Label shown in the editor.
    pub display_name: String,
    /// Value type.
    #[serde(rename = "type")]
    pub param_type: ParameterType,
    /// Default value when the parameter is absent.
    #[serde(default)]
    pub default: Value,
    /// Whether a value is required.
    #[serde(default)]
    pub required: bool,
    /// Whether the value may be an expression (`=` prefix).
    #[serde(default)]
    pub expressions: bool,
    /// Allowed values for `options`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ParameterOption>,
    /// Help text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Show the parameter only when another parameter has one of these values: `(name, values)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_when: Option<(String, Vec<Value>)>,
}

/// A credential type a node can use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialSpec {
    /// Credential type name, e.g. `httpBasicAuth`.
    pub name: String,
    /// Whether the node needs it.
    pub required: bool,
}

/// Names of a node type's main ports, for the editor; numbered when counts are dynamic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortNames {
    /// Input names.
    pub inputs: Vec<String>,
    /// Output names.
    pub outputs: Vec<String>,
}

/// Computes a node's port count from its parameters.
pub type PortFn = fn(&Node) -> Ports;

/// Everything the platform knows about one node type.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeTypeDescription {
    /// Type id, e.g. `n8n-nodes-base.if`.
    pub name: String,
    /// Human name, e.g. `If`.
    pub display_name: String,
    /// One-sentence description.
    pub description: String,
    /// Library category.
    pub category: NodeCategory,
    /// Type versions this installation implements.
    pub versions: Vec<f64>,
    /// Set for trigger nodes.
    pub trigger: Option<TriggerKind>,
    /// Default port names (for dynamic types: the ports of a node with default parameters).
    pub ports: PortNames,
    /// Parameter schema.
    pub parameters: Vec<ParameterSpec>,
    /// Credential types the node accepts.
    pub credentials: Vec<CredentialSpec>,
    /// Port count derived from parameters, for types whose ports vary.
    #[serde(skip)]
    pub dynamic_ports: Option<PortFn>,
}

impl NodeTypeDescription {
    /// Whether `version` is one of the implemented type versions.
    pub fn supports_version(&self, version: f64) -> bool {
        self.versions.iter().any(|v| (v - version).abs() < 1e-9)
    }

    /// Checks parameters against the schema of the type's latest version: required values,
    /// value types, allowed options and whether expressions are accepted. Parameters the schema
    /// does not describe (older versions keep other names) are not checked. Each problem is
    /// reported as ``"`path`: message"``.
    pub fn validate_parameters(&self, parameters: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        validate_fields(&self.parameters, parameters, "", &mut problems);
        problems
    }

    /// The ports a node of this type has.
    pub fn ports_for(&self, node: &Node) -> Ports {
        match self.dynamic_ports {
            Some(compute) => compute(node),
            None => Ports {
                inputs: self.ports.inputs.len() as u32,
                outputs: self.ports.outputs.len() as u32,
            },
        }
    }
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// n8n's resource locator (`{"__rl": true, "value": "…", "mode": "list"}`), which n8n stores
/// where a text parameter names a resource (a workflow, a sheet); the value is the text.
fn is_resource_locator(value: &Value) -> bool {
    value.get("__rl").is_some()
        && value
            .get("value")
            .is_some_and(|v| v.is_string() || v.is_number())
}

fn loosely_same(a: &Value, b: &Value) -> bool {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    text(a) == text(b)
}

fn validate_fields(
    specs: &[ParameterSpec],
    values: &Value,
    prefix: &str,
    problems: &mut Vec<String>,
) {
    for spec in specs {
        let path = if prefix.is_empty() {
            spec.name.clone()
        } else {
            format!("{prefix}.{}", spec.name)
        };
        if let Some((other, allowed)) = &spec.show_when {
            let current = values
                .get(other)
                .cloned()
                .or_else(|| {
                    specs
                        .iter()
                        .find(|s| &s.name == other)
                        .map(|s| s.default.clone())
                })
                .unwrap_or(Value::Null);
            if !allowed.iter().any(|a| loosely_same(a, &current)) {
                continue;
            }
        }
        let Some(value) = values.get(&spec.name) else {
            if spec.required && is_blank(&spec.default) {
                problems.push(format!("`{path}`: a value is required"));
            }
            continue;
        };
        if let Value::String(s) = value
            && s.starts_with('=')
        {
            if !spec.expressions {
                problems.push(format!("`{path}`: expressions are not allowed here"));
            }
            continue;
        }
        if spec.required && is_blank(value) {
            problems.push(format!("`{path}`: a value is required"));
            continue;
        }
        let expected = match &spec.param_type {
            ParameterType::String | ParameterType::Code { .. } => {
                (!value.is_string() && !is_resource_locator(value)).then_some("text")
            }
            ParameterType::Number => (!value.is_number()).then_some("a number"),
            ParameterType::Boolean => (!value.is_boolean()).then_some("true or false"),
            ParameterType::Json => None,
            ParameterType::Options => {
                if !spec
                    .options
                    .iter()
                    .any(|o| loosely_same(&Value::String(o.value.clone()), value))
                {
                    let allowed: Vec<&str> =
                        spec.options.iter().map(|o| o.value.as_str()).collect();
                    problems.push(format!(
                        "`{path}`: `{value}` is not one of {}",
                        allowed.join(", ")
                    ));
                }
                None
            }
            ParameterType::Fixed { fields } => match value {
                Value::Object(_) => {
                    validate_fields(fields, value, &path, problems);
                    None
                }
                _ => Some("an object"),
            },
            ParameterType::Collection { fields } => match value {
                Value::Array(entries) => {
                    for (i, entry) in entries.iter().enumerate() {
                        validate_fields(fields, entry, &format!("{path}[{i}]"), problems);
                    }
                    None
                }
                _ => Some("a list"),
            },
        };
        if let Some(expected) = expected {
            problems.push(format!("`{path}`: expected {expected}"));
        }
    }
}
