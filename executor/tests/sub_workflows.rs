//! Execute Workflow nodes run stored sub-workflows (each an execution of its own, triggered by
//! the caller), and a failed execution starts its workflow's error workflow with n8n's error
//! data. On SQLite and Postgres with the in-process service.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use weft_commands::testing::TestDb;
use weft_commands::{Backend, EventStore, WorkflowCommands, on_both_backends};
use weft_domain::definition::WorkflowDefinition;
use weft_domain::metadata::{Actor, EventMetadata};
use weft_domain::workflow::WorkflowServices;
use weft_executor::service::{ExecutionService, ServiceConfig, Submission};
use weft_executor::{ExecutionStatus, Item};

on_both_backends!(
    execute_workflow_nodes_run_stored_sub_workflows,
    failed_executions_start_their_error_workflow,
);

fn metadata() -> EventMetadata {
    EventMetadata {
        actor: Actor::user("u1"),
        timestamp: chrono::Utc::now(),
        correlation_id: "test".into(),
        causation_id: None,
    }
}

struct Setup {
    _db: TestDb,
    store: EventStore,
    commands: WorkflowCommands,
    service: ExecutionService,
}

async fn setup(backend: Backend) -> Setup {
    let db = TestDb::of(backend).await;
    let store = EventStore::open(&db.url).await.unwrap();
    Setup {
        commands: WorkflowCommands::new(store.clone(), WorkflowServices::default()),
        service: ExecutionService::new(store.clone(), ServiceConfig::default()),
        store,
        _db: db,
    }
}

impl Setup {
    async fn create(&self, name: &str, definition: Value) -> String {
        let definition: WorkflowDefinition = serde_json::from_value(definition).unwrap();
        self.commands
            .create(name, "", definition, &metadata())
            .await
            .expect("create")
            .0
    }

    /// Every `ExecutionQueued` payload in the log, in commit order.
    async fn queued(&self) -> Vec<(String, Value)> {
        // Every committed event: on Postgres a plain `read_after` stops below transactions still
        // in flight (other tests share the server).
        weft_commands::testing::all_committed_events(&self.store)
            .await
            .into_iter()
            .filter(|e| e.event_type == "ExecutionQueued")
            .map(|e| (e.aggregate_id, e.payload.into_value()))
            .collect()
    }
}

fn set(id: &str, name: &str, field: &str, value: &str, x: i32) -> Value {
    json!({"id": id, "type": "n8n-nodes-base.set", "typeVersion": 3.4, "name": name, "position": [x, 0],
           "parameters": {"assignments": {"assignments": [{"name": field, "value": value, "type": "number"}]}}})
}

/// Execute Workflow Trigger → Set `double = n * 2`.
fn child() -> Value {
    json!({
        "nodes": [
            {"id": "in", "type": "n8n-nodes-base.executeWorkflowTrigger", "name": "In", "position": [0, 0]},
            set("d", "Double", "double", "={{ $json.n * 2 }}", 200)
        ],
        "connections": [{"source": "in", "target": "d"}]
    })
}

/// Manual trigger → Execute Workflow (`workflow_id`, `mode`) → Set `plus = double + 1`.
fn parent(workflow_id: Value, mode: &str) -> Value {
    json!({
        "nodes": [
            {"id": "t", "type": "n8n-nodes-base.manualTrigger", "name": "Start", "position": [0, 0]},
            {"id": "c", "type": "n8n-nodes-base.executeWorkflow", "typeVersion": 1.1, "name": "Call", "position": [200, 0],
             "parameters": {"workflowId": workflow_id, "mode": mode}},
            set("p", "Plus", "plus", "={{ $json.double + 1 }}", 400)
        ],
        "connections": [{"source": "t", "target": "c"}, {"source": "c", "target": "p"}]
    })
}

fn input() -> Vec<Item> {
    vec![
        Item::from_value(json!({"n": 1})),
        Item::from_value(json!({"n": 2})),
    ]
}

async fn execute_workflow_nodes_run_stored_sub_workflows(backend: Backend) {
    let s = setup(backend).await;
    let child_id = s.create("child", child()).await;

    // All items in one call; the workflow chosen with n8n's resource locator.
    let locator = json!({"__rl": true, "value": child_id, "mode": "list"});
    let once = s.create("once", parent(locator, "once")).await;
    let outcome = s
        .service
        .execute(Submission::manual(&once, input(), Actor::user("u1")))
        .await
        .unwrap();
    assert_eq!(outcome.status(), ExecutionStatus::Success, "{outcome:?}");
    let plus: Vec<f64> = outcome
        .last_node_items()
        .iter()
        .filter_map(|i| i.json["plus"].as_f64())
        .collect();
    assert_eq!(plus, [3.0, 5.0]);
    let calls: Vec<Value> = s
        .queued()
        .await
        .into_iter()
        .filter(|(_, p)| p["trigger"]["kind"] == "subWorkflow")
        .map(|(_, p)| p)
        .collect();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["workflowId"], child_id.as_str());
    assert_eq!(
        calls[0]["trigger"]["parentExecutionId"],
        outcome.execution_id.as_str()
    );
    assert_eq!(calls[0]["trigger"]["parentNodeId"], "c");
    assert_eq!(calls[0]["input"].as_array().unwrap().len(), 2);

    // One call per item.
    let each = s.create("each", parent(json!(child_id), "each")).await;
    let outcome = s
        .service
        .execute(Submission::manual(&each, input(), Actor::user("u1")))
        .await
        .unwrap();
    assert_eq!(outcome.status(), ExecutionStatus::Success, "{outcome:?}");
    assert_eq!(outcome.last_node_items().len(), 2);
    let per_item = s
        .queued()
        .await
        .into_iter()
        .filter(|(_, p)| p["trigger"]["parentExecutionId"] == outcome.execution_id.as_str())
        .count();
    assert_eq!(per_item, 2);

    // A workflow calling itself stops at the nesting limit with a clear error.
    let recursive = s
        .create("recursive", parent(json!("={{ $workflow.id }}"), "once"))
        .await;
    let outcome = s
        .service
        .execute(Submission::manual(&recursive, input(), Actor::user("u1")))
        .await
        .unwrap();
    assert_eq!(outcome.status(), ExecutionStatus::Error);
    let message = outcome.result.error.as_ref().unwrap().message.clone();
    assert!(message.contains("nest deeper than 16 levels"), "{message}");

    // An unknown workflow fails the node, naming it.
    let unknown = s
        .create("unknown", parent(json!("no-such-id"), "once"))
        .await;
    let outcome = s
        .service
        .execute(Submission::manual(&unknown, input(), Actor::user("u1")))
        .await
        .unwrap();
    assert_eq!(outcome.status(), ExecutionStatus::Error);
    let message = outcome.result.error.as_ref().unwrap().message.clone();
    assert!(
        message.contains("no-such-id") && message.contains("not found"),
        "{message}"
    );
}

async fn failed_executions_start_their_error_workflow(backend: Backend) {
    let s = setup(backend).await;
    let handler = s
        .create(
            "on error",
            json!({
                "nodes": [
                    {"id": "e", "type": "n8n-nodes-base.errorTrigger", "name": "Error Trigger", "position": [0, 0]},
                    {"id": "r", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "name": "Record", "position": [200, 0],
                     "parameters": {"assignments": {"assignments": [
                         {"name": "message", "value": "={{ $json.execution.error.message }}", "type": "string"},
                         {"name": "node", "value": "={{ $json.execution.lastNodeExecuted }}", "type": "string"},
                         {"name": "workflow", "value": "={{ $json.workflow.name }}", "type": "string"}]}}}
                ],
                "connections": [{"source": "e", "target": "r"}]
            }),
        )
        .await;
    let failing = s
        .create(
            "fragile",
            json!({
                "nodes": [
                    {"id": "t", "type": "n8n-nodes-base.manualTrigger", "name": "Start", "position": [0, 0]},
                    {"id": "b", "type": "n8n-nodes-base.stopAndError", "name": "Boom", "position": [200, 0],
                     "parameters": {"errorMessage": "kaboom"}}
                ],
                "connections": [{"source": "t", "target": "b"}],
                "settings": {"errorWorkflow": handler}
            }),
        )
        .await;
    let failed = s
        .service
        .execute(Submission::manual(&failing, vec![], Actor::user("u1")))
        .await
        .unwrap();
    assert_eq!(failed.status(), ExecutionStatus::Error);

    // The error workflow's execution names the failed one and records what it received.
    let started = Instant::now();
    let handled = loop {
        let found = s.queued().await.into_iter().find(|(_, p)| {
            p["trigger"]["kind"] == "error"
                && p["trigger"]["failedExecutionId"] == failed.execution_id.as_str()
        });
        if let Some((id, payload)) = found {
            let events = s.store.stream("execution", &id).await.unwrap();
            if events
                .last()
                .is_some_and(|e| e.event_type == "ExecutionSucceeded")
            {
                assert_eq!(payload["workflowId"], handler.as_str());
                break events;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no error workflow ran"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let recorded = handled
        .iter()
        .rev()
        .find(|e| e.event_type == "NodeRunSucceeded" && e.payload["nodeId"] == "r")
        .expect("Record ran");
    let item = &recorded.payload["outputs"][0][0]["json"];
    assert_eq!(item["message"], "kaboom", "{item}");
    assert_eq!(item["node"], "Boom");
    assert_eq!(item["workflow"], "fragile");
}
