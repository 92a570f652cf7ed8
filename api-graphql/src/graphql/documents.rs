//! Workflow documents for import and export: Weft JSON (a definition plus `name` and
//! `description`) and n8n JSON.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use weft_domain::catalog::NodeCatalog;
use weft_domain::definition::WorkflowDefinition;

use super::error::ApiError;
use super::types::enums::ImportFormat;

/// A workflow as Weft JSON: what `exportWorkflow` writes and `importWorkflow` reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeftDocument {
    /// Display name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// The definition's fields (`nodes`, `connections`, `settings`, `variables`, `pinData`).
    #[serde(flatten)]
    pub definition: WorkflowDefinition,
}

/// Reads a document of the given format. `name` overrides the document's name. Every node type
/// must be in the catalog; otherwise the error lists all unknown ones.
pub fn read_document(
    document: Value,
    format: ImportFormat,
    name: Option<String>,
    catalog: &dyn NodeCatalog,
) -> Result<WeftDocument, ApiError> {
    let mut imported = match format {
        ImportFormat::Weft => serde_json::from_value::<WeftDocument>(document)
            .map_err(|e| ApiError::Invalid(format!("invalid Weft workflow document: {e}")))?,
        ImportFormat::N8n => {
            let imported = weft_executor::import_n8n(&document, catalog)
                .map_err(|e| ApiError::Invalid(format!("invalid n8n workflow document: {e}")))?;
            WeftDocument {
                name: imported.name,
                description: String::new(),
                definition: imported.definition,
            }
        }
    };
    if let Some(name) = name {
        imported.name = name;
    }
    let unknown: Vec<String> = imported
        .definition
        .nodes
        .iter()
        .filter(|node| {
            catalog
                .describe(&node.node_type)
                .is_none_or(|d| !d.supports_version(node.type_version))
        })
        .map(|node| {
            format!(
                "{} v{} (node \"{}\")",
                node.node_type, node.type_version, node.name
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::Invalid(format!(
            "unknown node types: {}",
            unknown.join(", ")
        )));
    }
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use weft_domain::catalog::BuiltinCatalog;

    use super::*;

    #[test]
    fn weft_documents_round_trip() {
        let document = WeftDocument {
            name: "Hello".into(),
            description: "d".into(),
            definition: serde_json::from_value(json!({
                "nodes": [{"id": "a", "type": "n8n-nodes-base.noOp", "name": "A"}]
            }))
            .unwrap(),
        };
        let text = serde_json::to_value(&document).unwrap();
        assert_eq!(text["nodes"][0]["id"], "a");
        let read = read_document(text, ImportFormat::Weft, None, BuiltinCatalog::shared()).unwrap();
        assert_eq!(read, document);
    }

    #[test]
    fn unknown_n8n_node_types_are_all_listed() {
        let document = json!({
            "name": "n8n",
            "nodes": [
                {"id": "1", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
                {"id": "2", "name": "Sheet", "type": "n8n-nodes-base.googleSheets", "typeVersion": 4, "parameters": {}},
                {"id": "3", "name": "Slack", "type": "n8n-nodes-base.slack", "typeVersion": 2, "parameters": {}}
            ],
            "connections": {}
        });
        let error = read_document(document, ImportFormat::N8n, None, BuiltinCatalog::shared())
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "unknown node types: n8n-nodes-base.googleSheets v4 (node \"Sheet\"), \
             n8n-nodes-base.slack v2 (node \"Slack\")"
        );
    }
}
