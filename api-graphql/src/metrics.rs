//! `/metrics` in Prometheus text format. Counters and histograms are recorded where things happen
//! (through the `metrics` facade); state that other processes change too (executions by status,
//! projection lag) is read from the database when scraped, so every process reports the truth.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_graphql::Response as GraphQLResponse;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextSubscribe};
use futures::StreamExt;
use futures::stream::BoxStream;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sqlx::Row;
use weft_commands::EventStore;
use weft_projections::ProjectionFeed;

/// Histogram buckets in seconds: 50 µs … 30 s.
const SECONDS_BUCKETS: &[f64] = &[
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
    2.5, 5.0, 10.0, 30.0,
];

/// The process-wide recorder (installed once; later calls share it).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
            .expect("valid buckets")
            .install_recorder()
            .expect("one metrics recorder per process")
    })
}

/// What the endpoint reads at scrape time.
#[derive(Clone)]
pub struct MetricsEndpoint {
    store: EventStore,
    feed: ProjectionFeed,
}

impl MetricsEndpoint {
    /// Installs the recorder (if no other was), describes the metrics and starts its upkeep.
    /// Must be called inside a tokio runtime.
    pub fn new(store: EventStore, feed: ProjectionFeed) -> Self {
        handle();
        tokio::spawn(upkeep_forever());
        metrics::describe_gauge!(
            "weft_executions",
            "Executions in the read model by status (all processes)."
        );
        metrics::describe_gauge!(
            "weft_projection_lag_events",
            "Events committed to the log but not yet in this process's read models."
        );
        metrics::describe_gauge!(
            "weft_projected_position",
            "Global position of the last event in this process's read models."
        );
        metrics::describe_counter!(
            "weft_executions_finished_total",
            "Executions this process ran to an end (or suspended), by status."
        );
        metrics::describe_histogram!(
            "weft_node_run_seconds",
            metrics::Unit::Seconds,
            "Wall-clock duration of node runs in this process."
        );
        metrics::describe_histogram!(
            "weft_append_seconds",
            metrics::Unit::Seconds,
            "Time from a command's append to its durable commit (group commit included)."
        );
        metrics::describe_gauge!(
            "weft_subscriptions",
            "GraphQL subscriptions open in this process."
        );
        metrics::describe_counter!(
            "weft_subscription_catch_ups_total",
            "Times a subscription fell behind the projection feed and read what it missed from the log."
        );
        metrics::describe_histogram!(
            "weft_webhook_seconds",
            metrics::Unit::Seconds,
            "Time from a webhook request to its answer, by HTTP status."
        );
        Self { store, feed }
    }

    /// `GET /metrics`.
    pub fn router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        Router::new()
            .route("/metrics", get(scrape))
            .with_state(Arc::new(self))
    }
}

/// How often histogram samples are folded into their buckets.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// Folds recorded histogram samples into their buckets now and then. The recorder keeps every
/// sample until then (a scrape does it too): unscraped, a server held about 120 bytes more per
/// webhook execution, 12–15 MB per 10 s at c=64, and never gave them back.
async fn upkeep_forever() {
    let mut every = tokio::time::interval(UPKEEP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        handle().run_upkeep();
    }
}

async fn scrape(State(endpoint): State<Arc<MetricsEndpoint>>) -> Response {
    if let Err(error) = refresh(&endpoint).await {
        tracing::warn!(%error, "metrics: cannot read the database");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("cannot read the database: {error}\n"),
        )
            .into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
        .into_response()
}

/// Sets the gauges that come from the database.
async fn refresh(endpoint: &MetricsEndpoint) -> Result<(), Box<dyn std::error::Error>> {
    let db = endpoint.store.db();
    let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM executions GROUP BY status")
        .fetch_all(db.pool())
        .await?;
    for status in [
        "queued",
        "running",
        "waiting",
        "succeeded",
        "failed",
        "canceled",
    ] {
        let count = rows
            .iter()
            .find(|row| row.try_get::<String, _>("status").ok().as_deref() == Some(status))
            .and_then(|row| row.try_get::<i64, _>("n").ok())
            .unwrap_or(0);
        metrics::gauge!("weft_executions", "status" => status).set(count as f64);
    }
    let head = endpoint.store.head().await?;
    let projected = *endpoint.feed.position().borrow();
    metrics::gauge!("weft_projected_position").set(projected.position as f64);
    metrics::gauge!("weft_projection_lag_events")
        .set((head.position - projected.position).max(0) as f64);
    Ok(())
}

/// Counts open GraphQL subscriptions in the `weft_subscriptions` gauge: one more when a
/// subscription starts, one less when its stream is dropped (completed, stopped or the socket
/// closed).
pub struct SubscriptionGauge;

impl ExtensionFactory for SubscriptionGauge {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SubscriptionGauge)
    }
}

#[async_trait::async_trait]
impl Extension for SubscriptionGauge {
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, GraphQLResponse>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, GraphQLResponse> {
        let open = OpenSubscription::new();
        next.run(ctx, stream)
            .map(move |response| {
                let _counted = &open;
                response
            })
            .boxed()
    }
}

/// One open subscription in the gauge, for as long as it lives.
struct OpenSubscription;

impl OpenSubscription {
    fn new() -> Self {
        metrics::gauge!("weft_subscriptions").increment(1.0);
        Self
    }
}

impl Drop for OpenSubscription {
    fn drop(&mut self) {
        metrics::gauge!("weft_subscriptions").decrement(1.0);
    }
}
