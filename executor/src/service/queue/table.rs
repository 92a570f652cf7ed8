//! The `execution_queue` table (Postgres): insert, claim with `FOR UPDATE SKIP LOCKED`, renew
//! and release leases, request a stop. Every time is the database's clock in milliseconds, so
//! workers on machines with skewed clocks agree on when a lease expired.

use std::time::Duration;

use sqlx::{AnyPool, Row};
use weft_commands::StoreError;

/// `now` in milliseconds since the epoch, on the database clock.
macro_rules! now_ms {
    () => {
        "(extract(epoch from clock_timestamp()) * 1000)::bigint"
    };
}

/// The notification channel workers listen on: `new` when work was queued, `cancel:ID` when a
/// stop was requested.
pub(in crate::service) const CHANNEL: &str = "weft_queue";

/// Rows whose submitter never recorded `ExecutionQueued` (it crashed in between) are dropped
/// after this long.
pub(in crate::service) const ORPHAN_AFTER: Duration = Duration::from_secs(60);

/// One execution claimed by a worker.
#[derive(Debug, Clone)]
pub(in crate::service) struct Claim {
    pub(in crate::service) execution_id: String,
    pub(in crate::service) start_node: Option<String>,
    pub(in crate::service) cancel_requested: bool,
    /// How long ago the row was inserted.
    pub(in crate::service) age: Duration,
}

/// What a heartbeat learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::service) enum Lease {
    /// Still ours; `cancel` when a stop was requested.
    Held { cancel: bool },
    /// Another worker took it (ours had expired) or the row ended.
    Lost,
}

/// Access to the queue table.
#[derive(Clone)]
pub(in crate::service) struct QueueTable {
    pool: AnyPool,
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl QueueTable {
    pub(in crate::service) fn new(pool: AnyPool) -> Self {
        Self { pool }
    }

    /// Adds the work item of a new execution. Called before the execution's queued event is
    /// recorded, so a crash in between leaves a row without events (dropped later), never an
    /// accepted execution without a row; [`notify_new`](Self::notify_new) wakes the workers
    /// once the event is committed. An execution submitted again under its id (a schedule claim
    /// whose process died before the event: the caller checked that the log has no event) gets
    /// its row back in the queued state.
    pub(in crate::service) async fn insert(
        &self,
        execution_id: &str,
        workflow_id: &str,
        workflow_version: u64,
        start_node: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(concat!(
            "INSERT INTO execution_queue (execution_id, workflow_id, workflow_version, start_node, ",
            "state, available_at, enqueued_at, updated_at) VALUES ($1, $2, $3, $4, 'queued', ",
            now_ms!(),
            ", ",
            now_ms!(),
            ", ",
            now_ms!(),
            ") ON CONFLICT (execution_id) DO UPDATE SET workflow_id = excluded.workflow_id, ",
            "workflow_version = excluded.workflow_version, start_node = excluded.start_node, ",
            "state = 'queued', available_at = excluded.available_at, lease_owner = NULL, ",
            "lease_until = NULL, attempts = 0, cancel_requested = FALSE, ",
            "enqueued_at = excluded.enqueued_at, updated_at = excluded.updated_at"
        ))
        .bind(execution_id)
        .bind(workflow_id)
        .bind(i64::try_from(workflow_version).unwrap_or(i64::MAX))
        .bind(start_node)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Wakes the workers: new work is queued.
    pub(in crate::service) async fn notify_new(&self) -> Result<(), StoreError> {
        self.notify("new").await
    }

    /// Claims up to `limit` executions that are due or whose lease expired, leasing them to
    /// `owner` for `lease`. Concurrent claimers skip each other's locked rows, so a row is
    /// claimed by one worker only.
    pub(in crate::service) async fn claim(
        &self,
        owner: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Claim>, StoreError> {
        let rows = sqlx::query(concat!(
            "UPDATE execution_queue SET state = 'running', lease_owner = $1, lease_until = ",
            now_ms!(),
            " + $2, attempts = attempts + 1, updated_at = ",
            now_ms!(),
            " WHERE execution_id IN (SELECT execution_id FROM execution_queue WHERE ",
            "(state = 'queued' AND available_at <= ",
            now_ms!(),
            ") OR (state = 'running' AND lease_until < ",
            now_ms!(),
            ") ORDER BY available_at LIMIT $3 FOR UPDATE SKIP LOCKED) ",
            "RETURNING execution_id, start_node, cancel_requested, ",
            now_ms!(),
            " - enqueued_at AS age_ms"
        ))
        .bind(owner)
        .bind(millis(lease))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Claim {
                    execution_id: row.try_get("execution_id")?,
                    start_node: row.try_get("start_node")?,
                    cancel_requested: row.try_get("cancel_requested")?,
                    age: Duration::from_millis(
                        u64::try_from(row.try_get::<i64, _>("age_ms")?).unwrap_or(0),
                    ),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Extends `owner`'s lease by `lease` from now.
    pub(in crate::service) async fn heartbeat(
        &self,
        execution_id: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<Lease, StoreError> {
        let row = sqlx::query(concat!(
            "UPDATE execution_queue SET lease_until = ",
            now_ms!(),
            " + $1, updated_at = ",
            now_ms!(),
            " WHERE execution_id = $2 AND lease_owner = $3 AND state = 'running' ",
            "RETURNING cancel_requested"
        ))
        .bind(millis(lease))
        .bind(execution_id)
        .bind(owner)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(row) => Lease::Held {
                cancel: row.try_get("cancel_requested")?,
            },
            None => Lease::Lost,
        })
    }

    /// Marks an execution `owner` holds as ended. False when the lease was lost.
    pub(in crate::service) async fn finish(
        &self,
        execution_id: &str,
        owner: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(concat!(
            "UPDATE execution_queue SET state = 'done', lease_owner = NULL, lease_until = NULL, ",
            "updated_at = ",
            now_ms!(),
            " WHERE execution_id = $1 AND lease_owner = $2 AND state = 'running'"
        ))
        .bind(execution_id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives an execution `owner` holds back to the queue, claimable again after `after`
    /// (a waiting execution's due time, or at once).
    pub(in crate::service) async fn release(
        &self,
        execution_id: &str,
        owner: &str,
        after: Duration,
    ) -> Result<bool, StoreError> {
        let released = sqlx::query(concat!(
            "UPDATE execution_queue SET state = 'queued', lease_owner = NULL, lease_until = NULL, ",
            "available_at = ",
            now_ms!(),
            " + $1, updated_at = ",
            now_ms!(),
            " WHERE execution_id = $2 AND lease_owner = $3 AND state = 'running'"
        ))
        .bind(millis(after))
        .bind(execution_id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(released.rows_affected() == 1)
    }

    /// Gives back every execution `owner` holds (a worker shutting down), claimable at once.
    pub(in crate::service) async fn release_all(&self, owner: &str) -> Result<u64, StoreError> {
        let released = sqlx::query(concat!(
            "UPDATE execution_queue SET state = 'queued', lease_owner = NULL, lease_until = NULL, ",
            "available_at = ",
            now_ms!(),
            ", updated_at = ",
            now_ms!(),
            " WHERE lease_owner = $1 AND state = 'running'"
        ))
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(released.rows_affected())
    }

    /// Asks whoever holds (or next claims) the execution to stop it, and makes a queued or
    /// waiting one claimable at once so the stop is recorded now. `None` when the execution has
    /// no open row (unknown here, or ended); otherwise whether a worker holds it.
    pub(in crate::service) async fn request_cancel(
        &self,
        execution_id: &str,
    ) -> Result<Option<bool>, StoreError> {
        let row = sqlx::query(concat!(
            "UPDATE execution_queue SET cancel_requested = TRUE, available_at = LEAST(available_at, ",
            now_ms!(),
            "), updated_at = ",
            now_ms!(),
            " WHERE execution_id = $1 AND state <> 'done' RETURNING state"
        ))
        .bind(execution_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let state: String = row.try_get("state")?;
        self.notify(&format!("cancel:{execution_id}")).await?;
        Ok(Some(state == "running"))
    }

    async fn notify(&self, payload: &str) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(payload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
