//! Deleting a finished execution: an `ExecutionDeleted` event, after which the read models drop
//! the execution. The recorded events stay in the log (history is never rewritten).

use weft_domain::execution::{ExecutionCommand, ExecutionError};
use weft_domain::metadata::Actor;

use super::ExecutionService;
use super::error::ServiceError;
use super::history::History;
use crate::record::{ExecutionRecorder, RecordError};

impl ExecutionService {
    /// Deletes a finished execution as `actor`. `NOT_FOUND` for an unknown or already deleted
    /// execution, `CONFLICT` while it is queued, running or waiting (stop it first).
    pub async fn delete(&self, execution_id: &str, actor: Actor) -> Result<(), ServiceError> {
        let history = History::load(&self.inner.store, execution_id).await?;
        if history.state.deleted {
            return Err(ServiceError::ExecutionNotFound(execution_id.to_string()));
        }
        if self.is_running_here(execution_id) || !history.state.status.is_finished() {
            return Err(ServiceError::Conflict(format!(
                "execution `{execution_id}` is {}; stop it or let it end before deleting it",
                history.state.status.as_str()
            )));
        }
        let mut recorder = ExecutionRecorder::continuing(
            self.inner.store.clone(),
            execution_id,
            actor,
            self.inner.clock.clone(),
            history.state,
        );
        recorder
            .execute(ExecutionCommand::Delete)
            .map_err(RecordError::from)?;
        match recorder.finish().await {
            Ok(_) => Ok(()),
            // Someone else appended first (a concurrent delete): the stream moved on.
            Err(RecordError::Rejected(ExecutionError::Deleted)) => {
                Err(ServiceError::ExecutionNotFound(execution_id.to_string()))
            }
            Err(error) => Err(error.into()),
        }
    }
}
