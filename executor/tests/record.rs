//! Recorded executions: the events in the store after a run, and replaying them gives the path
//! the engine took.

use std::collections::HashMap;
use std::sync::Arc;

use cqrs_es::Aggregate;
use serde_json::{Value, json};
use weft_commands::testing::TestDb;
use weft_commands::{Backend, EventStore, on_both_backends};
use weft_domain::execution::{Execution, ExecutionEvent, ExecutionStatus, Trigger};
use weft_domain::metadata::{Actor, EventMetadata};
use weft_executor::record::{RecordError, RecordRequest, run_recorded};
use weft_executor::{
    CompiledWorkflow, Engine, ExecutorError, RunOptions, SandboxLimits, import_n8n,
};

fn n8n_workflow(engine: &Engine, last: Value) -> Arc<CompiledWorkflow> {
    let doc = json!({
        "name": "recorded",
        "nodes": [
            {"id": "t", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            {"id": "s", "name": "Set", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [200, 0],
             "parameters": {"assignments": {"assignments": [{"name": "greeting", "value": "hello", "type": "string"}]}, "includeOtherFields": true}},
            last,
        ],
        "connections": {
            "Start": {"main": [[{"node": "Set", "type": "main", "index": 0}]]},
            "Set": {"main": [[{"node": "Last", "type": "main", "index": 0}]]},
        },
        "settings": {"executionOrder": "v1"},
    });
    let imported = import_n8n(&doc, engine.catalog()).expect("import");
    engine
        .compile(Arc::new(imported.definition), &imported.flags)
        .expect("compile")
}

fn request(execution_id: &str) -> RecordRequest {
    RecordRequest {
        execution_id: execution_id.to_string(),
        workflow_id: "wf-1".into(),
        workflow_version: 7,
        trigger: Trigger::Manual,
        actor: Actor::user("u1"),
    }
}

async fn recorded_events(store: &EventStore, id: &str) -> Vec<(ExecutionEvent, EventMetadata)> {
    store
        .stream(Execution::TYPE, id)
        .await
        .expect("stream")
        .into_iter()
        .enumerate()
        .map(|(index, event)| {
            assert_eq!(event.sequence, index + 1, "gap-free sequences");
            let metadata: HashMap<String, String> =
                serde_json::from_value(event.metadata).expect("metadata map");
            (
                serde_json::from_value(event.payload).expect("payload"),
                EventMetadata::from_map(&metadata).expect("typed metadata"),
            )
        })
        .collect()
}

async fn successful_run_is_recorded_and_replays_in_order(backend: Backend) {
    let db = TestDb::of(backend).await;
    let store = EventStore::open(&db.url).await.unwrap();
    let engine = Engine::new(SandboxLimits::default());
    let workflow = n8n_workflow(
        &engine,
        json!({"id": "n", "name": "Last", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [400, 0], "parameters": {}}),
    );
    let recorded = run_recorded(
        &engine,
        &store,
        &workflow,
        request("ex-1"),
        RunOptions::default(),
    )
    .await
    .unwrap();
    let events = recorded_events(&store, "ex-1").await;
    let types: Vec<&str> = events.iter().map(|(e, _)| e.type_name()).collect();
    assert_eq!(
        types,
        [
            "ExecutionQueued",
            "ExecutionStarted",
            "NodeRunStarted",
            "NodeRunSucceeded",
            "NodeRunStarted",
            "NodeRunSucceeded",
            "NodeRunStarted",
            "NodeRunSucceeded",
            "ExecutionSucceeded",
        ]
    );
    assert!(
        events
            .iter()
            .all(|(_, m)| m.correlation_id == "ex-1" && m.actor == Actor::user("u1"))
    );
    let ExecutionEvent::ExecutionQueued {
        workflow_id,
        workflow_version,
        ..
    } = &events[0].0
    else {
        panic!("first event is the queueing");
    };
    assert_eq!((workflow_id.as_str(), *workflow_version), ("wf-1", 7));
    let ExecutionEvent::NodeRunSucceeded { outputs, .. } = &events[5].0 else {
        panic!("Set succeeded");
    };
    assert_eq!(outputs[0].items().unwrap()[0]["json"]["greeting"], "hello");

    // Replaying the stored events gives the engine's path and the recorder's state.
    let mut replayed = Execution::default();
    for (event, _) in &events {
        replayed.check(event).expect("stored events are valid");
        replayed.fold(event);
    }
    let engine_path: Vec<(String, u32)> = recorded
        .result
        .run_data
        .order()
        .iter()
        .map(|(node, run)| (workflow.node(*node).node.id.clone(), *run as u32))
        .collect();
    assert_eq!(replayed.path, engine_path);
    assert_eq!(replayed, recorded.state);
    assert_eq!(replayed.status, ExecutionStatus::Succeeded);
}

async fn failed_node_and_execution_are_recorded(backend: Backend) {
    let db = TestDb::of(backend).await;
    let store = EventStore::open(&db.url).await.unwrap();
    let engine = Engine::new(SandboxLimits::default());
    let workflow = n8n_workflow(
        &engine,
        json!({"id": "x", "name": "Last", "type": "n8n-nodes-base.stopAndError", "typeVersion": 1, "position": [400, 0],
               "parameters": {"errorMessage": "stopped here"}}),
    );
    run_recorded(
        &engine,
        &store,
        &workflow,
        request("ex-2"),
        RunOptions::default(),
    )
    .await
    .unwrap();
    let events = recorded_events(&store, "ex-2").await;
    let (last, _) = events.last().unwrap();
    assert_eq!(
        last,
        &ExecutionEvent::ExecutionFailed {
            error: match &events[events.len() - 2].0 {
                ExecutionEvent::NodeRunFailed {
                    error,
                    will_retry: false,
                    ..
                } => error.clone(),
                other => panic!("expected the node failure, got {other:?}"),
            },
            node_id: Some("x".into()),
        }
    );
    let ExecutionEvent::ExecutionFailed { error, .. } = last else {
        unreachable!()
    };
    assert_eq!(error.message, "stopped here");
}

on_both_backends!(
    successful_run_is_recorded_and_replays_in_order,
    failed_node_and_execution_are_recorded
);

#[tokio::test]
async fn a_workflow_that_cannot_start_is_recorded_as_failed() {
    let db = TestDb::sqlite();
    let store = EventStore::open(&db.url).await.unwrap();
    let engine = Engine::new(SandboxLimits::default());
    let workflow = engine
        .compile(Arc::new(Default::default()), &HashMap::new())
        .unwrap();
    let error = run_recorded(
        &engine,
        &store,
        &workflow,
        request("ex-3"),
        RunOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(
        error,
        RecordError::Engine(ExecutorError::NoStartNode)
    ));
    let events = recorded_events(&store, "ex-3").await;
    assert!(matches!(
        events.last().unwrap().0,
        ExecutionEvent::ExecutionFailed { node_id: None, .. }
    ));
}
