//! The execution service: submit a stored workflow, get the id at once, wait for the outcome or
//! an early Respond to Webhook response; bad requests record nothing.

use cqrs_es::Aggregate;
use serde_json::{Value, json};
use weft_commands::testing::TestDb;
use weft_commands::{Backend, EventStore, WorkflowCommands, on_both_backends};
use weft_domain::definition::WorkflowDefinition;
use weft_domain::execution::{Execution, ExecutionMode, Trigger};
use weft_domain::metadata::{Actor, EventMetadata};
use weft_domain::workflow::WorkflowServices;
use weft_executor::service::{
    ExecutionService, ServiceConfig, ServiceError, Submission, WorkflowVersion,
};
use weft_executor::{ExecutionStatus, Item, ResponseBody};

fn metadata() -> EventMetadata {
    EventMetadata {
        actor: Actor::user("u1"),
        timestamp: chrono::Utc::now(),
        correlation_id: "test".into(),
        causation_id: None,
    }
}

/// Webhook → Set (greeting from the body) → Respond to Webhook → Set (after).
fn webhook_definition() -> WorkflowDefinition {
    serde_json::from_value(json!({
        "nodes": [
            {"id": "w", "type": "n8n-nodes-base.webhook", "name": "Hook", "position": [0, 0],
             "parameters": {"path": "hello", "responseMode": "responseNode"}},
            {"id": "s", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "name": "Greet", "position": [200, 0],
             "parameters": {"assignments": {"assignments": [
                 {"name": "greeting", "value": "={{ 'hello ' + $json.body.name }}", "type": "string"}]}}},
            {"id": "r", "type": "n8n-nodes-base.respondToWebhook", "name": "Respond", "position": [400, 0],
             "parameters": {"respondWith": "firstIncomingItem", "options": {"responseCode": 201}}},
            {"id": "a", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "name": "After", "position": [600, 0],
             "parameters": {"assignments": {"assignments": [{"name": "done", "value": true, "type": "boolean"}]}}}
        ],
        "connections": [
            {"source": "w", "target": "s"},
            {"source": "s", "target": "r"},
            {"source": "r", "target": "a"}
        ]
    }))
    .expect("definition")
}

async fn setup(backend: Backend) -> (TestDb, EventStore, ExecutionService, String) {
    let db = TestDb::of(backend).await;
    let store = EventStore::open(&db.url).await.unwrap();
    let commands = WorkflowCommands::new(store.clone(), WorkflowServices::default());
    let (id, _) = commands
        .create("hook", "", webhook_definition(), &metadata())
        .await
        .expect("create");
    let service = ExecutionService::new(store.clone(), ServiceConfig::default());
    (db, store, service, id)
}

fn webhook_submission(workflow_id: &str, name: &str) -> Submission {
    Submission {
        workflow_id: workflow_id.to_string(),
        version: WorkflowVersion::Exact(1),
        trigger: Trigger::Webhook {
            method: "POST".into(),
            path: "hello".into(),
        },
        input: vec![Item::from_value(json!({"body": {"name": name}}))],
        mode: ExecutionMode::Production,
        start_node: Some("w".into()),
        destination_node: None,
        actor: Actor::system("webhook"),
    }
}

async fn submitted_execution_runs_and_is_recorded(backend: Backend) {
    let (_db, store, service, workflow_id) = setup(backend).await;
    let mut handle = service
        .submit(webhook_submission(&workflow_id, "Ada"))
        .await
        .expect("submit");
    assert_eq!(handle.workflow_version, 1);
    handle.accepted().await.expect("queued durably");
    let response = handle.response().await.expect("a response from the node");
    assert_eq!(response.status, 201);
    assert_eq!(
        response.body,
        ResponseBody::Json(json!({"greeting": "hello Ada"}))
    );
    let id = handle.execution_id.clone();
    let outcome = handle.outcome().await.expect("outcome");
    assert_eq!(outcome.status(), ExecutionStatus::Success);
    assert_eq!(outcome.response.as_ref(), Some(&response));
    let last = outcome.last_node_items();
    assert_eq!(last[0].json["done"], true);
    // Every event is committed when the outcome arrives.
    let events = store.stream(Execution::TYPE, &id).await.unwrap();
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types.first(), Some(&"ExecutionQueued"));
    assert_eq!(types.last(), Some(&"ExecutionSucceeded"));
    assert_eq!(
        types.iter().filter(|t| **t == "NodeRunSucceeded").count(),
        4
    );
    assert_eq!(events[0].payload["workflowVersion"], 1);
    assert_eq!(events[0].payload["trigger"]["kind"], "webhook");
}

async fn many_concurrent_submissions_all_finish(backend: Backend) {
    let (_db, store, _, workflow_id) = setup(backend).await;
    let service = ExecutionService::new(
        store.clone(),
        ServiceConfig {
            concurrency: 4,
            ..Default::default()
        },
    );
    let mut handles = Vec::new();
    for i in 0..40 {
        handles.push(
            service
                .submit(webhook_submission(&workflow_id, &format!("n{i}")))
                .await
                .unwrap(),
        );
    }
    for (i, handle) in handles.into_iter().enumerate() {
        let outcome = handle.outcome().await.unwrap();
        assert_eq!(outcome.status(), ExecutionStatus::Success);
        let response = outcome.response.expect("responded");
        assert_eq!(
            response.body,
            ResponseBody::Json(json!({"greeting": Value::from(format!("hello n{i}"))}))
        );
    }
}

async fn bad_submissions_are_named_and_record_nothing(backend: Backend) {
    let (_db, store, service, workflow_id) = setup(backend).await;
    let head = store.head().await.unwrap();
    let error = service
        .submit(Submission::manual("nope", vec![], Actor::user("u1")))
        .await
        .err()
        .expect("unknown workflow");
    assert!(matches!(error, ServiceError::WorkflowNotFound(_)));
    assert_eq!(error.code(), "NOT_FOUND");
    let mut submission = webhook_submission(&workflow_id, "x");
    submission.version = WorkflowVersion::Exact(9);
    let error = service
        .submit(submission)
        .await
        .err()
        .expect("no version 9");
    assert_eq!(
        error.to_string(),
        format!("workflow `{workflow_id}` has no version 9 (current: 1)")
    );
    assert_eq!(store.head().await.unwrap(), head, "nothing recorded");
}

async fn manual_run_without_a_webhook_has_no_response(backend: Backend) {
    let (_db, _store, service, workflow_id) = setup(backend).await;
    let mut submission = Submission::manual(
        &workflow_id,
        vec![Item::from_value(json!({"body": {"name": "Bo"}}))],
        Actor::user("u1"),
    );
    submission.start_node = Some("w".into());
    let outcome = service.execute(submission).await.unwrap();
    assert_eq!(outcome.status(), ExecutionStatus::Success);
    assert_eq!(outcome.workflow_version, 1);
    // The node still answers (someone may wait), and the run continues after it.
    assert!(outcome.response.is_some());
    assert_eq!(
        outcome.run_data_json()["runData"]["After"][0]["outputs"][0][0]["json"]["done"],
        true
    );
}

on_both_backends!(
    submitted_execution_runs_and_is_recorded,
    many_concurrent_submissions_all_finish,
    bad_submissions_are_named_and_record_nothing,
    manual_run_without_a_webhook_has_no_response,
);

#[test]
fn execution_type_is_stable() {
    assert_eq!(Execution::TYPE, "execution");
}

async fn stop_cuts_a_wait_short_and_records_the_cancel(backend: Backend) {
    let db = TestDb::of(backend).await;
    let store = EventStore::open(&db.url).await.unwrap();
    let commands = WorkflowCommands::new(store.clone(), WorkflowServices::default());
    let definition = serde_json::from_value(json!({
        "nodes": [
            {"id": "t", "type": "n8n-nodes-base.manualTrigger", "name": "Start", "position": [0, 0]},
            {"id": "w", "type": "n8n-nodes-base.wait", "name": "Wait", "position": [200, 0],
             "parameters": {"resume": "timeInterval", "amount": 60, "unit": "seconds"}}
        ],
        "connections": [{"source": "t", "target": "w"}]
    }))
    .unwrap();
    let (id, _) = commands
        .create("slow", "", definition, &metadata())
        .await
        .unwrap();
    let service = ExecutionService::new(store.clone(), ServiceConfig::default());
    let handle = service
        .submit(Submission::manual(&id, vec![], Actor::user("u1")))
        .await
        .unwrap();
    let execution_id = handle.execution_id.clone();
    // Wait until the Wait node runs.
    loop {
        let events = store.stream(Execution::TYPE, &execution_id).await.unwrap();
        if events
            .iter()
            .any(|e| e.event_type == "NodeRunStarted" && e.payload["nodeId"] == "w")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    service.stop(&execution_id).await.expect("stop");
    let outcome = handle.outcome().await.unwrap();
    assert_eq!(outcome.status(), ExecutionStatus::Canceled);
    let events = store.stream(Execution::TYPE, &execution_id).await.unwrap();
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        &types[types.len() - 2..],
        ["NodeRunCanceled", "ExecutionCanceled"]
    );
    let error = service.stop(&execution_id).await.unwrap_err();
    assert_eq!(error.code(), "CONFLICT");
}

on_both_backends!(stop_cuts_a_wait_short_and_records_the_cancel);

async fn a_waiting_execution_can_be_stopped(backend: Backend) {
    let db = TestDb::of(backend).await;
    let store = EventStore::open(&db.url).await.unwrap();
    let commands = WorkflowCommands::new(store.clone(), WorkflowServices::default());
    let definition = serde_json::from_value(json!({
        "nodes": [
            {"id": "t", "type": "n8n-nodes-base.manualTrigger", "name": "Start", "position": [0, 0]},
            {"id": "w", "type": "n8n-nodes-base.wait", "name": "Wait", "position": [200, 0],
             "parameters": {"resume": "timeInterval", "amount": 2, "unit": "hours"}},
            {"id": "n", "type": "n8n-nodes-base.noOp", "name": "After", "position": [400, 0]}
        ],
        "connections": [{"source": "t", "target": "w"}, {"source": "w", "target": "n"}]
    }))
    .unwrap();
    let (id, _) = commands
        .create("later", "", definition, &metadata())
        .await
        .unwrap();
    let service = ExecutionService::new(store.clone(), ServiceConfig::default());
    let outcome = service
        .execute(Submission::manual(&id, vec![], Actor::user("u1")))
        .await
        .unwrap();
    assert_eq!(outcome.status(), ExecutionStatus::Waiting);
    let execution_id = outcome.execution_id.clone();
    assert!(service.is_running_here(&execution_id));
    service.stop(&execution_id).await.expect("stop");
    let mut last = String::new();
    for _ in 0..500 {
        let events = store.stream(Execution::TYPE, &execution_id).await.unwrap();
        last = events.last().unwrap().event_type.clone();
        if last == "ExecutionCanceled" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(last, "ExecutionCanceled");
    assert!(!service.is_running_here(&execution_id));
}

on_both_backends!(a_waiting_execution_can_be_stopped);
