//! The engine: compiles workflows and runs executions.
//!
//! Scheduling follows n8n (`workflow-execute.ts`):
//! - **v1** (Weft's default): the children of a node that ran go to the *front* of the stack,
//!   ordered so that the top-most, then left-most child runs first; each branch runs depth-first
//!   to its end. A node with several connected inputs waits until every input has data; when the
//!   stack runs dry, a waiting node runs with the inputs it has (unless it requires all inputs).
//! - **v0** (legacy, n8n documents without the setting): children go to the *back* (breadth-first);
//!   a connection into an input index above 0 is followed even with no items; when a multi-input
//!   node gets its first input, the parent chain of its other inputs is forced to run.
//!
//! A node is queued for an output only when that output has items. Disabled nodes pass their first
//! input through. Every step is reported to an [`ExecutionObserver`](crate::ExecutionObserver).

mod node_run;
mod run;
mod schedule;
pub(crate) mod scope;
mod suspend;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::json;
use weft_domain::catalog::{BuiltinCatalog, NodeCatalog};
use weft_domain::definition::{NodeId, WorkflowDefinition};

use crate::error::{ExecutorError, NodeError};
use crate::graph::{CompiledWorkflow, NodeFlags};
use crate::nodes::NodeRegistry;
use crate::observer::{ExecutionObserver, ExecutionStatus};
use crate::options::{ResumeFrom, RunMode, RunOptions};
use crate::run_data::RunData;
use crate::sandbox::{Sandbox, SandboxLimits};

/// Outcome of one execution.
#[derive(Debug, Clone)]
pub struct ExecutionResult {
    /// Final status.
    pub status: ExecutionStatus,
    /// The error that ended the run.
    pub error: Option<NodeError>,
    /// The node that failed (or was current when the run was canceled).
    pub failed_node: Option<NodeId>,
    /// Every node run.
    pub run_data: RunData,
    /// Set when the status is `Waiting`: how and when to continue.
    pub suspended: Option<Suspension>,
}

/// A paused execution: resume it at `resume_at` by running again with `resume` as
/// [`RunOptions::resume`](crate::RunOptions::resume).
#[derive(Debug, Clone)]
pub struct Suspension {
    /// The Wait node that paused the run.
    pub node_id: NodeId,
    /// When to continue.
    pub resume_at: chrono::DateTime<chrono::Utc>,
    /// The state to continue from.
    pub resume: ResumeFrom,
}

/// Runs workflows. One engine serves any number of concurrent executions.
pub struct Engine {
    catalog: Arc<dyn NodeCatalog>,
    registry: NodeRegistry,
    sandbox: Arc<Sandbox>,
}

impl Engine {
    /// An engine with the built-in catalog and nodes, and these sandbox limits.
    pub fn new(limits: SandboxLimits) -> Self {
        struct Shared;
        impl NodeCatalog for Shared {
            fn describe(&self, t: &str) -> Option<&weft_domain::catalog::NodeTypeDescription> {
                BuiltinCatalog::shared().describe(t)
            }
            fn all(&self) -> Vec<&weft_domain::catalog::NodeTypeDescription> {
                BuiltinCatalog::shared().all()
            }
        }
        Self::with_parts(Arc::new(Shared), NodeRegistry::builtin(), limits)
    }

    /// An engine with a custom catalog and node registry.
    pub fn with_parts(
        catalog: Arc<dyn NodeCatalog>,
        registry: NodeRegistry,
        limits: SandboxLimits,
    ) -> Self {
        Self {
            catalog,
            registry,
            sandbox: Sandbox::new(limits),
        }
    }

    /// The node catalog.
    pub fn catalog(&self) -> &dyn NodeCatalog {
        &*self.catalog
    }

    /// Compiles a definition once so that many executions can share it.
    pub fn compile(
        &self,
        definition: Arc<WorkflowDefinition>,
        flags: &HashMap<NodeId, NodeFlags>,
    ) -> Result<Arc<CompiledWorkflow>, ExecutorError> {
        CompiledWorkflow::compile(definition, &*self.catalog, &self.registry, flags).map(Arc::new)
    }

    /// Runs one execution to its end, reporting every step to `observer`. Cheap native nodes run
    /// inline on the calling task; the future is `Send`, so it can be spawned on any runtime.
    pub async fn run(
        &self,
        workflow: &Arc<CompiledWorkflow>,
        options: RunOptions,
        observer: &mut dyn ExecutionObserver,
    ) -> Result<ExecutionResult, ExecutorError> {
        let definition = &workflow.definition;
        let offset_minutes = definition
            .settings
            .timezone
            .as_deref()
            .and_then(|tz| tz.parse::<chrono_tz::Tz>().ok())
            .map(|tz| {
                use chrono::Offset;
                let now = options.clock.now();
                now.with_timezone(&tz).offset().fix().local_minus_utc() / 60
            })
            .unwrap_or(0);
        let globals = json!({
            "workflow": {"id": options.workflow.id, "name": options.workflow.name, "active": options.workflow.active},
            "execution": {
                "id": options.execution_id,
                "mode": if options.mode == RunMode::Manual { "test" } else { "production" },
                "customData": {},
            },
            "vars": definition.variables,
            "zoneOffset": offset_minutes,
        });
        run::Execution::new(workflow.clone(), options, self.sandbox.clone(), globals)
            .run(observer)
            .await
    }
}
