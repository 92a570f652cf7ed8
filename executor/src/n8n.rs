//! Import of n8n workflow documents (name-keyed connections) into Weft's id-keyed definition.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use weft_domain::catalog::NodeCatalog;
use weft_domain::definition::{
    Connection, ConnectionKind, CredentialRef, ExecutionOrder, Node, NodeId, OnError,
    RetrySettings, WorkflowDefinition, WorkflowSettings,
};

use crate::error::ExecutorError;
use crate::graph::NodeFlags;

/// An n8n document converted for the engine.
#[derive(Debug, Clone)]
pub struct ImportedWorkflow {
    /// Workflow name.
    pub name: String,
    /// The definition (pin data keyed by node id).
    pub definition: WorkflowDefinition,
    /// Per-node flags n8n keeps on the node but Weft's definition does not model.
    pub flags: HashMap<NodeId, NodeFlags>,
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Converts an n8n workflow document. Connections to outputs past a node's main outputs become
/// error connections when the node routes errors to an error output.
pub fn import_n8n(
    doc: &Value,
    catalog: &dyn NodeCatalog,
) -> Result<ImportedWorkflow, ExecutorError> {
    let bad = |m: &str| ExecutorError::InvalidWorkflow(m.to_string());
    let raw_nodes = doc
        .get("nodes")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("`nodes` is missing"))?;
    let mut nodes = Vec::with_capacity(raw_nodes.len());
    let mut flags = HashMap::new();
    let mut ids_by_name = HashMap::new();
    for raw in raw_nodes {
        let name = str_field(raw, "name")
            .ok_or_else(|| bad("a node has no name"))?
            .to_string();
        let id = str_field(raw, "id").map_or_else(|| name.clone(), str::to_string);
        let on_error = match str_field(raw, "onError") {
            Some("continueRegularOutput") => OnError::ContinueRegularOutput,
            Some("continueErrorOutput") => OnError::ContinueErrorOutput,
            Some(_) => OnError::StopWorkflow,
            None if raw.get("continueOnFail").and_then(Value::as_bool) == Some(true) => {
                OnError::ContinueRegularOutput
            }
            None => OnError::StopWorkflow,
        };
        let retry = RetrySettings {
            retry_on_fail: raw
                .get("retryOnFail")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            max_tries: raw
                .get("maxTries")
                .and_then(Value::as_u64)
                .map_or(3, |t| t.clamp(2, 5) as u32),
            wait_between_tries_ms: raw
                .get("waitBetweenTries")
                .and_then(Value::as_u64)
                .map_or(1000, |w| w.min(5000)),
            backoff_factor: 1.0,
        };
        let position = raw
            .get("position")
            .and_then(Value::as_array)
            .map(|p| {
                [
                    p.first().and_then(Value::as_f64).unwrap_or(0.0),
                    p.get(1).and_then(Value::as_f64).unwrap_or(0.0),
                ]
            })
            .unwrap_or_default();
        let credentials = raw
            .get("credentials")
            .and_then(Value::as_object)
            .map(|creds| {
                creds
                    .iter()
                    .map(|(ty, r)| {
                        let id = str_field(r, "id").unwrap_or_default().to_string();
                        let name = str_field(r, "name").unwrap_or_default().to_string();
                        (ty.clone(), CredentialRef { id, name })
                    })
                    .collect()
            })
            .unwrap_or_default();
        flags.insert(
            id.clone(),
            NodeFlags {
                always_output_data: raw
                    .get("alwaysOutputData")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                execute_once: raw
                    .get("executeOnce")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            },
        );
        ids_by_name.insert(name.clone(), id.clone());
        nodes.push(Node {
            id,
            node_type: str_field(raw, "type")
                .ok_or_else(|| bad("a node has no type"))?
                .to_string(),
            type_version: raw
                .get("typeVersion")
                .and_then(Value::as_f64)
                .unwrap_or(1.0),
            name,
            position,
            parameters: raw
                .get("parameters")
                .cloned()
                .unwrap_or_else(|| Value::Object(Default::default())),
            credentials,
            disabled: raw
                .get("disabled")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            notes: str_field(raw, "notes").map(str::to_string),
            style: Default::default(),
            retry,
            on_error,
        });
    }

    let mut connections = Vec::new();
    if let Some(by_source) = doc.get("connections").and_then(Value::as_object) {
        for (source_name, kinds) in by_source {
            let source = nodes
                .iter()
                .find(|n| &n.name == source_name)
                .ok_or_else(|| ExecutorError::UnknownNode(source_name.clone()))?;
            let main_outputs = catalog.ports(source).map(|p| p.outputs);
            let Some(outputs) = kinds.get("main").and_then(Value::as_array) else {
                continue;
            };
            for (output, links) in outputs.iter().enumerate() {
                let Some(links) = links.as_array() else {
                    continue;
                };
                let is_error = source.on_error == OnError::ContinueErrorOutput
                    && main_outputs.is_some_and(|n| output as u32 >= n);
                for link in links {
                    let target_name =
                        str_field(link, "node").ok_or_else(|| bad("a connection has no target"))?;
                    let target = ids_by_name
                        .get(target_name)
                        .ok_or_else(|| ExecutorError::UnknownNode(target_name.to_string()))?;
                    connections.push(Connection {
                        source: source.id.clone(),
                        source_output: if is_error { 0 } else { output as u32 },
                        target: target.clone(),
                        target_input: link.get("index").and_then(Value::as_u64).unwrap_or(0) as u32,
                        kind: if is_error {
                            ConnectionKind::Error
                        } else {
                            ConnectionKind::Main
                        },
                    });
                }
            }
        }
    }

    let raw_settings = doc.get("settings").cloned().unwrap_or(Value::Null);
    let settings = WorkflowSettings {
        timezone: str_field(&raw_settings, "timezone")
            .filter(|t| *t != "DEFAULT")
            .map(str::to_string),
        error_workflow: str_field(&raw_settings, "errorWorkflow").map(str::to_string),
        timeout_seconds: raw_settings
            .get("executionTimeout")
            .and_then(Value::as_i64)
            .filter(|t| *t > 0)
            .map(|t| t as u64),
        // n8n treats a missing setting as the legacy order.
        execution_order: match str_field(&raw_settings, "executionOrder") {
            Some("v1") => ExecutionOrder::V1,
            _ => ExecutionOrder::V0,
        },
    };

    let mut pin_data = BTreeMap::new();
    if let Some(pins) = doc.get("pinData").and_then(Value::as_object) {
        for (name, items) in pins {
            let id = ids_by_name
                .get(name)
                .ok_or_else(|| ExecutorError::UnknownNode(name.clone()))?;
            pin_data.insert(id.clone(), items.as_array().cloned().unwrap_or_default());
        }
    }

    Ok(ImportedWorkflow {
        name: str_field(doc, "name").unwrap_or_default().to_string(),
        definition: WorkflowDefinition {
            nodes,
            connections,
            settings,
            variables: BTreeMap::new(),
            pin_data,
        },
        flags,
    })
}
