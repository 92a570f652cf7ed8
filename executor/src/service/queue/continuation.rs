//! Continuing a recorded execution from its events, shared by queue workers (a claimed
//! execution: queued, due again after a long Wait, or taken over from a dead worker) and by the
//! embedded store's recovery at start-up (the executions a stopped process left unfinished).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use weft_commands::StoreError;
use weft_domain::definition::NodeId;
use weft_domain::execution::{
    ExecutionCommand, ExecutionEvent as Recorded_, ExecutionStatus as Status, RunError, Trigger,
};

use super::super::error_workflow::Finished;
use super::super::history::History;
use super::super::interrupt::StopSwitch;
use super::super::run::{record_metrics, record_workflow_failure, run_mode};
use super::super::sub_workflow::SubWorkflows;
use super::super::submission::ExecutionOutcome;
use super::super::{ExecutionService, ResolvedWorkflow, ServiceError, WorkflowVersion};
use super::observer::{Captured, Continuing};
use super::recorded::Recorded;
use crate::options::{ResumeFrom, ResumePoint, RunOptions};
use crate::record::{ExecutionRecorder, RecordError};

/// How continuing a recorded execution ended.
pub(in crate::service) enum Continued {
    /// The execution has no events (yet).
    Missing,
    /// It ended, now or before.
    Done,
    /// It waits: continue it again after this long.
    Later(Duration),
    /// Another worker holds its lease now; nothing more was recorded.
    LeaseLost,
}

impl ExecutionService {
    /// Continues a recorded, unfinished execution from its events: a queued one starts, a
    /// waiting one resumes once due, one whose previous runner died replays the node runs that
    /// succeeded and runs the open ones again (recorded as abandoned attempts). A stop requested
    /// through `switch` is recorded instead. Returns early, recording nothing more, when `lost`
    /// turns true (a queue worker lost its lease).
    pub(in crate::service) async fn continue_recorded(
        &self,
        execution_id: &str,
        start_node: Option<NodeId>,
        switch: &StopSwitch,
        mut lost: watch::Receiver<bool>,
    ) -> Result<Continued, ServiceError> {
        let inner = &self.inner;
        let execution_id = &execution_id.to_string();
        let Some(recorded) = Recorded::load(&inner.store, execution_id).await? else {
            return Ok(Continued::Missing);
        };
        let status = recorded.state.status;
        if status.is_finished() {
            return Ok(Continued::Done);
        }
        let mut recorder = ExecutionRecorder::continuing(
            inner.store.clone(),
            execution_id,
            recorded.actor.clone(),
            inner.clock.clone(),
            recorded.state.clone(),
        );
        if switch.token.is_canceled() {
            for (node_id, runs) in &recorded.state.open {
                for run_index in runs.keys() {
                    recorder
                        .execute(ExecutionCommand::RecordStep(Recorded_::NodeRunCanceled {
                            node_id: node_id.clone(),
                            run_index: *run_index,
                        }))
                        .map_err(RecordError::from)?;
                }
            }
            recorder
                .execute(ExecutionCommand::Cancel)
                .map_err(RecordError::from)?;
            recorder.finish().await?;
            self.answer_from_events(execution_id).await;
            return Ok(Continued::Done);
        }
        if status == Status::Waiting
            && let Some(due) = recorded.resume_at
            && let Ok(wait) = (due - inner.clock.now()).to_std()
            && !wait.is_zero()
        {
            return Ok(Continued::Later(wait));
        }
        let resolved = self
            .resolve(
                &recorded.state.workflow_id,
                WorkflowVersion::Exact(recorded.state.workflow_version),
            )
            .await;
        // The steps that make this worker the stream's writer.
        let mut reopened = HashMap::new();
        match status {
            Status::Queued => recorder.execute(ExecutionCommand::Start),
            Status::Waiting => recorder.execute(ExecutionCommand::Resume),
            _ => {
                if let Some((node_id, error)) = &recorded.final_failure {
                    // The previous owner recorded the failure but not the end.
                    recorder
                        .execute(ExecutionCommand::RecordStep(Recorded_::ExecutionFailed {
                            error: error.clone(),
                            node_id: Some(node_id.clone()),
                        }))
                        .map_err(RecordError::from)?;
                    recorder.finish().await?;
                    self.answer_from_events(execution_id).await;
                    return Ok(Continued::Done);
                }
                if recorded.canceled && recorded.state.open.is_empty() {
                    recorder
                        .execute(ExecutionCommand::Cancel)
                        .map_err(RecordError::from)?;
                    recorder.finish().await?;
                    self.answer_from_events(execution_id).await;
                    return Ok(Continued::Done);
                }
                abandon_open_runs(&mut recorder, &recorded, &mut reopened)
            }
        }
        .map_err(RecordError::from)?;
        let resolved = match resolved {
            Ok(resolved) => resolved,
            Err(
                error @ (ServiceError::WorkflowNotFound(_)
                | ServiceError::VersionNotFound { .. }
                | ServiceError::Invalid(_)),
            ) => {
                record_workflow_failure(&mut recorder, error)?;
                recorder.finish().await?;
                self.answer_from_events(execution_id).await;
                return Ok(Continued::Done);
            }
            Err(error) => return Err(error),
        };
        // Nothing runs before this worker's first step is committed: if another writer got
        // there first, the append conflicts and the worker reloads.
        let target = recorder.state().version;
        recorder.flush();
        let mut committed = recorder.committed();
        while *committed.borrow_and_update() < target {
            if committed.changed().await.is_err() && *committed.borrow() < target {
                recorder.finish().await?;
                return Err(ServiceError::Record(RecordError::FlusherStopped));
            }
        }
        let options = self
            .continuation_options(execution_id, start_node, &recorded, &resolved, switch)
            .await?;
        let waiter = inner
            .queue
            .as_ref()
            .and_then(|durable| durable.waiters.take(execution_id));
        let mut options = options;
        let responses = Captured::new(waiter.as_ref().map(|w| w.slot.clone()));
        options.responder = Some(responses.clone());
        // Events recorded before the run waits are committed while it waits (see `FlushPoint`).
        let flush = recorder.flush_point();
        let ran = {
            let mut observer = Continuing {
                recorder: &mut recorder,
                reopened,
                responses,
            };
            flush
                .around(async {
                    tokio::select! {
                        ran = inner.engine.run(&resolved.compiled, options, &mut observer) => Some(ran),
                        _ = lease_lost(&mut lost) => None,
                    }
                })
                .await
        };
        let Some(ran) = ran else {
            // Stop writing: whatever was decided before the loss conflicts with the new owner.
            drop(recorder);
            if let Some(waiter) = waiter {
                // This process's submitter learns the outcome from the new owner's events.
                inner
                    .queue
                    .as_ref()
                    .expect("queue")
                    .waiters
                    .insert(execution_id, waiter);
                // The new owner may have finished before this worker noticed.
                self.answer_from_events(execution_id).await;
            }
            return Ok(Continued::LeaseLost);
        };
        let result = match ran {
            Ok(result) => result,
            Err(error) => record_workflow_failure(&mut recorder, error)?,
        };
        match recorder.finish().await {
            Ok(_) => {}
            Err(RecordError::Store(StoreError::Conflict)) if *lost.borrow() => {
                return Ok(Continued::LeaseLost);
            }
            Err(error) => return Err(error.into()),
        }
        record_metrics(&result);
        self.start_error_workflow(Finished {
            execution_id,
            resolved: &resolved,
            result: &result,
            trigger: &recorded.trigger,
            mode: recorded.mode,
        });
        let ending = match &result.suspended {
            Some(suspension) => Continued::Later(
                (suspension.resume_at - inner.clock.now())
                    .to_std()
                    .unwrap_or_default(),
            ),
            None => Continued::Done,
        };
        if let Some(waiter) = waiter {
            let response = waiter.slot.close();
            let _ = waiter.sender.send(Ok(ExecutionOutcome {
                execution_id: execution_id.clone(),
                workflow_version: resolved.version,
                result,
                workflow: resolved.compiled.clone(),
                response,
            }));
        }
        Ok(ending)
    }

    /// The engine options for continuing `recorded`: replay what succeeded, start where the
    /// submission (or a retry) said.
    async fn continuation_options(
        &self,
        execution_id: &str,
        start_node: Option<NodeId>,
        recorded: &Recorded,
        resolved: &ResolvedWorkflow,
        switch: &StopSwitch,
    ) -> Result<RunOptions, ServiceError> {
        let inner = &self.inner;
        let mut seeded = Vec::new();
        let mut from = None;
        if let Trigger::Retry {
            original_execution_id,
            from_node_id: Some(node_id),
        } = &recorded.trigger
        {
            let original = History::load(&inner.store, original_execution_id).await?;
            seeded = original.recorded_runs(|id| resolved.compiled.index_of(id).is_some());
            from = Some(node_id.clone());
        }
        let resume = (!recorded.succeeded.is_empty() || from.is_some()).then(|| ResumeFrom {
            recorded: seeded,
            start: ResumePoint::Replay {
                runs: recorded.succeeded.clone(),
                from,
            },
            node_states: Default::default(),
        });
        let mut options = RunOptions {
            execution_id: execution_id.to_string(),
            mode: run_mode(recorded.mode),
            workflow: resolved.info.clone(),
            start_node: start_node
                .or_else(|| recorded.start_node.clone())
                .filter(|id| resolved.compiled.index_of(id).is_some()),
            destination_node: recorded.destination_node.clone(),
            trigger_items: recorded.input_items(),
            resume,
            cancel: switch.token.clone(),
            sleeper: switch.sleeper(),
            clock: inner.clock.clone(),
            credentials: inner.credentials.clone(),
            inline_wait_limit: inner.inline_wait_limit,
            ..Default::default()
        };
        options.sub_workflows = Some(Arc::new(SubWorkflows::new(
            self.clone(),
            &options,
            recorded.actor.clone(),
            0,
        )));
        Ok(options)
    }
}

/// Records the node runs a dead owner left open as abandoned attempts that are retried now, and
/// notes their attempt counts so the engine's attempts follow them.
fn abandon_open_runs(
    recorder: &mut ExecutionRecorder,
    recorded: &Recorded,
    reopened: &mut HashMap<(String, usize), u32>,
) -> Result<(), weft_domain::execution::ExecutionError> {
    for (node_id, runs) in &recorded.state.open {
        for (run_index, open) in runs {
            if !open.retry_pending {
                recorder.execute(ExecutionCommand::RecordStep(Recorded_::NodeRunFailed {
                    node_id: node_id.clone(),
                    run_index: *run_index,
                    error: RunError {
                        kind: "abandoned".into(),
                        message: "the worker running this attempt stopped (its lease expired); \
                                  another worker runs the node again"
                            .into(),
                        description: None,
                        item_index: None,
                    },
                    attempt: open.attempts,
                    will_retry: true,
                }))?;
            }
            recorder.execute(ExecutionCommand::RecordStep(Recorded_::NodeRunRetried {
                node_id: node_id.clone(),
                run_index: *run_index,
                next_attempt: open.attempts + 1,
                wait_ms: 0,
            }))?;
            reopened.insert((node_id.clone(), *run_index as usize), open.attempts);
        }
    }
    Ok(())
}

/// Resolves when `lost` turns true; never when its sender is gone (nobody can lose a lease).
async fn lease_lost(lost: &mut watch::Receiver<bool>) {
    if lost.wait_for(|lost| *lost).await.is_err() {
        std::future::pending::<()>().await;
    }
}
