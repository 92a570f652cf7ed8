//! Running one queued execution: wait for a slot, start, run the engine with the recorder as
//! observer, commit, and hand the outcome to the submitter. A long Wait suspends the execution;
//! it is resumed at its due time.

use std::sync::Arc;

use tokio::sync::oneshot;
use weft_domain::execution::{ExecutionCommand, ExecutionMode, RunError, Trigger};
use weft_domain::metadata::Actor;

use super::ExecutionService;
use super::cache::ResolvedWorkflow;
use super::error::ServiceError;
use super::error_workflow::Finished;
use super::sub_workflow::SubWorkflows;
use super::submission::{ExecutionOutcome, ResponseSlot};
use crate::engine::ExecutionResult;
use crate::error::NodeError;
use crate::observer::ExecutionStatus;
use crate::options::{RunMode, RunOptions};
use crate::record::{ExecutionRecorder, RecordError};
use crate::run_data::RunData;

/// The engine's mode for a recorded mode.
pub(super) fn run_mode(mode: ExecutionMode) -> RunMode {
    match mode {
        ExecutionMode::Manual => RunMode::Manual,
        ExecutionMode::Production => RunMode::Production,
    }
}

/// One execution handed to a task.
pub(super) struct Job {
    pub(super) recorder: ExecutionRecorder,
    pub(super) resolved: ResolvedWorkflow,
    pub(super) options: RunOptions,
    pub(super) actor: Actor,
    pub(super) trigger: Trigger,
    pub(super) slot: Arc<ResponseSlot>,
    pub(super) sender: oneshot::Sender<Result<ExecutionOutcome, ServiceError>>,
}

/// Waits for a slot, runs the job and reports its outcome.
pub(super) async fn run(service: ExecutionService, job: Job) {
    let Job {
        recorder,
        resolved,
        options,
        actor,
        trigger,
        slot,
        sender,
    } = job;
    let execution_id = options.execution_id.clone();
    let mode = ExecutionMode::from(options.mode);
    // While it waits for a slot, its queued event is committed (see `FlushPoint`).
    let permit = recorder
        .flush_point()
        .around(service.inner.permits.clone().acquire_owned())
        .await;
    let outcome = match permit {
        Ok(_permit) => {
            drive(
                &service,
                recorder,
                &resolved,
                options,
                &actor,
                ExecutionCommand::Start,
            )
            .await
        }
        Err(_) => Err(ServiceError::Stopped),
    };
    let outcome = outcome.map(|(result, state)| {
        if let Some(suspension) = &result.suspended {
            schedule_resume(
                service.clone(),
                execution_id.clone(),
                resolved.clone(),
                actor.clone(),
                state,
                suspension.clone(),
            );
        } else {
            service.forget(&execution_id);
        }
        service.start_error_workflow(Finished {
            execution_id: &execution_id,
            resolved: &resolved,
            result: &result,
            trigger: &trigger,
            mode,
        });
        ExecutionOutcome {
            execution_id: execution_id.clone(),
            workflow_version: resolved.version,
            result,
            workflow: resolved.compiled.clone(),
            response: slot.close(),
        }
    });
    if outcome.is_err() {
        service.forget(&execution_id);
        slot.close();
    }
    let _ = sender.send(outcome);
}

/// Records `first` (start or resume), runs the engine and commits every event.
pub(super) async fn drive(
    service: &ExecutionService,
    mut recorder: ExecutionRecorder,
    resolved: &ResolvedWorkflow,
    mut options: RunOptions,
    actor: &Actor,
    first: ExecutionCommand,
) -> Result<(ExecutionResult, weft_domain::execution::Execution), ServiceError> {
    let inner = &service.inner;
    if options.credentials.is_none() {
        options.credentials = inner.credentials.clone();
    }
    if options.sub_workflows.is_none() {
        options.sub_workflows = Some(Arc::new(SubWorkflows::new(
            service.clone(),
            &options,
            actor.clone(),
            0,
        )));
    }
    recorder.execute(first).map_err(RecordError::from)?;
    let flush = recorder.flush_point();
    match flush
        .around(inner.engine.run(&resolved.compiled, options, &mut recorder))
        .await
    {
        Ok(result) => {
            let state = recorder.finish().await?;
            record_metrics(&result);
            Ok((result, state))
        }
        Err(error) => {
            let result = record_workflow_failure(&mut recorder, error)?;
            let state = recorder.finish().await?;
            Ok((result, state))
        }
    }
}

/// Records that the run failed outside any node (the engine could not run the workflow, or its
/// version could not be loaded) and returns the failed result.
pub(super) fn record_workflow_failure(
    recorder: &mut ExecutionRecorder,
    error: impl std::fmt::Display,
) -> Result<ExecutionResult, RecordError> {
    let message = error.to_string();
    recorder.fail(RunError {
        kind: "workflow".into(),
        message: message.clone(),
        description: None,
        item_index: None,
    })?;
    Ok(ExecutionResult {
        status: ExecutionStatus::Error,
        error: Some(NodeError::operation(message)),
        failed_node: None,
        run_data: RunData::default(),
        suspended: None,
    })
}

/// Counts the finished (or suspended) execution by status and records each node run's duration.
pub(super) fn record_metrics(result: &ExecutionResult) {
    let status = match result.status {
        ExecutionStatus::Success => "succeeded",
        ExecutionStatus::Error => "failed",
        ExecutionStatus::Canceled => "canceled",
        ExecutionStatus::Waiting => "waiting",
    };
    metrics::counter!("weft_executions_finished_total", "status" => status).increment(1);
    let node_runs = metrics::histogram!("weft_node_run_seconds");
    for (node, run) in result.run_data.order() {
        if let Some(run) = result.run_data.runs(*node).get(*run) {
            node_runs.record(run.duration.as_secs_f64());
        }
    }
}

/// Resumes a suspended execution at its due time, in this process.
fn schedule_resume(
    service: ExecutionService,
    execution_id: String,
    resolved: ResolvedWorkflow,
    actor: Actor,
    state: weft_domain::execution::Execution,
    suspension: crate::engine::Suspension,
) {
    tokio::spawn(async move {
        let switch = service
            .inner
            .running
            .lock()
            .expect("running lock")
            .get(&execution_id)
            .cloned()
            .unwrap_or_default();
        let delay = (suspension.resume_at - service.inner.clock.now())
            .to_std()
            .unwrap_or_default();
        // Sleeps until the due time, or until the execution is stopped while it waits.
        switch.sleeper().sleep(delay).await;
        if switch.token.is_canceled() {
            let mut recorder = ExecutionRecorder::continuing(
                service.inner.store.clone(),
                &execution_id,
                actor,
                service.inner.clock.clone(),
                state,
            );
            let canceled = recorder
                .execute(ExecutionCommand::Cancel)
                .map_err(RecordError::from);
            let finished = recorder.finish().await;
            if let Err(error) = canceled.and(finished.map(|_| ())) {
                tracing::error!(%execution_id, %error, "canceling a waiting execution failed");
            }
            service.forget(&execution_id);
            return;
        }
        let recorder = ExecutionRecorder::continuing(
            service.inner.store.clone(),
            &execution_id,
            actor.clone(),
            service.inner.clock.clone(),
            state,
        );
        let options = RunOptions {
            execution_id: execution_id.clone(),
            workflow: resolved.info.clone(),
            resume: Some(suspension.resume),
            cancel: switch.token.clone(),
            sleeper: switch.sleeper(),
            clock: service.inner.clock.clone(),
            inline_wait_limit: service.inner.inline_wait_limit,
            ..Default::default()
        };
        let _permit = service.inner.permits.clone().acquire_owned().await;
        let result = drive(
            &service,
            recorder,
            &resolved,
            options,
            &actor,
            ExecutionCommand::Resume,
        )
        .await;
        match result {
            Ok((result, state)) => match result.suspended {
                Some(next) => {
                    schedule_resume(service.clone(), execution_id, resolved, actor, state, next)
                }
                None => service.forget(&execution_id),
            },
            Err(error) => {
                tracing::error!(%execution_id, %error, "resuming a waiting execution failed");
                service.forget(&execution_id);
            }
        }
    });
}

impl ExecutionService {
    /// Drops an execution from the running set.
    pub(super) fn forget(&self, execution_id: &str) {
        self.inner
            .running
            .lock()
            .expect("running lock")
            .remove(execution_id);
    }
}
