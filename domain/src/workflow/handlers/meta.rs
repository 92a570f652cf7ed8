//! Create, rename and describe.

use crate::catalog::NodeCatalog;
use crate::definition::WorkflowDefinition;
use crate::workflow::validate::{validate_definition, validate_name};
use crate::workflow::{Workflow, WorkflowError, WorkflowEvent};

pub(super) fn create(
    state: &Workflow,
    name: String,
    description: String,
    definition: WorkflowDefinition,
    catalog: &dyn NodeCatalog,
) -> Result<Vec<WorkflowEvent>, WorkflowError> {
    if state.exists {
        return Err(WorkflowError::AlreadyExists);
    }
    validate_name(&name)?;
    validate_definition(&definition, catalog)?;
    Ok(vec![WorkflowEvent::WorkflowCreated {
        name,
        description,
        definition,
    }])
}

pub(super) fn rename(state: &Workflow, name: String) -> Result<Vec<WorkflowEvent>, WorkflowError> {
    validate_name(&name)?;
    if name == state.name {
        return Ok(vec![]);
    }
    Ok(vec![WorkflowEvent::WorkflowRenamed { name }])
}

pub(super) fn describe(state: &Workflow, description: String) -> Vec<WorkflowEvent> {
    if description == state.description {
        return vec![];
    }
    vec![WorkflowEvent::WorkflowDescribed { description }]
}
