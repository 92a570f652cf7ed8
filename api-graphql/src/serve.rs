//! `weft serve`: open the store, run the projections and serve HTTP (health, readiness and the
//! GraphQL API on `/graphql`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use weft_api_graphql::graphql::presence::Presence;
use weft_api_graphql::graphql::{self, Api, Limits};
use weft_api_graphql::metrics::MetricsEndpoint;
use weft_api_graphql::static_ui::StaticUi;
use weft_api_graphql::triggers::Triggers;
use weft_api_graphql::triggers::webhook::{DEFAULT_BODY_LIMIT, WebhookEndpoints};
use weft_commands::EventStore;
use weft_projections::{ProjectionFeed, ProjectionRunner, TableSet};

use crate::config::Config;

struct AppState {
    store: EventStore,
    feed: ProjectionFeed,
}

/// Runs the server until the process is stopped.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let store = EventStore::open(&config.database_url).await?;
    let _lock = crate::embedded::lock(&store)?;
    let runner = ProjectionRunner::new(store.clone(), TableSet::live()).await?;
    let feed = runner.feed();
    tokio::spawn(async move {
        if let Err(error) = runner.run().await {
            tracing::error!(%error, "projection runner stopped");
        }
    });
    let master = config.master_key()?;
    let executions = crate::worker_cmd::execution_service(&store, &master)?;
    if !executions.is_durable() {
        crate::embedded::recover_unfinished(store.clone(), feed.clone(), executions.clone());
    }
    let presence = match &config.redis_url {
        Some(url) => Presence::redis(url)
            .await
            .map_err(|e| anyhow::anyhow!("cannot use Redis at {}: {e}", redact(url)))?,
        None => Presence::default(),
    };
    let api = Api::with_executions(store.clone(), feed.clone(), executions.clone(), &master)
        .with_presence(presence);
    let triggers = Triggers::start(
        &store,
        feed.clone(),
        executions.clone(),
        api.webhook_routes.clone(),
    )
    .await?;
    let webhooks = WebhookEndpoints {
        routes: triggers.routes.clone(),
        executions,
        body_limit: DEFAULT_BODY_LIMIT,
    };
    let metrics = MetricsEndpoint::new(store.clone(), feed.clone());
    if api.access.setup_required().await? {
        println!(
            "No owner yet: open the UI to set one up, or run `weft user create-owner --email E --password P`"
        );
    }
    let state = Arc::new(AppState { store, feed });
    let ui = StaticUi::from_env();
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .merge(graphql::router(api, Limits::default()))
        .merge(webhooks.router())
        .merge(metrics.router())
        .merge(ui.clone().router())
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    tracing::info!(listen = %config.listen, database = %redact(&config.database_url), "weft is serving");
    println!("weft listening on http://{}", config.listen);
    println!("GraphQL (and GraphiQL) on http://{}/graphql", config.listen);
    if ui.is_built() {
        println!("Editor on http://{}/", config.listen);
    } else {
        println!(
            "Editor UI not built: no index.html in {} (run `make run`, or set WEFT_UI_DIR)",
            ui.dir().display()
        );
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

/// Ready when the database answers; reports how far the read models are.
async fn ready(State(state): State<Arc<AppState>>) -> (StatusCode, Json<serde_json::Value>) {
    let position = *state.feed.position().borrow();
    match sqlx::query("SELECT 1")
        .execute(state.store.db().pool())
        .await
    {
        Ok(_) => (
            StatusCode::OK,
            Json(json!({"status": "ready", "projectedPosition": position.to_string()})),
        ),
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "error": error.to_string()})),
        ),
    }
}

/// Hides the password of a database URL for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(
            super::redact("postgres://weft:s3cret@db/weft"),
            "postgres://weft:***@db/weft"
        );
        assert_eq!(
            super::redact("sqlite://weft-data/weft.db"),
            "sqlite://weft-data/weft.db"
        );
    }
}
