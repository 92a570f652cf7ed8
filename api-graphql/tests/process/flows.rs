//! Workflows and execution-event helpers shared by the process tests of executions.

use std::time::{Duration, Instant};

use cqrs_es::Aggregate;
use serde_json::{Value, json};
use weft_commands::EventStore;
use weft_domain::execution::{Execution, ExecutionEvent};

use super::{PATIENCE, Weft};

pub fn node(id: &str, node_type: &str, version: f64, x: f64, parameters: Value) -> Value {
    json!({
        "id": id, "name": id, "type": format!("n8n-nodes-base.{node_type}"), "typeVersion": version,
        "position": [x, 0.0], "parameters": parameters
    })
}

pub fn link(source: &str, target: &str) -> Value {
    json!({ "source": source, "sourceOutput": 0, "target": target, "targetInput": 0, "kind": "main" })
}

/// Manual Trigger → Set (`stage`) → Wait `seconds` → Code (doubles `n`).
pub fn slow_workflow(seconds: u64) -> Value {
    json!({
        "name": "slow",
        "nodes": [
            node("Start", "manualTrigger", 1.0, 0.0, json!({})),
            node("Mark", "set", 3.4, 200.0, json!({"mode": "manual", "includeOtherFields": true,
                "assignments": {"assignments": [{"id": "s", "name": "stage", "value": "marked", "type": "string"}]},
                "options": {}})),
            node("Pause", "wait", 1.1, 400.0, json!({"resume": "timeInterval", "amount": seconds, "unit": "seconds"})),
            node("Double", "code", 2.0, 600.0, json!({"mode": "runOnceForEachItem",
                "jsCode": "return {json: {n: $json.n * 2, stage: $json.stage}};"})),
        ],
        "connections": [link("Start", "Mark"), link("Mark", "Pause"), link("Pause", "Double")]
    })
}

pub async fn start_execution(weft: &Weft, workflow_id: &str) -> String {
    let data = weft
        .graphql(
            "mutation($id: ID!, $input: JSON) { executeWorkflow(workflowId: $id, input: $input) { executionId } }",
            json!({"id": workflow_id, "input": {"n": 21}}),
        )
        .await;
    data["executeWorkflow"]["executionId"]
        .as_str()
        .unwrap()
        .to_string()
}

pub async fn events(store: &EventStore, execution_id: &str) -> Vec<ExecutionEvent> {
    store
        .stream(Execution::TYPE, execution_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| serde_json::from_value(e.payload).unwrap())
        .collect()
}

pub async fn wait_for(
    store: &EventStore,
    execution_id: &str,
    done: impl Fn(&[ExecutionEvent]) -> bool,
) -> Vec<ExecutionEvent> {
    let deadline = Instant::now() + PATIENCE * 2;
    loop {
        let events = events(store, execution_id).await;
        if done(&events) {
            return events;
        }
        assert!(Instant::now() < deadline, "execution stuck at {events:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn started(events: &[ExecutionEvent], node: &str) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, ExecutionEvent::NodeRunStarted { node_id, .. } if node_id == node))
        .count()
}

pub fn ended(events: &[ExecutionEvent]) -> bool {
    matches!(
        events.last(),
        Some(
            ExecutionEvent::ExecutionSucceeded
                | ExecutionEvent::ExecutionFailed { .. }
                | ExecutionEvent::ExecutionCanceled
        )
    )
}
