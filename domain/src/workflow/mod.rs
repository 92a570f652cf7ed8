//! The `Workflow` aggregate: a workflow exists only as the events that made it.

mod command;
mod error;
mod events;
mod fold;
mod handlers;
mod touch;
mod validate;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;
use serde::{Deserialize, Serialize};

pub use command::{WorkflowAction, WorkflowCommand};
pub use error::WorkflowError;
pub use events::{NodeChanges, ReplaceReason, WORKFLOW_EVENT_VERSION, WorkflowEvent};
pub use fold::{apply_to_definition, fold_definition};
pub use touch::{NodeAspect, TouchKey, written_by};
pub use validate::{describe_connection, validate_definition, validate_name};

use crate::catalog::{BuiltinCatalog, NodeCatalog};
use crate::definition::WorkflowDefinition;
use crate::environment::Environment;

/// What the workflow aggregate needs from outside: the node catalog.
#[derive(Clone)]
pub struct WorkflowServices {
    /// Known node types and their ports.
    pub catalog: Arc<dyn NodeCatalog>,
}

impl Default for WorkflowServices {
    fn default() -> Self {
        Self {
            catalog: Arc::new(BuiltinCatalog::shared().clone()),
        }
    }
}

/// Where a promoted workflow came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromotionSource {
    /// The source workflow.
    pub workflow_id: String,
    /// The exact source version last promoted here.
    pub version: u64,
}

/// Current state of one workflow, folded from its events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workflow {
    /// Number of events applied (the workflow's version).
    pub version: u64,
    /// Whether the workflow was created.
    pub exists: bool,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Environment.
    pub environment: Environment,
    /// Whether triggers are live.
    pub active: bool,
    /// Whether it is archived.
    pub archived: bool,
    /// The current definition.
    pub definition: WorkflowDefinition,
    /// Set on workflows created by promotion.
    pub promoted_from: Option<PromotionSource>,
    /// The workflows this one was promoted to, by environment.
    pub promoted_to: BTreeMap<Environment, String>,
    /// The keys each version wrote (index = version − 1), for rebasing.
    writes: Vec<Vec<TouchKey>>,
}

impl Workflow {
    /// Keys written by events after `version`, with the version that wrote them.
    fn writes_after(&self, version: u64) -> impl Iterator<Item = &TouchKey> {
        self.writes.iter().skip(version as usize).flatten()
    }

    /// Rejects a command based on an outdated version when it overlaps the newer events.
    fn check_rebase(&self, command: &WorkflowCommand) -> Result<(), WorkflowError> {
        let Some(expected) = command.expected_version else {
            return Ok(());
        };
        if expected > self.version {
            return Err(WorkflowError::ExpectedVersionAhead {
                expected,
                current: self.version,
            });
        }
        if expected == self.version {
            return Ok(());
        }
        let reads = handlers::reads(self, &command.action);
        let mut overlapping: Vec<String> = Vec::new();
        for written in self.writes_after(expected) {
            for read in &reads {
                if read.conflicts_with(written) {
                    let text = written.to_string();
                    if !overlapping.contains(&text) {
                        overlapping.push(text);
                    }
                }
            }
        }
        if overlapping.is_empty() {
            Ok(())
        } else {
            Err(WorkflowError::Conflict {
                expected,
                current: self.version,
                overlapping,
            })
        }
    }
}

impl Aggregate for Workflow {
    const TYPE: &'static str = "workflow";
    type Command = WorkflowCommand;
    type Event = WorkflowEvent;
    type Error = WorkflowError;
    type Services = WorkflowServices;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        self.check_rebase(&command)?;
        let events = handlers::decide(self, command.action, services.catalog.as_ref())?;
        for event in events {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        use WorkflowEvent::*;
        apply_to_definition(&mut self.definition, &event);
        match &event {
            WorkflowCreated {
                name, description, ..
            } => {
                self.exists = true;
                self.name = name.clone();
                self.description = description.clone();
                self.environment = Environment::Testing;
            }
            WorkflowRenamed { name } => self.name = name.clone(),
            WorkflowDescribed { description } => self.description = description.clone(),
            WorkflowActivated => self.active = true,
            WorkflowDeactivated => self.active = false,
            WorkflowArchived => self.archived = true,
            WorkflowRestored => self.archived = false,
            WorkflowPromoted {
                target_workflow_id,
                target_environment,
                ..
            } => {
                self.promoted_to
                    .insert(*target_environment, target_workflow_id.clone());
            }
            PromotionAccepted {
                source_workflow_id,
                source_version,
                environment,
                name,
                description,
                ..
            } => {
                self.exists = true;
                self.environment = *environment;
                self.name = name.clone();
                self.description = description.clone();
                self.promoted_from = Some(PromotionSource {
                    workflow_id: source_workflow_id.clone(),
                    version: *source_version,
                });
            }
            _ => {}
        }
        self.writes.push(written_by(&event));
        self.version += 1;
    }
}
