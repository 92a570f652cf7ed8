//! The Postgres queue with real processes: `weft serve` with `WEFT_WORKER=off` only enqueues,
//! `weft worker` processes run the executions; a worker killed with SIGKILL mid-run has its
//! execution finished by another worker without re-running the nodes that had finished; a
//! webhook waiting for the last node gets its answer from the worker process; a stop reaches
//! the worker that runs the execution.

mod process;

use std::time::{Duration, Instant};

use process::flows::{ended, link, node, slow_workflow, start_execution, started, wait_for};
use process::{PATIENCE, Weft, Worker};
use reqwest::Method;
use serde_json::json;
use weft_commands::EventStore;
use weft_commands::testing::TestDb;
use weft_domain::execution::ExecutionEvent;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_workers_execution_completes_on_another_worker() {
    let db = TestDb::postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let weft = Weft::start_with(&db, dir.path(), &[("WEFT_WORKER", "off")]).await;
    let store = EventStore::open(&db.url).await.unwrap();
    let workflow_id = weft.import(slow_workflow(4)).await;
    let lease = [
        ("WEFT_WORKER_LEASE_MS", "1500"),
        ("WEFT_WORKER_POLL_MS", "100"),
    ];
    let first = Worker::start(&db, dir.path(), &lease);
    let execution_id = start_execution(&weft, &workflow_id).await;
    // The first worker is inside the Wait when it dies.
    wait_for(&store, &execution_id, |events| {
        started(events, "Pause") == 1
    })
    .await;
    first.kill();
    let _second = Worker::start(&db, dir.path(), &lease);
    let events = wait_for(&store, &execution_id, ended).await;
    assert!(
        matches!(events.last(), Some(ExecutionEvent::ExecutionSucceeded)),
        "{events:?}"
    );
    // The nodes that had finished before the kill did not run again; the Wait did.
    assert_eq!(started(&events, "Start"), 1);
    assert_eq!(started(&events, "Mark"), 1);
    assert_eq!(started(&events, "Pause"), 1);
    assert!(events.iter().any(|e| matches!(e,
        ExecutionEvent::NodeRunFailed { node_id, error, will_retry: true, .. }
            if node_id == "Pause" && error.kind == "abandoned")));
    let output = events
        .iter()
        .find_map(|e| match e {
            ExecutionEvent::NodeRunSucceeded {
                node_id, outputs, ..
            } if node_id == "Double" => Some(outputs[0].items().unwrap()[0]["json"].clone()),
            _ => None,
        })
        .expect("Double ran");
    assert_eq!(output, json!({"n": 42, "stage": "marked"}));
    // The read models and the API show it finished.
    let data = weft
        .graphql(
            "query($id: ID!) { execution(id: $id) { status } }",
            json!({"id": execution_id}),
        )
        .await;
    let deadline = Instant::now() + PATIENCE;
    let mut status = data["execution"]["status"].clone();
    while status != json!("SUCCEEDED") && status != json!("succeeded") {
        assert!(Instant::now() < deadline, "status {status}");
        tokio::time::sleep(Duration::from_millis(50)).await;
        status = weft
            .graphql(
                "query($id: ID!) { execution(id: $id) { status } }",
                json!({"id": execution_id}),
            )
            .await["execution"]["status"]
            .clone();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_gets_its_answer_from_a_worker_process() {
    let db = TestDb::postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let weft = Weft::start_with(&db, dir.path(), &[("WEFT_WORKER", "off")]).await;
    let _worker = Worker::start(&db, dir.path(), &[("WEFT_WORKER_POLL_MS", "100")]);
    let greet = json!({
        "name": "greet",
        "nodes": [
            node("Hook", "webhook", 1.0, 0.0, json!({"httpMethod": "GET", "path": "greet", "responseMode": "lastNode"})),
            node("Greet", "set", 3.4, 200.0, json!({"mode": "manual",
                "assignments": {"assignments": [{"id": "g", "name": "greeting", "value": "=hello {{ $json.query.name }}", "type": "string"}]},
                "options": {}})),
        ],
        "connections": [link("Hook", "Greet")]
    });
    let id = weft.import(greet).await;
    weft.activate(&id).await;
    let (status, body) = weft
        .request_routed(Method::GET, "/webhook/greet?name=ada", None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["greeting"], "hello ada");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_an_execution_run_by_a_worker_process() {
    let db = TestDb::postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let weft = Weft::start_with(&db, dir.path(), &[("WEFT_WORKER", "off")]).await;
    let _worker = Worker::start(&db, dir.path(), &[("WEFT_WORKER_POLL_MS", "100")]);
    let store = EventStore::open(&db.url).await.unwrap();
    let workflow_id = weft.import(slow_workflow(60)).await;
    let execution_id = start_execution(&weft, &workflow_id).await;
    wait_for(&store, &execution_id, |events| {
        started(events, "Pause") == 1
    })
    .await;
    let data = weft
        .graphql(
            "mutation($id: ID!) { stopExecution(id: $id) { status } }",
            json!({"id": execution_id}),
        )
        .await;
    assert_eq!(
        data["stopExecution"]["status"]
            .as_str()
            .unwrap()
            .to_lowercase(),
        "canceled"
    );
    let events = wait_for(&store, &execution_id, ended).await;
    assert!(events.iter().any(|e| matches!(e,
        ExecutionEvent::NodeRunCanceled { node_id, .. } if node_id == "Pause")));
    assert_eq!(started(&events, "Double"), 0);
}
