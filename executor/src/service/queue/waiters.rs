//! Submitters in this process that wait for an execution queued on Postgres: when the worker of
//! this process claims it, it answers them directly (early webhook response, outcome).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::super::error::ServiceError;
use super::super::submission::{ExecutionOutcome, ResponseSlot};
use crate::respond::{Responder, WebhookResponse};

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

    /// Whether a submitter in this process waits for the execution.
    pub(in crate::service) fn contains(&self, execution_id: &str) -> bool {
        self.waiting
            .lock()
            .expect("waiters lock")
            .contains_key(execution_id)
    }

    /// Whether nobody waits.
    pub(in crate::service) fn is_empty(&self) -> bool {
        self.waiting.lock().expect("waiters lock").is_empty()
    }

    /// Hands the execution's webhook response to its submitter (the first response counts).
    pub(in crate::service) fn respond(&self, execution_id: &str, response: WebhookResponse) {
        if let Some(waiter) = self.waiting.lock().expect("waiters lock").get(execution_id) {
            waiter.slot.respond(response);
        }
    }

    /// Takes the submitter of an execution, if it waits in this process.
    pub(in crate::service) fn take(&self, execution_id: &str) -> Option<Waiter> {
        self.waiting
            .lock()
            .expect("waiters lock")
            .remove(execution_id)
    }
}
