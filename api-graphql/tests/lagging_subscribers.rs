//! Subscribers that fall behind the projection feed: a server whose feed keeps only a few events
//! gets bursts of events of other workflows and executions while the client does not read its
//! socket. Each subscription still delivers every event of its own workflow or execution, in
//! order, exactly once, and stays open. Runs on SQLite and Postgres.

mod common;

use common::{Server, WsClient, start_with_feed_capacity};
use futures::future::join_all;
use serde_json::{Value, json};
use weft_commands::{Backend, WorkflowCommands, on_both_backends};
use weft_domain::metadata::{Actor, EventMetadata};
use weft_domain::workflow::{WorkflowAction, WorkflowCommand, WorkflowServices};

on_both_backends!(
    a_lagging_workflow_subscriber_gets_every_edit_once_in_order,
    lagging_execution_subscribers_get_every_event_once_in_order,
);

/// Events the test server's feed keeps: every burst below is far larger.
const RING: usize = 4;

const EVENTS: &str = "subscription($id: ID!, $after: Int) {
    workflowEvents(workflowId: $id, afterVersion: $after) { workflowId version eventType payload }
}";

fn metadata() -> EventMetadata {
    EventMetadata {
        actor: Actor::system("burst"),
        timestamp: chrono::Utc::now(),
        correlation_id: "burst".into(),
        causation_id: None,
    }
}

async fn describe(commands: &WorkflowCommands, id: &str, version: u64, text: String) {
    let outcome = commands
        .execute(
            id,
            WorkflowCommand::at(
                version,
                WorkflowAction::DescribeWorkflow { description: text },
            ),
            &metadata(),
        )
        .await
        .expect("describe");
    assert_eq!(outcome.version, version + 1);
}

async fn a_lagging_workflow_subscriber_gets_every_edit_once_in_order(backend: Backend) {
    let server = start_with_feed_capacity(backend, RING).await;
    let followed = server.create_sample("Followed").await;
    let mut noise = Vec::new();
    for n in 0..20 {
        noise.push(server.create_sample(&format!("Noise {n}")).await);
    }
    let mut client = server.subscribe_client().await;
    client
        .subscribe("w", EVENTS, json!({"id": followed, "after": 1}))
        .await;
    let commands = WorkflowCommands::new(server.store.clone(), WorkflowServices::default());
    // Bursts: each round commits an edit of every noise workflow together with one of ours,
    // while the client reads nothing.
    for round in 1..=15u64 {
        let mut edits = noise
            .iter()
            .map(|id| describe(&commands, id, round, format!("noise {round}")))
            .collect::<Vec<_>>();
        edits.push(describe(
            &commands,
            &followed,
            round,
            format!("ours {round}"),
        ));
        join_all(edits).await;
    }
    for version in 2..=16u64 {
        let event = client.next_payload("w").await["data"]["workflowEvents"].clone();
        assert_eq!(event["workflowId"], followed.as_str());
        assert_eq!(event["version"], version, "in order, once: {event:#}");
        assert_eq!(
            event["payload"]["description"],
            format!("ours {}", version - 1)
        );
    }
    // Still open, and nothing was repeated: the next message is the next edit.
    server
        .data(
            "mutation($id: ID!) { renameWorkflow(workflowId: $id, name: \"After\") { version } }",
            json!({"id": followed}),
        )
        .await;
    let event = client.next_payload("w").await["data"]["workflowEvents"].clone();
    assert_eq!(event["version"], 17, "{event:#}");
    assert_eq!(event["eventType"], "WorkflowRenamed");
}

const EXECUTE: &str = "mutation($id: ID!, $wait: Boolean!) {
    executeWorkflow(workflowId: $id, wait: $wait) { executionId status }
}";

/// Start → Wait 60 s → No-Op: runs until stopped.
fn waiting_definition() -> Value {
    json!({
        "nodes": [
            {"id": "t", "type": "n8n-nodes-base.manualTrigger", "name": "Start", "position": [0, 0]},
            {"id": "w", "type": "n8n-nodes-base.wait", "name": "Wait", "position": [200, 0],
             "parameters": {"resume": "timeInterval", "amount": 60, "unit": "seconds"}},
            {"id": "n", "type": "n8n-nodes-base.noOp", "name": "After", "position": [400, 0]}
        ],
        "connections": [{"source": "t", "target": "w"}, {"source": "w", "target": "n"}]
    })
}

/// Start → six No-Ops: fourteen events per run.
fn chain_definition() -> Value {
    let mut nodes = vec![
        json!({"id": "t", "type": "n8n-nodes-base.manualTrigger", "name": "Start", "position": [0, 0]}),
    ];
    let mut connections = Vec::new();
    let mut previous = "t".to_string();
    for n in 0..6 {
        let id = format!("n{n}");
        nodes.push(json!({"id": id, "type": "n8n-nodes-base.noOp", "name": format!("Step {n}"), "position": [200 * (n + 1), 0]}));
        connections.push(json!({"source": previous, "target": id}));
        previous = id;
    }
    json!({"nodes": nodes, "connections": connections})
}

async fn execution_id(server: &Server, workflow: &str) -> String {
    server
        .data(EXECUTE, json!({"id": workflow, "wait": false}))
        .await["executeWorkflow"]["executionId"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Runs `runs` executions of `workflow` at once and waits for all of them to end.
async fn burst(server: &Server, workflow: &str, runs: usize) {
    let started = join_all((0..runs).map(|_| {
        server.data(
            "mutation($id: ID!) { executeWorkflow(workflowId: $id, wait: true) { status } }",
            json!({"id": workflow}),
        )
    }))
    .await;
    for data in started {
        assert_eq!(data["executeWorkflow"]["status"], "SUCCEEDED");
    }
}

/// The `executionEvents` messages up to the final one, then the `complete`.
async fn until_complete(client: &mut WsClient, id: &str) -> Vec<Value> {
    let mut events = Vec::new();
    loop {
        let message = client.next_message().await;
        if message["type"] == "complete" {
            assert_eq!(message["id"], id);
            return events;
        }
        assert_eq!(message["type"], "next", "{message:#}");
        if message["id"] == id {
            events.push(message["payload"]["data"]["executionEvents"].clone());
        }
    }
}

async fn lagging_execution_subscribers_get_every_event_once_in_order(backend: Backend) {
    let server = start_with_feed_capacity(backend, RING).await;
    let slow = server.create_workflow("Slow", waiting_definition()).await;
    let chain = server.create_workflow("Chain", chain_definition()).await;
    let mut changes = server.subscribe_client().await;
    changes
        .subscribe(
            "changes",
            "subscription($id: ID!) { executions(workflowId: $id) { executionId status type } }",
            json!({"id": slow}),
        )
        .await;
    // Other executions (not listed) while the list subscription registers.
    burst(&server, &chain, 5).await;

    let id = execution_id(&server, &slow).await;
    let mut events = server.subscribe_client().await;
    events
        .subscribe(
            "events",
            "subscription($id: ID!) { executionEvents(executionId: $id) { sequence type nodeId } }",
            json!({"id": id}),
        )
        .await;
    // The first events (queued … the Wait started) arrive, read or live.
    let mut seen = Vec::new();
    while seen.last() != Some(&json!({"type": "NodeRunStarted", "nodeId": "w"})) {
        let event = events.next_payload("events").await["data"]["executionEvents"].clone();
        assert_eq!(event["sequence"], seen.len() as u64 + 1, "{event:#}");
        seen.push(json!({"type": event["type"], "nodeId": event["nodeId"]}));
    }
    // Bursts of other executions around the stop, while neither client reads.
    burst(&server, &chain, 40).await;
    let stopped = server
        .data(
            "mutation($id: ID!) { stopExecution(id: $id) { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(stopped["stopExecution"]["status"], "CANCELED");
    burst(&server, &chain, 40).await;

    let rest = until_complete(&mut events, "events").await;
    let sequences: Vec<u64> = rest
        .iter()
        .map(|e| e["sequence"].as_u64().unwrap())
        .collect();
    let first = seen.len() as u64 + 1;
    assert_eq!(
        sequences,
        (first..first + rest.len() as u64).collect::<Vec<_>>()
    );
    let types: Vec<&str> = rest.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["NodeRunCanceled", "ExecutionCanceled"]);

    let mut statuses = Vec::new();
    while statuses.last().map(String::as_str) != Some("CANCELED") {
        let payload = changes.next_payload("changes").await;
        let change = &payload["data"]["executions"];
        assert_eq!(
            change["executionId"],
            id.as_str(),
            "only the slow workflow's: {payload:#}"
        );
        statuses.push(change["status"].as_str().unwrap().to_string());
    }
    assert_eq!(statuses, ["QUEUED", "RUNNING", "CANCELED"]);
    // Still open, nothing repeated: the next change is of the next execution.
    let next = execution_id(&server, &slow).await;
    let payload = changes.next_payload("changes").await;
    assert_eq!(payload["data"]["executions"]["executionId"], next.as_str());
    assert_eq!(payload["data"]["executions"]["status"], "QUEUED");
}
