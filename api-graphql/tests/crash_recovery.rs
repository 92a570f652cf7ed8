//! Crash safety of the projections with real processes: `weft serve` is killed (SIGKILL) while
//! events are being appended and projected; after a restart its read models catch up with nothing
//! lost and nothing applied twice, and `weft projections rebuild --verify` agrees with them.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cqrs_es::persist::SerializedEvent;
use serde_json::json;
use weft_commands::{EventStore, LogPosition};

const WORKFLOWS: usize = 40;
const EVENTS_PER_WORKFLOW: usize = 250;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn weft(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_weft"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    command
        .env("WEFT_DATA_DIR", data_dir)
        .env("WEFT_LOG", "warn");
    command
}

fn serve(data_dir: &Path, port: u16) -> Child {
    weft(data_dir)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start weft serve")
}

/// The read models' position as reported by `/readyz`, once the server answers.
async fn projected(port: u16) -> Option<String> {
    let body = reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let ready: serde_json::Value = serde_json::from_str(&body).ok()?;
    ready["projectedPosition"].as_str().map(str::to_string)
}

fn event(workflow: usize, sequence: usize) -> SerializedEvent {
    let payload = if sequence == 1 {
        json!({"type": "WorkflowCreated", "name": format!("Flow {workflow}"), "description": "", "definition": {}})
    } else {
        json!({"type": "WorkflowDescribed", "description": format!("edit {sequence}")})
    };
    SerializedEvent {
        aggregate_id: format!("wf-{workflow:03}"),
        sequence,
        aggregate_type: "workflow".into(),
        event_type: payload["type"].as_str().unwrap().into(),
        event_version: "1.0".into(),
        payload,
        metadata: json!({"actor": "user:crash", "timestamp": "2026-11-27T12:00:00.000000Z", "correlationId": "crash"}),
    }
}

async fn append_round(store: &EventStore, sequences: std::ops::RangeInclusive<usize>) {
    for sequence in sequences {
        let appends = (0..WORKFLOWS).map(|workflow| store.append(vec![event(workflow, sequence)]));
        for result in futures::future::join_all(appends).await {
            result.unwrap();
        }
    }
}

async fn count(store: &EventStore, sql: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sql)
        .fetch_one(store.db().pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_server_catches_up_without_loss_or_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = serve(dir.path(), port);
    let started = Instant::now();
    while projected(port).await.is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "weft serve did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let store = EventStore::open(&format!("sqlite://{}/weft.db", dir.path().display()))
        .await
        .unwrap();
    // Events keep arriving while the server projects them; it is killed in the middle.
    append_round(&store, 1..=EVENTS_PER_WORKFLOW / 2).await;
    server.kill().unwrap();
    server.wait().unwrap();
    append_round(&store, EVENTS_PER_WORKFLOW / 2 + 1..=EVENTS_PER_WORKFLOW).await;

    let mut restarted = serve(dir.path(), port);
    let head = store.head().await.unwrap();
    let caught_up = Instant::now();
    while projected(port).await != Some(head.to_string()) {
        assert!(
            caught_up.elapsed() < Duration::from_secs(60),
            "projections did not catch up to {head}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    restarted.kill().unwrap();
    restarted.wait().unwrap();

    let total = (WORKFLOWS * EVENTS_PER_WORKFLOW) as i64;
    assert_eq!(count(&store, "SELECT COUNT(*) FROM events").await, total);
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM audit_log").await,
        total,
        "every event audited exactly once"
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM workflow_versions").await,
        total
    );
    assert_eq!(
        count(
            &store,
            &format!("SELECT COUNT(*) FROM workflows WHERE version = {EVENTS_PER_WORKFLOW}")
        )
        .await,
        WORKFLOWS as i64
    );
    assert!(head > LogPosition::START);
    let verify = weft(dir.path())
        .args(["projections", "rebuild", "--verify"])
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_starts_with_no_configuration_and_rejects_bad_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // No WEFT_* variables at all: the data dir is ./weft-data under the working directory.
    let mut server = Command::new(env!("CARGO_BIN_EXE_weft"))
        .env_clear()
        .current_dir(dir.path())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while projected(port).await.is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "weft serve did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(dir.path().join("weft-data/weft.db").is_file());

    let bad = weft(dir.path())
        .env("WEFT_LISTEN", "not-an-address")
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("invalid listen address `not-an-address`")
    );
    let bad = weft(dir.path())
        .env("WEFT_DATABASE_URL", "mysql://x")
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid database URL `mysql://x`"));
}
