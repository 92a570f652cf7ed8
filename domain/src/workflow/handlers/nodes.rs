//! Add, remove, move and update nodes.

use crate::definition::{Node, NodeId};
use crate::workflow::{NodeChanges, Workflow, WorkflowError, WorkflowEvent};

pub(super) fn add(state: &Workflow, node: Node) -> Result<Vec<WorkflowEvent>, WorkflowError> {
    if state.definition.node(&node.id).is_some() {
        return Err(WorkflowError::DuplicateNodeId(node.id));
    }
    Ok(vec![WorkflowEvent::NodeAdded { node }])
}

fn existing<'a>(state: &'a Workflow, node_id: &str) -> Result<&'a Node, WorkflowError> {
    state
        .definition
        .node(node_id)
        .ok_or_else(|| WorkflowError::NodeNotFound(node_id.to_string()))
}

pub(super) fn remove(
    state: &Workflow,
    node_id: NodeId,
) -> Result<Vec<WorkflowEvent>, WorkflowError> {
    existing(state, &node_id)?;
    let removed_connections = state
        .definition
        .connections
        .iter()
        .filter(|c| c.source == node_id || c.target == node_id)
        .cloned()
        .collect();
    Ok(vec![WorkflowEvent::NodeRemoved {
        node_id,
        removed_connections,
    }])
}

pub(super) fn move_to(
    state: &Workflow,
    node_id: NodeId,
    position: [f64; 2],
) -> Result<Vec<WorkflowEvent>, WorkflowError> {
    let node = existing(state, &node_id)?;
    if !position.iter().all(|p| p.is_finite()) {
        return Err(WorkflowError::InvalidParameters(format!(
            "{}: position must be finite",
            node.name
        )));
    }
    if node.position == position {
        return Ok(vec![]);
    }
    Ok(vec![WorkflowEvent::NodeMoved { node_id, position }])
}

pub(super) fn update(
    state: &Workflow,
    node_id: NodeId,
    changes: NodeChanges,
) -> Result<Vec<WorkflowEvent>, WorkflowError> {
    let node = existing(state, &node_id)?;
    let changes = changes.without_noops(node);
    if changes.fields().is_empty() {
        return Ok(vec![]);
    }
    Ok(vec![WorkflowEvent::NodeUpdated { node_id, changes }])
}
