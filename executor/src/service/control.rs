//! Stopping and retrying executions.

use weft_domain::execution::{ExecutionStatus as Recorded, Trigger};
use weft_domain::metadata::Actor;

use super::ExecutionService;
use super::error::ServiceError;
use super::history::History;
use super::submission::{ExecutionHandle, Submission, WorkflowVersion};
use crate::options::{ResumeFrom, ResumePoint};

/// Where a retry starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryFrom {
    /// At the node that failed, reusing the recorded outputs of the nodes that ran before it.
    FailedNode,
    /// At the start node, with the same input.
    Start,
}

/// Which workflow version a retry runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryVersion {
    /// The version the original execution ran.
    Original,
    /// The workflow's current version.
    Current,
}

/// What a stop request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopRequest {
    /// The execution runs in this process, or its stop was requested through the durable queue;
    /// it stops at its current node.
    Signaled,
}

impl ExecutionService {
    /// Asks a queued, running or waiting execution to stop: it records a canceled event at its
    /// current node. `NOT_FOUND` for an unknown execution, `CONFLICT` for one that ended.
    pub async fn stop(&self, execution_id: &str) -> Result<StopRequest, ServiceError> {
        let switch = self
            .inner
            .running
            .lock()
            .expect("running lock")
            .get(execution_id)
            .cloned();
        if let Some(switch) = switch {
            switch.stop();
            return Ok(StopRequest::Signaled);
        }
        if let Some(durable) = &self.inner.queue
            && durable.table.request_cancel(execution_id).await?.is_some()
        {
            // Its worker (or the next one to claim it) records the stop.
            return Ok(StopRequest::Signaled);
        }
        let history = History::load(&self.inner.store, execution_id).await?;
        let status = history.state.status;
        if status.is_finished() {
            return Err(ServiceError::Conflict(format!(
                "execution `{execution_id}` already ended ({})",
                status.as_str()
            )));
        }
        Err(ServiceError::Conflict(format!(
            "execution `{execution_id}` is {} but not owned by this process",
            status.as_str()
        )))
    }

    /// Runs a finished execution again as a new execution: from its failed node (reusing the
    /// recorded outputs of the nodes before it) or from the start with the same input, on the
    /// original or the current workflow version. `CONFLICT` while it has not ended, or when
    /// retrying from the failed node of an execution that did not fail.
    pub async fn retry(
        &self,
        execution_id: &str,
        from: RetryFrom,
        version: RetryVersion,
        actor: Actor,
    ) -> Result<ExecutionHandle, ServiceError> {
        let history = History::load(&self.inner.store, execution_id).await?;
        let status = history.state.status;
        if !status.is_finished() {
            return Err(ServiceError::Conflict(format!(
                "execution `{execution_id}` is {}; stop it or let it end before retrying",
                status.as_str()
            )));
        }
        let workflow_id = history.state.workflow_id.clone();
        let version = match version {
            RetryVersion::Original => WorkflowVersion::Exact(history.workflow_version),
            RetryVersion::Current => WorkflowVersion::Current,
        };
        let resolved = self.resolve(&workflow_id, version).await?;
        let (from_node_id, resume) = match from {
            RetryFrom::Start => (None, None),
            RetryFrom::FailedNode => {
                if status != Recorded::Failed {
                    return Err(ServiceError::Conflict(format!(
                        "execution `{execution_id}` did not fail ({}); retry it from the start",
                        status.as_str()
                    )));
                }
                let Some(failed) = history.failed_node.clone() else {
                    return Err(ServiceError::Conflict(format!(
                        "execution `{execution_id}` failed outside any node; retry it from the start"
                    )));
                };
                let compiled = &resolved.compiled;
                if compiled.index_of(&failed).is_none() {
                    return Err(ServiceError::Invalid(format!(
                        "node `{failed}` that failed is not in version {} of the workflow",
                        resolved.version
                    )));
                }
                let resume = ResumeFrom {
                    recorded: history.recorded_runs(|id| compiled.index_of(id).is_some()),
                    start: ResumePoint::Node(failed.clone()),
                    node_states: Default::default(),
                };
                (Some(failed), Some(resume))
            }
        };
        let submission = Submission {
            workflow_id,
            version: WorkflowVersion::Exact(resolved.version),
            trigger: Trigger::Retry {
                original_execution_id: execution_id.to_string(),
                from_node_id,
            },
            input: history.input_items(),
            mode: history.mode,
            start_node: history
                .start_node
                .clone()
                .filter(|id| resolved.compiled.index_of(id).is_some()),
            destination_node: history
                .destination_node
                .clone()
                .filter(|id| resolved.compiled.index_of(id).is_some()),
            actor,
        };
        self.enqueue(submission, resolved, resume, None).await
    }
}
