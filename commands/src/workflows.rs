//! Executing workflow commands: load, decide, append; retry on concurrent writes so the aggregate
//! can rebase or report a conflict; the promotion saga; definitions at past versions.

use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateContext, AggregateError, EventStore as _};
use uuid::Uuid;
use weft_domain::definition::WorkflowDefinition;
use weft_domain::environment::Environment;
use weft_domain::metadata::EventMetadata;
use weft_domain::workflow::{
    Workflow, WorkflowAction, WorkflowCommand, WorkflowError, WorkflowEvent, WorkflowServices,
    fold_definition,
};

use crate::error::{CommandError, StoreError};
use crate::store::EventStore;

/// How often a command is retried when another writer appended to the same stream first.
const MAX_ATTEMPTS: u32 = 16;

/// What a successful command did.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandOutcome {
    /// The workflow's version after the command.
    pub version: u64,
    /// The events appended (empty when the command changed nothing).
    pub events: Vec<WorkflowEvent>,
}

/// The result of a promotion.
#[derive(Debug, Clone, PartialEq)]
pub struct Promotion {
    /// The workflow in the target environment.
    pub target_workflow_id: String,
    /// The source version that was promoted.
    pub source_version: u64,
    /// The target's version after receiving it.
    pub target_version: u64,
}

/// Runs workflow commands against the event store.
#[derive(Clone)]
pub struct WorkflowCommands {
    store: EventStore,
    aggregates: std::sync::Arc<PersistedEventStore<EventStore, Workflow>>,
    services: WorkflowServices,
}

impl WorkflowCommands {
    /// Command execution over `store` with the given services (node catalog).
    pub fn new(store: EventStore, services: WorkflowServices) -> Self {
        let aggregates = std::sync::Arc::new(PersistedEventStore::new_event_store(store.clone()));
        Self {
            store,
            aggregates,
            services,
        }
    }

    /// Creates a workflow with a fresh id.
    pub async fn create(
        &self,
        name: &str,
        description: &str,
        definition: WorkflowDefinition,
        metadata: &EventMetadata,
    ) -> Result<(String, CommandOutcome), CommandError> {
        let id = Uuid::now_v7().to_string();
        let action = WorkflowAction::CreateWorkflow {
            name: name.to_string(),
            description: description.to_string(),
            definition,
        };
        let outcome = self
            .execute(&id, WorkflowCommand::new(action), metadata)
            .await?;
        Ok((id, outcome))
    }

    /// Executes one command. When another writer appended to the workflow between load and append,
    /// the command is decided again on the new state: the aggregate rebases it or reports a
    /// conflict, so no edit is silently lost.
    pub async fn execute(
        &self,
        workflow_id: &str,
        command: WorkflowCommand,
        metadata: &EventMetadata,
    ) -> Result<CommandOutcome, CommandError> {
        for _ in 0..MAX_ATTEMPTS {
            let mut context = self
                .aggregates
                .load_aggregate(workflow_id)
                .await
                .map_err(store_error)?;
            let sink = Default::default();
            context
                .aggregate()
                .handle(command.clone(), &self.services, &sink)
                .await?;
            let events = sink.collect().await;
            let version = context.aggregate().version;
            if events.is_empty() {
                return Ok(CommandOutcome { version, events });
            }
            match self
                .aggregates
                .commit(events, context, metadata.to_map())
                .await
            {
                Ok(envelopes) => {
                    let version = envelopes.last().map_or(version, |e| e.sequence as u64);
                    let events = envelopes.into_iter().map(|e| e.payload).collect();
                    return Ok(CommandOutcome { version, events });
                }
                Err(AggregateError::AggregateConflict) => continue,
                Err(other) => return Err(store_error(other)),
            }
        }
        Err(CommandError::TooMuchContention(MAX_ATTEMPTS))
    }

    /// The current state of a workflow (its folded events).
    pub async fn load(&self, workflow_id: &str) -> Result<Workflow, CommandError> {
        let mut context = self
            .aggregates
            .load_aggregate(workflow_id)
            .await
            .map_err(store_error)?;
        let state = context.aggregate().clone();
        if !state.exists {
            return Err(WorkflowError::NotFound.into());
        }
        Ok(state)
    }

    /// The workflow's events up to `version`, oldest first.
    pub async fn events_until(
        &self,
        workflow_id: &str,
        version: u64,
    ) -> Result<Vec<WorkflowEvent>, CommandError> {
        let stored = self
            .store
            .stream_until(Workflow::TYPE, workflow_id, version)
            .await?;
        stored
            .into_iter()
            .map(|e| {
                serde_json::from_value(e.payload).map_err(|err| {
                    CommandError::Store(StoreError::Corrupt {
                        position: format!("workflow-{workflow_id}#{}", e.sequence),
                        reason: err.to_string(),
                    })
                })
            })
            .collect()
    }

    /// The definition as it was at `version`.
    pub async fn definition_at(
        &self,
        workflow_id: &str,
        version: u64,
    ) -> Result<WorkflowDefinition, CommandError> {
        let events = self.events_until(workflow_id, version).await?;
        if events.is_empty() {
            return Err(WorkflowError::NotFound.into());
        }
        let current = events.len() as u64;
        if version == 0 || current < version {
            return Err(WorkflowError::VersionNotFound {
                requested: version,
                current,
            }
            .into());
        }
        Ok(fold_definition(events.iter()))
    }

    /// Makes the definition of `version` current again, as a new version.
    pub async fn revert(
        &self,
        workflow_id: &str,
        version: u64,
        expected_version: Option<u64>,
        metadata: &EventMetadata,
    ) -> Result<CommandOutcome, CommandError> {
        let definition = self.definition_at(workflow_id, version).await?;
        let command = WorkflowCommand {
            expected_version,
            action: WorkflowAction::RevertToVersion {
                version,
                definition,
            },
        };
        self.execute(workflow_id, command, metadata).await
    }

    /// Promotes the workflow's current version to the next environment: the source records the
    /// promotion, then the target (created on first promotion) receives that exact version.
    pub async fn promote(
        &self,
        workflow_id: &str,
        target_environment: Environment,
        expected_version: Option<u64>,
        metadata: &EventMetadata,
    ) -> Result<Promotion, CommandError> {
        let source = self.load(workflow_id).await?;
        let target_workflow_id = source
            .promoted_to
            .get(&target_environment)
            .cloned()
            .unwrap_or_else(|| Uuid::now_v7().to_string());
        let promoted = self
            .execute(
                workflow_id,
                WorkflowCommand {
                    expected_version,
                    action: WorkflowAction::PromoteWorkflow {
                        target_environment,
                        target_workflow_id: target_workflow_id.clone(),
                    },
                },
                metadata,
            )
            .await?;
        let source_version = promoted.version - 1;
        let definition = self.definition_at(workflow_id, source_version).await?;
        let source = self.load(workflow_id).await?;
        let accept = WorkflowAction::AcceptPromotion {
            source_workflow_id: workflow_id.to_string(),
            source_version,
            environment: target_environment,
            name: source.name,
            description: source.description,
            definition,
        };
        let caused = EventMetadata {
            causation_id: Some(format!("workflow-{workflow_id}#{}", promoted.version)),
            ..metadata.clone()
        };
        let received = self
            .execute(&target_workflow_id, WorkflowCommand::new(accept), &caused)
            .await?;
        Ok(Promotion {
            target_workflow_id,
            source_version,
            target_version: received.version,
        })
    }
}

fn store_error(error: AggregateError<WorkflowError>) -> CommandError {
    match error {
        AggregateError::UserError(e) => CommandError::Rejected(e),
        AggregateError::AggregateConflict => CommandError::Store(StoreError::Conflict),
        AggregateError::DatabaseConnectionError(e) | AggregateError::UnexpectedError(e) => {
            CommandError::Store(StoreError::Write(e.to_string()))
        }
        AggregateError::DeserializationError(e) => CommandError::Store(StoreError::Corrupt {
            position: "workflow stream".into(),
            reason: e.to_string(),
        }),
    }
}
