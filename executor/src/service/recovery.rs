//! Recovery on the embedded store: at start-up, the executions a previous process left
//! unfinished (it stopped or crashed) are continued from their events in this process. Queued
//! ones start, waiting ones resume at their due time, and ones cut off mid-run replay the node
//! runs that succeeded and run the interrupted node again, recorded as an abandoned attempt —
//! the same continuation a queue worker uses to take over from a dead worker.

use tokio::sync::watch;
use weft_commands::StoreError;

use super::ExecutionService;
use super::error::ServiceError;
use super::interrupt::StopSwitch;
use super::queue::Continued;
use crate::record::RecordError;

/// How often a continuation is tried again when another writer extended its stream first.
const CONFLICT_RETRIES: usize = 3;

impl ExecutionService {
    /// Continues, in the background, the executions another (stopped) process left unfinished;
    /// each can be stopped as usual. Returns how many it took on (ids already running here are
    /// skipped). Only for a store where this process is the only one running executions (the
    /// embedded SQLite default); with the durable queue the workers do this, so it is refused
    /// with `VALIDATION`.
    pub fn recover(&self, execution_ids: Vec<String>) -> Result<usize, ServiceError> {
        if self.inner.queue.is_some() {
            return Err(ServiceError::Invalid(
                "executions on the durable queue are recovered by its workers".into(),
            ));
        }
        let mut taken = 0;
        for execution_id in execution_ids {
            let switch = {
                let mut running = self.inner.running.lock().expect("running lock");
                if running.contains_key(&execution_id) {
                    continue;
                }
                let switch = StopSwitch::default();
                running.insert(execution_id.clone(), switch.clone());
                switch
            };
            taken += 1;
            tokio::spawn(self.clone().continue_until_done(execution_id, switch));
        }
        Ok(taken)
    }

    /// Continues one execution, sleeping through its waits, until it ends.
    async fn continue_until_done(self, execution_id: String, switch: StopSwitch) {
        // Nobody can take the execution away in this process: the lease is never lost.
        let (_, never_lost) = watch::channel(false);
        let mut conflicts = 0;
        loop {
            let Ok(permit) = self.inner.permits.clone().acquire_owned().await else {
                break;
            };
            let continued = self
                .continue_recorded(&execution_id, None, &switch, never_lost.clone())
                .await;
            drop(permit);
            match continued {
                // Sleeps until due, or until the execution is stopped while it waits.
                Ok(Continued::Later(after)) => switch.sleeper().sleep(after).await,
                Ok(Continued::Done | Continued::Missing | Continued::LeaseLost) => break,
                Err(ServiceError::Record(RecordError::Store(StoreError::Conflict)))
                    if conflicts < CONFLICT_RETRIES =>
                {
                    conflicts += 1;
                }
                Err(error) => {
                    tracing::error!(%execution_id, %error, "continuing an unfinished execution failed");
                    break;
                }
            }
        }
        self.forget(&execution_id);
    }
}
