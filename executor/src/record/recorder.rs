//! The observer that records an execution's steps as events and flushes them in the background.

use std::sync::Arc;

use cqrs_es::persist::SerializedEvent;
use cqrs_es::{Aggregate, DomainEvent};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use weft_commands::{EventStore, StoreError};
use weft_domain::definition::NodeId;
use weft_domain::execution::{
    Execution, ExecutionCommand, ExecutionError, ExecutionEvent as Recorded, RunError,
};
use weft_domain::metadata::{Actor, EventMetadata};

use super::convert::{node_event, run_error};
use super::error::RecordError;
use crate::observer::{ExecutionEvent as Step, ExecutionObserver, ExecutionStatus};
use crate::options::Clock;

/// Records one execution: decides each step against the in-memory [`Execution`] state, numbers
/// the events itself and sends them to a flusher task that appends everything pending in one
/// group-commit append. The observer callback never blocks on the database.
pub struct ExecutionRecorder {
    execution_id: String,
    state: Execution,
    actor: Actor,
    clock: Arc<dyn Clock>,
    sender: mpsc::UnboundedSender<SerializedEvent>,
    flusher: JoinHandle<Result<(), StoreError>>,
    committed: watch::Receiver<u64>,
    rejected: Option<ExecutionError>,
    failed_node: Option<NodeId>,
}

/// Appends whatever is pending, batch after batch, until the recorder is done, announcing the
/// last committed sequence after each batch.
async fn flush(
    store: EventStore,
    mut pending: mpsc::UnboundedReceiver<SerializedEvent>,
    committed: watch::Sender<u64>,
) -> Result<(), StoreError> {
    while let Some(first) = pending.recv().await {
        let mut batch = vec![first];
        while let Ok(next) = pending.try_recv() {
            batch.push(next);
        }
        let last = batch.last().map_or(0, |e| e.sequence as u64);
        store.append(batch).await?;
        committed.send_replace(last);
    }
    Ok(())
}

impl ExecutionRecorder {
    /// A recorder for a new execution (an empty stream). Must be called inside a tokio runtime:
    /// it spawns the flusher task.
    pub fn new(store: EventStore, execution_id: &str, actor: Actor, clock: Arc<dyn Clock>) -> Self {
        Self::continuing(store, execution_id, actor, clock, Execution::default())
    }

    /// A recorder that continues an existing stream whose events fold to `state` (resuming a
    /// waiting execution, taking over one whose owner died). The next event gets sequence
    /// `state.version + 1`; if another writer appended meanwhile, the append conflicts and
    /// [`finish`](Self::finish) reports it.
    pub fn continuing(
        store: EventStore,
        execution_id: &str,
        actor: Actor,
        clock: Arc<dyn Clock>,
        state: Execution,
    ) -> Self {
        let (sender, pending) = mpsc::unbounded_channel();
        let (committed_tx, committed) = watch::channel(state.version);
        Self {
            execution_id: execution_id.to_string(),
            state,
            actor,
            clock,
            sender,
            flusher: tokio::spawn(flush(store, pending, committed_tx)),
            committed,
            rejected: None,
            failed_node: None,
        }
    }

    /// The last committed sequence of the stream, updated after every append. The sender side
    /// closes when the flusher ends (after [`finish`](Self::finish) or on a failed append).
    pub fn committed(&self) -> watch::Receiver<u64> {
        self.committed.clone()
    }

    /// The execution's state after the steps recorded so far.
    pub fn state(&self) -> &Execution {
        &self.state
    }

    /// Decides a command, applies its events and queues them for appending.
    pub fn execute(&mut self, command: ExecutionCommand) -> Result<(), ExecutionError> {
        for event in self.state.decide(command)? {
            let metadata = EventMetadata {
                actor: self.actor.clone(),
                timestamp: self.clock.now(),
                correlation_id: self.execution_id.clone(),
                causation_id: None,
            };
            let serialized = SerializedEvent {
                aggregate_id: self.execution_id.clone(),
                sequence: self.state.version as usize + 1,
                aggregate_type: Execution::TYPE.to_string(),
                event_type: event.event_type(),
                event_version: event.event_version(),
                payload: serde_json::to_value(&event).unwrap_or_default(),
                metadata: serde_json::to_value(metadata.to_map()).unwrap_or_default(),
            };
            self.state.fold(&event);
            // A closed channel means the flusher failed; `finish` reports its error.
            let _ = self.sender.send(serialized);
        }
        Ok(())
    }

    /// Records a failure that ended the execution outside any node (e.g. no start node).
    pub fn fail(&mut self, error: RunError) -> Result<(), ExecutionError> {
        self.execute(ExecutionCommand::RecordStep(Recorded::ExecutionFailed {
            error,
            node_id: self.failed_node.clone(),
        }))
    }

    /// Waits until every recorded event is committed. Fails when a step was rejected or an
    /// append failed.
    pub async fn finish(self) -> Result<Execution, RecordError> {
        drop(self.sender);
        self.flusher
            .await
            .map_err(|_| RecordError::FlusherStopped)??;
        match self.rejected {
            Some(rejected) => Err(RecordError::Rejected(rejected)),
            None => Ok(self.state),
        }
    }

    fn command_for(&mut self, step: &Step<'_>) -> Option<ExecutionCommand> {
        if let Step::NodeFailed {
            node_id,
            will_retry: false,
            ..
        } = step
        {
            self.failed_node = Some(node_id.to_string());
        }
        if let Some(event) = node_event(step) {
            return Some(ExecutionCommand::RecordStep(event));
        }
        let Step::Finished { status, error } = step else {
            return None;
        };
        Some(match status {
            ExecutionStatus::Success => ExecutionCommand::RecordStep(Recorded::ExecutionSucceeded),
            ExecutionStatus::Error => ExecutionCommand::RecordStep(Recorded::ExecutionFailed {
                error: error.map(run_error).unwrap_or_else(|| RunError {
                    kind: "operation".into(),
                    message: "the execution failed".into(),
                    description: None,
                    item_index: None,
                }),
                node_id: self.failed_node.clone(),
            }),
            ExecutionStatus::Canceled => ExecutionCommand::Cancel,
            // `Suspended` already recorded the waiting state.
            ExecutionStatus::Waiting => return None,
        })
    }
}

impl ExecutionObserver for ExecutionRecorder {
    fn on_event(&mut self, step: Step<'_>) {
        if self.rejected.is_some() {
            return;
        }
        if let Some(command) = self.command_for(&step)
            && let Err(error) = self.execute(command)
        {
            self.rejected = Some(error);
        }
    }
}
