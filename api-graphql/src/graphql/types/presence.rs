//! Who has a workflow open.

use async_graphql::{ID, SimpleObject};

/// The people who have a workflow open right now.
#[derive(Debug, Clone, SimpleObject)]
pub struct WorkflowPresence {
    /// The workflow.
    pub workflow_id: ID,
    /// The present actors (`user:ada`, …), sorted, each once.
    pub actors: Vec<String>,
}
