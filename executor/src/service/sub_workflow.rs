//! Sub-workflows for Execute Workflow nodes. Each call is an execution of its own (trigger
//! `subWorkflow` naming the calling execution and node) that runs inline on the caller's task:
//! it takes no slot of the queue (a caller waiting for a queued child could otherwise starve it),
//! shares the caller's stop switch (stopping the caller stops it) and never suspends on a long
//! Wait. Calls nest at most [`MAX_DEPTH`] levels, so a workflow that calls itself fails clearly.
//! Without waiting, the call is submitted like any other execution and runs in the background.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use weft_domain::execution::{ExecutionCommand, ExecutionMode, Trigger};
use weft_domain::metadata::Actor;

use super::ExecutionService;
use super::cache::ResolvedWorkflow;
use super::error::ServiceError;
use super::run::{drive, run_mode};
use super::submission::{ExecutionOutcome, Submission, WorkflowVersion};
use crate::item::Item;
use crate::observer::ExecutionStatus;
use crate::options::{CancelToken, RunOptions, Sleeper, SubWorkflowCall, SubWorkflowRunner};
use crate::record::{ExecutionRecorder, RecordError};

/// How deeply sub-workflows may nest.
pub const MAX_DEPTH: u32 = 16;

/// The node type a sub-workflow starts at when it has one.
const START_TYPE: &str = "n8n-nodes-base.executeWorkflowTrigger";

/// The runner one execution hands its Execute Workflow nodes.
pub(super) struct SubWorkflows {
    service: ExecutionService,
    mode: ExecutionMode,
    actor: Actor,
    depth: u32,
    cancel: CancelToken,
    sleeper: Arc<dyn Sleeper>,
}

impl SubWorkflows {
    /// The runner for an execution at nesting `depth` (0: not a sub-workflow) running with
    /// `options`, attributed to `actor`.
    pub(super) fn new(
        service: ExecutionService,
        options: &RunOptions,
        actor: Actor,
        depth: u32,
    ) -> Self {
        Self {
            service,
            mode: options.mode.into(),
            actor,
            depth,
            cancel: options.cancel.clone(),
            sleeper: options.sleeper.clone(),
        }
    }
}

/// The node a sub-workflow starts at: its Execute Workflow Trigger, else n8n's start rule.
fn start_node(resolved: &ResolvedWorkflow) -> Option<String> {
    resolved
        .compiled
        .first_enabled_of_type(START_TYPE)
        .map(str::to_string)
}

#[async_trait]
impl SubWorkflowRunner for SubWorkflows {
    async fn run(&self, call: SubWorkflowCall) -> Result<Vec<Item>, String> {
        if self.depth >= MAX_DEPTH {
            return Err(format!(
                "sub-workflows nest deeper than {MAX_DEPTH} levels (does a workflow call itself?)"
            ));
        }
        let resolved = self
            .service
            .resolve(&call.workflow_id, WorkflowVersion::Current)
            .await
            .map_err(|e| e.to_string())?;
        let submission = Submission {
            workflow_id: call.workflow_id.clone(),
            version: WorkflowVersion::Exact(resolved.version),
            trigger: Trigger::SubWorkflow {
                parent_execution_id: call.parent_execution_id.clone(),
                parent_node_id: call.parent_node_id.clone(),
            },
            input: call.items.clone(),
            mode: self.mode,
            start_node: start_node(&resolved),
            destination_node: None,
            actor: self.actor.clone(),
        };
        if !call.wait {
            let mut handle = self
                .service
                .submit(submission)
                .await
                .map_err(|e| e.to_string())?;
            handle.accepted().await.map_err(|e| e.to_string())?;
            return Ok(call.items);
        }
        let outcome = self
            .run_inline(submission, resolved)
            .await
            .map_err(|e| e.to_string())?;
        match outcome.status() {
            ExecutionStatus::Success => Ok(outcome.last_node_items()),
            ExecutionStatus::Canceled => {
                Err(format!("execution `{}` was canceled", outcome.execution_id))
            }
            _ => Err(format!(
                "execution `{}` failed: {}",
                outcome.execution_id,
                outcome
                    .result
                    .error
                    .as_ref()
                    .map_or_else(|| "unknown error".to_string(), ToString::to_string)
            )),
        }
    }
}

impl SubWorkflows {
    /// Records and runs the sub-execution on this task; returns once its events are committed.
    async fn run_inline(
        &self,
        submission: Submission,
        resolved: ResolvedWorkflow,
    ) -> Result<ExecutionOutcome, ServiceError> {
        let inner = &self.service.inner;
        let execution_id = uuid::Uuid::now_v7().to_string();
        let mut options = RunOptions {
            execution_id: execution_id.clone(),
            mode: run_mode(submission.mode),
            workflow: resolved.info.clone(),
            start_node: submission.start_node,
            trigger_items: if submission.input.is_empty() {
                vec![Item::default()]
            } else {
                submission.input
            },
            clock: inner.clock.clone(),
            cancel: self.cancel.clone(),
            sleeper: self.sleeper.clone(),
            // The caller waits on its task, so the sub-execution never suspends.
            inline_wait_limit: Duration::MAX,
            ..Default::default()
        };
        options.sub_workflows = Some(Arc::new(SubWorkflows::new(
            self.service.clone(),
            &options,
            submission.actor.clone(),
            self.depth + 1,
        )));
        let mut recorder = ExecutionRecorder::new(
            inner.store.clone(),
            &execution_id,
            submission.actor.clone(),
            inner.clock.clone(),
        );
        recorder
            .execute(ExecutionCommand::Queue {
                workflow_id: submission.workflow_id,
                workflow_version: resolved.version,
                trigger: submission.trigger,
                mode: submission.mode,
                input: options.trigger_items.iter().map(Item::to_n8n).collect(),
                destination_node_id: None,
            })
            .map_err(RecordError::from)?;
        let (result, _) = drive(
            &self.service,
            recorder,
            &resolved,
            options,
            &submission.actor,
            ExecutionCommand::Start,
        )
        .await?;
        Ok(ExecutionOutcome {
            execution_id,
            workflow_version: resolved.version,
            result,
            workflow: resolved.compiled.clone(),
            response: None,
        })
    }
}
