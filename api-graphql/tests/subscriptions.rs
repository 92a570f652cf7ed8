//! `workflowEvents` over graphql-ws: edits made through another HTTP connection, and edits
//! appended by another process, reach the subscriber. Runs on SQLite and Postgres.

mod common;

use common::start;
use serde_json::json;
use weft_commands::{Backend, EventStore, WorkflowCommands, on_both_backends};
use weft_domain::metadata::{Actor, EventMetadata};
use weft_domain::workflow::{WorkflowAction, WorkflowCommand, WorkflowServices};

on_both_backends!(
    edits_through_another_connection_reach_the_subscriber,
    edits_appended_by_another_process_reach_the_subscriber,
    subscribing_to_an_unknown_workflow_is_not_found,
);

const EVENTS: &str = "subscription($id: ID!, $after: Int) {
    workflowEvents(workflowId: $id, afterVersion: $after) {
        workflowId version eventType summary actor correlationId payload
    }
}";

async fn edits_through_another_connection_reach_the_subscriber(backend: Backend) {
    let server = start(backend).await;
    let id = server.create_sample("Live").await;
    let other = server.create_sample("Elsewhere").await;
    let ada = server.create_user("ada", "EDITOR").await;
    let mut client = server.subscribe_client().await;
    client
        .subscribe("1", EVENTS, json!({"id": id, "after": 1}))
        .await;
    let rename = "mutation($id: ID!, $name: String!) { renameWorkflow(workflowId: $id, name: $name) { version } }";
    let response = server
        .request_as(
            Some(&ada.token),
            rename,
            json!({"id": other, "name": "Not this one"}),
        )
        .await;
    assert!(response.get("errors").is_none(), "{response}");
    let response = server
        .request_as(
            Some(&ada.token),
            rename,
            json!({"id": id, "name": "Renamed live"}),
        )
        .await;
    assert!(response.get("errors").is_none(), "{response}");
    let event = client.next_payload("1").await["data"]["workflowEvents"].clone();
    assert_eq!(event["workflowId"], id);
    assert_eq!(event["version"], 2);
    assert_eq!(event["eventType"], "WorkflowRenamed");
    assert_eq!(event["summary"], "renamed workflow to \"Renamed live\"");
    assert_eq!(event["actor"], format!("user:{}", ada.id));
    assert_eq!(
        event["payload"],
        json!({"type": "WorkflowRenamed", "name": "Renamed live"})
    );

    // The subscription is live now: the next edit arrives through the projection feed.
    let moved = server
        .data(
            "mutation($id: ID!) { moveNode(workflowId: $id, nodeId: \"n\", position: {x: 5, y: 6}) { version } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(moved["moveNode"]["version"], 3);
    let event = client.next_payload("1").await["data"]["workflowEvents"].clone();
    assert_eq!(event["version"], 3);
    assert_eq!(event["eventType"], "NodeMoved");
    assert_eq!(event["actor"], format!("user:{}", server.owner_id));
    assert_eq!(
        event["payload"],
        json!({"type": "NodeMoved", "nodeId": "n", "position": [5.0, 6.0]})
    );
}

async fn edits_appended_by_another_process_reach_the_subscriber(backend: Backend) {
    let server = start(backend).await;
    let id = server.create_sample("Shared").await;
    let mut client = server.subscribe_client().await;
    client
        .subscribe("s", EVENTS, json!({"id": id, "after": 1}))
        .await;
    // Another process: its own store and command handler on the same database.
    let elsewhere = EventStore::open(&server.db.url)
        .await
        .expect("second store");
    let commands = WorkflowCommands::new(elsewhere, WorkflowServices::default());
    let metadata = EventMetadata {
        actor: Actor::system("other-process"),
        timestamp: chrono::Utc::now(),
        correlation_id: "from-elsewhere".into(),
        causation_id: None,
    };
    let outcome = commands
        .execute(
            &id,
            WorkflowCommand::at(
                1,
                WorkflowAction::DescribeWorkflow {
                    description: "written by another process".into(),
                },
            ),
            &metadata,
        )
        .await
        .expect("describe");
    assert_eq!(outcome.version, 2);
    let event = client.next_payload("s").await["data"]["workflowEvents"].clone();
    assert_eq!(event["version"], 2);
    assert_eq!(event["eventType"], "WorkflowDescribed");
    assert_eq!(event["actor"], "system:other-process");
    assert_eq!(event["correlationId"], "from-elsewhere");
}

async fn subscribing_to_an_unknown_workflow_is_not_found(backend: Backend) {
    let server = start(backend).await;
    let mut client = server.subscribe_client().await;
    client
        .subscribe("x", EVENTS, json!({"id": "missing"}))
        .await;
    let payload = client.next_payload("x").await;
    assert_eq!(
        payload["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{payload:#}"
    );
    assert_eq!(
        payload["errors"][0]["message"],
        "workflow `missing` not found"
    );
    let end = client.next_message().await;
    assert_eq!(end, json!({"id": "x", "type": "complete"}));
}
