//! Event append throughput and command latency, SQLite and Postgres, 1 and 64 writers.
//! Run with `cargo bench -p weft-commands --bench append` (Postgres rows need
//! `WEFT_TEST_POSTGRES_URL`; `ops/bench/run.sh` starts a server). Prints a table.
//!
//! Arguments narrow the run: `sqlite` / `postgres` pick a backend, `appends` skips the command
//! latency columns, a number picks the writer count; `WEFT_BENCH_RUNS=N` repeats each row.
//! Appends build each event as a caller on the hot path does ([`NewEvent::new`] serialises the
//! domain event and its metadata once); `serialized` appends cqrs-es `SerializedEvent`s built
//! with `json!` instead (the repository path).
//! `cpu µs/event` is the process's CPU time (user + system, all threads) per appended event: it
//! moves far less than events/s when other processes load the machine.
//! `disk sync ms` is the median time to make a 4 KiB overwrite durable on the disk under the temp
//! directory (where the SQLite file and the test Postgres cluster live), probed just before and
//! just after the appends (averaged; the disk's load comes in bursts, so it is approximate). Every commit waits for at least one such sync and each writer has one command in flight,
//! so `writers / sync` (the `sync bound` column) caps events/s whatever the store does: on a
//! shared machine whose disk is busy, compare events/s with that bound.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};

use chrono::Utc;
use cqrs_es::persist::SerializedEvent;
use serde_json::json;
use weft_commands::testing::{TestDb, process_cpu_time};
use weft_commands::{Backend, EventStore, NewEvent, WorkflowCommands};
use weft_domain::metadata::{Actor, EventMetadata};
use weft_domain::workflow::{WorkflowAction, WorkflowCommand, WorkflowEvent, WorkflowServices};

/// The allocator of the `weft` binary, so the figures are those of the server.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RUN_FOR: Duration = Duration::from_secs(4);

fn event(aggregate: &str, sequence: usize) -> SerializedEvent {
    SerializedEvent {
        aggregate_id: aggregate.to_string(),
        sequence,
        aggregate_type: "bench".into(),
        event_type: "NodeMoved".into(),
        event_version: "1.0".into(),
        payload: json!({"type": "NodeMoved", "nodeId": "n1", "position": [sequence, 40]}),
        metadata: json!({"actor": "system:bench", "timestamp": "2026-11-27T00:00:00Z", "correlationId": "b"}),
    }
}

/// The same event as [`event`], built the hot-path way.
fn new_event(aggregate: &str, sequence: usize, metadata: &EventMetadata) -> NewEvent {
    let payload = WorkflowEvent::NodeMoved {
        node_id: "n1".into(),
        position: [sequence as f64, 40.0],
    };
    NewEvent::new(
        "bench",
        aggregate,
        sequence as u64,
        "NodeMoved",
        "1.0",
        &payload,
        metadata,
    )
    .expect("serialisable event")
}

/// Median milliseconds to overwrite 4 KiB of a file under the temp directory and sync it.
fn disk_sync_ms() -> f64 {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = File::create(dir.path().join("sync-probe")).expect("probe file");
    let block = [7u8; 4096];
    file.write_all_at(&block, 0).expect("write probe");
    file.sync_all().expect("sync probe");
    let mut times: Vec<f64> = (0..25)
        .map(|_| {
            let started = Instant::now();
            file.write_all_at(&block, 0).expect("write probe");
            file.sync_data().expect("sync probe");
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(|a, b| a.total_cmp(b));
    times[times.len() / 2]
}

/// Events per second with `writers` tasks each appending one event at a time to its own aggregate;
/// returns (events/s, events per commit, CPU µs per event).
async fn append_throughput(
    store: &EventStore,
    writers: usize,
    serialized: bool,
) -> (f64, f64, f64) {
    let batches_before = *store.appended().borrow();
    let cpu_before = process_cpu_time();
    let started = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let aggregate = format!("w{writers}-{w}");
                let metadata = EventMetadata {
                    actor: Actor::system("bench"),
                    timestamp: Utc::now(),
                    correlation_id: "b".into(),
                    causation_id: None,
                };
                let mut sequence = 0;
                while started.elapsed() < RUN_FOR {
                    sequence += 1;
                    let appended = if serialized {
                        store.append(vec![event(&aggregate, sequence)]).await
                    } else {
                        store
                            .append_new(vec![new_event(&aggregate, sequence, &metadata)])
                            .await
                    };
                    appended.expect("append");
                }
                sequence
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    let cpu = (process_cpu_time() - cpu_before).as_secs_f64() * 1e6 / total.max(1) as f64;
    let batches = store
        .appended()
        .borrow()
        .wrapping_sub(batches_before)
        .max(1);
    (
        total as f64 / started.elapsed().as_secs_f64(),
        total as f64 / batches as f64,
        cpu,
    )
}

/// Latencies of full workflow commands (load, decide, append) with `writers` concurrent editors,
/// each on its own workflow; returns (p50 ms, p99 ms, commands/s).
async fn command_latency(store: &EventStore, writers: usize) -> (f64, f64, f64) {
    let commands = WorkflowCommands::new(store.clone(), WorkflowServices::default());
    let meta = EventMetadata {
        actor: Actor::system("bench"),
        timestamp: Utc::now(),
        correlation_id: "b".into(),
        causation_id: None,
    };
    let node =
        serde_json::from_value(json!({"id": "n1", "type": "n8n-nodes-base.set", "name": "Set"}))
            .unwrap();
    let mut ids = Vec::new();
    for _ in 0..writers {
        let (id, _) = commands
            .create("bench", "", Default::default(), &meta)
            .await
            .unwrap();
        commands
            .execute(
                &id,
                WorkflowCommand::new(WorkflowAction::AddNode {
                    node: Clone::clone(&node),
                }),
                &meta,
            )
            .await
            .unwrap();
        ids.push(id);
    }
    let started = Instant::now();
    let tasks: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let commands = commands.clone();
            let meta = meta.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut x = 0.0;
                // Streams stay short (≤ 200 events) as an edited workflow's do between snapshots.
                while started.elapsed() < RUN_FOR && latencies.len() < 200 {
                    x += 1.0;
                    let action = WorkflowAction::MoveNode {
                        node_id: "n1".into(),
                        position: [x, 0.0],
                    };
                    let t = Instant::now();
                    commands
                        .execute(&id, WorkflowCommand::new(action), &meta)
                        .await
                        .unwrap();
                    latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    (pct(0.50), pct(0.99), all.len() as f64 / elapsed)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |word: &str| args.iter().any(|a| a == word);
    let mut backends = Vec::new();
    if wants("sqlite") || !wants("postgres") {
        backends.push(Backend::Sqlite);
    }
    if wants("postgres") || !wants("sqlite") {
        if std::env::var("WEFT_TEST_POSTGRES_URL").is_ok() {
            backends.push(Backend::Postgres);
        } else {
            eprintln!(
                "WEFT_TEST_POSTGRES_URL not set: Postgres rows skipped (ops/bench/run.sh starts Postgres)"
            );
        }
    }
    let mut writer_counts: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if writer_counts.is_empty() {
        writer_counts = vec![1, 64];
    }
    let latency = !wants("appends");
    let serialized = wants("serialized");
    let runs: usize = std::env::var("WEFT_BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    println!(
        "| backend  | writers | appends events/s | target    | disk sync ms | sync bound ev/s | events/commit | cpu µs/event | command p50 ms | command p99 ms | commands/s |"
    );
    println!(
        "|----------|---------|------------------|-----------|--------------|-----------------|---------------|--------------|----------------|----------------|------------|"
    );
    for backend in backends {
        for &writers in &writer_counts {
            for _ in 0..runs {
                let db = TestDb::of(backend).await;
                let store = EventStore::open(&db.url).await.unwrap();
                let sync_before = disk_sync_ms();
                let (rate, per_batch, cpu) = append_throughput(&store, writers, serialized).await;
                // The disk's load comes in bursts: probe on both sides of the run.
                let sync = (sync_before + disk_sync_ms()) / 2.0;
                let bound = writers as f64 * 1000.0 / sync;
                let (p50, p99, cps) = if latency {
                    command_latency(&store, writers).await
                } else {
                    (f64::NAN, f64::NAN, f64::NAN)
                };
                let target = match (backend, writers) {
                    (Backend::Sqlite, 64) => ">= 50,000",
                    (Backend::Postgres, 64) => ">= 20,000",
                    _ => "-",
                };
                println!(
                    "| {:<8} | {writers:>7} | {rate:>16.0} | {target:<9} | {sync:>12.3} | {bound:>15.0} | {per_batch:>13.1} | {cpu:>12.1} | {p50:>14.2} | {p99:>14.2} | {cps:>10.0} |",
                    format!("{backend:?}").to_lowercase()
                );
            }
        }
    }
}
