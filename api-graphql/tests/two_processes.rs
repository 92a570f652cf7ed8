//! Two real `weft serve` processes on one Postgres database: a graphql-ws subscription on process
//! A receives an edit made through process B's HTTP API. Delivery comes from each process's
//! projection runner tailing the shared log (Postgres LISTEN/NOTIFY), not from in-process
//! broadcasts. A subscriber also sees an edit made through the `weft` CLI.

mod common;

use serde_json::json;
use weft_commands::testing::TestDb;

use common::processes::serve;
use common::sample_definition;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_on_one_process_sees_an_edit_made_through_another() {
    let db = TestDb::postgres().await;
    let a = serve(&[("WEFT_DATABASE_URL", &db.url)]).await;
    let b = serve(&[("WEFT_DATABASE_URL", &db.url)]).await;

    let created = a
        .data(
            "mutation($definition: JSON) {
                createWorkflow(name: \"shared\", definition: $definition) { workflowId version }
            }",
            json!({"definition": sample_definition()}),
        )
        .await;
    let workflow_id = created["createWorkflow"]["workflowId"]
        .as_str()
        .unwrap()
        .to_string();

    a.await_version(&workflow_id, 1).await;
    let mut client = a.ws_client(&a.token).await;
    client
        .subscribe(
            "edits",
            "subscription($id: ID!) {
                workflowEvents(workflowId: $id, afterVersion: 1) { version eventType summary }
            }",
            json!({"id": workflow_id}),
        )
        .await;

    // B has its own projection runner: edit through B once it knows the workflow.
    b.await_version(&workflow_id, 1).await;
    let moved = b
        .data(
            "mutation($id: ID!) {
                moveNode(workflowId: $id, nodeId: \"n\", position: {x: 320, y: 40}, expectedVersion: 1) { version }
            }",
            json!({"id": workflow_id}),
        )
        .await;
    assert_eq!(moved["moveNode"]["version"], 2);

    let payload = client.next_payload("edits").await;
    let event = &payload["data"]["workflowEvents"];
    assert_eq!(event["version"], 2, "{payload:#}");
    assert_eq!(event["eventType"], "NodeMoved");
    assert_eq!(event["summary"], "moved node n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_sees_an_edit_made_through_the_cli() {
    let weft = serve(&[]).await;
    let created = weft
        .data(
            "mutation($definition: JSON) {
                createWorkflow(name: \"hooked\", definition: $definition) { workflowId }
            }",
            json!({"definition": {
                "nodes": [{"id": "h", "type": "n8n-nodes-base.webhook", "name": "Hook", "position": [0, 0],
                           "parameters": {"path": "cli-sub"}}],
                "connections": []
            }}),
        )
        .await;
    let workflow_id = created["createWorkflow"]["workflowId"]
        .as_str()
        .unwrap()
        .to_string();
    weft.await_version(&workflow_id, 1).await;
    let mut client = weft.ws_client(&weft.token).await;
    client
        .subscribe(
            "edits",
            "subscription($id: ID!) {
                workflowEvents(workflowId: $id, afterVersion: 1) { version eventType actor }
            }",
            json!({"id": workflow_id}),
        )
        .await;

    // The CLI is a separate program talking to the server over HTTP.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_weft"))
        .env_clear()
        .env("WEFT_URL", format!("http://{}", weft.address))
        .env("WEFT_TOKEN", &weft.token)
        .args(["activate", &workflow_id])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let payload = client.next_payload("edits").await;
    let event = &payload["data"]["workflowEvents"];
    assert_eq!(event["version"], 2, "{payload:#}");
    assert_eq!(event["eventType"], "WorkflowActivated");
    assert!(
        event["actor"].as_str().unwrap().starts_with("user:"),
        "{payload:#}"
    );
}
