//! Submitting to the durable queue: the row first, then the queued event; the submitter keeps a
//! handle that this process's worker answers when it runs the execution.

use tokio::sync::oneshot;
use weft_domain::execution::ExecutionCommand;

use super::super::submission::{ExecutionHandle, ResponseSlot, Submission};
use super::super::{ExecutionService, ResolvedWorkflow, ServiceError};
use super::Waiter;
use crate::item::Item;
use crate::record::{ExecutionRecorder, RecordError};

impl ExecutionService {
    /// Adds the execution to the queue table, records `ExecutionQueued` and returns its handle.
    pub(in crate::service) async fn enqueue_durable(
        &self,
        submission: Submission,
        resolved: ResolvedWorkflow,
        execution_id: String,
    ) -> Result<ExecutionHandle, ServiceError> {
        let durable = self.inner.queue.as_ref().expect("durable queue");
        let input: Vec<Item> = if submission.input.is_empty() {
            vec![Item::default()]
        } else {
            submission.input
        };
        durable
            .table
            .insert(
                &execution_id,
                &submission.workflow_id,
                resolved.version,
                submission.start_node.as_deref(),
            )
            .await?;
        let mut recorder = ExecutionRecorder::new(
            self.inner.store.clone(),
            &execution_id,
            submission.actor,
            self.inner.clock.clone(),
        );
        recorder
            .execute(ExecutionCommand::Queue {
                workflow_id: submission.workflow_id,
                workflow_version: resolved.version,
                trigger: submission.trigger,
                mode: submission.mode,
                input: input.iter().map(Item::to_n8n).collect(),
                destination_node_id: submission.destination_node,
            })
            .map_err(RecordError::from)?;
        let committed = recorder.committed();
        let (slot, response) = ResponseSlot::new(recorder.flush_point());
        let (sender, outcome) = oneshot::channel();
        durable
            .waiters
            .insert(&execution_id, Waiter { slot, sender });
        let id = execution_id.clone();
        let table = durable.table.clone();
        tokio::spawn(async move {
            let woken = match recorder.finish().await {
                Ok(_) => table.notify_new().await,
                Err(error) => Err(match error {
                    RecordError::Store(error) => error,
                    other => weft_commands::StoreError::Write(other.to_string()),
                }),
            };
            if let Err(error) = woken {
                tracing::error!(execution_id = %id, %error, "queueing an execution failed");
            }
        });
        Ok(ExecutionHandle {
            execution_id,
            workflow_version: resolved.version,
            committed,
            response,
            outcome,
        })
    }
}
