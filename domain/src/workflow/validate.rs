//! Structural invariants of a workflow definition, checked against the node catalog.

use std::collections::HashSet;

use super::error::WorkflowError;
use crate::catalog::NodeCatalog;
use crate::definition::{Connection, ConnectionKind, WorkflowDefinition};

/// Longest accepted workflow or node name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Checks a display name.
pub fn validate_name(name: &str) -> Result<(), WorkflowError> {
    if name.trim().is_empty() {
        return Err(WorkflowError::InvalidName(
            "a name must not be empty".into(),
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(WorkflowError::InvalidName(format!(
            "a name must be at most {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(())
}

/// Describes a connection for error messages.
pub fn describe_connection(c: &Connection) -> String {
    let kind = match c.kind {
        ConnectionKind::Main => "",
        ConnectionKind::Error => " (error)",
    };
    format!(
        "{}[{}] → {}[{}]{kind}",
        c.source, c.source_output, c.target, c.target_input
    )
}

/// Checks every invariant of a definition: unique node ids and names, known node types, parameters
/// that are objects, and connections only between existing ports, each at most once.
pub fn validate_definition(
    definition: &WorkflowDefinition,
    catalog: &dyn NodeCatalog,
) -> Result<(), WorkflowError> {
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    for node in &definition.nodes {
        if !ids.insert(node.id.as_str()) {
            return Err(WorkflowError::DuplicateNodeId(node.id.clone()));
        }
        validate_name(&node.name)?;
        if !names.insert(node.name.as_str()) {
            return Err(WorkflowError::DuplicateNodeName(node.name.clone()));
        }
        if catalog.ports(node).is_none() {
            return Err(WorkflowError::UnknownNodeType {
                node: node.name.clone(),
                node_type: node.node_type.clone(),
                version: node.type_version,
            });
        }
        if !node.parameters.is_object() {
            return Err(WorkflowError::InvalidParameters(node.name.clone()));
        }
    }
    let mut seen = HashSet::new();
    for connection in &definition.connections {
        validate_connection(definition, catalog, connection)?;
        if !seen.insert(connection) {
            return Err(WorkflowError::DuplicateConnection(describe_connection(
                connection,
            )));
        }
    }
    for node_id in definition.pin_data.keys() {
        if definition.node(node_id).is_none() {
            return Err(WorkflowError::NodeNotFound(node_id.clone()));
        }
    }
    Ok(())
}

fn validate_connection(
    definition: &WorkflowDefinition,
    catalog: &dyn NodeCatalog,
    connection: &Connection,
) -> Result<(), WorkflowError> {
    let port_count = |id: &str| {
        let node = definition
            .node(id)
            .ok_or_else(|| WorkflowError::NodeNotFound(id.to_string()))?;
        catalog
            .ports(node)
            .ok_or_else(|| WorkflowError::UnknownNodeType {
                node: node.name.clone(),
                node_type: node.node_type.clone(),
                version: node.type_version,
            })
    };
    let source = port_count(&connection.source)?;
    let target = port_count(&connection.target)?;
    let output_exists = match connection.kind {
        ConnectionKind::Main => connection.source_output < source.outputs,
        // Every node that processes items has exactly one error output.
        ConnectionKind::Error => connection.source_output == 0 && source.inputs > 0,
    };
    if !output_exists {
        let kind = match connection.kind {
            ConnectionKind::Main => "output",
            ConnectionKind::Error => "error output",
        };
        return Err(WorkflowError::PortNotFound {
            node: connection.source.clone(),
            port: format!("{kind} {}", connection.source_output),
        });
    }
    if connection.target_input >= target.inputs {
        return Err(WorkflowError::PortNotFound {
            node: connection.target.clone(),
            port: format!("input {}", connection.target_input),
        });
    }
    Ok(())
}
