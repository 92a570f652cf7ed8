//! Executions read models on SQLite and Postgres: list, detail and path after catch-up, rows
//! updated across batches, filters with cursor pages, and a rebuild that reproduces them.

use chrono::{DateTime, Duration, Utc};
use cqrs_es::DomainEvent;
use cqrs_es::persist::SerializedEvent;
use serde_json::json;
use weft_commands::testing::TestDb;
use weft_commands::{Backend, EventStore, on_both_backends};
use weft_domain::execution::{ExecutionEvent, ExecutionMode, RunError, Trigger};
use weft_domain::metadata::{Actor, EventMetadata};
use weft_projections::executions::{ExecutionFilter, ExecutionQueries, PathStep};
use weft_projections::{AuditFilter, ProjectionRunner, ReadModels, TableSet, rebuild};

fn at(second: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + Duration::seconds(second)
}

/// Appends `events` to execution `id`, the first with `sequence`, one second apart from `second`.
async fn append(
    store: &EventStore,
    id: &str,
    sequence: usize,
    second: i64,
    events: Vec<ExecutionEvent>,
) {
    let serialized = events
        .into_iter()
        .enumerate()
        .map(|(offset, event)| {
            let metadata = EventMetadata {
                actor: Actor::system("test"),
                timestamp: at(second + offset as i64),
                correlation_id: id.into(),
                causation_id: None,
            };
            SerializedEvent {
                aggregate_id: id.into(),
                sequence: sequence + offset,
                aggregate_type: "execution".into(),
                event_type: event.event_type(),
                event_version: event.event_version(),
                payload: serde_json::to_value(&event).unwrap(),
                metadata: serde_json::to_value(metadata.to_map()).unwrap(),
            }
        })
        .collect();
    store.append(serialized).await.unwrap();
}

fn queued(workflow: &str, trigger: Trigger) -> ExecutionEvent {
    ExecutionEvent::ExecutionQueued {
        workflow_id: workflow.into(),
        workflow_version: 4,
        trigger,
        mode: ExecutionMode::Production,
        input: vec![json!({"json": {}})].into(),
        destination_node_id: None,
    }
}

fn started(node: &str) -> ExecutionEvent {
    ExecutionEvent::NodeRunStarted {
        node_id: node.into(),
        run_index: 0,
        inputs: vec![Some(vec![json!({"json": {"in": node}})].into())],
    }
}

fn succeeded(node: &str) -> ExecutionEvent {
    ExecutionEvent::NodeRunSucceeded {
        node_id: node.into(),
        run_index: 0,
        outputs: vec![vec![json!({"json": {"out": node}})].into()],
        duration_ms: 3,
        pinned: false,
    }
}

fn error(message: &str) -> RunError {
    RunError {
        kind: "operation".into(),
        message: message.into(),
        description: None,
        item_index: None,
    }
}

/// A fresh database of `backend`, its store and a runner on the live tables (keep the database
/// alive for the test).
async fn live_runner(backend: Backend) -> (TestDb, EventStore, ProjectionRunner) {
    let db = TestDb::of(backend).await;
    let store = EventStore::open(&db.url).await.unwrap();
    let runner = ProjectionRunner::new(store.clone(), TableSet::live())
        .await
        .unwrap();
    (db, store, runner)
}

async fn executions_are_projected_across_batches(backend: Backend) {
    let (_db, store, mut runner) = live_runner(backend).await;
    let queries = ExecutionQueries::new(store.clone());

    append(
        &store,
        "ex-1",
        1,
        0,
        vec![
            queued("wf-a", Trigger::Manual),
            ExecutionEvent::ExecutionStarted,
            started("a"),
            succeeded("a"),
            started("b"),
        ],
    )
    .await;
    runner.catch_up().await.unwrap();
    let running = queries.execution("ex-1").await.unwrap().unwrap();
    assert_eq!(running.status, "running");
    assert_eq!(
        running.started_at.as_deref(),
        Some("2026-11-27T10:00:01.000000Z")
    );

    // The rest arrives in a later batch: rows written before are updated.
    append(
        &store,
        "ex-1",
        6,
        5,
        vec![
            ExecutionEvent::NodeRunFailed {
                node_id: "b".into(),
                run_index: 0,
                error: error("flaky"),
                attempt: 1,
                will_retry: true,
            },
            ExecutionEvent::NodeRunRetried {
                node_id: "b".into(),
                run_index: 0,
                next_attempt: 2,
                wait_ms: 10,
            },
            succeeded("b"),
            ExecutionEvent::ExecutionSucceeded,
        ],
    )
    .await;
    // The detail shows the stream only as far as the list row: not yet the events above.
    let before = queries.detail("ex-1").await.unwrap().unwrap();
    assert_eq!(before.execution.status, "running");
    let runs: Vec<(&str, &str, u32)> = before
        .node_runs
        .iter()
        .map(|r| (r.node_id.as_str(), r.status.as_str(), r.attempts))
        .collect();
    assert_eq!(runs, [("a", "succeeded", 1), ("b", "running", 1)]);
    // A second execution, whole in one batch, failing at its only node.
    append(
        &store,
        "ex-2",
        1,
        20,
        vec![
            queued(
                "wf-b",
                Trigger::Webhook {
                    method: "POST".into(),
                    path: "hook".into(),
                },
            ),
            ExecutionEvent::ExecutionStarted,
            started("x"),
            ExecutionEvent::NodeRunFailed {
                node_id: "x".into(),
                run_index: 0,
                error: error("boom"),
                attempt: 1,
                will_retry: false,
            },
            ExecutionEvent::ExecutionFailed {
                error: error("boom"),
                node_id: Some("x".into()),
            },
        ],
    )
    .await;
    runner.catch_up().await.unwrap();

    let detail = queries.detail("ex-1").await.unwrap().unwrap();
    assert_eq!(detail.execution.status, "succeeded");
    assert_eq!(detail.execution.workflow_version, 4);
    assert_eq!(detail.execution.trigger_kind, "manual");
    assert_eq!(detail.execution.last_sequence, 9);
    assert_eq!(detail.execution.duration_ms(), Some(7000));
    let runs: Vec<(&str, &str, u32)> = detail
        .node_runs
        .iter()
        .map(|r| (r.node_id.as_str(), r.status.as_str(), r.attempts))
        .collect();
    assert_eq!(runs, [("a", "succeeded", 1), ("b", "succeeded", 2)]);
    assert_eq!(
        detail.node_runs[1].outputs,
        Some(json!([[{"json": {"out": "b"}}]]))
    );
    assert_eq!(detail.node_runs[1].inputs, json!([[{"json": {"in": "b"}}]]));
    assert_eq!(detail.node_runs[1].duration_ms, Some(3));
    assert_eq!(
        queries.path("ex-2").await.unwrap(),
        [PathStep {
            node_id: "x".into(),
            run_index: 0,
            status: "failed".into()
        }]
    );
    let failed = queries.execution("ex-2").await.unwrap().unwrap();
    assert_eq!(failed.status, "failed");
    assert_eq!(failed.error_node_id.as_deref(), Some("x"));
    assert_eq!(failed.error_json().unwrap()["message"], "boom");

    // Filters and cursor pages (newest first).
    let all = |limit, after| ExecutionFilter {
        limit,
        after,
        ..Default::default()
    };
    let first = queries.list(&all(1, None)).await.unwrap();
    assert_eq!(first.items[0].id, "ex-2");
    let second = queries.list(&all(1, first.next_cursor)).await.unwrap();
    assert_eq!(second.items[0].id, "ex-1");
    assert_eq!(second.next_cursor, None);
    let by = |filter: ExecutionFilter| {
        let queries = queries.clone();
        async move {
            queries
                .list(&ExecutionFilter {
                    limit: 10,
                    ..filter
                })
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|row| row.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        by(ExecutionFilter {
            status: Some("failed".into()),
            ..Default::default()
        })
        .await,
        ["ex-2"]
    );
    assert_eq!(
        by(ExecutionFilter {
            trigger: Some("manual".into()),
            ..Default::default()
        })
        .await,
        ["ex-1"]
    );
    assert_eq!(
        by(ExecutionFilter {
            workflow_id: Some("wf-b".into()),
            ..Default::default()
        })
        .await,
        ["ex-2"]
    );
    assert_eq!(
        by(ExecutionFilter {
            to: Some("2026-11-27T10:00:10Z".into()),
            ..Default::default()
        })
        .await,
        ["ex-1"]
    );

    // A rebuild from zero (in one batch) reproduces the rows written across batches.
    rebuild(&store, true).await.unwrap();
}

async fn deleted_executions_leave_the_read_models(backend: Backend) {
    let (_db, store, mut runner) = live_runner(backend).await;
    let queries = ExecutionQueries::new(store.clone());
    let finished = |workflow: &str| {
        vec![
            queued(workflow, Trigger::Manual),
            ExecutionEvent::ExecutionStarted,
            started("a"),
            succeeded("a"),
            ExecutionEvent::ExecutionSucceeded,
        ]
    };
    // ex-1 is projected, then deleted in a later batch; ex-2 lives and dies within one batch;
    // ex-3 stays.
    append(&store, "ex-1", 1, 0, finished("wf")).await;
    runner.catch_up().await.unwrap();
    assert!(queries.execution("ex-1").await.unwrap().is_some());
    append(
        &store,
        "ex-1",
        6,
        10,
        vec![ExecutionEvent::ExecutionDeleted],
    )
    .await;
    let mut ex2 = finished("wf");
    ex2.push(ExecutionEvent::ExecutionDeleted);
    append(&store, "ex-2", 1, 20, ex2).await;
    append(&store, "ex-3", 1, 30, finished("wf")).await;
    runner.catch_up().await.unwrap();

    for gone in ["ex-1", "ex-2"] {
        assert!(queries.execution(gone).await.unwrap().is_none(), "{gone}");
        assert!(queries.path(gone).await.unwrap().is_empty(), "{gone}");
    }
    let listed: Vec<String> = queries
        .list(&ExecutionFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|row| row.id)
        .collect();
    assert_eq!(listed, ["ex-3"]);
    // A rebuild from zero gives the same rows.
    rebuild(&store, true).await.unwrap();
}

async fn the_audit_log_keeps_execution_actions_not_progress(backend: Backend) {
    let (_db, store, mut runner) = live_runner(backend).await;
    append(
        &store,
        "ex-a",
        1,
        0,
        vec![
            queued("wf", Trigger::Manual),
            ExecutionEvent::ExecutionStarted,
            started("a"),
            succeeded("a"),
            ExecutionEvent::ExecutionSucceeded,
        ],
    )
    .await;
    append(
        &store,
        "ex-b",
        1,
        10,
        vec![
            queued("wf", Trigger::Manual),
            ExecutionEvent::ExecutionStarted,
            started("a"),
            ExecutionEvent::ExecutionCanceled,
            ExecutionEvent::ExecutionDeleted,
        ],
    )
    .await;
    assert_eq!(runner.catch_up().await.unwrap(), 10);
    let audited: Vec<(String, String)> = ReadModels::new(store.db().clone())
        .audit(&AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.aggregate_id, row.event_type))
        .collect();
    let expected = [
        ("ex-a", "ExecutionQueued"),
        ("ex-b", "ExecutionQueued"),
        ("ex-b", "ExecutionCanceled"),
        ("ex-b", "ExecutionDeleted"),
    ]
    .map(|(id, event)| (id.to_string(), event.to_string()));
    assert_eq!(audited, expected);
    rebuild(&store, true).await.unwrap();
}

on_both_backends!(
    executions_are_projected_across_batches,
    the_audit_log_keeps_execution_actions_not_progress,
    deleted_executions_leave_the_read_models
);
