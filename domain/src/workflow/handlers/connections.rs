//! Add and remove connections. Port existence is checked by the shared definition validation.

use crate::definition::Connection;
use crate::workflow::validate::describe_connection;
use crate::workflow::{Workflow, WorkflowError, WorkflowEvent};

pub(super) fn add(
    state: &Workflow,
    connection: Connection,
) -> Result<Vec<WorkflowEvent>, WorkflowError> {
    if state.definition.connections.contains(&connection) {
        return Err(WorkflowError::DuplicateConnection(describe_connection(
            &connection,
        )));
    }
    Ok(vec![WorkflowEvent::ConnectionAdded { connection }])
}

pub(super) fn remove(
    state: &Workflow,
    connection: Connection,
) -> Result<Vec<WorkflowEvent>, WorkflowError> {
    if !state.definition.connections.contains(&connection) {
        return Err(WorkflowError::ConnectionNotFound(describe_connection(
            &connection,
        )));
    }
    Ok(vec![WorkflowEvent::ConnectionRemoved { connection }])
}
