//! Starting a due schedule exactly once across processes.
//!
//! A process first claims the due time in `schedule_fires` (the first insert wins) under an
//! execution id it chose, then submits the execution under that id and marks the claim accepted
//! once the queued event is committed. A process that dies between the claim and the commit
//! leaves a claim without `accepted_at`; every process looks for such claims at start-up and
//! every [`RECOVER_EVERY`], and the one that re-takes a claim older than [`ORPHAN_AFTER`]
//! (a conditional update) submits it again under the same id, unless the log already holds that
//! execution. So a due time whose claim was stored is never lost and still runs once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use weft_commands::EventStore;
use weft_domain::execution::{ExecutionMode, Trigger};
use weft_domain::metadata::Actor;
use weft_executor::Item;
use weft_executor::service::{ExecutionService, ServiceError, Submission, WorkflowVersion};

use super::scheduler::{FireSchedule, ScheduledRun};

/// How often old claims are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(600);

/// How often claims left without their execution are looked for.
pub const RECOVER_EVERY: Duration = Duration::from_secs(30);

/// A claim not accepted this long after it was made belongs to a process that died (a live
/// one commits the queued event within milliseconds).
pub const ORPHAN_AFTER: Duration = Duration::from_secs(60);

/// Claims due times in the store and submits their executions.
pub struct ScheduleFirer {
    store: EventStore,
    executions: ExecutionService,
    /// Claims older than this are deleted (longer than any catch-up window).
    keep: Duration,
    last_prune: Mutex<Option<std::time::Instant>>,
}

/// A claim whose execution was not accepted.
struct Orphan {
    run: ScheduledRun,
    fired_at: i64,
    execution_id: String,
}

impl ScheduleFirer {
    /// A firer that keeps claims for `keep`.
    pub fn new(store: EventStore, executions: ExecutionService, keep: Duration) -> Self {
        Self {
            store,
            executions,
            keep,
            last_prune: Mutex::new(None),
        }
    }

    /// Whether this process won the due time for `execution_id`.
    async fn claim(&self, run: &ScheduledRun, execution_id: &str) -> Result<bool, sqlx::Error> {
        let db = self.store.db();
        let sql = db.sql(
            "INSERT INTO schedule_fires (workflow_id, node_id, due_at, fired_at, execution_id, \
             workflow_version, item) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        );
        let inserted = sqlx::query(&sql)
            .bind(&run.workflow_id)
            .bind(&run.node_id)
            .bind(run.due.timestamp_millis())
            .bind(Utc::now().timestamp_millis())
            .bind(execution_id)
            .bind(run.version as i64)
            .bind(run.item.to_string())
            .execute(db.pool())
            .await?
            .rows_affected();
        Ok(inserted == 1)
    }

    /// Submits the claimed run under `execution_id` and marks the claim accepted once the queued
    /// event is committed.
    async fn start(&self, run: &ScheduledRun, execution_id: String) {
        let item = match &run.item {
            serde_json::Value::Object(json) => Item::new(json.clone()),
            _ => Item::default(),
        };
        let submission = Submission {
            workflow_id: run.workflow_id.clone(),
            version: WorkflowVersion::Exact(run.version),
            trigger: Trigger::Schedule { due_at: run.due },
            input: vec![item],
            mode: ExecutionMode::Production,
            start_node: Some(run.node_id.clone()),
            destination_node: None,
            actor: Actor::system("scheduler"),
        };
        let accepted = match self
            .executions
            .submit_with_id(submission, execution_id.clone())
            .await
        {
            Ok(mut handle) => handle.accepted().await,
            Err(error) => Err(error),
        };
        match accepted {
            Ok(()) => tracing::info!(
                workflow = %run.workflow_id,
                execution = %execution_id,
                due = %run.due,
                "schedule fired"
            ),
            // The log holds it already: only the mark was missing.
            Err(ServiceError::Conflict(_)) => {}
            Err(error) => {
                tracing::error!(%error, workflow = %run.workflow_id, "schedule could not start its execution");
                return;
            }
        }
        if let Err(error) = self.mark_accepted(run).await {
            tracing::warn!(%error, workflow = %run.workflow_id, "cannot mark a schedule claim accepted");
        }
    }

    async fn mark_accepted(&self, run: &ScheduledRun) -> Result<(), sqlx::Error> {
        let db = self.store.db();
        sqlx::query(&db.sql(
            "UPDATE schedule_fires SET accepted_at = $1 \
             WHERE workflow_id = $2 AND node_id = $3 AND due_at = $4",
        ))
        .bind(Utc::now().timestamp_millis())
        .bind(&run.workflow_id)
        .bind(&run.node_id)
        .bind(run.due.timestamp_millis())
        .execute(db.pool())
        .await?;
        Ok(())
    }

    /// Submits again every claim left without its execution for longer than [`ORPHAN_AFTER`]
    /// that this process re-takes. Returns how many it submitted.
    async fn recover(&self) -> Result<usize, sqlx::Error> {
        let mut submitted = 0;
        for orphan in self.orphans().await? {
            if self.retake(&orphan).await? {
                self.start(&orphan.run, orphan.execution_id).await;
                submitted += 1;
            }
        }
        Ok(submitted)
    }

    async fn orphans(&self) -> Result<Vec<Orphan>, sqlx::Error> {
        let db = self.store.db();
        let before = Utc::now() - chrono::Duration::from_std(ORPHAN_AFTER).unwrap_or_default();
        let rows = sqlx::query(&db.sql(
            "SELECT workflow_id, node_id, due_at, fired_at, execution_id, workflow_version, item \
             FROM schedule_fires WHERE accepted_at IS NULL AND fired_at < $1 \
             AND execution_id IS NOT NULL ORDER BY due_at",
        ))
        .bind(before.timestamp_millis())
        .fetch_all(db.pool())
        .await?;
        let mut orphans = Vec::with_capacity(rows.len());
        for row in rows {
            let due_at: i64 = row.try_get("due_at")?;
            let Some(due) = DateTime::<Utc>::from_timestamp_millis(due_at) else {
                continue;
            };
            let item: String = row.try_get("item")?;
            orphans.push(Orphan {
                run: ScheduledRun {
                    workflow_id: row.try_get("workflow_id")?,
                    version: row.try_get::<i64, _>("workflow_version")? as u64,
                    node_id: row.try_get("node_id")?,
                    due,
                    item: serde_json::from_str(&item).unwrap_or_default(),
                },
                fired_at: row.try_get("fired_at")?,
                execution_id: row.try_get("execution_id")?,
            });
        }
        Ok(orphans)
    }

    /// Whether this process re-took the claim (no other process did since it was read).
    async fn retake(&self, orphan: &Orphan) -> Result<bool, sqlx::Error> {
        let db = self.store.db();
        let updated = sqlx::query(&db.sql(
            "UPDATE schedule_fires SET fired_at = $1 WHERE workflow_id = $2 AND node_id = $3 \
             AND due_at = $4 AND fired_at = $5 AND accepted_at IS NULL",
        ))
        .bind(Utc::now().timestamp_millis())
        .bind(&orphan.run.workflow_id)
        .bind(&orphan.run.node_id)
        .bind(orphan.run.due.timestamp_millis())
        .bind(orphan.fired_at)
        .execute(db.pool())
        .await?
        .rows_affected();
        Ok(updated == 1)
    }

    /// Looks for orphaned claims now and every [`RECOVER_EVERY`] while the process runs.
    pub async fn recover_forever(self: Arc<Self>) {
        loop {
            match self.recover().await {
                Ok(0) => {}
                Ok(submitted) => {
                    tracing::warn!(
                        submitted,
                        "schedule claims left by a stopped process were submitted again"
                    )
                }
                Err(error) => tracing::warn!(%error, "cannot look for orphaned schedule claims"),
            }
            tokio::time::sleep(RECOVER_EVERY).await;
        }
    }

    async fn prune(&self) -> Result<(), sqlx::Error> {
        {
            let mut last = self.last_prune.lock().expect("prune lock");
            if last.is_some_and(|t| t.elapsed() < PRUNE_EVERY) {
                return Ok(());
            }
            *last = Some(std::time::Instant::now());
        }
        let keep = chrono::Duration::from_std(self.keep).unwrap_or_default();
        let db = self.store.db();
        sqlx::query(&db.sql("DELETE FROM schedule_fires WHERE due_at < $1"))
            .bind((Utc::now() - keep).timestamp_millis())
            .execute(db.pool())
            .await?;
        Ok(())
    }
}

#[async_trait]
impl FireSchedule for ScheduleFirer {
    async fn fire(&self, run: ScheduledRun) {
        let execution_id = uuid::Uuid::now_v7().to_string();
        match self.claim(&run, &execution_id).await {
            Ok(true) => self.start(&run, execution_id).await,
            Ok(false) => return,
            Err(error) => {
                tracing::error!(%error, workflow = %run.workflow_id, "cannot claim a schedule due time");
                return;
            }
        }
        if let Err(error) = self.prune().await {
            tracing::warn!(%error, "cannot prune old schedule claims");
        }
    }
}
