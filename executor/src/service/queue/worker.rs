//! The queue worker: claims due executions, runs each under a renewed lease, and gives the row
//! back (ended, or due again later) when it is done.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, watch};
use tokio::task::JoinSet;
use weft_commands::StoreError;
use weft_domain::execution::{
    ExecutionCommand, ExecutionEvent as Recorded_, ExecutionStatus as Status, RunError, Trigger,
};

use super::super::error_workflow::Finished;
use super::super::interrupt::StopSwitch;
use super::super::run::record_metrics;
use super::super::sub_workflow::SubWorkflows;
use super::super::submission::ExecutionOutcome;
use super::super::{ExecutionService, ServiceError, WorkflowVersion};
use super::observer::{Captured, Continuing};
use super::recorded::Recorded;
use super::table::{CHANNEL, Claim, Lease, ORPHAN_AFTER, QueueTable};
use crate::engine::ExecutionResult;
use crate::error::NodeError;
use crate::observer::ExecutionStatus;
use crate::options::{ResumeFrom, ResumePoint, RunOptions};
use crate::record::{ExecutionRecorder, RecordError};
use crate::run_data::RunData;

/// How a worker claims and leases executions.
#[derive(Debug, Clone)]
pub struct QueueSettings {
    /// How long a claim lasts without a heartbeat; a worker renews it every third of this.
    /// Another worker takes an execution over once its lease expired.
    pub lease: Duration,
    /// How often to look for due work when no notification arrives.
    pub poll: Duration,
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            poll: Duration::from_secs(1),
        }
    }
}

/// Runs executions from the Postgres queue with this process's service (its engine, workflow
/// cache and concurrency limit).
pub struct QueueWorker {
    service: ExecutionService,
    table: QueueTable,
    owner: String,
    settings: QueueSettings,
}

/// How handling one claim ended.
enum Ending {
    /// The execution ended (or never existed): the row is done.
    Done,
    /// Claim it again after this long (a waiting execution, or a queued event not yet visible).
    Later(Duration),
    /// Another worker holds it now; touch nothing.
    LeaseLost,
}

impl ExecutionService {
    /// A worker for this service's durable queue. `VALIDATION` when the service has none (not
    /// on Postgres, or the queue is off).
    pub fn queue_worker(&self, settings: QueueSettings) -> Result<QueueWorker, ServiceError> {
        let Some(durable) = &self.inner.queue else {
            return Err(ServiceError::Invalid(
                "the execution queue needs a Postgres database".into(),
            ));
        };
        Ok(QueueWorker {
            service: self.clone(),
            table: durable.table.clone(),
            owner: format!(
                "{}:{}:{}",
                hostname(),
                std::process::id(),
                uuid::Uuid::now_v7()
            ),
            settings,
        })
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|name| name.trim().to_string())
        .unwrap_or_else(|_| "worker".into())
}

impl QueueWorker {
    /// This worker's lease owner id (`host:pid:uuid`).
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Claims and runs executions until `shutdown` resolves; then stops the executions it runs
    /// and gives them back to the queue, so another worker continues them at once.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), ServiceError> {
        let this = Arc::new(self);
        let mut listener = this.listen().await;
        let mut tasks = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            let permits = this.service.inner.permits.clone();
            let free = permits.available_permits();
            let mut full = false;
            if free > 0 {
                match this
                    .table
                    .claim(&this.owner, this.settings.lease, free)
                    .await
                {
                    Ok(claims) => {
                        full = claims.len() == free;
                        for claim in claims {
                            let permit = permits.clone().try_acquire_owned().ok();
                            tasks.spawn(this.clone().handle(claim, permit));
                        }
                    }
                    Err(error) => tracing::warn!(%error, "claiming queued executions failed"),
                }
            }
            if full {
                // More may be due: claim again once a slot frees up.
                tokio::select! {
                    _ = &mut shutdown => break,
                    _ = tasks.join_next() => {}
                }
                continue;
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(this.settings.poll) => {}
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                notification = next_notification(&mut listener) => {
                    if let Some(id) = notification.as_deref().and_then(|p| p.strip_prefix("cancel:")) {
                        this.signal_stop(id);
                    }
                }
            }
        }
        tasks.shutdown().await;
        this.table.release_all(&this.owner).await?;
        Ok(())
    }

    async fn listen(&self) -> Option<sqlx::postgres::PgListener> {
        let url = self.service.inner.store.db().url().to_string();
        let listen = async {
            let mut listener = sqlx::postgres::PgListener::connect(&url).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        match listen.await {
            Ok(listener) => Some(listener),
            Err(error) => {
                tracing::warn!(%error, "LISTEN {CHANNEL} failed; polling only");
                None
            }
        }
    }

    /// Trips the stop switch of an execution this process runs.
    fn signal_stop(&self, execution_id: &str) {
        let switch = self
            .service
            .inner
            .running
            .lock()
            .expect("running lock")
            .get(execution_id)
            .cloned();
        if let Some(switch) = switch {
            switch.stop();
        }
    }

    /// Runs one claimed execution under its lease and settles the row.
    async fn handle(self: Arc<Self>, claim: Claim, permit: Option<OwnedSemaphorePermit>) {
        let execution_id = claim.execution_id.clone();
        let switch = StopSwitch::default();
        if claim.cancel_requested {
            switch.token.cancel();
        }
        self.service
            .inner
            .running
            .lock()
            .expect("running lock")
            .insert(execution_id.clone(), switch.clone());
        let (lost_tx, lost) = watch::channel(false);
        let heartbeat = tokio::spawn(self.clone().heartbeat(
            execution_id.clone(),
            switch.clone(),
            lost_tx,
        ));
        let ending = self.run_claim(&claim, &switch, lost).await;
        heartbeat.abort();
        self.service.forget(&execution_id);
        drop(permit);
        let settled = match ending {
            Ok(Ending::Done) => self.table.finish(&execution_id, &self.owner).await,
            Ok(Ending::Later(after)) => self.table.release(&execution_id, &self.owner, after).await,
            Ok(Ending::LeaseLost) => Ok(false),
            Err(error) => {
                tracing::error!(%execution_id, %error, "running a queued execution failed; it will be tried again");
                self.table
                    .release(&execution_id, &self.owner, Duration::from_secs(5))
                    .await
            }
        };
        if let Err(error) = settled {
            tracing::warn!(%execution_id, %error, "settling a queue row failed; its lease will expire");
        }
    }

    /// Renews the lease every third of its length; trips the stop switch when a stop was
    /// requested and reports a lost lease.
    async fn heartbeat(
        self: Arc<Self>,
        execution_id: String,
        switch: StopSwitch,
        lost: watch::Sender<bool>,
    ) {
        let lease = self.settings.lease;
        let every = lease / 3;
        let mut renewed = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(every).await;
            match self
                .table
                .heartbeat(&execution_id, &self.owner, lease)
                .await
            {
                Ok(Lease::Held { cancel }) => {
                    renewed = tokio::time::Instant::now();
                    if cancel {
                        switch.stop();
                    }
                }
                Ok(Lease::Lost) => {
                    tracing::warn!(%execution_id, "lease lost; another worker owns the execution");
                    lost.send_replace(true);
                    return;
                }
                Err(error) => {
                    tracing::warn!(%execution_id, %error, "lease heartbeat failed");
                    if renewed.elapsed() >= lease {
                        lost.send_replace(true);
                        return;
                    }
                }
            }
        }
    }

    /// Loads the execution and continues it; retries from the reload when another writer
    /// extended the stream first.
    async fn run_claim(
        &self,
        claim: &Claim,
        switch: &StopSwitch,
        lost: watch::Receiver<bool>,
    ) -> Result<Ending, ServiceError> {
        for _ in 0..3 {
            match self.continue_execution(claim, switch, lost.clone()).await {
                Err(ServiceError::Record(RecordError::Store(StoreError::Conflict))) => {
                    if *lost.borrow() {
                        return Ok(Ending::LeaseLost);
                    }
                    continue;
                }
                other => return other,
            }
        }
        Err(ServiceError::Conflict(format!(
            "execution `{}` kept moving while this worker took it over",
            claim.execution_id
        )))
    }

    async fn continue_execution(
        &self,
        claim: &Claim,
        switch: &StopSwitch,
        mut lost: watch::Receiver<bool>,
    ) -> Result<Ending, ServiceError> {
        let inner = &self.service.inner;
        let execution_id = &claim.execution_id;
        let Some(recorded) = Recorded::load(&inner.store, execution_id).await? else {
            // The submitter inserts the row before recording the queued event.
            return Ok(if claim.age >= ORPHAN_AFTER {
                Ending::Done
            } else {
                Ending::Later(Duration::from_millis(200))
            });
        };
        let status = recorded.state.status;
        if status.is_finished() {
            return Ok(Ending::Done);
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
            self.service.answer_from_events(execution_id).await;
            return Ok(Ending::Done);
        }
        if status == Status::Waiting
            && let Some(due) = recorded.resume_at
            && let Ok(wait) = (due - inner.clock.now()).to_std()
            && !wait.is_zero()
        {
            return Ok(Ending::Later(wait));
        }
        let resolved = self
            .service
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
                    self.service.answer_from_events(execution_id).await;
                    return Ok(Ending::Done);
                }
                if recorded.canceled && recorded.state.open.is_empty() {
                    recorder
                        .execute(ExecutionCommand::Cancel)
                        .map_err(RecordError::from)?;
                    recorder.finish().await?;
                    self.service.answer_from_events(execution_id).await;
                    return Ok(Ending::Done);
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
                recorder
                    .fail(RunError {
                        kind: "workflow".into(),
                        message: error.to_string(),
                        description: None,
                        item_index: None,
                    })
                    .map_err(RecordError::from)?;
                recorder.finish().await?;
                self.service.answer_from_events(execution_id).await;
                return Ok(Ending::Done);
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
            .run_options(claim, &recorded, &resolved, switch)
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
                        _ = lost.wait_for(|lost| *lost) => None,
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
                self.service.answer_from_events(execution_id).await;
            }
            return Ok(Ending::LeaseLost);
        };
        let result = match ran {
            Ok(result) => result,
            Err(error) => {
                let message = error.to_string();
                recorder
                    .fail(RunError {
                        kind: "workflow".into(),
                        message: message.clone(),
                        description: None,
                        item_index: None,
                    })
                    .map_err(RecordError::from)?;
                ExecutionResult {
                    status: ExecutionStatus::Error,
                    error: Some(NodeError::operation(message)),
                    failed_node: None,
                    run_data: RunData::default(),
                    suspended: None,
                }
            }
        };
        match recorder.finish().await {
            Ok(_) => {}
            Err(RecordError::Store(StoreError::Conflict)) if *lost.borrow() => {
                return Ok(Ending::LeaseLost);
            }
            Err(error) => return Err(error.into()),
        }
        record_metrics(&result);
        self.service.start_error_workflow(Finished {
            execution_id,
            resolved: &resolved,
            result: &result,
            trigger: &recorded.trigger,
            mode: recorded.mode,
        });
        let ending = match &result.suspended {
            Some(suspension) => Ending::Later(
                (suspension.resume_at - inner.clock.now())
                    .to_std()
                    .unwrap_or_default(),
            ),
            None => Ending::Done,
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
    async fn run_options(
        &self,
        claim: &Claim,
        recorded: &Recorded,
        resolved: &super::super::ResolvedWorkflow,
        switch: &StopSwitch,
    ) -> Result<RunOptions, ServiceError> {
        let inner = &self.service.inner;
        let mut seeded = Vec::new();
        let mut from = None;
        if let Trigger::Retry {
            original_execution_id,
            from_node_id: Some(node_id),
        } = &recorded.trigger
        {
            let original =
                super::super::history::History::load(&inner.store, original_execution_id).await?;
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
            execution_id: claim.execution_id.clone(),
            mode: super::super::run::run_mode(recorded.mode),
            workflow: resolved.info.clone(),
            start_node: claim
                .start_node
                .clone()
                .or_else(|| recorded.start_node.clone())
                .filter(|id| resolved.compiled.index_of(id).is_some()),
            destination_node: recorded.destination_node.clone(),
            trigger_items: recorded.input_items(),
            resume,
            cancel: switch.token.clone(),
            sleeper: switch.sleeper(),
            clock: inner.clock.clone(),
            credentials: inner.credentials.clone(),
            ..Default::default()
        };
        options.sub_workflows = Some(Arc::new(SubWorkflows::new(
            self.service.clone(),
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

/// The next payload on the queue channel; pends for ever without a listener.
async fn next_notification(listener: &mut Option<sqlx::postgres::PgListener>) -> Option<String> {
    match listener {
        Some(l) => match l.recv().await {
            Ok(notification) => Some(notification.payload().to_string()),
            Err(error) => {
                tracing::warn!(%error, "queue notifications failed; polling only");
                *listener = None;
                None
            }
        },
        None => std::future::pending().await,
    }
}
