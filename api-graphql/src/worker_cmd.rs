//! Execution settings of `weft serve` (and later `weft worker`), read from the environment:
//! `WEFT_EXECUTION_CONCURRENCY` (executions running at once in this process, default 128).

use std::sync::Arc;

use anyhow::Context;
use weft_commands::EventStore;
use weft_commands::secrets::{Credentials, MasterKey};
use weft_executor::StoredCredentials;
use weft_executor::service::{ExecutionService, ServiceConfig};

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

/// The execution service of this process, configured from the environment; nodes get the
/// credentials they reference decrypted with `master`.
pub fn execution_service(
    store: &EventStore,
    master: &MasterKey,
) -> anyhow::Result<ExecutionService> {
    let defaults = ServiceConfig::default();
    let credentials = StoredCredentials::new(Credentials::new(store.clone(), master));
    let config = ServiceConfig {
        concurrency: positive("WEFT_EXECUTION_CONCURRENCY", defaults.concurrency)?,
        credentials: Some(Arc::new(credentials)),
        ..defaults
    };
    Ok(ExecutionService::new(store.clone(), config))
}
