//! Triggers that start executions from outside: webhooks (`/webhook/…`, `/webhook-test/…`) and
//! schedules. Both follow the workflows read model through [`watch::watch_workflows`], so they
//! also see workflows activated through another process.

pub mod fire;
pub mod routes;
pub mod scheduler;
pub mod watch;
pub mod webhook;

use std::sync::Arc;
use std::time::Duration;

use weft_commands::EventStore;
use weft_executor::service::ExecutionService;
use weft_projections::{ProjectionError, ProjectionFeed, ReadModels};

/// Runs missed within this window before start-up still fire once.
pub const SCHEDULE_CATCH_UP: Duration = Duration::from_secs(3600);

/// The running triggers of one process.
pub struct Triggers {
    /// The webhook route tables (also used to refuse clashing activations).
    pub routes: Arc<routes::WebhookRoutes>,
}

impl Triggers {
    /// Loads the active workflows into `routes`, starts following the projection feed and the
    /// scheduler. Returns once the route tables hold every workflow.
    pub async fn start(
        store: &EventStore,
        feed: ProjectionFeed,
        executions: ExecutionService,
        routes: Arc<routes::WebhookRoutes>,
    ) -> Result<Self, ProjectionError> {
        let scheduler = Arc::new(scheduler::Scheduler::new(SCHEDULE_CATCH_UP));
        watch::watch_workflows(
            ReadModels::new(store.db().clone()),
            feed,
            vec![routes.clone(), scheduler.clone()],
        )
        .await?;
        let firer = Arc::new(fire::ScheduleFirer::new(
            store.clone(),
            executions,
            SCHEDULE_CATCH_UP * 2,
        ));
        tokio::spawn(firer.clone().recover_forever());
        tokio::spawn(scheduler.run(firer));
        Ok(Self { routes })
    }
}
