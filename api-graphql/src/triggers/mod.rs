//! Triggers that start executions from outside: webhooks (`/webhook/…`, `/webhook-test/…`) and
//! schedules. Both follow the workflows read model through [`watch::watch_workflows`], so they
//! also see workflows activated through another process.

pub mod routes;
pub mod scheduler;
pub mod watch;
