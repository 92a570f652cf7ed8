//! The embedded store across restarts, with real processes: `weft serve` on SQLite is killed
//! (SIGKILL) while an execution runs or waits; the next `weft serve` on the same file continues
//! it without re-running the nodes that had finished, and a recovered execution can be stopped.
//! A second server on the same file is refused while the first runs.

mod process;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use process::flows::{ended, slow_workflow, start_execution, started, wait_for};
use process::{PATIENCE, Weft};
use serde_json::json;
use weft_commands::EventStore;
use weft_commands::testing::TestDb;
use weft_domain::execution::ExecutionEvent;

/// Waits suspend the execution after one second.
const SUSPEND_QUICKLY: [(&str, &str); 1] = [("WEFT_INLINE_WAIT_SECONDS", "1")];

fn waiting(events: &[ExecutionEvent]) -> bool {
    matches!(events.last(), Some(ExecutionEvent::ExecutionWaiting { .. }))
}

/// The output of the `Double` node of [`slow_workflow`].
fn doubled(events: &[ExecutionEvent]) -> serde_json::Value {
    events
        .iter()
        .find_map(|e| match e {
            ExecutionEvent::NodeRunSucceeded {
                node_id, outputs, ..
            } if node_id == "Double" => Some(outputs[0].items().unwrap()[0]["json"].clone()),
            _ => None,
        })
        .expect("Double ran")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_execution_resumes_after_a_restart() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let weft = Weft::start_with(&db, dir.path(), &SUSPEND_QUICKLY).await;
    let workflow_id = weft.import(slow_workflow(3)).await;
    let execution_id = start_execution(&weft, &workflow_id).await;
    let store = EventStore::open(&db.url).await.unwrap();
    wait_for(&store, &execution_id, waiting).await;
    drop(weft);

    let _weft = Weft::start_with(&db, dir.path(), &SUSPEND_QUICKLY).await;
    let events = wait_for(&store, &execution_id, ended).await;
    assert!(
        matches!(events.last(), Some(ExecutionEvent::ExecutionSucceeded)),
        "{events:?}"
    );
    for node in ["Start", "Mark", "Pause", "Double"] {
        assert_eq!(started(&events, node), 1, "{node} ran once: {events:?}");
    }
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ExecutionEvent::ExecutionResumed)),
        "{events:?}"
    );
    assert_eq!(doubled(&events), json!({"n": 42, "stage": "marked"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_execution_cut_off_mid_run_completes_after_a_restart() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let weft = Weft::start(&db, dir.path()).await;
    let workflow_id = weft.import(slow_workflow(3)).await;
    let execution_id = start_execution(&weft, &workflow_id).await;
    let store = EventStore::open(&db.url).await.unwrap();
    // The server dies inside the Wait (an inline one: the execution is running).
    wait_for(&store, &execution_id, |events| {
        started(events, "Pause") == 1
    })
    .await;
    drop(weft);

    let weft = Weft::start(&db, dir.path()).await;
    let events = wait_for(&store, &execution_id, ended).await;
    assert!(
        matches!(events.last(), Some(ExecutionEvent::ExecutionSucceeded)),
        "{events:?}"
    );
    assert_eq!(started(&events, "Start"), 1);
    assert_eq!(started(&events, "Mark"), 1);
    assert!(events.iter().any(|e| matches!(e,
        ExecutionEvent::NodeRunFailed { node_id, error, will_retry: true, .. }
            if node_id == "Pause" && error.kind == "abandoned")));
    assert_eq!(doubled(&events), json!({"n": 42, "stage": "marked"}));
    // The read models show it finished.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let data = weft
            .graphql(
                "query($id: ID!) { execution(id: $id) { status } }",
                json!({"id": execution_id}),
            )
            .await;
        if data["execution"]["status"] == json!("SUCCEEDED") {
            break;
        }
        assert!(Instant::now() < deadline, "status {data}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recovered_waiting_execution_can_be_stopped() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let weft = Weft::start_with(&db, dir.path(), &SUSPEND_QUICKLY).await;
    let workflow_id = weft.import(slow_workflow(3600)).await;
    let execution_id = start_execution(&weft, &workflow_id).await;
    let store = EventStore::open(&db.url).await.unwrap();
    wait_for(&store, &execution_id, waiting).await;
    drop(weft);

    let weft = Weft::start_with(&db, dir.path(), &SUSPEND_QUICKLY).await;
    // Until the server has taken the execution back, a stop is refused as not owned here.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let response = weft
            .graphql_response(
                "mutation($id: ID!) { stopExecution(id: $id) { id } }",
                json!({"id": execution_id}),
            )
            .await;
        if response.get("errors").is_none() {
            break;
        }
        assert_eq!(
            response["errors"][0]["extensions"]["code"], "CONFLICT",
            "{response}"
        );
        assert!(Instant::now() < deadline, "never taken back: {response}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let events = wait_for(&store, &execution_id, ended).await;
    assert!(
        matches!(events.last(), Some(ExecutionEvent::ExecutionCanceled)),
        "{events:?}"
    );
    assert_eq!(started(&events, "Double"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_on_the_same_embedded_store_is_refused() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let _weft = Weft::start(&db, dir.path()).await;
    let second = Command::new(env!("CARGO_BIN_EXE_weft"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("WEFT_DATA_DIR", dir.path())
        .env("WEFT_DATABASE_URL", &db.url)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .output()
        .expect("run weft serve");
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("another `weft serve` is using"),
        "stderr: {stderr}"
    );
}
