//! Weft's execution engine: runs workflow definitions with n8n's item model and scheduling,
//! evaluates expressions and Code nodes in a QuickJS sandbox, and reports every step to an
//! observer so the persistence layer can record it as events.
//!
//! ```no_run
//! # use std::{collections::HashMap, sync::Arc};
//! # use weft_executor::{Engine, ExecutionEvent, ExecutorError, RunOptions, SandboxLimits};
//! # async fn demo(definition: weft_domain::definition::WorkflowDefinition) -> Result<(), ExecutorError> {
//! let engine = Engine::new(SandboxLimits::default());
//! // Compile once per workflow version; share the result between executions.
//! let workflow = engine.compile(Arc::new(definition), &HashMap::new())?;
//! let mut steps = Vec::new();
//! let mut observer = |event: ExecutionEvent<'_>| steps.push(format!("{event:?}"));
//! let result = engine.run(&workflow, RunOptions::default(), &mut observer).await?;
//! println!("{:?} after {} steps", result.status, steps.len());
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod engine;
mod error;
mod expr;
mod graph;
mod item;
mod n8n;
mod nodes;
mod observer;
mod options;
pub mod record;
mod report;
mod respond;
mod run_data;
mod sandbox;
pub mod service;
mod stored_credentials;

pub use engine::{Engine, ExecutionResult, Suspension};
pub use error::{ExecutorError, NodeError, NodeErrorKind};
pub use expr::{Template, to_template_string};
pub use graph::{CompiledWorkflow, GraphNode, NodeFlags, NodeIndex};
pub use item::{Item, ItemRef, Items, JsonObject, PairedItem};
pub use n8n::{ImportedWorkflow, import_n8n};
pub use nodes::{NodeContext, NodeOutput, NodeRegistry, NodeType};
pub use observer::{ExecutionEvent, ExecutionObserver, ExecutionStatus, NoopObserver};
pub use options::{
    CancelToken, Clock, CredentialProvider, PendingTask, RecordedRun, RecordedSource, ResumeFrom,
    ResumePoint, RunMode, RunOptions, Sleeper, SubWorkflowCall, SubWorkflowRunner, SystemClock,
    TokioSleeper, WorkflowInfo,
};
pub use report::run_data_json;
pub use respond::{Responder, ResponseBody, WebhookResponse};
pub use run_data::{NodeRun, RunData, SourceRef};
pub use sandbox::{HostBridge, JsError, JsSession, Sandbox, SandboxLimits};
pub use stored_credentials::StoredCredentials;
