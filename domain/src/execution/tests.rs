//! Given/when/then tests of the execution life cycle and its invariants.

use cqrs_es::test::TestFramework;
use serde_json::json;

use super::*;

type Fixture = TestFramework<Execution>;

fn fixture() -> Fixture {
    TestFramework::with(())
}

fn queued() -> ExecutionEvent {
    ExecutionEvent::ExecutionQueued {
        workflow_id: "wf".into(),
        workflow_version: 3,
        trigger: Trigger::Manual,
        mode: ExecutionMode::Manual,
        input: vec![json!({"json": {}})].into(),
        destination_node_id: None,
    }
}

fn node_started(node: &str, run: u32) -> ExecutionEvent {
    ExecutionEvent::NodeRunStarted {
        node_id: node.into(),
        run_index: run,
        inputs: vec![Some(vec![json!({"json": {"a": 1}})].into())],
    }
}

fn node_succeeded(node: &str, run: u32) -> ExecutionEvent {
    ExecutionEvent::NodeRunSucceeded {
        node_id: node.into(),
        run_index: run,
        outputs: vec![vec![json!({"json": {"a": 1}})].into()],
        duration_ms: 2,
        pinned: false,
    }
}

fn failure(will_retry: bool, attempt: u32) -> ExecutionEvent {
    ExecutionEvent::NodeRunFailed {
        node_id: "n".into(),
        run_index: 0,
        error: RunError {
            kind: "operation".into(),
            message: "boom".into(),
            description: None,
            item_index: None,
        },
        attempt,
        will_retry,
    }
}

fn step(event: ExecutionEvent) -> ExecutionCommand {
    ExecutionCommand::RecordStep(event)
}

#[test]
fn queue_records_the_exact_workflow_version() {
    fixture()
        .given_no_previous_events()
        .when(ExecutionCommand::Queue {
            workflow_id: "wf".into(),
            workflow_version: 3,
            trigger: Trigger::Manual,
            mode: ExecutionMode::Manual,
            input: vec![json!({"json": {}})],
            destination_node_id: None,
        })
        .then_expect_events(vec![queued()]);
}

#[test]
fn an_execution_is_queued_once() {
    fixture()
        .given(vec![queued()])
        .when(step(queued()))
        .then_expect_error(ExecutionError::AlreadyQueued);
}

#[test]
fn start_follows_queue() {
    fixture()
        .given(vec![queued()])
        .when(ExecutionCommand::Start)
        .then_expect_events(vec![ExecutionEvent::ExecutionStarted]);
    fixture()
        .given_no_previous_events()
        .when(ExecutionCommand::Start)
        .then_expect_error(ExecutionError::NotQueued("new"));
}

#[test]
fn no_node_events_before_start() {
    fixture()
        .given(vec![queued()])
        .when(step(node_started("n", 0)))
        .then_expect_error(ExecutionError::NotRunning("queued"));
}

#[test]
fn no_node_events_after_finish() {
    fixture()
        .given(vec![
            queued(),
            ExecutionEvent::ExecutionStarted,
            ExecutionEvent::ExecutionSucceeded,
        ])
        .when(step(node_started("n", 0)))
        .then_expect_error(ExecutionError::Finished("succeeded"));
}

#[test]
fn a_node_run_starts_once() {
    fixture()
        .given(vec![
            queued(),
            ExecutionEvent::ExecutionStarted,
            node_started("n", 0),
        ])
        .when(step(node_started("n", 0)))
        .then_expect_error(ExecutionError::NodeRunAlreadyStarted {
            node_id: "n".into(),
            run_index: 0,
        });
}

#[test]
fn outcomes_need_an_open_run() {
    fixture()
        .given(vec![queued(), ExecutionEvent::ExecutionStarted])
        .when(step(node_succeeded("n", 0)))
        .then_expect_error(ExecutionError::NodeRunNotOpen {
            node_id: "n".into(),
            run_index: 0,
        });
    fixture()
        .given(vec![
            queued(),
            ExecutionEvent::ExecutionStarted,
            node_started("n", 0),
            node_succeeded("n", 0),
        ])
        .when(step(node_succeeded("n", 0)))
        .then_expect_error(ExecutionError::NodeRunNotOpen {
            node_id: "n".into(),
            run_index: 0,
        });
}

#[test]
fn retries_follow_a_failed_attempt_that_asked_for_one() {
    let retried = ExecutionEvent::NodeRunRetried {
        node_id: "n".into(),
        run_index: 0,
        next_attempt: 2,
        wait_ms: 10,
    };
    fixture()
        .given(vec![
            queued(),
            ExecutionEvent::ExecutionStarted,
            node_started("n", 0),
            failure(true, 1),
        ])
        .when(step(retried.clone()))
        .then_expect_events(vec![retried.clone()]);
    fixture()
        .given(vec![
            queued(),
            ExecutionEvent::ExecutionStarted,
            node_started("n", 0),
        ])
        .when(step(retried))
        .then_expect_error(ExecutionError::NothingToRetry {
            node_id: "n".into(),
            run_index: 0,
        });
}

#[test]
fn a_final_failure_closes_the_run() {
    fixture()
        .given(vec![
            queued(),
            ExecutionEvent::ExecutionStarted,
            node_started("n", 0),
            failure(false, 3),
        ])
        .when(step(failure(false, 4)))
        .then_expect_error(ExecutionError::NodeRunNotOpen {
            node_id: "n".into(),
            run_index: 0,
        });
}

#[test]
fn success_needs_every_node_run_closed() {
    fixture()
        .given(vec![
            queued(),
            ExecutionEvent::ExecutionStarted,
            node_started("n", 0),
        ])
        .when(step(ExecutionEvent::ExecutionSucceeded))
        .then_expect_error(ExecutionError::NodeRunsOpen("n#0".into()));
}

#[test]
fn waiting_and_resuming() {
    let waiting = ExecutionEvent::ExecutionWaiting {
        node_id: "w".into(),
        resume_at: chrono::DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc),
    };
    fixture()
        .given(vec![
            queued(),
            ExecutionEvent::ExecutionStarted,
            waiting.clone(),
        ])
        .when(step(node_started("n", 0)))
        .then_expect_error(ExecutionError::NotRunning("waiting"));
    fixture()
        .given(vec![queued(), ExecutionEvent::ExecutionStarted, waiting])
        .when(ExecutionCommand::Resume)
        .then_expect_events(vec![ExecutionEvent::ExecutionResumed]);
    fixture()
        .given(vec![queued(), ExecutionEvent::ExecutionStarted])
        .when(ExecutionCommand::Resume)
        .then_expect_error(ExecutionError::NotWaiting("running"));
}

#[test]
fn cancel_until_finished() {
    fixture()
        .given(vec![queued()])
        .when(ExecutionCommand::Cancel)
        .then_expect_events(vec![ExecutionEvent::ExecutionCanceled]);
    fixture()
        .given(vec![
            queued(),
            ExecutionEvent::ExecutionStarted,
            ExecutionEvent::ExecutionCanceled,
        ])
        .when(ExecutionCommand::Cancel)
        .then_expect_error(ExecutionError::Finished("canceled"));
}

#[test]
fn only_finished_executions_are_deleted_and_nothing_follows() {
    fixture()
        .given(vec![
            queued(),
            ExecutionEvent::ExecutionStarted,
            ExecutionEvent::ExecutionSucceeded,
        ])
        .when(ExecutionCommand::Delete)
        .then_expect_events(vec![ExecutionEvent::ExecutionDeleted]);
    fixture()
        .given(vec![queued(), ExecutionEvent::ExecutionStarted])
        .when(ExecutionCommand::Delete)
        .then_expect_error(ExecutionError::NotFinished("running"));
    let deleted = vec![
        queued(),
        ExecutionEvent::ExecutionCanceled,
        ExecutionEvent::ExecutionDeleted,
    ];
    fixture()
        .given(deleted.clone())
        .when(ExecutionCommand::Delete)
        .then_expect_error(ExecutionError::Deleted);
    fixture()
        .given(deleted)
        .when(ExecutionCommand::Start)
        .then_expect_error(ExecutionError::Deleted);
}

#[test]
fn state_keeps_the_path_in_start_order() {
    let mut execution = Execution::default();
    for event in [
        queued(),
        ExecutionEvent::ExecutionStarted,
        node_started("a", 0),
        node_succeeded("a", 0),
        node_started("b", 0),
        node_started("a", 1),
        node_succeeded("a", 1),
        node_succeeded("b", 0),
        ExecutionEvent::ExecutionSucceeded,
    ] {
        execution.check(&event).unwrap();
        execution.fold(&event);
    }
    assert_eq!(execution.version, 9);
    assert_eq!(execution.status, ExecutionStatus::Succeeded);
    assert_eq!(
        execution.path,
        vec![("a".into(), 0), ("b".into(), 0), ("a".into(), 1)]
    );
    assert!(execution.open.is_empty());
}

#[test]
fn events_round_trip_as_camel_case_json() {
    let event = ExecutionEvent::ExecutionQueued {
        workflow_id: "wf".into(),
        workflow_version: 1,
        trigger: Trigger::Webhook {
            method: "POST".into(),
            path: "hook".into(),
        },
        mode: ExecutionMode::Production,
        input: vec![].into(),
        destination_node_id: None,
    };
    let value = serde_json::to_value(&event).unwrap();
    assert_eq!(
        value,
        json!({"type": "ExecutionQueued", "workflowId": "wf", "workflowVersion": 1,
            "trigger": {"kind": "webhook", "method": "POST", "path": "hook"},
            "mode": "production", "input": []})
    );
    assert_eq!(
        serde_json::from_value::<ExecutionEvent>(value).unwrap(),
        event
    );
    // A partial run records its destination; events without one still read.
    let partial = ExecutionEvent::ExecutionQueued {
        workflow_id: "wf".into(),
        workflow_version: 1,
        trigger: Trigger::Manual,
        mode: ExecutionMode::Manual,
        input: vec![].into(),
        destination_node_id: Some("b".into()),
    };
    let value = serde_json::to_value(&partial).unwrap();
    assert_eq!(value["destinationNodeId"], "b");
    assert_eq!(
        serde_json::from_value::<ExecutionEvent>(value).unwrap(),
        partial
    );
}

fn responded(status: u16) -> ExecutionEvent {
    ExecutionEvent::WebhookResponded {
        node_id: "r".into(),
        status,
        headers: Default::default(),
        body: json!({"kind": "json", "value": {"ok": true}}),
    }
}

#[test]
fn a_running_execution_responds_to_its_webhook_once() {
    fixture()
        .given(vec![queued(), ExecutionEvent::ExecutionStarted])
        .when(step(responded(201)))
        .then_expect_events(vec![responded(201)]);
    fixture()
        .given(vec![
            queued(),
            ExecutionEvent::ExecutionStarted,
            responded(201),
        ])
        .when(step(responded(200)))
        .then_expect_error(ExecutionError::AlreadyResponded);
    fixture()
        .given(vec![queued()])
        .when(step(responded(200)))
        .then_expect_error(ExecutionError::NotRunning("queued"));
}

#[test]
fn an_abandoned_attempt_is_retried_by_the_next_owner() {
    // A worker died during attempt 1; the next owner records it as abandoned and retries.
    let abandoned = ExecutionEvent::NodeRunFailed {
        node_id: "n".into(),
        run_index: 0,
        error: RunError {
            kind: "abandoned".into(),
            message: "the worker stopped".into(),
            description: None,
            item_index: None,
        },
        attempt: 1,
        will_retry: true,
    };
    let retried = ExecutionEvent::NodeRunRetried {
        node_id: "n".into(),
        run_index: 0,
        next_attempt: 2,
        wait_ms: 0,
    };
    fixture()
        .given(vec![
            queued(),
            ExecutionEvent::ExecutionStarted,
            node_started("n", 0),
            abandoned.clone(),
        ])
        .when(step(retried.clone()))
        .then_expect_events(vec![retried.clone()]);
    fixture()
        .given(vec![
            queued(),
            ExecutionEvent::ExecutionStarted,
            node_started("n", 0),
            abandoned,
            retried,
        ])
        .when(step(node_succeeded("n", 0)))
        .then_expect_events(vec![node_succeeded("n", 0)]);
}

#[test]
fn item_lists_read_inline_arrays_and_blob_references() {
    // Events written before blobs existed hold arrays; they still read as inline items.
    let old = json!({"type": "NodeRunSucceeded", "nodeId": "n", "runIndex": 0,
        "outputs": [[{"json": {"a": 1}}], []], "durationMs": 1, "pinned": false});
    let ExecutionEvent::NodeRunSucceeded { outputs, .. } =
        serde_json::from_value::<ExecutionEvent>(old).unwrap()
    else {
        panic!("not a NodeRunSucceeded");
    };
    assert_eq!(
        outputs[0].items().unwrap(),
        &vec![json!({"json": {"a": 1}})]
    );
    assert!(outputs[1].is_empty());

    let reference = BlobRef {
        blob: "ab".repeat(32),
        bytes: 1_000_000,
        items: 3,
    };
    let mut event = ExecutionEvent::NodeRunStarted {
        node_id: "n".into(),
        run_index: 0,
        inputs: vec![None, Some(ItemData::Blob(reference.clone()))],
    };
    let mut value = serde_json::to_value(&event).unwrap();
    assert_eq!(
        value["inputs"],
        json!([null, {"blob": "ab".repeat(32), "bytes": 1_000_000, "items": 3}])
    );
    assert_eq!(
        serde_json::from_value::<ExecutionEvent>(value.clone()).unwrap(),
        event
    );
    assert_eq!(blob_ref_slots(&mut value).len(), 1);
    let slot = &event.item_data_mut()[0];
    assert_eq!(slot.len(), 3);
    assert_eq!(
        slot.items().unwrap_err().to_string(),
        format!("item data blob {} was not loaded", "ab".repeat(32))
    );
    // An array inside the items is never taken for a reference.
    let mut queued = serde_json::to_value(queued()).unwrap();
    assert!(blob_ref_slots(&mut queued).is_empty());
}
