//! Running a workflow with every step recorded in the execution's stream.

use std::sync::Arc;

use weft_commands::EventStore;
use weft_domain::execution::{Execution, ExecutionCommand, RunError, Trigger};
use weft_domain::metadata::Actor;

use super::convert::item_list;
use super::error::RecordError;
use super::recorder::ExecutionRecorder;
use crate::engine::{Engine, ExecutionResult};
use crate::graph::CompiledWorkflow;
use crate::options::RunOptions;

/// What is recorded about an execution besides its steps.
#[derive(Debug, Clone)]
pub struct RecordRequest {
    /// The execution id (the stream id and the events' correlation id).
    pub execution_id: String,
    /// The workflow.
    pub workflow_id: String,
    /// The exact workflow version that runs.
    pub workflow_version: u64,
    /// What started it.
    pub trigger: Trigger,
    /// Who the events are attributed to.
    pub actor: Actor,
}

/// A finished (or suspended) execution whose events are committed.
#[derive(Debug)]
pub struct RecordedExecution {
    /// What the engine returned.
    pub result: ExecutionResult,
    /// The execution's state after its last event.
    pub state: Execution,
}

/// Queues, starts and runs one execution, recording every step, and returns once the final
/// events are committed (an answered request is never a lost execution). `options.execution_id`
/// is set from the request. When the engine cannot run the workflow, the failure is recorded and
/// returned as [`RecordError::Engine`].
pub async fn run_recorded(
    engine: &Engine,
    store: &EventStore,
    workflow: &Arc<CompiledWorkflow>,
    request: RecordRequest,
    mut options: RunOptions,
) -> Result<RecordedExecution, RecordError> {
    options.execution_id = request.execution_id.clone();
    let mut recorder = ExecutionRecorder::new(
        store.clone(),
        &request.execution_id,
        request.actor,
        options.clock.clone(),
    );
    recorder.execute(ExecutionCommand::Queue {
        workflow_id: request.workflow_id,
        workflow_version: request.workflow_version,
        trigger: request.trigger,
        mode: options.mode.into(),
        input: item_list(&options.trigger_items),
        destination_node_id: options.destination_node.clone(),
    })?;
    recorder.execute(ExecutionCommand::Start)?;
    let flush = recorder.flush_point();
    match flush
        .around(engine.run(workflow, options, &mut recorder))
        .await
    {
        Ok(result) => {
            let state = recorder.finish().await?;
            Ok(RecordedExecution { result, state })
        }
        Err(error) => {
            recorder.fail(RunError {
                kind: "workflow".into(),
                message: error.to_string(),
                description: None,
                item_index: None,
            })?;
            recorder.finish().await?;
            Err(RecordError::Engine(error))
        }
    }
}
