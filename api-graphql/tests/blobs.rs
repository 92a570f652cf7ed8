//! Large item data over the API, on SQLite and Postgres: a node emitting about 1 MB records a
//! blob reference in its events (one blob row per distinct content), while execution detail,
//! replay and retry from the failed node see the exact items; rebuilt read models verify; a
//! missing blob is an error naming its hash.

mod common;

use common::{Server, code, start};
use serde_json::{Value, json};
use weft_commands::{Backend, on_both_backends};

const DETAIL: &str = "query($id: ID!) { execution(id: $id) {
    status nodeRuns { nodeId inputs outputs }
    replay { events { type payload } }
} }";

const EXECUTE: &str = "mutation($id: ID!) {
    executeWorkflow(workflowId: $id, wait: true) { executionId status result }
}";

const RETRY: &str = "mutation($id: ID!) {
    retryExecution(id: $id, from: FAILED_NODE, version: CURRENT, wait: true) { executionId status result }
}";

/// Start → Big (2,000 items of ~500 bytes: about 1 MB) → Check (`check`).
fn definition(check: &str) -> Value {
    json!({
        "nodes": [
            {"id": "t", "type": "n8n-nodes-base.manualTrigger", "name": "Start", "position": [0, 0]},
            {"id": "b", "type": "n8n-nodes-base.code", "typeVersion": 2, "name": "Big", "position": [200, 0],
             "parameters": {"jsCode": "return Array.from({length: 2000}, (_, i) => ({json: {i, text: 'y'.repeat(500)}}));"}},
            {"id": "c", "type": "n8n-nodes-base.code", "typeVersion": 2, "name": "Check", "position": [400, 0],
             "parameters": {"jsCode": check}}
        ],
        "connections": [{"source": "t", "target": "b"}, {"source": "b", "target": "c"}]
    })
}

async fn scalar(server: &Server, statement: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(statement)
        .fetch_one(server.store.db().pool())
        .await
        .unwrap()
}

/// The stored payload of the execution's `NodeRunSucceeded` of `node`.
async fn stored_payload(server: &Server, execution: &str, node: &str) -> String {
    let db = server.store.db();
    let payloads: Vec<String> = sqlx::query_scalar(&db.sql(
        "SELECT payload FROM events WHERE aggregate_type = 'execution' AND aggregate_id = $1 \
         AND event_type = 'NodeRunSucceeded' ORDER BY sequence",
    ))
    .bind(execution)
    .fetch_all(db.pool())
    .await
    .unwrap();
    payloads
        .into_iter()
        .find(|p| p.contains(&format!("\"nodeId\":\"{node}\"")))
        .expect("node succeeded")
}

/// Polls the detail until the read models show the execution `status`.
async fn detail(server: &Server, id: &str, status: &str) -> Value {
    let deadline = tokio::time::Instant::now() + common::PATIENCE;
    loop {
        let response = server.request(DETAIL, json!({"id": id})).await;
        let execution = &response["data"]["execution"];
        if execution["status"] == status {
            assert!(response.get("errors").is_none(), "{response:#}");
            return execution.clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "{response:#}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn large_items_are_blobs_in_the_log_and_exact_everywhere_else(backend: Backend) {
    let server = start(backend).await;
    let workflow = server
        .create_workflow("big", definition("throw new Error('not yet')"))
        .await;
    let data = server.data(EXECUTE, json!({"id": workflow})).await;
    assert_eq!(data["executeWorkflow"]["status"], "FAILED");
    // The items as the engine produced them (in memory, never read back from the store).
    let big = data["executeWorkflow"]["result"]["runData"]["Big"][0]["outputs"][0].clone();
    assert_eq!(
        big[1999]["json"],
        json!({"i": 1999, "text": "y".repeat(500)})
    );
    let big_bytes = serde_json::to_vec(&big).unwrap().len();
    assert!(big_bytes > 1_000_000, "{big_bytes}");
    let failed = data["executeWorkflow"]["executionId"]
        .as_str()
        .unwrap()
        .to_string();

    // The event keeps a small reference; the blob holds the exact JSON text.
    let payload = stored_payload(&server, &failed, "b").await;
    assert!(payload.len() < 1024, "{} bytes: {payload}", payload.len());
    let event: Value = serde_json::from_str(&payload).unwrap();
    let reference = &event["outputs"][0];
    assert_eq!(reference["bytes"], big_bytes);
    assert_eq!(reference["items"], 2000);
    let hash = reference["blob"].as_str().unwrap().to_string();
    assert_eq!(hash.len(), 64);
    // Big's output is Check's input: the same content is stored once.
    assert_eq!(scalar(&server, "SELECT COUNT(*) FROM blobs").await, 1);

    // Detail and replay show the items themselves.
    let shown = detail(&server, &failed, "FAILED").await;
    let runs = shown["nodeRuns"].as_array().unwrap();
    let big_run = runs.iter().find(|r| r["nodeId"] == "b").unwrap();
    assert_eq!(big_run["outputs"], json!([big.clone()]));
    let check_run = runs.iter().find(|r| r["nodeId"] == "c").unwrap();
    assert_eq!(check_run["inputs"], json!([big.clone()]));
    let replayed = shown["replay"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "NodeRunSucceeded" && e["payload"]["nodeId"] == "b")
        .unwrap()
        .clone();
    assert_eq!(replayed["payload"]["outputs"], json!([big.clone()]));

    // A second run producing the same data adds no blob.
    let again = server.data(EXECUTE, json!({"id": workflow})).await;
    assert_eq!(again["executeWorkflow"]["status"], "FAILED");
    assert_eq!(scalar(&server, "SELECT COUNT(*) FROM blobs").await, 1);

    // Retry from the failed node on a fixed version: Big's blob-backed output is reused.
    server
        .data(
            "mutation($id: ID!, $definition: JSON!) { replaceDefinition(workflowId: $id, definition: $definition) { version } }",
            json!({"id": workflow, "definition": definition(
                "const all = $input.all(); return [{json: {count: all.length, last: all[all.length - 1].json.i, size: all.reduce((s, i) => s + i.json.text.length, 0)}}];"
            )}),
        )
        .await;
    let retried = server.data(RETRY, json!({"id": failed})).await;
    let retried = &retried["retryExecution"];
    assert_eq!(retried["status"], "SUCCEEDED", "{retried:#}");
    assert_eq!(
        retried["result"]["runData"]["Check"][0]["outputs"][0][0]["json"],
        json!({"count": 2000, "last": 1999, "size": 1_000_000})
    );
    let retried_id = retried["executionId"].as_str().unwrap();
    let shown = detail(&server, retried_id, "SUCCEEDED").await;
    let ran: Vec<&str> = shown["nodeRuns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["nodeId"].as_str().unwrap())
        .collect();
    assert_eq!(ran, ["c"]);
    assert_eq!(shown["nodeRuns"][0]["inputs"], json!([big.clone()]));
    assert_eq!(scalar(&server, "SELECT COUNT(*) FROM blobs").await, 1);

    // The read models keep the references: a rebuild from zero gives the same rows.
    let report = weft_projections::rebuild(&server.store, true)
        .await
        .expect("rebuild --verify");
    for (table, rebuilt, live) in &report.tables {
        assert_eq!(Some(rebuilt), live.as_ref(), "{table}");
    }

    // A reference whose blob is gone: a clear error naming the hash, for readers and retries.
    sqlx::query("DELETE FROM blobs")
        .execute(server.store.db().pool())
        .await
        .unwrap();
    let error = server.error(DETAIL, json!({"id": failed})).await;
    assert_eq!(code(&error), "INTERNAL");
    assert!(
        error["message"].as_str().unwrap().contains(&hash),
        "{error:#}"
    );
    let error = server.error(RETRY, json!({"id": failed})).await;
    assert!(
        error["message"].as_str().unwrap().contains(&hash),
        "{error:#}"
    );
}

on_both_backends!(large_items_are_blobs_in_the_log_and_exact_everywhere_else);
