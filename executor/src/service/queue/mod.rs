//! The durable execution queue on Postgres, and the worker that runs it.
//!
//! With [`ServiceConfig::durable_queue`](super::ServiceConfig::durable_queue) on a Postgres
//! store, `submit` and `retry` add a row to `execution_queue` (before recording
//! `ExecutionQueued`, so an accepted execution always has one) instead of running the execution
//! in this process. A [`QueueWorker`] (in `weft worker`, and by default inside `weft serve`)
//! claims due rows with `FOR UPDATE SKIP LOCKED`, holds a lease it renews by heartbeat, and runs
//! each execution from its recorded events:
//! - a queued one starts; a waiting one resumes when due (the row is released until then);
//! - one whose worker died (its lease expired) is taken over: the node runs that succeeded are
//!   replayed from their recorded outputs (not run again), a node run left open is recorded as
//!   an abandoned attempt (`NodeRunFailed` with kind `abandoned`, then `NodeRunRetried`) and
//!   runs again;
//! - a worker that loses its lease stops at once without recording anything more; the event
//!   store's optimistic concurrency on the execution stream is the second guard (the new owner
//!   records its first step and waits for the commit before running anything, so two owners can
//!   never both extend the stream).
//!
//! Stops go through the row (`cancel_requested`, announced with `NOTIFY`), so any process can
//! stop any execution. Workers wake on `LISTEN weft_queue` and also poll.
//!
//! The continuation from recorded events (`continuation.rs`) also serves the embedded store's
//! recovery after a restart (`service/recovery.rs`), where no lease is needed.

mod continuation;
mod observer;
mod recorded;
mod remote;
mod submit;
mod table;
mod waiters;
mod worker;

pub use worker::{QueueSettings, QueueWorker};

pub(super) use continuation::Continued;

pub(super) use remote::watch as watch_remote;
pub(super) use table::QueueTable;
pub(super) use waiters::{Waiter, Waiters};

/// The durable queue of a service on Postgres.
pub(super) struct Durable {
    pub(super) table: QueueTable,
    /// Submitters in this process waiting for a response or an outcome.
    pub(super) waiters: Waiters,
}
