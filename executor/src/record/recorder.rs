//! The observer that records an execution's steps as events; they are appended through the
//! execution's [`Outbox`].

use std::sync::Arc;

use cqrs_es::{Aggregate, DomainEvent};
use tokio::sync::watch;
use weft_commands::{Blob, EventStore, NewEvent, StoreError};
use weft_domain::definition::NodeId;
use weft_domain::execution::{
    Execution, ExecutionCommand, ExecutionError, ExecutionEvent as Recorded, RunError,
};
use weft_domain::metadata::{Actor, EventMetadata};

use super::blobs::externalize;
use super::convert::{node_event, run_error};
use super::error::RecordError;
use super::outbox::{FinishError, FlushPoint, Outbox};
use crate::observer::{ExecutionEvent as Step, ExecutionObserver, ExecutionStatus};
use crate::options::Clock;

/// Records one execution: decides each step against the in-memory [`Execution`] state, numbers
/// the events itself and serialises each straight into its row. The rows wait in the outbox
/// until the execution waits for something or ends (see [`FlushPoint`]), so an execution that
/// runs through is appended in one group-commit request. The observer callback never blocks on
/// the database.
pub struct ExecutionRecorder {
    execution_id: String,
    state: Execution,
    /// The events' metadata (the timestamp is set per event).
    metadata: EventMetadata,
    clock: Arc<dyn Clock>,
    outbox: Arc<Outbox>,
    rejected: Option<ExecutionError>,
    /// An event that could not be serialised; nothing after it is recorded.
    unwritable: Option<StoreError>,
    failed_node: Option<NodeId>,
    /// Item lists whose JSON text is longer than this go to the blob table.
    blob_threshold: usize,
}

impl ExecutionRecorder {
    /// A recorder for a new execution (an empty stream). Must be used inside a tokio runtime.
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
        Self {
            execution_id: execution_id.to_string(),
            blob_threshold: store.blob_threshold(),
            outbox: Outbox::new(store, state.version),
            state,
            metadata: EventMetadata {
                actor,
                timestamp: clock.now(),
                correlation_id: execution_id.to_string(),
                causation_id: None,
            },
            clock,
            rejected: None,
            unwritable: None,
            failed_node: None,
        }
    }

    /// The last committed sequence of the stream, updated after every append. The sender side
    /// closes when the recorder and its flusher are gone.
    pub fn committed(&self) -> watch::Receiver<u64> {
        self.outbox.committed()
    }

    /// Sends the events recorded so far to be appended now (in order, after any sent before);
    /// [`committed`](Self::committed) tells when they are.
    pub fn flush(&self) {
        self.outbox.flush();
    }

    /// Drive the execution's future through this, so the events recorded before it waits are
    /// appended while it waits (see [`FlushPoint::around`]).
    pub fn flush_point(&self) -> FlushPoint {
        FlushPoint(self.outbox.clone())
    }

    /// The execution's state after the steps recorded so far.
    pub fn state(&self) -> &Execution {
        &self.state
    }

    /// Decides a command, applies its events and queues them for appending.
    pub fn execute(&mut self, command: ExecutionCommand) -> Result<(), ExecutionError> {
        if self.unwritable.is_some() {
            return Ok(());
        }
        for mut event in self.state.decide(command)? {
            self.metadata.timestamp = self.clock.now();
            match self.row(&mut event) {
                Ok((row, blobs)) => {
                    self.state.fold(&event);
                    self.outbox.push(row, blobs);
                }
                Err(error) => {
                    self.unwritable = Some(error);
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// The event's row, plus the blobs it refers to. Only an event whose payload is longer than
    /// the blob threshold (so possibly one of its item lists is) is looked at again: its large
    /// item lists become blob references and the row is built anew.
    fn row(&self, event: &mut Recorded) -> Result<(NewEvent, Vec<Blob>), StoreError> {
        let row = self.new_row(event)?;
        if row.payload().len() <= self.blob_threshold {
            return Ok((row, Vec::new()));
        }
        let blobs = externalize(event, self.blob_threshold)
            .map_err(|e| StoreError::Write(format!("item data cannot be serialised: {e}")))?;
        if blobs.is_empty() {
            return Ok((row, blobs));
        }
        Ok((self.new_row(event)?, blobs))
    }

    fn new_row(&self, event: &Recorded) -> Result<NewEvent, StoreError> {
        NewEvent::new(
            Execution::TYPE,
            &self.execution_id,
            self.state.version + 1,
            &event.event_type(),
            &event.event_version(),
            event,
            &self.metadata.as_stored(),
        )
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
        match self.outbox.finish().await {
            Ok(()) => {}
            Err(FinishError::Store(error)) => return Err(error.into()),
            Err(FinishError::Stopped) => return Err(RecordError::FlusherStopped),
        }
        if let Some(error) = self.unwritable {
            return Err(error.into());
        }
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
