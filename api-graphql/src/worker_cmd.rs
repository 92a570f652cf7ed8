//! Execution settings of `weft serve` and `weft worker`, read from the environment:
//! - `WEFT_EXECUTION_CONCURRENCY`: executions running at once in this process (default 128);
//! - on Postgres, executions go through the durable queue; `WEFT_WORKER` (`on`, the default, or
//!   `off`) says whether `weft serve` also runs a queue worker (`off`: it only enqueues, and
//!   separate `weft worker` processes run the executions);
//! - `WEFT_WORKER_LEASE_MS` (default 30000): how long a worker's claim lasts without a
//!   heartbeat (renewed every third of it); another worker takes over an execution once it
//!   expired. `WEFT_WORKER_POLL_MS` (default 1000): how often a worker looks for due work
//!   besides being woken by `NOTIFY`.
//! - `WEFT_BLOB_THRESHOLD_BYTES` (default 65536): an item list whose JSON text is longer is
//!   stored once in the content-addressed blob table and the event refers to it.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use weft_commands::secrets::{Credentials, MasterKey};
use weft_commands::{Backend, DEFAULT_BLOB_THRESHOLD, EventStore};
use weft_executor::StoredCredentials;
use weft_executor::service::{ExecutionService, QueueSettings, ServiceConfig};

use crate::config::Config;

/// Reads a positive integer setting; a bad value is named.
fn positive(name: &str, default: usize) -> anyhow::Result<usize> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(text) => text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .with_context(|| format!("{name} must be a positive integer, not `{text}`")),
    }
}

/// The store handle executions record through, with the blob threshold
/// (`WEFT_BLOB_THRESHOLD_BYTES`) applied.
pub fn recording_store(store: &EventStore) -> anyhow::Result<EventStore> {
    let threshold = positive("WEFT_BLOB_THRESHOLD_BYTES", DEFAULT_BLOB_THRESHOLD)?;
    Ok(store.clone().with_blob_threshold(threshold))
}

/// Whether `weft serve` runs a queue worker (`WEFT_WORKER`, default on).
fn worker_in_serve() -> anyhow::Result<bool> {
    match std::env::var("WEFT_WORKER") {
        Err(_) => Ok(true),
        Ok(text) => match text.trim().to_ascii_lowercase().as_str() {
            "on" | "true" | "1" => Ok(true),
            "off" | "false" | "0" => Ok(false),
            _ => anyhow::bail!("WEFT_WORKER must be `on` or `off`, not `{text}`"),
        },
    }
}

/// Lease and poll settings of a queue worker.
fn queue_settings() -> anyhow::Result<QueueSettings> {
    let defaults = QueueSettings::default();
    let millis = |d: Duration| d.as_millis() as usize;
    Ok(QueueSettings {
        lease: Duration::from_millis(
            positive("WEFT_WORKER_LEASE_MS", millis(defaults.lease))? as u64
        ),
        poll: Duration::from_millis(positive("WEFT_WORKER_POLL_MS", millis(defaults.poll))? as u64),
    })
}

/// The service of this process; nodes get the credentials they reference decrypted with
/// `master`.
fn service(store: &EventStore, master: &MasterKey) -> anyhow::Result<ExecutionService> {
    let defaults = ServiceConfig::default();
    let store = &recording_store(store)?;
    let credentials = StoredCredentials::new(Credentials::new(store.clone(), master));
    let config = ServiceConfig {
        concurrency: positive("WEFT_EXECUTION_CONCURRENCY", defaults.concurrency)?,
        credentials: Some(Arc::new(credentials)),
        durable_queue: store.db().backend() == Backend::Postgres,
        inline_wait_limit: Duration::from_secs(positive(
            "WEFT_INLINE_WAIT_SECONDS",
            defaults.inline_wait_limit.as_secs() as usize,
        )? as u64),
        ..defaults
    };
    Ok(ExecutionService::new(store.clone(), config))
}

/// The execution service of `weft serve`, configured from the environment. On Postgres it
/// enqueues durably and, unless `WEFT_WORKER=off`, runs a queue worker in this process.
pub fn execution_service(
    store: &EventStore,
    master: &MasterKey,
) -> anyhow::Result<ExecutionService> {
    let in_serve = worker_in_serve()?;
    let service = service(store, master)?;
    if service.is_durable() && in_serve {
        let worker = service.queue_worker(queue_settings()?)?;
        tokio::spawn(async move {
            if let Err(error) = worker.run(std::future::pending()).await {
                tracing::error!(%error, "the queue worker stopped");
            }
        });
    }
    Ok(service)
}

/// `weft worker`: runs executions from the Postgres queue until SIGINT or SIGTERM, then gives
/// the ones it runs back to the queue.
pub async fn worker(config: Config) -> anyhow::Result<()> {
    if !(config.database_url.starts_with("postgres://")
        || config.database_url.starts_with("postgresql://"))
    {
        anyhow::bail!(
            "weft worker needs a Postgres database (WEFT_DATABASE_URL=postgres://…); \
             with the embedded SQLite, weft serve runs the executions"
        );
    }
    let settings = queue_settings()?;
    let master = config.master_key()?;
    let store = EventStore::open(&config.database_url)
        .await
        .context("opening the event store")?;
    let service = service(&store, &master)?;
    let worker = service.queue_worker(settings)?;
    tracing::info!(owner = worker.owner(), "weft worker running");
    worker.run(shutdown_signal()).await?;
    tracing::info!("weft worker stopped");
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}
