//! Command handlers: each turns a command into events against the current state, or an error.

mod connections;
mod definition;
mod lifecycle;
mod meta;
mod nodes;
mod promotion;

use super::Workflow;
use super::command::WorkflowAction;
use super::error::WorkflowError;
use super::events::WorkflowEvent;
use super::fold::apply_to_definition;
use super::touch::{NodeAspect, TouchKey};
use super::validate::validate_definition;
use crate::catalog::NodeCatalog;
use crate::environment::Environment;
use crate::triggers::validate_triggers;

/// Decides the events for an action. No event is produced when the action changes nothing.
pub(super) fn decide(
    state: &Workflow,
    action: WorkflowAction,
    catalog: &dyn NodeCatalog,
) -> Result<Vec<WorkflowEvent>, WorkflowError> {
    use WorkflowAction::*;
    match action {
        CreateWorkflow {
            name,
            description,
            definition,
        } => meta::create(state, name, description, definition, catalog),
        AcceptPromotion {
            source_workflow_id,
            source_version,
            environment,
            name,
            description,
            definition,
        } => promotion::accept(
            state,
            source_workflow_id,
            source_version,
            environment,
            name,
            description,
            definition,
            catalog,
        ),
        other => {
            if !state.exists {
                return Err(WorkflowError::NotFound);
            }
            decide_existing(state, other, catalog)
        }
    }
}

fn decide_existing(
    state: &Workflow,
    action: WorkflowAction,
    catalog: &dyn NodeCatalog,
) -> Result<Vec<WorkflowEvent>, WorkflowError> {
    use WorkflowAction::*;
    match action {
        ActivateWorkflow => lifecycle::activate(state, catalog),
        DeactivateWorkflow => Ok(lifecycle::deactivate(state)),
        ArchiveWorkflow => Ok(lifecycle::archive(state)),
        RestoreWorkflow => Ok(lifecycle::restore(state)),
        PromoteWorkflow {
            target_environment,
            target_workflow_id,
        } => promotion::promote(state, target_environment, target_workflow_id),
        edit => {
            ensure_editable(state)?;
            let events = match edit {
                RenameWorkflow { name } => meta::rename(state, name)?,
                DescribeWorkflow { description } => meta::describe(state, description),
                AddNode { node } => nodes::add(state, node)?,
                RemoveNode { node_id } => nodes::remove(state, node_id)?,
                MoveNode { node_id, position } => nodes::move_to(state, node_id, position)?,
                UpdateNode { node_id, changes } => nodes::update(state, node_id, changes)?,
                AddConnection { connection } => connections::add(state, connection)?,
                RemoveConnection { connection } => connections::remove(state, connection)?,
                ReplaceDefinition { definition, reason } => {
                    definition::replace(state, definition, reason)
                }
                ChangeSettings { settings } => definition::change_settings(state, settings),
                SetVariables { variables } => definition::set_variables(state, variables),
                PinData { node_id, items } => definition::pin(state, node_id, items)?,
                RevertToVersion {
                    version,
                    definition,
                } => definition::revert(state, version, definition)?,
                CreateWorkflow { .. }
                | AcceptPromotion { .. }
                | ActivateWorkflow
                | DeactivateWorkflow
                | ArchiveWorkflow
                | RestoreWorkflow
                | PromoteWorkflow { .. } => unreachable!("handled above"),
            };
            ensure_valid_after(state, &events, catalog)?;
            Ok(events)
        }
    }
}

/// Definition edits are refused on archived and production workflows.
fn ensure_editable(state: &Workflow) -> Result<(), WorkflowError> {
    if state.archived {
        return Err(WorkflowError::Archived);
    }
    if state.environment == Environment::Production {
        return Err(WorkflowError::ProductionIsReadOnly);
    }
    Ok(())
}

/// Applies the events to a copy of the definition and checks every invariant on the result.
fn ensure_valid_after(
    state: &Workflow,
    events: &[WorkflowEvent],
    catalog: &dyn NodeCatalog,
) -> Result<(), WorkflowError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut definition = state.definition.clone();
    for event in events {
        apply_to_definition(&mut definition, event);
    }
    validate_definition(&definition, catalog)?;
    if state.active {
        validate_triggers(&definition)?;
    }
    Ok(())
}

/// The state an action depends on, for rebasing it over newer events.
pub(super) fn reads(state: &Workflow, action: &WorkflowAction) -> Vec<TouchKey> {
    use WorkflowAction::*;
    let node = |id: &str, aspect: NodeAspect| TouchKey::Node(id.to_string(), aspect);
    match action {
        CreateWorkflow { .. } => vec![TouchKey::Everything],
        RenameWorkflow { .. } => vec![TouchKey::Meta("name".into())],
        DescribeWorkflow { .. } => vec![TouchKey::Meta("description".into())],
        AddNode { node: n } => vec![node(&n.id, NodeAspect::Existence)],
        RemoveNode { node_id } => {
            let mut keys = vec![
                node(node_id, NodeAspect::Existence),
                TouchKey::PinData(node_id.clone()),
            ];
            keys.extend(
                state
                    .definition
                    .connections
                    .iter()
                    .filter(|c| &c.source == node_id || &c.target == node_id)
                    .cloned()
                    .map(TouchKey::Connection),
            );
            keys
        }
        MoveNode { node_id, .. } => vec![node(node_id, NodeAspect::Field("position".into()))],
        UpdateNode { node_id, changes } => {
            let mut keys = vec![node(node_id, NodeAspect::Reference)];
            keys.extend(
                changes
                    .fields()
                    .into_iter()
                    .map(|f| node(node_id, NodeAspect::Field(f.into()))),
            );
            keys
        }
        AddConnection { connection } => vec![
            TouchKey::Connection(connection.clone()),
            node(&connection.source, NodeAspect::Reference),
            node(&connection.target, NodeAspect::Reference),
        ],
        RemoveConnection { connection } => vec![TouchKey::Connection(connection.clone())],
        ReplaceDefinition { .. } | RevertToVersion { .. } | AcceptPromotion { .. } => {
            vec![TouchKey::WholeDefinition]
        }
        ChangeSettings { .. } => vec![TouchKey::Settings],
        SetVariables { .. } => vec![TouchKey::Variables],
        PinData { node_id, .. } => vec![
            TouchKey::PinData(node_id.clone()),
            node(node_id, NodeAspect::Reference),
        ],
        ActivateWorkflow | DeactivateWorkflow => vec![TouchKey::Activation],
        ArchiveWorkflow | RestoreWorkflow => vec![TouchKey::Lifecycle],
        PromoteWorkflow { .. } => vec![
            TouchKey::WholeDefinition,
            TouchKey::Meta("name".into()),
            TouchKey::Promotion,
        ],
    }
}
