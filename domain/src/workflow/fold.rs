//! Folding events into workflow state. Pure: the aggregate, the projections and "definition at
//! version N" all use this one function, so they agree by construction.

use super::events::WorkflowEvent;
use crate::definition::WorkflowDefinition;

/// Applies one event to a definition.
pub fn apply_to_definition(definition: &mut WorkflowDefinition, event: &WorkflowEvent) {
    use WorkflowEvent::*;
    match event {
        WorkflowCreated {
            definition: new, ..
        }
        | DefinitionReplaced {
            definition: new, ..
        }
        | PromotionAccepted {
            definition: new, ..
        }
        | WorkflowReverted {
            definition: new, ..
        } => *definition = new.clone(),
        NodeAdded { node } => definition.nodes.push(node.clone()),
        NodeRemoved { node_id, .. } => {
            definition.nodes.retain(|n| &n.id != node_id);
            definition
                .connections
                .retain(|c| &c.source != node_id && &c.target != node_id);
            definition.pin_data.remove(node_id);
        }
        NodeMoved { node_id, position } => {
            if let Some(node) = definition.node_mut(node_id) {
                node.position = *position;
            }
        }
        NodeUpdated { node_id, changes } => {
            if let Some(node) = definition.node_mut(node_id) {
                changes.apply_to(node);
            }
        }
        ConnectionAdded { connection } => definition.connections.push(connection.clone()),
        ConnectionRemoved { connection } => definition.connections.retain(|c| c != connection),
        SettingsChanged { settings } => definition.settings = settings.clone(),
        VariablesSet { variables } => definition.variables = variables.clone(),
        DataPinned { node_id, items } => {
            definition.pin_data.insert(node_id.clone(), items.clone());
        }
        DataUnpinned { node_id } => {
            definition.pin_data.remove(node_id);
        }
        WorkflowRenamed { .. }
        | WorkflowDescribed { .. }
        | WorkflowActivated
        | WorkflowDeactivated
        | WorkflowPromoted { .. }
        | WorkflowArchived
        | WorkflowRestored => {}
    }
}

/// The definition after the given events, in order.
pub fn fold_definition<'a>(
    events: impl IntoIterator<Item = &'a WorkflowEvent>,
) -> WorkflowDefinition {
    let mut definition = WorkflowDefinition::default();
    for event in events {
        apply_to_definition(&mut definition, event);
    }
    definition
}
