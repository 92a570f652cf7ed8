//! `/metrics` of a real `weft serve`: the subscription gauge follows open subscriptions.

mod common;

use std::time::{Duration, Instant};

use common::processes::serve;
use common::{PATIENCE, sample_definition};
use serde_json::json;

/// The value of an unlabelled metric, once `/metrics` shows it.
async fn metric(address: &str, name: &str) -> Option<f64> {
    let text = reqwest::get(format!("http://{address}/metrics"))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find(|line| line.split(' ').next() == Some(name))
        .and_then(|line| line.rsplit(' ').next()?.parse().ok())
}

/// Waits until the metric has `value`.
async fn await_metric(address: &str, name: &str, value: f64) {
    let started = Instant::now();
    loop {
        let seen = metric(address, name).await;
        if seen == Some(value) {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "{name} stayed {seen:?}, expected {value}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subscription_gauge_follows_open_subscriptions() {
    let weft = serve(&[]).await;
    let created = weft
        .data(
            "mutation($definition: JSON) { createWorkflow(name: \"watched\", definition: $definition) { workflowId } }",
            json!({"definition": sample_definition()}),
        )
        .await;
    let id = created["createWorkflow"]["workflowId"].clone();
    // A subscription to a workflow the read models do not show yet ends at once (NOT_FOUND).
    weft.await_version(id.as_str().unwrap(), 1).await;
    let events = "subscription($id: ID!) { workflowEvents(workflowId: $id) { version } }";

    let mut first = weft.ws_client(&weft.token).await;
    first.subscribe("a", events, json!({"id": id})).await;

    let mut second = weft.ws_client(&weft.token).await;
    second.subscribe("b", events, json!({"id": id})).await;

    second.subscribe("c", events, json!({"id": id})).await;
    await_metric(&weft.address, "weft_subscriptions", 3.0).await;

    // Completing one subscription and closing a socket end theirs.
    second.send(json!({"id": "c", "type": "complete"})).await;
    await_metric(&weft.address, "weft_subscriptions", 2.0).await;
    first.close().await;
    await_metric(&weft.address, "weft_subscriptions", 1.0).await;
    second.close().await;
    await_metric(&weft.address, "weft_subscriptions", 0.0).await;

    // The workflow's creation went through the event store: its append latency is recorded.
    let text = reqwest::get(format!("http://{}/metrics", weft.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let appends = text
        .lines()
        .find(|l| l.starts_with("weft_append_seconds_count"))
        .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .unwrap_or(0.0);
    assert!(appends >= 1.0, "{text}");
}
