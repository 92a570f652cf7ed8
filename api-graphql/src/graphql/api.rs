//! What the resolvers use: commands on the event store, the read models and the projection feed.

use std::sync::Arc;
use std::time::Duration;

use weft_commands::auth::TokenLifetimes;
use weft_commands::secrets::{Credentials, MasterKey};
use weft_commands::{Access, EventStore, WorkflowCommands};
use weft_domain::workflow::WorkflowServices;
use weft_executor::StoredCredentials;
use weft_executor::service::{ExecutionService, ServiceConfig};
use weft_projections::{ProjectionFeed, ReadModels, WorkflowRow};

use super::error::ApiError;
use super::presence::Presence;
use crate::triggers::routes::WebhookRoutes;

/// How long a mutation's `workflow` field waits for the read models to include the mutation.
const READ_YOUR_WRITES: Duration = Duration::from_secs(10);

/// Shared services of the GraphQL API; cheap to clone.
#[derive(Clone)]
pub struct Api {
    /// The event store (for reading a workflow's raw events).
    pub store: EventStore,
    /// Workflow commands.
    pub commands: WorkflowCommands,
    /// Read-model queries.
    pub read: ReadModels,
    /// Events after they reached the read models.
    pub feed: ProjectionFeed,
    /// The node catalog and other aggregate services.
    pub services: WorkflowServices,
    /// Submits, stops and retries executions.
    pub executions: ExecutionService,
    /// The webhook routes of active workflows (to refuse activations whose paths clash).
    pub webhook_routes: Arc<WebhookRoutes>,
    /// Who has which workflow open.
    pub presence: Presence,
    /// Users, sign-in, tokens and API keys.
    pub access: Access,
    /// Encrypted credentials.
    pub credentials: Credentials,
}

impl Api {
    /// The API over `store`, whose projection runner publishes `feed`, with an execution
    /// service of default settings; tokens are signed and secrets encrypted with keys derived
    /// from `master`. Must be called inside a tokio runtime.
    pub fn new(store: EventStore, feed: ProjectionFeed, master: &MasterKey) -> Self {
        let credentials = StoredCredentials::new(Credentials::new(store.clone(), master));
        let config = ServiceConfig {
            credentials: Some(Arc::new(credentials)),
            ..ServiceConfig::default()
        };
        let executions = ExecutionService::new(store.clone(), config);
        Self::with_executions(store, feed, executions, master)
    }

    /// The API over `store` running executions with `executions`.
    pub fn with_executions(
        store: EventStore,
        feed: ProjectionFeed,
        executions: ExecutionService,
        master: &MasterKey,
    ) -> Self {
        let services = WorkflowServices::default();
        Self {
            access: Access::new(store.clone(), master, TokenLifetimes::default()),
            credentials: Credentials::new(store.clone(), master),
            commands: WorkflowCommands::new(store.clone(), services.clone()),
            read: ReadModels::new(store.db().clone()),
            store,
            feed,
            services,
            executions,
            webhook_routes: Arc::new(WebhookRoutes::new()),
            presence: Presence::default(),
        }
    }

    /// The same API with another presence service (Redis, to share presence between processes).
    pub fn with_presence(mut self, presence: Presence) -> Self {
        self.presence = presence;
        self
    }

    /// Waits (bounded) until the read models include every event committed before the call, so
    /// a list read right after a mutation includes it.
    pub async fn caught_up(&self) {
        let Ok(head) = self.store.head().await else {
            return;
        };
        let mut position = self.feed.position();
        let _ = tokio::time::timeout(READ_YOUR_WRITES, position.wait_for(|p| *p >= head)).await;
    }

    /// The workflow's read-model row, or `NOT_FOUND`.
    pub async fn workflow(&self, id: &str) -> Result<WorkflowRow, ApiError> {
        self.read
            .workflow(id)
            .await?
            .ok_or_else(|| ApiError::WorkflowNotFound(id.to_string()))
    }

    /// The workflow's row once the read models include `version` (read your writes). After a
    /// bounded wait it answers with what the read models have.
    pub async fn workflow_at_least(&self, id: &str, version: u64) -> Result<WorkflowRow, ApiError> {
        let mut position = self.feed.position();
        let deadline = tokio::time::Instant::now() + READ_YOUR_WRITES;
        loop {
            position.borrow_and_update();
            if let Some(row) = self.read.workflow(id).await?
                && row.version >= version
            {
                return Ok(row);
            }
            match tokio::time::timeout_at(deadline, position.changed()).await {
                Ok(Ok(())) => continue,
                Ok(Err(_)) | Err(_) => return self.workflow(id).await,
            }
        }
    }
}
