//! Promotion between environments: the source records what it promoted, the target receives it.

use crate::catalog::NodeCatalog;
use crate::definition::WorkflowDefinition;
use crate::environment::Environment;
use crate::workflow::validate::{validate_definition, validate_name};
use crate::workflow::{Workflow, WorkflowError, WorkflowEvent};

pub(super) fn promote(
    state: &Workflow,
    target_environment: Environment,
    target_workflow_id: String,
) -> Result<Vec<WorkflowEvent>, WorkflowError> {
    if state.archived {
        return Err(WorkflowError::Archived);
    }
    if state.environment.next() != Some(target_environment) {
        return Err(WorkflowError::InvalidPromotion {
            from: state.environment,
            to: target_environment,
        });
    }
    if let Some(existing) = state.promoted_to.get(&target_environment)
        && *existing != target_workflow_id
    {
        return Err(WorkflowError::PromotionTargetMismatch {
            environment: target_environment,
            existing: existing.clone(),
        });
    }
    Ok(vec![WorkflowEvent::WorkflowPromoted {
        target_workflow_id,
        target_environment,
        source_version: state.version,
    }])
}

#[allow(clippy::too_many_arguments)]
pub(super) fn accept(
    state: &Workflow,
    source_workflow_id: String,
    source_version: u64,
    environment: Environment,
    name: String,
    description: String,
    definition: WorkflowDefinition,
    catalog: &dyn NodeCatalog,
) -> Result<Vec<WorkflowEvent>, WorkflowError> {
    if environment == Environment::Testing {
        return Err(WorkflowError::InvalidPromotion {
            from: environment,
            to: environment,
        });
    }
    if state.exists {
        if state.archived {
            return Err(WorkflowError::Archived);
        }
        if state.environment != environment {
            return Err(WorkflowError::InvalidPromotion {
                from: state.environment,
                to: environment,
            });
        }
        if let Some(source) = &state.promoted_from
            && source.workflow_id != source_workflow_id
        {
            return Err(WorkflowError::PromotionSourceMismatch {
                expected: source.workflow_id.clone(),
                actual: source_workflow_id,
            });
        }
    }
    validate_name(&name)?;
    validate_definition(&definition, catalog)?;
    Ok(vec![WorkflowEvent::PromotionAccepted {
        source_workflow_id,
        source_version,
        environment,
        name,
        description,
        definition,
    }])
}
