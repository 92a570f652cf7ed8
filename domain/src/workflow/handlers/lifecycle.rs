//! Activation and archiving.

use crate::catalog::NodeCatalog;
use crate::triggers::validate_triggers;
use crate::workflow::{Workflow, WorkflowError, WorkflowEvent};

pub(super) fn activate(
    state: &Workflow,
    catalog: &dyn NodeCatalog,
) -> Result<Vec<WorkflowEvent>, WorkflowError> {
    if state.archived {
        return Err(WorkflowError::Archived);
    }
    if state.active {
        return Ok(vec![]);
    }
    let has_trigger = state.definition.nodes.iter().any(|node| {
        !node.disabled
            && catalog
                .describe(&node.node_type)
                .and_then(|d| d.trigger)
                .is_some_and(|kind| kind.activatable())
    });
    if !has_trigger {
        return Err(WorkflowError::NoActivatableTrigger);
    }
    validate_triggers(&state.definition)?;
    Ok(vec![WorkflowEvent::WorkflowActivated])
}

pub(super) fn deactivate(state: &Workflow) -> Vec<WorkflowEvent> {
    if state.active {
        vec![WorkflowEvent::WorkflowDeactivated]
    } else {
        vec![]
    }
}

pub(super) fn archive(state: &Workflow) -> Vec<WorkflowEvent> {
    if state.archived {
        return vec![];
    }
    let mut events = deactivate(state);
    events.push(WorkflowEvent::WorkflowArchived);
    events
}

pub(super) fn restore(state: &Workflow) -> Vec<WorkflowEvent> {
    if state.archived {
        vec![WorkflowEvent::WorkflowRestored]
    } else {
        vec![]
    }
}
