//! Recording executions: every engine step becomes an event of the execution's stream.
//!
//! The recorder is the execution's only writer. It keeps the [`Execution`] state in memory,
//! decides each step with it (no stream reload per node run) and hands the events to a flusher
//! task that appends whatever is pending through the store's group commit. [`run_recorded`]
//! returns only after the execution's final events are committed.
//!
//! [`Execution`]: weft_domain::execution::Execution

mod convert;
mod error;
mod recorder;
mod run;

pub use error::RecordError;
pub use recorder::ExecutionRecorder;
pub use run::{RecordRequest, RecordedExecution, run_recorded};
