//! Recording executions: every engine step becomes an event of the execution's stream.
//!
//! The recorder is the execution's only writer. It keeps the [`Execution`] state in memory,
//! decides each step with it (no stream reload per node run) and keeps the events in an outbox
//! until the execution waits or ends; then they are appended through the store's group commit
//! (an execution that runs through is one append). [`run_recorded`] returns only after the
//! execution's final events are committed. Item lists longer than the store's blob threshold
//! are stored as blobs first and the events refer to them.
//!
//! [`Execution`]: weft_domain::execution::Execution

mod blobs;
mod convert;
mod error;
mod outbox;
mod recorder;
mod run;

pub use error::RecordError;
pub use outbox::{FlushPoint, Flushing};
pub use recorder::ExecutionRecorder;
pub use run::{RecordRequest, RecordedExecution, run_recorded};
