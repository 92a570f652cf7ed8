//! Submitters in this process that wait for an execution queued on Postgres: when the worker of
//! this process claims it, it answers them directly (early webhook response, outcome).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::super::error::ServiceError;
use super::super::submission::{ExecutionOutcome, ResponseSlot};

/// Where to deliver an execution's response and outcome.
pub(in crate::service) struct Waiter {
    pub(in crate::service) slot: Arc<ResponseSlot>,
    pub(in crate::service) sender: oneshot::Sender<Result<ExecutionOutcome, ServiceError>>,
}

/// Waiting submitters by execution id.
#[derive(Default)]
pub(in crate::service) struct Waiters {
    waiting: Mutex<HashMap<String, Waiter>>,
}

impl Waiters {
    /// Registers a submitter.
    pub(in crate::service) fn insert(&self, execution_id: &str, waiter: Waiter) {
        self.waiting
            .lock()
            .expect("waiters lock")
            .insert(execution_id.to_string(), waiter);
    }

    /// Takes the submitter of an execution, if it waits in this process.
    pub(in crate::service) fn take(&self, execution_id: &str) -> Option<Waiter> {
        self.waiting
            .lock()
            .expect("waiters lock")
            .remove(execution_id)
    }
}
