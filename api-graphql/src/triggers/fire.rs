//! Starting a due schedule exactly once across processes: claim the due time in
//! `schedule_fires`, then submit the execution.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use weft_commands::EventStore;
use weft_domain::execution::{ExecutionMode, Trigger};
use weft_domain::metadata::Actor;
use weft_executor::Item;
use weft_executor::service::{ExecutionService, Submission, WorkflowVersion};

use super::scheduler::{FireSchedule, ScheduledRun};

/// How often old claims are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(600);

/// Claims due times in the store and submits their executions.
pub struct ScheduleFirer {
    store: EventStore,
    executions: ExecutionService,
    /// Claims older than this are deleted (longer than any catch-up window).
    keep: Duration,
    last_prune: Mutex<Option<std::time::Instant>>,
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

    /// Whether this process won the due time.
    async fn claim(&self, run: &ScheduledRun) -> Result<bool, sqlx::Error> {
        let db = self.store.db();
        let sql = db.sql(
            "INSERT INTO schedule_fires (workflow_id, node_id, due_at, fired_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        );
        let inserted = sqlx::query(&sql)
            .bind(&run.workflow_id)
            .bind(&run.node_id)
            .bind(run.due.timestamp_millis())
            .bind(Utc::now().timestamp_millis())
            .execute(db.pool())
            .await?
            .rows_affected();
        Ok(inserted == 1)
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
        match self.claim(&run).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(error) => {
                tracing::error!(%error, workflow = %run.workflow_id, "cannot claim a schedule due time");
                return;
            }
        }
        let item = match run.item {
            serde_json::Value::Object(json) => Item::new(json),
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
        match self.executions.submit(submission).await {
            Ok(handle) => tracing::info!(
                workflow = %run.workflow_id,
                execution = %handle.execution_id,
                due = %run.due,
                "schedule fired"
            ),
            Err(error) => {
                tracing::error!(%error, workflow = %run.workflow_id, "schedule could not start its execution")
            }
        }
        if let Err(error) = self.prune().await {
            tracing::warn!(%error, "cannot prune old schedule claims");
        }
    }
}
