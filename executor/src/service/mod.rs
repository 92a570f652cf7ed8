//! The execution service: submit an execution of a stored workflow and get its id at once;
//! optionally wait until it is durably queued, for an early webhook response, or for its outcome.
//!
//! Embedded default: an in-process queue with bounded concurrency (a fair semaphore: executions
//! start in submission order once a slot is free). Each execution is recorded by an
//! [`ExecutionRecorder`](crate::record::ExecutionRecorder), whose events go through the store's
//! group commit. Compiled workflows are cached per `(workflow id, version)`, so submitting an
//! exact version that ran before reads nothing from the database.

mod cache;
mod control;
mod delete;
mod error;
mod error_workflow;
mod history;
mod interrupt;
mod queue;
mod recovery;
mod run;
mod sub_workflow;
mod submission;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cqrs_es::Aggregate;
use tokio::sync::{Semaphore, oneshot};
use weft_commands::EventStore;
use weft_domain::execution::{Execution, ExecutionCommand, Trigger};

pub use cache::ResolvedWorkflow;
pub use control::{RetryFrom, RetryVersion, StopRequest};
pub use error::ServiceError;
pub use queue::{QueueSettings, QueueWorker};
pub use submission::{ExecutionHandle, ExecutionOutcome, Submission, WorkflowVersion};

use crate::engine::Engine;
use crate::item::Item;
use crate::options::{Clock, CredentialProvider, ResumeFrom, RunOptions, SystemClock};
use crate::record::{ExecutionRecorder, RecordError};
use crate::sandbox::SandboxLimits;
use cache::WorkflowCache;
use interrupt::StopSwitch;
use run::Job;
use submission::ResponseSlot;

/// Settings of the execution service.
#[derive(Clone)]
pub struct ServiceConfig {
    /// Executions that run at the same time in this process; more wait in the queue.
    pub concurrency: usize,
    /// Compiled workflow versions kept in memory.
    pub cache_capacity: usize,
    /// Limits of the Code node and expression sandbox.
    pub sandbox: SandboxLimits,
    /// Decrypts the credentials nodes reference (HTTP Request); none: nodes that need one fail.
    pub credentials: Option<Arc<dyn CredentialProvider>>,
    /// On a Postgres store, queue executions durably for workers ([`QueueWorker`]) instead of
    /// running them in this process. Ignored on SQLite (the in-process queue).
    pub durable_queue: bool,
    /// Wait nodes pausing longer than this suspend the execution (status `Waiting`, resumed
    /// from the store when due) instead of sleeping on its task; n8n uses 65 seconds.
    pub inline_wait_limit: Duration,
}

impl std::fmt::Debug for ServiceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceConfig")
            .field("concurrency", &self.concurrency)
            .field("cache_capacity", &self.cache_capacity)
            .field("sandbox", &self.sandbox)
            .field("credentials", &self.credentials.is_some())
            .field("durable_queue", &self.durable_queue)
            .field("inline_wait_limit", &self.inline_wait_limit)
            .finish()
    }
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            concurrency: 128,
            cache_capacity: 1024,
            sandbox: SandboxLimits::default(),
            credentials: None,
            durable_queue: false,
            inline_wait_limit: Duration::from_secs(65),
        }
    }
}

/// Submits, runs, stops and retries executions; cheap to clone.
#[derive(Clone)]
pub struct ExecutionService {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Arc<Engine>,
    store: EventStore,
    cache: WorkflowCache,
    permits: Arc<Semaphore>,
    running: Mutex<HashMap<String, StopSwitch>>,
    clock: Arc<dyn Clock>,
    credentials: Option<Arc<dyn CredentialProvider>>,
    inline_wait_limit: Duration,
    /// The durable queue (Postgres with `durable_queue`).
    queue: Option<queue::Durable>,
}

impl ExecutionService {
    /// A service over `store` with its own engine. Must be called inside a tokio runtime.
    pub fn new(store: EventStore, config: ServiceConfig) -> Self {
        let engine = Arc::new(Engine::new(config.sandbox));
        Self::with_engine(store, engine, config)
    }

    /// A service over `store` sharing `engine`.
    pub fn with_engine(store: EventStore, engine: Arc<Engine>, config: ServiceConfig) -> Self {
        let queue = (config.durable_queue
            && store.db().backend() == weft_commands::Backend::Postgres)
            .then(|| queue::Durable {
                table: queue::QueueTable::new(store.db().pool().clone()),
                waiters: Default::default(),
            });
        let service = Self {
            inner: Arc::new(Inner {
                engine,
                store,
                cache: WorkflowCache::new(config.cache_capacity),
                permits: Arc::new(Semaphore::new(config.concurrency.max(1))),
                running: Mutex::new(HashMap::new()),
                clock: Arc::new(SystemClock),
                credentials: config.credentials,
                inline_wait_limit: config.inline_wait_limit,
                queue,
            }),
        };
        if service.inner.queue.is_some() {
            queue::watch_remote(&service);
        }
        service
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.inner.engine
    }

    /// The event store.
    pub fn store(&self) -> &EventStore {
        &self.inner.store
    }

    /// The workflow at a version, compiled (cached).
    pub async fn resolve(
        &self,
        workflow_id: &str,
        version: WorkflowVersion,
    ) -> Result<ResolvedWorkflow, ServiceError> {
        let version = match version {
            WorkflowVersion::Current => None,
            WorkflowVersion::Exact(v) => Some(v),
        };
        self.inner
            .cache
            .resolve(&self.inner.engine, &self.inner.store, workflow_id, version)
            .await
    }

    /// Queues an execution and returns its handle at once; it runs when a slot is free. Fails
    /// without recording anything when the workflow or version does not exist or cannot run.
    pub async fn submit(&self, submission: Submission) -> Result<ExecutionHandle, ServiceError> {
        self.submit_as(submission, None).await
    }

    /// Like [`submit`](Self::submit), under an execution id the caller chose beforehand (a
    /// schedule names it in its claim, so a claim whose process died before the execution was
    /// queued is submitted again under the same id). Fails with [`ServiceError::Conflict`] when
    /// the log already holds that execution.
    pub async fn submit_with_id(
        &self,
        submission: Submission,
        execution_id: String,
    ) -> Result<ExecutionHandle, ServiceError> {
        let recorded = self
            .inner
            .store
            .stream_until(Execution::TYPE, &execution_id, 1)
            .await?;
        if !recorded.is_empty() {
            return Err(ServiceError::Conflict(format!(
                "execution `{execution_id}` was already submitted"
            )));
        }
        self.submit_as(submission, Some(execution_id)).await
    }

    async fn submit_as(
        &self,
        submission: Submission,
        execution_id: Option<String>,
    ) -> Result<ExecutionHandle, ServiceError> {
        let resolved = self
            .resolve(&submission.workflow_id, submission.version)
            .await?;
        let named = [&submission.start_node, &submission.destination_node];
        if let Some(missing) = named
            .into_iter()
            .flatten()
            .find(|id| resolved.compiled.index_of(id).is_none())
        {
            return Err(ServiceError::Invalid(format!(
                "version {} of workflow `{}` has no node `{missing}`",
                resolved.version, submission.workflow_id
            )));
        }
        self.enqueue(submission, resolved, None, execution_id).await
    }

    /// Whether executions go to the durable Postgres queue instead of running in this process.
    pub fn is_durable(&self) -> bool {
        self.inner.queue.is_some()
    }

    /// Records the queued event and hands the execution to a task (or to the durable queue).
    async fn enqueue(
        &self,
        submission: Submission,
        resolved: ResolvedWorkflow,
        resume: Option<ResumeFrom>,
        execution_id: Option<String>,
    ) -> Result<ExecutionHandle, ServiceError> {
        let execution_id = execution_id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        if self.inner.queue.is_some() {
            // A worker derives the resume point of a retry from its trigger.
            return self
                .enqueue_durable(submission, resolved, execution_id)
                .await;
        }
        let options = RunOptions {
            execution_id: execution_id.clone(),
            mode: run::run_mode(submission.mode),
            workflow: resolved.info.clone(),
            start_node: submission.start_node,
            destination_node: submission.destination_node,
            trigger_items: if submission.input.is_empty() {
                vec![Item::default()]
            } else {
                submission.input
            },
            clock: self.inner.clock.clone(),
            inline_wait_limit: self.inner.inline_wait_limit,
            resume,
            ..Default::default()
        };
        let mut recorder = ExecutionRecorder::new(
            self.inner.store.clone(),
            &execution_id,
            submission.actor.clone(),
            self.inner.clock.clone(),
        );
        let trigger = submission.trigger.clone();
        recorder
            .execute(ExecutionCommand::Queue {
                workflow_id: submission.workflow_id,
                workflow_version: resolved.version,
                trigger: submission.trigger,
                mode: submission.mode,
                input: options.trigger_items.iter().map(Item::to_n8n).collect(),
                destination_node_id: options.destination_node.clone(),
            })
            .map_err(RecordError::from)?;
        Ok(self.spawn(recorder, resolved, options, submission.actor, trigger))
    }

    /// Submits and waits for the outcome.
    pub async fn execute(&self, submission: Submission) -> Result<ExecutionOutcome, ServiceError> {
        self.submit(submission).await?.outcome().await
    }

    /// Whether the execution runs (or waits for a slot) in this process.
    pub fn is_running_here(&self, execution_id: &str) -> bool {
        self.inner
            .running
            .lock()
            .expect("running lock")
            .contains_key(execution_id)
    }

    fn spawn(
        &self,
        recorder: ExecutionRecorder,
        resolved: ResolvedWorkflow,
        mut options: RunOptions,
        actor: weft_domain::metadata::Actor,
        trigger: Trigger,
    ) -> ExecutionHandle {
        let execution_id = options.execution_id.clone();
        let (slot, response) = ResponseSlot::new(recorder.flush_point());
        let (sender, outcome) = oneshot::channel();
        options.responder = Some(slot.clone());
        let switch = StopSwitch::default();
        options.cancel = switch.token.clone();
        options.sleeper = switch.sleeper();
        self.inner
            .running
            .lock()
            .expect("running lock")
            .insert(execution_id.clone(), switch);
        let handle = ExecutionHandle {
            execution_id,
            workflow_version: resolved.version,
            committed: recorder.committed(),
            response,
            outcome,
        };
        let job = Job {
            recorder,
            resolved,
            options,
            actor,
            trigger,
            slot,
            sender,
        };
        tokio::spawn(run::run(self.clone(), job));
        handle
    }
}
