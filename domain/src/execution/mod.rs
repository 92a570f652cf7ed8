//! The `Execution` aggregate: one run of one workflow version, as the events that recorded it.
//!
//! An execution has exactly one writer (the worker holding its lease). That writer keeps the
//! state in memory, decides each step with [`Execution::decide`] and appends the events with
//! sequence numbers it already knows, so no step reloads the stream.

mod command;
mod error;
mod events;
mod items;
mod state;

#[cfg(test)]
mod tests;

use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;

pub use command::ExecutionCommand;
pub use error::ExecutionError;
pub use events::{
    EXECUTION_EVENT_VERSION, ExecutionEvent, ExecutionMode, ItemList, RunError, Trigger,
};
pub use items::{BlobRef, ItemData, UnresolvedBlob, blob_ref_slots, blob_ref_slots_in_lists};
pub use state::{Execution, ExecutionStatus, NodeRunKey, OpenRun};

impl Execution {
    /// The events a command produces, or why it is rejected. Pure: the state does not change.
    pub fn decide(&self, command: ExecutionCommand) -> Result<Vec<ExecutionEvent>, ExecutionError> {
        let event = match command {
            ExecutionCommand::Queue {
                workflow_id,
                workflow_version,
                trigger,
                mode,
                input,
                destination_node_id,
            } => ExecutionEvent::ExecutionQueued {
                workflow_id,
                workflow_version,
                trigger,
                mode,
                input: input.into(),
                destination_node_id,
            },
            ExecutionCommand::Start => ExecutionEvent::ExecutionStarted,
            ExecutionCommand::Resume => ExecutionEvent::ExecutionResumed,
            ExecutionCommand::Cancel => ExecutionEvent::ExecutionCanceled,
            ExecutionCommand::Delete => ExecutionEvent::ExecutionDeleted,
            ExecutionCommand::RecordStep(event) => event,
        };
        self.check(&event)?;
        Ok(vec![event])
    }
}

impl Aggregate for Execution {
    const TYPE: &'static str = "execution";
    type Command = ExecutionCommand;
    type Event = ExecutionEvent;
    type Error = ExecutionError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.fold(&event);
    }
}
