//! The event store suite, run against SQLite and Postgres.

use std::collections::HashMap;

use chrono::Utc;
use futures::future::join_all;
use serde_json::json;
use weft_commands::testing::{TestDb, all_committed_events, numbered_event as event};
use weft_commands::{
    Backend, CommandError, EventStore, StoreError, WorkflowCommands, on_both_backends,
};
use weft_domain::definition::{Connection, ConnectionKind, Node};
use weft_domain::environment::Environment;
use weft_domain::metadata::{Actor, EventMetadata};
use weft_domain::workflow::{
    NodeChanges, WorkflowAction, WorkflowCommand, WorkflowError, WorkflowServices,
};

async fn open(backend: Backend) -> (TestDb, EventStore) {
    let db = TestDb::of(backend).await;
    let store = EventStore::open(&db.url).await.expect("open store");
    (db, store)
}

async fn all_events(store: &EventStore) -> Vec<weft_commands::StoredEvent> {
    all_committed_events(store).await
}

async fn appends_round_trip_in_global_order(backend: Backend) {
    let (_db, store) = open(backend).await;
    store
        .append(vec![event("a", 1, 1), event("a", 2, 2)])
        .await
        .unwrap();
    store.append(vec![event("b", 1, 3)]).await.unwrap();
    let stream = store.stream("test", "a").await.unwrap();
    assert_eq!(
        stream.iter().map(|e| e.sequence).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(stream[1].payload, json!({"n": 2}));
    let all = all_events(&store).await;
    assert_eq!(
        all.iter()
            .map(|e| e.payload["n"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(all.windows(2).all(|w| w[0].position < w[1].position));
    let rest: Vec<_> = all
        .iter()
        .filter(|e| e.position > all[0].position)
        .collect();
    assert_eq!(rest.len(), 2);
    assert_eq!(store.stream_until("test", "a", 1).await.unwrap().len(), 1);
}

async fn a_taken_sequence_is_a_conflict_and_stores_nothing_of_the_command(backend: Backend) {
    let (_db, store) = open(backend).await;
    store.append(vec![event("a", 1, 1)]).await.unwrap();
    let err = store
        .append(vec![event("a", 1, 9), event("a", 2, 10)])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err}");
    let stream = store.stream("test", "a").await.unwrap();
    assert_eq!(stream.len(), 1);
    assert_eq!(stream[0].payload, json!({"n": 1}));
}

async fn concurrent_appends_share_batches_without_losing_concurrency_checks(backend: Backend) {
    let (_db, store) = open(backend).await;
    // 48 aggregates, each targeted by two commands claiming sequence 1: exactly one of each pair
    // may win, whatever batches the writer forms; 32 more commands never conflict.
    let mut appends = Vec::new();
    for i in 0..48 {
        for attempt in 0..2 {
            let store = store.clone();
            appends.push(tokio::spawn(async move {
                (
                    format!("pair{i}"),
                    store
                        .append(vec![event(&format!("pair{i}"), 1, attempt)])
                        .await,
                )
            }));
        }
    }
    for i in 0..32 {
        let store = store.clone();
        appends.push(tokio::spawn(async move {
            (
                format!("solo{i}"),
                store
                    .append(vec![
                        event(&format!("solo{i}"), 1, 0),
                        event(&format!("solo{i}"), 2, 1),
                    ])
                    .await,
            )
        }));
    }
    let mut wins: HashMap<String, usize> = HashMap::new();
    for result in join_all(appends).await {
        let (aggregate, outcome) = result.unwrap();
        match outcome {
            Ok(()) => *wins.entry(aggregate).or_default() += 1,
            Err(StoreError::Conflict) => {}
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert_eq!(wins.len(), 80);
    assert!(wins.values().all(|&n| n == 1));
    assert_eq!(all_events(&store).await.len(), 48 + 64);
}

fn metadata(user: &str) -> EventMetadata {
    EventMetadata {
        actor: Actor::user(user),
        timestamp: Utc::now(),
        correlation_id: "test".into(),
        causation_id: None,
    }
}

fn node(id: &str, node_type: &str) -> Node {
    Node::new(id, &format!("n8n-nodes-base.{node_type}"), id)
}

async fn setup_workflow(commands: &WorkflowCommands) -> String {
    let (id, _) = commands
        .create("Flow", "", Default::default(), &metadata("alice"))
        .await
        .unwrap();
    for (n, t) in [("hook", "webhook"), ("a", "set"), ("b", "set")] {
        commands
            .execute(
                &id,
                WorkflowCommand::new(WorkflowAction::AddNode { node: node(n, t) }),
                &metadata("alice"),
            )
            .await
            .unwrap();
    }
    id
}

fn set_param(node_id: &str, value: i64) -> WorkflowAction {
    WorkflowAction::UpdateNode {
        node_id: node_id.into(),
        changes: NodeChanges {
            parameters: Some(json!({"value": value})),
            ..Default::default()
        },
    }
}

async fn concurrent_edits_of_different_nodes_both_land(backend: Backend) {
    let (_db, store) = open(backend).await;
    let commands = WorkflowCommands::new(store.clone(), WorkflowServices::default());
    let id = setup_workflow(&commands).await;
    // Both editors saw version 4; they race to append version 5.
    let edits = (0..8).map(|i| {
        let commands = commands.clone();
        let id = id.clone();
        let node = if i % 2 == 0 { "a" } else { "b" };
        async move {
            let action = WorkflowAction::MoveNode {
                node_id: node.into(),
                position: [i as f64, 1.0],
            };
            commands
                .execute(&id, WorkflowCommand::at(4, action), &metadata("bob"))
                .await
        }
    });
    let results = join_all(edits).await;
    // Moves of one node conflict with each other; moves of a and b never do.
    let landed: Vec<_> = results.iter().filter(|r| r.is_ok()).collect();
    assert_eq!(landed.len(), 2, "{results:?}");
    for result in &results {
        if let Err(err) = result {
            assert!(
                matches!(
                    err,
                    CommandError::Rejected(WorkflowError::Conflict { expected: 4, .. })
                ),
                "{err}"
            );
        }
    }
    let state = commands.load(&id).await.unwrap();
    assert_eq!(state.version, 6);
    assert_ne!(state.definition.node("a").unwrap().position, [0.0, 0.0]);
    assert_ne!(state.definition.node("b").unwrap().position, [0.0, 0.0]);
}

async fn a_stale_edit_of_the_same_field_is_a_conflict_and_keeps_the_first(backend: Backend) {
    let (_db, store) = open(backend).await;
    let commands = WorkflowCommands::new(store, WorkflowServices::default());
    let id = setup_workflow(&commands).await;
    commands
        .execute(
            &id,
            WorkflowCommand::at(4, set_param("a", 1)),
            &metadata("alice"),
        )
        .await
        .unwrap();
    let rebased = commands
        .execute(
            &id,
            WorkflowCommand::at(4, set_param("b", 2)),
            &metadata("bob"),
        )
        .await
        .unwrap();
    assert_eq!(rebased.version, 6);
    let err = commands
        .execute(
            &id,
            WorkflowCommand::at(4, set_param("a", 3)),
            &metadata("bob"),
        )
        .await
        .unwrap_err();
    match err {
        CommandError::Rejected(WorkflowError::Conflict { current, .. }) => assert_eq!(current, 6),
        other => panic!("expected a conflict, got {other}"),
    }
    let state = commands.load(&id).await.unwrap();
    assert_eq!(
        state.definition.node("a").unwrap().parameters,
        json!({"value": 1})
    );
    assert_eq!(
        state.definition.node("b").unwrap().parameters,
        json!({"value": 2})
    );
}

async fn rejected_commands_store_nothing(backend: Backend) {
    let (_db, store) = open(backend).await;
    let commands = WorkflowCommands::new(store.clone(), WorkflowServices::default());
    let id = setup_workflow(&commands).await;
    let before = all_events(&store).await.len();
    let bad = Connection {
        source: "a".into(),
        source_output: 5,
        target: "b".into(),
        target_input: 0,
        kind: ConnectionKind::Main,
    };
    let err = commands
        .execute(
            &id,
            WorkflowCommand::new(WorkflowAction::AddConnection { connection: bad }),
            &metadata("alice"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "node `a` has no output 5");
    assert_eq!(err.code(), "VALIDATION");
    assert_eq!(all_events(&store).await.len(), before);
}

async fn metadata_is_stored_with_every_event(backend: Backend) {
    let (_db, store) = open(backend).await;
    let commands = WorkflowCommands::new(store.clone(), WorkflowServices::default());
    setup_workflow(&commands).await;
    for stored in all_events(&store).await {
        let meta = stored.typed_metadata().expect("complete metadata");
        assert_eq!(meta.actor, Actor::user("alice"));
        assert_eq!(meta.correlation_id, "test");
    }
}

async fn revert_and_definition_at_version(backend: Backend) {
    let (_db, store) = open(backend).await;
    let commands = WorkflowCommands::new(store, WorkflowServices::default());
    let id = setup_workflow(&commands).await;
    commands
        .execute(
            &id,
            WorkflowCommand::new(set_param("a", 7)),
            &metadata("alice"),
        )
        .await
        .unwrap();
    let at_2 = commands.definition_at(&id, 2).await.unwrap();
    assert_eq!(at_2.nodes.len(), 1);
    let reverted = commands
        .revert(&id, 4, None, &metadata("alice"))
        .await
        .unwrap();
    assert_eq!(reverted.version, 6);
    let state = commands.load(&id).await.unwrap();
    assert_eq!(state.definition.node("a").unwrap().parameters, json!({}));
    assert_eq!(
        commands
            .definition_at(&id, 5)
            .await
            .unwrap()
            .node("a")
            .unwrap()
            .parameters,
        json!({"value": 7})
    );
    let err = commands.definition_at(&id, 99).await.unwrap_err();
    assert!(matches!(
        err,
        CommandError::Rejected(WorkflowError::VersionNotFound {
            requested: 99,
            current: 6
        })
    ));
}

async fn promotion_creates_linked_workflows_down_to_read_only_production(backend: Backend) {
    let (_db, store) = open(backend).await;
    let commands = WorkflowCommands::new(store, WorkflowServices::default());
    let id = setup_workflow(&commands).await;
    let launched = commands
        .promote(&id, Environment::Launched, Some(4), &metadata("alice"))
        .await
        .unwrap();
    assert_eq!(launched.source_version, 4);
    let staged = commands.load(&launched.target_workflow_id).await.unwrap();
    assert_eq!(staged.environment, Environment::Launched);
    assert_eq!(staged.promoted_from.as_ref().unwrap().workflow_id, id);
    assert_eq!(staged.definition.nodes.len(), 3);
    let production = commands
        .promote(
            &launched.target_workflow_id,
            Environment::Production,
            None,
            &metadata("alice"),
        )
        .await
        .unwrap();
    let err = commands
        .execute(
            &production.target_workflow_id,
            WorkflowCommand::new(set_param("a", 1)),
            &metadata("alice"),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        CommandError::Rejected(WorkflowError::ProductionIsReadOnly)
    ));
    // A second promotion updates the same target workflow with the newer exact version.
    commands
        .execute(
            &id,
            WorkflowCommand::new(set_param("b", 5)),
            &metadata("alice"),
        )
        .await
        .unwrap();
    let again = commands
        .promote(&id, Environment::Launched, None, &metadata("alice"))
        .await
        .unwrap();
    assert_eq!(again.target_workflow_id, launched.target_workflow_id);
    assert_eq!(again.source_version, 6);
    let staged = commands.load(&launched.target_workflow_id).await.unwrap();
    assert_eq!(
        staged.definition.node("b").unwrap().parameters,
        json!({"value": 5})
    );
    assert_eq!(staged.promoted_from.unwrap().version, 6);
}

on_both_backends!(
    appends_round_trip_in_global_order,
    a_taken_sequence_is_a_conflict_and_stores_nothing_of_the_command,
    concurrent_appends_share_batches_without_losing_concurrency_checks,
    concurrent_edits_of_different_nodes_both_land,
    a_stale_edit_of_the_same_field_is_a_conflict_and_keeps_the_first,
    rejected_commands_store_nothing,
    metadata_is_stored_with_every_event,
    revert_and_definition_at_version,
    promotion_creates_linked_workflows_down_to_read_only_production,
    stream_after_reads_one_stream_between_a_sequence_and_a_position,
);

async fn stream_after_reads_one_stream_between_a_sequence_and_a_position(backend: Backend) {
    let (_db, store) = open(backend).await;
    store
        .append(vec![event("a", 1, 1), event("a", 2, 2)])
        .await
        .unwrap();
    store.append(vec![event("b", 1, 3)]).await.unwrap();
    store.append(vec![event("a", 3, 4)]).await.unwrap();
    let all = all_events(&store).await;
    let third = all.iter().find(|e| e.payload["n"] == 3).unwrap().position;
    let last = all.last().unwrap().position;

    let read = store.stream_after("test", "a", 1, last, 10).await.unwrap();
    assert_eq!(
        read.iter().map(|e| e.sequence).collect::<Vec<_>>(),
        [2, 3],
        "after sequence 1, up to the head"
    );
    assert_eq!(read[0].payload, json!({"n": 2}));
    assert_eq!(read[1].position, last);
    assert_eq!(read[0].aggregate_id, "a");

    // Up to the position of b's event: a's third event is past it.
    let read = store.stream_after("test", "a", 0, third, 10).await.unwrap();
    assert_eq!(read.iter().map(|e| e.sequence).collect::<Vec<_>>(), [1, 2]);
    // A limit pages.
    let read = store.stream_after("test", "a", 0, last, 1).await.unwrap();
    assert_eq!(read.iter().map(|e| e.sequence).collect::<Vec<_>>(), [1]);
    assert!(
        store
            .stream_after("test", "missing", 0, last, 10)
            .await
            .unwrap()
            .is_empty()
    );
}
