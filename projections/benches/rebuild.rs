//! Rebuild time of every read model from 1,000,000 events on SQLite (target ≤ 20 s).
//! Run with `cargo bench -p weft-projections --bench rebuild` (`WEFT_BENCH_EVENTS` overrides the
//! count). Prints a table.

use std::time::Instant;

use cqrs_es::persist::SerializedEvent;
use serde_json::json;
use weft_commands::EventStore;
use weft_commands::testing::{TestDb, process_cpu_time};
use weft_domain::workflow::WORKFLOW_EVENT_VERSION;
use weft_projections::{ProjectionRunner, TableSet};

/// The allocator of the `weft` binary, so the figures are those of `weft projections rebuild`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EVENTS_PER_WORKFLOW: usize = 1_000;

fn workflow_events(id: &str) -> Vec<SerializedEvent> {
    let meta = json!({"actor": "user:bench", "timestamp": "2026-11-27T12:00:00.000000Z", "correlationId": "bench"});
    (1..=EVENTS_PER_WORKFLOW)
        .map(|sequence| {
            let payload = match sequence {
                1 => json!({"type": "WorkflowCreated", "name": format!("Workflow {id}"), "description": "", "definition": {}}),
                2..=21 => json!({"type": "NodeAdded", "node": {
                    "id": format!("n{sequence}"), "type": "n8n-nodes-base.set", "typeVersion": 3.4,
                    "name": format!("Set {sequence}"), "position": [sequence * 200, 300],
                    "parameters": {"assignments": {"assignments": [{"name": "x", "value": "={{ $json.a }}", "type": "string"}]}}
                }}),
                s if s % 2 == 0 => json!({"type": "NodeMoved", "nodeId": format!("n{}", 2 + s % 20), "position": [s, 40]}),
                s => json!({"type": "NodeUpdated", "nodeId": format!("n{}", 2 + s % 20), "changes": {"notes": format!("edit {s}")}}),
            };
            SerializedEvent {
                aggregate_id: id.to_string(),
                sequence,
                aggregate_type: "workflow".into(),
                event_type: payload["type"].as_str().unwrap().to_string(),
                event_version: WORKFLOW_EVENT_VERSION.into(),
                payload,
                metadata: meta.clone(),
            }
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let total: usize = std::env::var("WEFT_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let db = TestDb::sqlite();
    let store = EventStore::open(&db.url).await.unwrap();
    let loading = Instant::now();
    for w in 0..total / EVENTS_PER_WORKFLOW {
        store
            .append(workflow_events(&format!("wf{w:06}")))
            .await
            .unwrap();
    }
    let load_seconds = loading.elapsed().as_secs_f64();
    // The live read models are up to date before a rebuild, as in a running deployment.
    let catching_up = Instant::now();
    let mut live = ProjectionRunner::new(store.clone(), TableSet::live())
        .await
        .unwrap();
    live.catch_up().await.unwrap();
    let catch_up_seconds = catching_up.elapsed().as_secs_f64();
    drop(live);
    let cpu_before = process_cpu_time();
    let rebuilding = Instant::now();
    let report = weft_projections::rebuild(&store, false).await.unwrap();
    let rebuild_total = rebuilding.elapsed().as_secs_f64();
    // CPU of the whole rebuild call (replay into scratch tables, swap-in), all threads.
    let rebuild_cpu = (process_cpu_time() - cpu_before).as_secs_f64();
    let verify = Instant::now();
    weft_projections::rebuild(&store, true).await.unwrap();
    let verify_seconds = verify.elapsed().as_secs_f64();
    println!("| measure                               | value      | target  |");
    println!("|---------------------------------------|------------|---------|");
    println!(
        "| events in the log                     | {:>10} |         |",
        report.events
    );
    println!(
        "| bulk load, events/s                   | {:>10.0} |         |",
        report.events as f64 / load_seconds
    );
    println!(
        "| live catch-up from zero, events/s     | {:>10.0} |         |",
        report.events as f64 / catch_up_seconds
    );
    println!(
        "| replay into scratch tables, s         | {:>10.2} |         |",
        report.seconds
    );
    println!(
        "| rebuild + swap-in (whole command), s  | {:>10.2} | <= 20 s |",
        rebuild_total
    );
    println!(
        "| rebuild rate, events/s                | {:>10.0} |         |",
        report.events as f64 / report.seconds
    );
    println!(
        "| rebuild CPU (all threads), s          | {:>10.2} |         |",
        rebuild_cpu
    );
    println!(
        "| rebuild --verify (rebuild + hashes), s | {:>10.2} |         |",
        verify_seconds
    );
}
