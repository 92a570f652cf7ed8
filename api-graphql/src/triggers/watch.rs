//! Keeps trigger tables in step with the workflows read model: a full load at start, then one
//! reload of a workflow's row whenever the projection feed reports an event of it (the feed of
//! workflow events only, which executions never flood).

use std::sync::Arc;

use tokio::sync::broadcast::error::RecvError;
use weft_projections::{ProjectionFeed, ReadModels, WorkflowFilter, WorkflowRow};

/// Something that derives state from workflows (webhook routes, schedules).
pub trait WorkflowListener: Send + Sync {
    /// The workflow's current row (also for archived or inactive workflows, which usually mean
    /// "remove what you had").
    fn workflow_changed(&self, row: &WorkflowRow);
    /// Replace everything with these rows (every non-archived workflow).
    fn replace_all(&self, rows: &[WorkflowRow]);
}

/// Rows per page of the start-up load.
const PAGE: usize = 500;

/// Feeds `listeners` until the feed closes. Returns after the initial load has been applied,
/// leaving a task that follows the feed.
pub async fn watch_workflows(
    read_models: ReadModels,
    feed: ProjectionFeed,
    listeners: Vec<Arc<dyn WorkflowListener>>,
) -> Result<(), weft_projections::ProjectionError> {
    // Subscribe before loading so that no change between the load and the subscription is missed;
    // a change seen twice only reloads the same row again.
    let mut events = feed.subscribe_workflows();
    load_all(&read_models, &listeners).await?;
    tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => match read_models.workflow(&event.aggregate_id).await {
                    Ok(Some(row)) => listeners.iter().for_each(|l| l.workflow_changed(&row)),
                    Ok(None) => {}
                    Err(error) => {
                        tracing::warn!(%error, "cannot reload a workflow for its triggers")
                    }
                },
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "trigger tables lagged behind the feed; reloading");
                    if let Err(error) = load_all(&read_models, &listeners).await {
                        tracing::error!(%error, "cannot reload trigger tables");
                    }
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
    Ok(())
}

async fn load_all(
    read_models: &ReadModels,
    listeners: &[Arc<dyn WorkflowListener>],
) -> Result<(), weft_projections::ProjectionError> {
    let mut rows = Vec::new();
    let mut filter = WorkflowFilter {
        limit: PAGE,
        ..Default::default()
    };
    loop {
        let page = read_models.workflows(&filter).await?;
        let full = page.len() == PAGE;
        rows.extend(page);
        match rows.last() {
            Some(last) if full => filter.after = Some(last.id.clone()),
            _ => break,
        }
    }
    listeners.iter().for_each(|l| l.replace_all(&rows));
    Ok(())
}
