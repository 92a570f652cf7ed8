//! The queue worker: claims due executions, runs each under a renewed lease, and gives the row
//! back (ended, or due again later) when it is done.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, watch};
use tokio::task::JoinSet;
use weft_commands::StoreError;

use super::super::interrupt::StopSwitch;
use super::super::{ExecutionService, ServiceError};
use super::continuation::Continued;
use super::table::{CHANNEL, Claim, Lease, ORPHAN_AFTER, QueueTable};
use crate::record::RecordError;

/// How a worker claims and leases executions.
#[derive(Debug, Clone)]
pub struct QueueSettings {
    /// How long a claim lasts without a heartbeat; a worker renews it every third of this.
    /// Another worker takes an execution over once its lease expired.
    pub lease: Duration,
    /// How often to look for due work when no notification arrives.
    pub poll: Duration,
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            poll: Duration::from_secs(1),
        }
    }
}

/// Runs executions from the Postgres queue with this process's service (its engine, workflow
/// cache and concurrency limit).
pub struct QueueWorker {
    service: ExecutionService,
    table: QueueTable,
    owner: String,
    settings: QueueSettings,
}

/// How handling one claim ended.
enum Ending {
    /// The execution ended (or never existed): the row is done.
    Done,
    /// Claim it again after this long (a waiting execution, or a queued event not yet visible).
    Later(Duration),
    /// Another worker holds it now; touch nothing.
    LeaseLost,
}

impl ExecutionService {
    /// A worker for this service's durable queue. `VALIDATION` when the service has none (not
    /// on Postgres, or the queue is off).
    pub fn queue_worker(&self, settings: QueueSettings) -> Result<QueueWorker, ServiceError> {
        let Some(durable) = &self.inner.queue else {
            return Err(ServiceError::Invalid(
                "the execution queue needs a Postgres database".into(),
            ));
        };
        Ok(QueueWorker {
            service: self.clone(),
            table: durable.table.clone(),
            owner: format!(
                "{}:{}:{}",
                hostname(),
                std::process::id(),
                uuid::Uuid::now_v7()
            ),
            settings,
        })
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|name| name.trim().to_string())
        .unwrap_or_else(|_| "worker".into())
}

impl QueueWorker {
    /// This worker's lease owner id (`host:pid:uuid`).
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Claims and runs executions until `shutdown` resolves; then stops the executions it runs
    /// and gives them back to the queue, so another worker continues them at once.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), ServiceError> {
        let this = Arc::new(self);
        let mut listener = this.listen().await;
        let mut tasks = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            let permits = this.service.inner.permits.clone();
            let free = permits.available_permits();
            let mut full = false;
            if free > 0 {
                match this
                    .table
                    .claim(&this.owner, this.settings.lease, free)
                    .await
                {
                    Ok(claims) => {
                        full = claims.len() == free;
                        for claim in claims {
                            let permit = permits.clone().try_acquire_owned().ok();
                            tasks.spawn(this.clone().handle(claim, permit));
                        }
                    }
                    Err(error) => tracing::warn!(%error, "claiming queued executions failed"),
                }
            }
            if full {
                // More may be due: claim again once a slot frees up.
                tokio::select! {
                    _ = &mut shutdown => break,
                    _ = tasks.join_next() => {}
                }
                continue;
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(this.settings.poll) => {}
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                notification = next_notification(&mut listener) => {
                    if let Some(id) = notification.as_deref().and_then(|p| p.strip_prefix("cancel:")) {
                        this.signal_stop(id);
                    }
                }
            }
        }
        tasks.shutdown().await;
        this.table.release_all(&this.owner).await?;
        Ok(())
    }

    async fn listen(&self) -> Option<sqlx::postgres::PgListener> {
        let url = self.service.inner.store.db().url().to_string();
        let listen = async {
            let mut listener = sqlx::postgres::PgListener::connect(&url).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        match listen.await {
            Ok(listener) => Some(listener),
            Err(error) => {
                tracing::warn!(%error, "LISTEN {CHANNEL} failed; polling only");
                None
            }
        }
    }

    /// Trips the stop switch of an execution this process runs.
    fn signal_stop(&self, execution_id: &str) {
        let switch = self
            .service
            .inner
            .running
            .lock()
            .expect("running lock")
            .get(execution_id)
            .cloned();
        if let Some(switch) = switch {
            switch.stop();
        }
    }

    /// Runs one claimed execution under its lease and settles the row.
    async fn handle(self: Arc<Self>, claim: Claim, permit: Option<OwnedSemaphorePermit>) {
        let execution_id = claim.execution_id.clone();
        let switch = StopSwitch::default();
        if claim.cancel_requested {
            switch.token.cancel();
        }
        self.service
            .inner
            .running
            .lock()
            .expect("running lock")
            .insert(execution_id.clone(), switch.clone());
        let (lost_tx, lost) = watch::channel(false);
        let heartbeat = tokio::spawn(self.clone().heartbeat(
            execution_id.clone(),
            switch.clone(),
            lost_tx,
        ));
        let ending = self.run_claim(&claim, &switch, lost).await;
        heartbeat.abort();
        self.service.forget(&execution_id);
        drop(permit);
        let settled = match ending {
            Ok(Ending::Done) => self.table.finish(&execution_id, &self.owner).await,
            Ok(Ending::Later(after)) => self.table.release(&execution_id, &self.owner, after).await,
            Ok(Ending::LeaseLost) => Ok(false),
            Err(error) => {
                tracing::error!(%execution_id, %error, "running a queued execution failed; it will be tried again");
                self.table
                    .release(&execution_id, &self.owner, Duration::from_secs(5))
                    .await
            }
        };
        if let Err(error) = settled {
            tracing::warn!(%execution_id, %error, "settling a queue row failed; its lease will expire");
        }
    }

    /// Renews the lease every third of its length; trips the stop switch when a stop was
    /// requested and reports a lost lease.
    async fn heartbeat(
        self: Arc<Self>,
        execution_id: String,
        switch: StopSwitch,
        lost: watch::Sender<bool>,
    ) {
        let lease = self.settings.lease;
        let every = lease / 3;
        let mut renewed = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(every).await;
            match self
                .table
                .heartbeat(&execution_id, &self.owner, lease)
                .await
            {
                Ok(Lease::Held { cancel }) => {
                    renewed = tokio::time::Instant::now();
                    if cancel {
                        switch.stop();
                    }
                }
                Ok(Lease::Lost) => {
                    tracing::warn!(%execution_id, "lease lost; another worker owns the execution");
                    lost.send_replace(true);
                    return;
                }
                Err(error) => {
                    tracing::warn!(%execution_id, %error, "lease heartbeat failed");
                    if renewed.elapsed() >= lease {
                        lost.send_replace(true);
                        return;
                    }
                }
            }
        }
    }

    /// Loads the execution and continues it; retries from the reload when another writer
    /// extended the stream first.
    async fn run_claim(
        &self,
        claim: &Claim,
        switch: &StopSwitch,
        lost: watch::Receiver<bool>,
    ) -> Result<Ending, ServiceError> {
        for _ in 0..3 {
            let continued = self
                .service
                .continue_recorded(
                    &claim.execution_id,
                    claim.start_node.clone(),
                    switch,
                    lost.clone(),
                )
                .await;
            return match continued {
                Err(ServiceError::Record(RecordError::Store(StoreError::Conflict))) => {
                    if *lost.borrow() {
                        return Ok(Ending::LeaseLost);
                    }
                    continue;
                }
                Err(error) => Err(error),
                // The submitter inserts the row before recording the queued event.
                Ok(Continued::Missing) if claim.age >= ORPHAN_AFTER => Ok(Ending::Done),
                Ok(Continued::Missing) => Ok(Ending::Later(Duration::from_millis(200))),
                Ok(Continued::Done) => Ok(Ending::Done),
                Ok(Continued::Later(after)) => Ok(Ending::Later(after)),
                Ok(Continued::LeaseLost) => Ok(Ending::LeaseLost),
            };
        }
        Err(ServiceError::Conflict(format!(
            "execution `{}` kept moving while this worker took it over",
            claim.execution_id
        )))
    }
}

/// The next payload on the queue channel; pends for ever without a listener.
async fn next_notification(listener: &mut Option<sqlx::postgres::PgListener>) -> Option<String> {
    match listener {
        Some(l) => match l.recv().await {
            Ok(notification) => Some(notification.payload().to_string()),
            Err(error) => {
                tracing::warn!(%error, "queue notifications failed; polling only");
                *listener = None;
                None
            }
        },
        None => std::future::pending().await,
    }
}
