//! The state of one execution, folded from its events, and the checks every event must pass.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::error::ExecutionError;
use super::events::ExecutionEvent;
use crate::definition::NodeId;

/// Where an execution is in its life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExecutionStatus {
    /// Nothing recorded yet.
    #[default]
    New,
    /// Accepted, not started.
    Queued,
    /// A worker runs it.
    Running,
    /// Suspended by a Wait node.
    Waiting,
    /// Finished successfully.
    Succeeded,
    /// Finished with an error.
    Failed,
    /// Canceled.
    Canceled,
}

impl ExecutionStatus {
    /// The status as stored in read models.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Waiting => "waiting",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }

    /// Whether the execution ended.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Canceled)
    }
}

/// One node run, identified by node and run index.
pub type NodeRunKey = (NodeId, u32);

/// An open node run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenRun {
    /// Attempts made so far.
    pub attempts: u32,
    /// The last attempt failed and asked for a retry.
    pub retry_pending: bool,
}

/// Current state of one execution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Execution {
    /// Number of events applied (the stream's last sequence).
    pub version: u64,
    /// Life-cycle status.
    pub status: ExecutionStatus,
    /// The workflow that runs.
    pub workflow_id: String,
    /// The exact workflow version that runs.
    pub workflow_version: u64,
    /// Node runs in the order they started (the execution path).
    pub path: Vec<NodeRunKey>,
    /// Node runs in progress.
    pub open: BTreeMap<NodeId, BTreeMap<u32, OpenRun>>,
    /// Node runs that ended.
    closed: BTreeSet<NodeRunKey>,
    /// Whether the execution was deleted.
    pub deleted: bool,
    /// A webhook response was recorded (only the first one counts).
    #[serde(default)]
    pub responded: bool,
}

impl Execution {
    fn running(&self) -> Result<(), ExecutionError> {
        match self.status {
            ExecutionStatus::Running => Ok(()),
            status if status.is_finished() => Err(ExecutionError::Finished(status.as_str())),
            status => Err(ExecutionError::NotRunning(status.as_str())),
        }
    }

    fn open_run(&self, node_id: &str, run_index: u32) -> Result<&OpenRun, ExecutionError> {
        self.open
            .get(node_id)
            .and_then(|runs| runs.get(&run_index))
            .ok_or_else(|| ExecutionError::NodeRunNotOpen {
                node_id: node_id.to_string(),
                run_index,
            })
    }

    fn started(&self, node_id: &str, run_index: u32) -> bool {
        self.closed.contains(&(node_id.to_string(), run_index))
            || self
                .open
                .get(node_id)
                .is_some_and(|runs| runs.contains_key(&run_index))
    }

    /// Checks that `event` may follow the events applied so far.
    pub fn check(&self, event: &ExecutionEvent) -> Result<(), ExecutionError> {
        use ExecutionEvent::*;
        if self.deleted {
            return Err(ExecutionError::Deleted);
        }
        match event {
            ExecutionQueued { .. } => match self.status {
                ExecutionStatus::New => Ok(()),
                _ => Err(ExecutionError::AlreadyQueued),
            },
            ExecutionStarted => match self.status {
                ExecutionStatus::Queued => Ok(()),
                status if status.is_finished() => Err(ExecutionError::Finished(status.as_str())),
                status => Err(ExecutionError::NotQueued(status.as_str())),
            },
            NodeRunStarted {
                node_id, run_index, ..
            } => {
                self.running()?;
                if self.started(node_id, *run_index) {
                    return Err(ExecutionError::NodeRunAlreadyStarted {
                        node_id: node_id.clone(),
                        run_index: *run_index,
                    });
                }
                Ok(())
            }
            NodeRunSucceeded {
                node_id, run_index, ..
            }
            | NodeRunFailed {
                node_id, run_index, ..
            } => {
                self.running()?;
                self.open_run(node_id, *run_index).map(|_| ())
            }
            NodeRunRetried {
                node_id, run_index, ..
            } => {
                self.running()?;
                if self.open_run(node_id, *run_index)?.retry_pending {
                    Ok(())
                } else {
                    Err(ExecutionError::NothingToRetry {
                        node_id: node_id.clone(),
                        run_index: *run_index,
                    })
                }
            }
            NodeRunCanceled { node_id, run_index } => {
                self.running()?;
                if self.closed.contains(&(node_id.clone(), *run_index)) {
                    return Err(ExecutionError::NodeRunNotOpen {
                        node_id: node_id.clone(),
                        run_index: *run_index,
                    });
                }
                Ok(())
            }
            WebhookResponded { .. } => {
                self.running()?;
                if self.responded {
                    Err(ExecutionError::AlreadyResponded)
                } else {
                    Ok(())
                }
            }
            ExecutionWaiting { .. } => self.running(),
            ExecutionResumed => match self.status {
                ExecutionStatus::Waiting => Ok(()),
                status if status.is_finished() => Err(ExecutionError::Finished(status.as_str())),
                status => Err(ExecutionError::NotWaiting(status.as_str())),
            },
            ExecutionSucceeded => {
                self.running()?;
                let open: Vec<String> = self
                    .open
                    .iter()
                    .flat_map(|(node, runs)| runs.keys().map(move |run| format!("{node}#{run}")))
                    .collect();
                if open.is_empty() {
                    Ok(())
                } else {
                    Err(ExecutionError::NodeRunsOpen(open.join(", ")))
                }
            }
            ExecutionFailed { .. } => self.running(),
            ExecutionCanceled => match self.status {
                ExecutionStatus::Queued | ExecutionStatus::Running | ExecutionStatus::Waiting => {
                    Ok(())
                }
                ExecutionStatus::New => Err(ExecutionError::NotQueued("new")),
                status => Err(ExecutionError::Finished(status.as_str())),
            },
            ExecutionDeleted => match self.status {
                status if status.is_finished() => Ok(()),
                status => Err(ExecutionError::NotFinished(status.as_str())),
            },
        }
    }

    fn close(&mut self, node_id: &str, run_index: u32) {
        if let Some(runs) = self.open.get_mut(node_id) {
            runs.remove(&run_index);
            if runs.is_empty() {
                self.open.remove(node_id);
            }
        }
        self.closed.insert((node_id.to_string(), run_index));
    }

    /// Applies an event that passed [`Execution::check`].
    pub fn fold(&mut self, event: &ExecutionEvent) {
        use ExecutionEvent::*;
        match event {
            ExecutionQueued {
                workflow_id,
                workflow_version,
                ..
            } => {
                self.status = ExecutionStatus::Queued;
                self.workflow_id = workflow_id.clone();
                self.workflow_version = *workflow_version;
            }
            ExecutionStarted | ExecutionResumed => self.status = ExecutionStatus::Running,
            NodeRunStarted {
                node_id, run_index, ..
            } => {
                self.path.push((node_id.clone(), *run_index));
                self.open.entry(node_id.clone()).or_default().insert(
                    *run_index,
                    OpenRun {
                        attempts: 1,
                        retry_pending: false,
                    },
                );
            }
            NodeRunSucceeded {
                node_id, run_index, ..
            } => self.close(node_id, *run_index),
            NodeRunFailed {
                node_id,
                run_index,
                attempt,
                will_retry,
                ..
            } => {
                if *will_retry {
                    if let Some(run) = self
                        .open
                        .get_mut(node_id)
                        .and_then(|runs| runs.get_mut(run_index))
                    {
                        run.attempts = *attempt;
                        run.retry_pending = true;
                    }
                } else {
                    self.close(node_id, *run_index);
                }
            }
            NodeRunRetried {
                node_id,
                run_index,
                next_attempt,
                ..
            } => {
                if let Some(run) = self
                    .open
                    .get_mut(node_id)
                    .and_then(|runs| runs.get_mut(run_index))
                {
                    run.attempts = *next_attempt;
                    run.retry_pending = false;
                }
            }
            NodeRunCanceled { node_id, run_index } => self.close(node_id, *run_index),
            WebhookResponded { .. } => self.responded = true,
            ExecutionWaiting { .. } => self.status = ExecutionStatus::Waiting,
            ExecutionSucceeded => self.status = ExecutionStatus::Succeeded,
            ExecutionFailed { .. } => self.status = ExecutionStatus::Failed,
            ExecutionCanceled => self.status = ExecutionStatus::Canceled,
            ExecutionDeleted => self.deleted = true,
        }
        self.version += 1;
    }
}
