//! The durable Postgres queue: racing workers run every execution exactly once, a worker whose
//! lease was taken stops without writing, a dead worker's execution is taken over and finished
//! (succeeded node runs replayed, the open one recorded as abandoned and run again), and stops
//! reach executions another service runs or has not started.

use std::time::Duration;

use cqrs_es::Aggregate;
use serde_json::{Value, json};
use sqlx::Executor;
use weft_commands::testing::TestDb;
use weft_commands::{EventStore, WorkflowCommands};
use weft_domain::definition::WorkflowDefinition;
use weft_domain::execution::{Execution, ExecutionCommand, ExecutionEvent};
use weft_domain::metadata::{Actor, EventMetadata};
use weft_domain::workflow::WorkflowServices;
use weft_executor::record::ExecutionRecorder;
use weft_executor::service::{
    ExecutionService, QueueSettings, ServiceConfig, Submission, WorkflowVersion,
};
use weft_executor::{Item, SystemClock};

fn metadata() -> EventMetadata {
    EventMetadata {
        actor: Actor::user("u1"),
        timestamp: chrono::Utc::now(),
        correlation_id: "test".into(),
        causation_id: None,
    }
}

/// Manual Trigger → (Wait `wait_seconds`, when given) → Code (doubles `n`) → Set (`done`).
fn definition(wait_seconds: Option<u64>) -> WorkflowDefinition {
    let mut nodes = vec![
        json!({"id": "t", "type": "n8n-nodes-base.manualTrigger", "name": "Start", "position": [0, 0], "parameters": {}}),
        json!({"id": "c", "type": "n8n-nodes-base.code", "typeVersion": 2, "name": "Double", "position": [400, 0],
               "parameters": {"mode": "runOnceForEachItem", "jsCode": "return {json: {n: $json.n * 2}};"}}),
        json!({"id": "s", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "name": "Done", "position": [600, 0],
               "parameters": {"includeOtherFields": true, "assignments": {"assignments": [{"name": "done", "value": true, "type": "boolean"}]}}}),
    ];
    let mut connections = vec![json!({"source": "c", "target": "s"})];
    match wait_seconds {
        Some(seconds) => {
            nodes.push(json!({"id": "w", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "name": "Pause", "position": [200, 0],
                              "parameters": {"resume": "timeInterval", "amount": seconds, "unit": "seconds"}}));
            connections.push(json!({"source": "t", "target": "w"}));
            connections.push(json!({"source": "w", "target": "c"}));
        }
        None => connections.push(json!({"source": "t", "target": "c"})),
    }
    serde_json::from_value(json!({"nodes": nodes, "connections": connections})).expect("definition")
}

fn durable() -> ServiceConfig {
    ServiceConfig {
        durable_queue: true,
        ..Default::default()
    }
}

fn settings(lease_ms: u64) -> QueueSettings {
    QueueSettings {
        lease: Duration::from_millis(lease_ms),
        poll: Duration::from_millis(100),
    }
}

async fn setup(wait_seconds: Option<u64>) -> (TestDb, EventStore, String) {
    let db = TestDb::postgres().await;
    let store = EventStore::open(&db.url).await.unwrap();
    let commands = WorkflowCommands::new(store.clone(), WorkflowServices::default());
    let (id, _) = commands
        .create("queued", "", definition(wait_seconds), &metadata())
        .await
        .expect("create");
    (db, store, id)
}

fn submission(workflow_id: &str, n: i64) -> Submission {
    let mut submission = Submission::manual(
        workflow_id,
        vec![Item::from_value(json!({"n": n}))],
        Actor::user("u1"),
    );
    submission.version = WorkflowVersion::Exact(1);
    submission
}

/// A worker with its own store (its own connection pool), as another process would have.
async fn worker(
    url: &str,
    lease_ms: u64,
    concurrency: usize,
) -> (ExecutionService, tokio::sync::oneshot::Sender<()>) {
    let store = EventStore::open(url).await.unwrap();
    let service = ExecutionService::new(
        store,
        ServiceConfig {
            concurrency,
            ..durable()
        },
    );
    let worker = service.queue_worker(settings(lease_ms)).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    (service, stop)
}

async fn events(store: &EventStore, execution_id: &str) -> Vec<ExecutionEvent> {
    store
        .stream(Execution::TYPE, execution_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| serde_json::from_value(e.payload).unwrap())
        .collect()
}

fn type_of(event: &ExecutionEvent) -> String {
    cqrs_es::DomainEvent::event_type(event)
}

/// Waits (generously) until the stream satisfies `done`.
async fn wait_for(
    store: &EventStore,
    execution_id: &str,
    done: impl Fn(&[ExecutionEvent]) -> bool,
) -> Vec<ExecutionEvent> {
    for _ in 0..1200 {
        let events = events(store, execution_id).await;
        if done(&events) {
            return events;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "execution {execution_id} did not get there: {:?}",
        events(store, execution_id)
            .await
            .iter()
            .map(type_of)
            .collect::<Vec<_>>()
    );
}

fn ended(events: &[ExecutionEvent]) -> bool {
    events.last().is_some_and(|e| {
        matches!(
            e,
            ExecutionEvent::ExecutionSucceeded
                | ExecutionEvent::ExecutionFailed { .. }
                | ExecutionEvent::ExecutionCanceled
        )
    })
}

fn started_runs(events: &[ExecutionEvent], node: &str) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, ExecutionEvent::NodeRunStarted { node_id, .. } if node_id == node))
        .count()
}

fn output_of(events: &[ExecutionEvent], node: &str) -> Value {
    events
        .iter()
        .find_map(|e| match e {
            ExecutionEvent::NodeRunSucceeded {
                node_id, outputs, ..
            } if node_id == node => Some(outputs[0].items().unwrap()[0]["json"].clone()),
            _ => None,
        })
        .expect("node output")
}

async fn sql(url: &str, statement: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(url)
        .await
        .unwrap();
    conn.execute(statement).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_workers_run_every_execution_exactly_once() {
    let (db, store, workflow_id) = setup(None).await;
    let submitter = ExecutionService::new(store.clone(), durable());
    let mut ids = Vec::new();
    for n in 0..60 {
        let mut handle = submitter.submit(submission(&workflow_id, n)).await.unwrap();
        handle.accepted().await.unwrap();
        ids.push((n, handle.execution_id.clone()));
    }
    let mut workers = Vec::new();
    for _ in 0..4 {
        workers.push(worker(&db.url, 30_000, 3).await);
    }
    for (n, id) in &ids {
        let events = wait_for(&store, id, ended).await;
        let types: Vec<String> = events.iter().map(type_of).collect();
        assert_eq!(types.last().map(String::as_str), Some("ExecutionSucceeded"));
        assert_eq!(types.iter().filter(|t| *t == "ExecutionStarted").count(), 1);
        for node in ["t", "c", "s"] {
            assert_eq!(started_runs(&events, node), 1, "{id}: {types:?}");
        }
        assert_eq!(output_of(&events, "s"), json!({"n": n * 2, "done": true}));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_whose_lease_was_taken_stops_without_appending() {
    let (db, store, workflow_id) = setup(Some(3)).await;
    let submitter = ExecutionService::new(store.clone(), durable());
    let mut handle = submitter.submit(submission(&workflow_id, 5)).await.unwrap();
    handle.accepted().await.unwrap();
    let id = handle.execution_id.clone();
    let (first, stop_first) = worker(&db.url, 900, 4).await;
    let before = wait_for(&store, &id, |events| started_runs(events, "w") == 1).await;
    // Another owner takes the lease (as if this worker had stalled past its expiry).
    sql(
        &db.url,
        &format!(
            "UPDATE execution_queue SET lease_owner = 'thief', lease_until = \
             (extract(epoch from clock_timestamp()) * 1000)::bigint + 600000 \
             WHERE execution_id = '{id}'"
        ),
    )
    .await;
    for _ in 0..600 {
        if !first.is_running_here(&id) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!first.is_running_here(&id), "the worker kept running");
    // Past the Wait's end: nothing was appended by the worker that lost its lease.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(events(&store, &id).await, before);
    drop(stop_first);
    // The thief dies too: its lease expires and a new worker finishes the execution.
    sql(
        &db.url,
        &format!("UPDATE execution_queue SET lease_until = 0 WHERE execution_id = '{id}'"),
    )
    .await;
    let (_second, _stop_second) = worker(&db.url, 30_000, 4).await;
    let events = wait_for(&store, &id, ended).await;
    assert!(matches!(
        events.last(),
        Some(ExecutionEvent::ExecutionSucceeded)
    ));
    assert_eq!(started_runs(&events, "t"), 1);
    assert_eq!(started_runs(&events, "w"), 1);
    assert!(events.iter().any(|e| matches!(e,
        ExecutionEvent::NodeRunFailed { node_id, error, will_retry: true, attempt: 1, .. }
            if node_id == "w" && error.kind == "abandoned")));
    assert!(events.iter().any(|e| matches!(e,
        ExecutionEvent::NodeRunRetried { node_id, next_attempt: 2, .. } if node_id == "w")));
    assert_eq!(output_of(&events, "s"), json!({"n": 10, "done": true}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dead_workers_execution_is_taken_over_without_rerunning_finished_nodes() {
    take_over(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_takeover_replays_blob_backed_outputs_exactly() {
    // The dead owner stored every item list as a blob (threshold 16 bytes).
    take_over(Some(16)).await;
}

/// A worker claimed an execution, recorded the trigger and the Wait (their item lists as blobs
/// when `blob_threshold` is given), started the Code node and died; another worker finishes it.
async fn take_over(blob_threshold: Option<usize>) {
    let (db, store, workflow_id) = setup(Some(1)).await;
    let submitter = ExecutionService::new(store.clone(), durable());
    let mut handle = submitter
        .submit(submission(&workflow_id, 21))
        .await
        .unwrap();
    handle.accepted().await.unwrap();
    let id = handle.execution_id.clone();
    // A worker claimed it, ran the trigger and the Wait, started the Code node and died.
    sql(
        &db.url,
        &format!(
            "UPDATE execution_queue SET state = 'running', lease_owner = 'dead', lease_until = 0 \
             WHERE execution_id = '{id}'"
        ),
    )
    .await;
    let queued = events(&store, &id).await;
    let mut state = Execution::default();
    for event in queued {
        state.apply(event);
    }
    let dead_store = match blob_threshold {
        Some(bytes) => store.clone().with_blob_threshold(bytes),
        None => store.clone(),
    };
    let mut dead = ExecutionRecorder::continuing(
        dead_store,
        &id,
        Actor::user("u1"),
        std::sync::Arc::new(SystemClock),
        state,
    );
    let item = |n: i64| json!({"json": {"n": n}, "pairedItem": {"item": 0}});
    for event in [
        ExecutionEvent::NodeRunStarted {
            node_id: "t".into(),
            run_index: 0,
            inputs: vec![Some(vec![json!({"json": {"n": 21}})].into())],
        },
        ExecutionEvent::NodeRunSucceeded {
            node_id: "t".into(),
            run_index: 0,
            outputs: vec![vec![item(21)].into()],
            duration_ms: 0,
            pinned: false,
        },
        ExecutionEvent::NodeRunStarted {
            node_id: "w".into(),
            run_index: 0,
            inputs: vec![Some(vec![item(21)].into())],
        },
        ExecutionEvent::NodeRunSucceeded {
            node_id: "w".into(),
            run_index: 0,
            outputs: vec![vec![item(21)].into()],
            duration_ms: 1000,
            pinned: false,
        },
        ExecutionEvent::NodeRunStarted {
            node_id: "c".into(),
            run_index: 0,
            inputs: vec![Some(vec![item(21)].into())],
        },
    ] {
        if matches!(event, ExecutionEvent::NodeRunStarted { ref node_id, .. } if node_id == "t") {
            dead.execute(ExecutionCommand::Start).unwrap();
        }
        dead.execute(ExecutionCommand::RecordStep(event)).unwrap();
    }
    dead.finish().await.unwrap();
    if blob_threshold.is_some() {
        let stored = events(&store, &id).await;
        let references = stored
            .iter()
            .flat_map(|e| {
                let mut e = e.clone();
                e.item_data_mut()
                    .into_iter()
                    .filter_map(|data| data.blob().cloned())
                    .collect::<Vec<_>>()
            })
            .count();
        // Inputs of t, outputs of t and w, inputs of w and c (the queued input stays inline: the
        // dead owner did not record it).
        assert_eq!(references, 5);
    }
    let (_worker, _stop) = worker(&db.url, 30_000, 4).await;
    let events = wait_for(&store, &id, ended).await;
    let types: Vec<String> = events.iter().map(type_of).collect();
    assert_eq!(
        types.last().map(String::as_str),
        Some("ExecutionSucceeded"),
        "{types:?}"
    );
    assert_eq!(started_runs(&events, "t"), 1, "{types:?}");
    assert_eq!(started_runs(&events, "w"), 1, "{types:?}");
    assert_eq!(started_runs(&events, "c"), 1, "{types:?}");
    assert_eq!(types.iter().filter(|t| *t == "ExecutionStarted").count(), 1);
    assert!(events.iter().any(|e| matches!(e,
        ExecutionEvent::NodeRunFailed { node_id, error, will_retry: true, .. }
            if node_id == "c" && error.kind == "abandoned")));
    assert_eq!(output_of(&events, "c"), json!({"n": 42}));
    assert_eq!(output_of(&events, "s"), json!({"n": 42, "done": true}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stops_reach_executions_run_or_not_yet_started_elsewhere() {
    let (db, store, workflow_id) = setup(Some(30)).await;
    let submitter = ExecutionService::new(store.clone(), durable());
    // Not started yet: the next worker records the stop instead of running it.
    let mut queued = submitter.submit(submission(&workflow_id, 1)).await.unwrap();
    queued.accepted().await.unwrap();
    submitter.stop(&queued.execution_id).await.unwrap();
    let (_worker, _stop) = worker(&db.url, 30_000, 4).await;
    let events = wait_for(&store, &queued.execution_id, ended).await;
    let types: Vec<String> = events.iter().map(type_of).collect();
    assert_eq!(types, ["ExecutionQueued", "ExecutionCanceled"]);
    // Running in another service (its own pool, as another process): it stops at the Wait.
    let mut running = submitter.submit(submission(&workflow_id, 2)).await.unwrap();
    running.accepted().await.unwrap();
    let id = running.execution_id.clone();
    wait_for(&store, &id, |events| started_runs(events, "w") == 1).await;
    assert!(!submitter.is_running_here(&id));
    submitter.stop(&id).await.unwrap();
    let events = wait_for(&store, &id, ended).await;
    assert!(matches!(
        events.last(),
        Some(ExecutionEvent::ExecutionCanceled)
    ));
    assert!(events.iter().any(|e| matches!(e,
        ExecutionEvent::NodeRunCanceled { node_id, .. } if node_id == "w")));
    assert_eq!(started_runs(&events, "c"), 0);
    // An ended execution cannot be stopped.
    let error = submitter.stop(&id).await.unwrap_err();
    assert_eq!(error.code(), "CONFLICT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_submitter_gets_the_response_and_outcome_from_another_processs_worker() {
    let db = TestDb::postgres().await;
    let store = EventStore::open(&db.url).await.unwrap();
    let commands = WorkflowCommands::new(store.clone(), WorkflowServices::default());
    let definition: WorkflowDefinition = serde_json::from_value(json!({
        "nodes": [
            {"id": "t", "type": "n8n-nodes-base.manualTrigger", "name": "Start", "position": [0, 0], "parameters": {}},
            {"id": "r", "type": "n8n-nodes-base.respondToWebhook", "name": "Respond", "position": [200, 0],
             "parameters": {"respondWith": "firstIncomingItem", "options": {"responseCode": 201}}},
            {"id": "c", "type": "n8n-nodes-base.code", "typeVersion": 2, "name": "Double", "position": [400, 0],
             "parameters": {"mode": "runOnceForEachItem", "jsCode": "return {json: {n: $json.n * 2}};"}}
        ],
        "connections": [{"source": "t", "target": "r"}, {"source": "r", "target": "c"}]
    }))
    .unwrap();
    let (workflow_id, _) = commands
        .create("respond", "", definition, &metadata())
        .await
        .unwrap();
    let submitter = ExecutionService::new(store.clone(), durable());
    let mut handle = submitter.submit(submission(&workflow_id, 4)).await.unwrap();
    let (_worker, _stop) = worker(&db.url, 30_000, 4).await;
    let response = handle.response().await.expect("a response");
    assert_eq!(response.status, 201);
    assert_eq!(
        response.body,
        weft_executor::ResponseBody::Json(json!({"n": 4}))
    );
    let outcome = handle.outcome().await.unwrap();
    assert_eq!(outcome.status(), weft_executor::ExecutionStatus::Success);
    assert_eq!(
        outcome.last_node_items()[0].json,
        *json!({"n": 8}).as_object().unwrap()
    );
    assert_eq!(outcome.response.map(|r| r.status), Some(201));
    let events = events(&store, &outcome.execution_id).await;
    assert!(events.iter().any(|e| matches!(e,
        ExecutionEvent::WebhookResponded { node_id, status: 201, .. } if node_id == "r")));
}
