//! Compiled workflows by `(workflow id, version)`: a version never changes, so each is read from
//! the log and compiled once and shared by every execution of it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cqrs_es::Aggregate;
use weft_commands::EventStore;
use weft_domain::workflow::{Workflow, WorkflowEvent};

use super::error::ServiceError;
use crate::engine::Engine;
use crate::graph::CompiledWorkflow;
use crate::options::WorkflowInfo;

/// One workflow version ready to run.
#[derive(Clone)]
pub struct ResolvedWorkflow {
    /// The exact version.
    pub version: u64,
    /// The compiled graph.
    pub compiled: Arc<CompiledWorkflow>,
    /// `$workflow` as of that version.
    pub info: WorkflowInfo,
    /// The error workflow named in the settings of that version.
    pub error_workflow: Option<String>,
}

/// Cache of compiled workflow versions, bounded by `capacity` entries.
pub(super) struct WorkflowCache {
    entries: Mutex<HashMap<(String, u64), ResolvedWorkflow>>,
    capacity: usize,
}

impl WorkflowCache {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    fn cached(&self, workflow_id: &str, version: u64) -> Option<ResolvedWorkflow> {
        self.entries
            .lock()
            .expect("workflow cache lock")
            .get(&(workflow_id.to_string(), version))
            .cloned()
    }

    /// The workflow at `version` (`None`: its current version). A cached exact version costs no
    /// database read; the current version reads the workflow's stream once.
    pub(super) async fn resolve(
        &self,
        engine: &Engine,
        store: &EventStore,
        workflow_id: &str,
        version: Option<u64>,
    ) -> Result<ResolvedWorkflow, ServiceError> {
        if let Some(version) = version
            && let Some(hit) = self.cached(workflow_id, version)
        {
            return Ok(hit);
        }
        let stored = match version {
            Some(version) => {
                store
                    .stream_until(Workflow::TYPE, workflow_id, version)
                    .await?
            }
            None => store.stream(Workflow::TYPE, workflow_id).await?,
        };
        if stored.is_empty() {
            return Err(ServiceError::WorkflowNotFound(workflow_id.to_string()));
        }
        let found = stored.len() as u64;
        if let Some(requested) = version
            && (requested == 0 || requested > found)
        {
            let current = store.stream(Workflow::TYPE, workflow_id).await?.len() as u64;
            return Err(ServiceError::VersionNotFound {
                workflow_id: workflow_id.to_string(),
                requested,
                current,
            });
        }
        if let Some(hit) = self.cached(workflow_id, found) {
            return Ok(hit);
        }
        let mut state = Workflow::default();
        for event in stored {
            let event: WorkflowEvent = serde_json::from_value(event.payload).map_err(|e| {
                weft_commands::StoreError::Corrupt {
                    position: format!("workflow-{workflow_id}#{}", event.sequence),
                    reason: e.to_string(),
                }
            })?;
            state.apply(event);
        }
        if state.archived {
            return Err(ServiceError::Invalid(format!(
                "workflow `{workflow_id}` is archived; restore it to run it"
            )));
        }
        let error_workflow = state.definition.settings.error_workflow.clone();
        let compiled = engine
            .compile(Arc::new(state.definition), &HashMap::new())
            .map_err(|e| ServiceError::Invalid(format!("the workflow cannot run: {e}")))?;
        let resolved = ResolvedWorkflow {
            version: found,
            compiled,
            info: WorkflowInfo {
                id: workflow_id.to_string(),
                name: state.name,
                active: state.active,
            },
            error_workflow,
        };
        let mut entries = self.entries.lock().expect("workflow cache lock");
        if entries.len() >= self.capacity
            && let Some(evict) = entries.keys().next().cloned()
        {
            entries.remove(&evict);
        }
        entries.insert((workflow_id.to_string(), found), resolved.clone());
        Ok(resolved)
    }
}
