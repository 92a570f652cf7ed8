//! Whole-definition replacement, settings, variables, pinned data and revert.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::definition::{NodeId, WorkflowDefinition, WorkflowSettings};
use crate::workflow::{ReplaceReason, Workflow, WorkflowError, WorkflowEvent};

pub(super) fn replace(
    state: &Workflow,
    definition: WorkflowDefinition,
    reason: ReplaceReason,
) -> Vec<WorkflowEvent> {
    if definition == state.definition {
        return vec![];
    }
    vec![WorkflowEvent::DefinitionReplaced { definition, reason }]
}

pub(super) fn change_settings(state: &Workflow, settings: WorkflowSettings) -> Vec<WorkflowEvent> {
    if settings == state.definition.settings {
        return vec![];
    }
    vec![WorkflowEvent::SettingsChanged { settings }]
}

pub(super) fn set_variables(
    state: &Workflow,
    variables: BTreeMap<String, Value>,
) -> Vec<WorkflowEvent> {
    if variables == state.definition.variables {
        return vec![];
    }
    vec![WorkflowEvent::VariablesSet { variables }]
}

pub(super) fn pin(
    state: &Workflow,
    node_id: NodeId,
    items: Option<Vec<Value>>,
) -> Result<Vec<WorkflowEvent>, WorkflowError> {
    if state.definition.node(&node_id).is_none() {
        return Err(WorkflowError::NodeNotFound(node_id));
    }
    let current = state.definition.pin_data.get(&node_id);
    Ok(match items {
        Some(items) if current != Some(&items) => {
            if let Some(bad) = items.iter().position(|item| !item.is_object()) {
                return Err(WorkflowError::InvalidParameters(format!(
                    "pinned item {bad} of node {node_id} must be a JSON object"
                )));
            }
            vec![WorkflowEvent::DataPinned { node_id, items }]
        }
        None if current.is_some() => vec![WorkflowEvent::DataUnpinned { node_id }],
        _ => vec![],
    })
}

pub(super) fn revert(
    state: &Workflow,
    version: u64,
    definition: WorkflowDefinition,
) -> Result<Vec<WorkflowEvent>, WorkflowError> {
    if version == 0 || version > state.version {
        return Err(WorkflowError::VersionNotFound {
            requested: version,
            current: state.version,
        });
    }
    Ok(vec![WorkflowEvent::WorkflowReverted {
        to_version: version,
        definition,
    }])
}
