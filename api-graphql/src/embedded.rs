//! The embedded store (one SQLite file) is served by one process at a time: `weft serve` holds
//! an exclusive lock on `<database>.lock`, and at start-up continues the executions a previous
//! process left unfinished (queued, running when it died, or waiting on a long Wait).

use std::fs::{File, OpenOptions, TryLockError};

use anyhow::Context;
use chrono::{SecondsFormat, Utc};
use weft_commands::EventStore;
use weft_executor::service::ExecutionService;
use weft_projections::ProjectionFeed;
use weft_projections::executions::ExecutionQueries;

/// The exclusive lock of an embedded store; released when dropped (or when the process dies).
pub struct StoreLock {
    _file: File,
}

/// Locks the SQLite store of `store` for this process; `None` on Postgres. Fails with a clear
/// message when another process serves it.
pub fn lock(store: &EventStore) -> anyhow::Result<Option<StoreLock>> {
    let Some(path) = store.db().sqlite_path() else {
        return Ok(None);
    };
    let lock_path = format!("{path}.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("cannot open the lock file {lock_path}"))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(StoreLock { _file: file })),
        Err(TryLockError::WouldBlock) => anyhow::bail!(
            "another `weft serve` is using {path}: the embedded store is served by one process \
             at a time (stop the other one, or use Postgres to run several)"
        ),
        Err(TryLockError::Error(error)) => {
            Err(error).with_context(|| format!("cannot lock {lock_path}"))
        }
    }
}

/// Continues, in the background, the executions queued before now that have not ended. Waits
/// until the read models include every event already stored, so none is overlooked.
pub fn recover_unfinished(store: EventStore, feed: ProjectionFeed, executions: ExecutionService) {
    let started = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
    tokio::spawn(async move {
        match recover(&store, &feed, &executions, &started).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "continuing executions left unfinished"),
            Err(error) => tracing::error!(%error, "recovering unfinished executions failed"),
        }
    });
}

async fn recover(
    store: &EventStore,
    feed: &ProjectionFeed,
    executions: &ExecutionService,
    queued_before: &str,
) -> anyhow::Result<usize> {
    let head = store.head().await?;
    feed.position()
        .wait_for(|position| *position >= head)
        .await
        .context("the projection runner stopped")?;
    let ids = ExecutionQueries::new(store.clone())
        .unfinished_ids(queued_before)
        .await?;
    Ok(executions.recover(ids)?)
}
