//! The projection suite, run against SQLite and Postgres.

use chrono::Utc;
use serde_json::json;
use sqlx::{Connection, Executor};
use weft_commands::testing::{TestDb, all_committed_events};
use weft_commands::{Backend, EventStore, WorkflowCommands, on_both_backends};
use weft_domain::definition::Node;
use weft_domain::environment::Environment;
use weft_domain::metadata::{Actor, EventMetadata};
use weft_domain::workflow::{NodeChanges, WorkflowAction, WorkflowCommand, WorkflowServices};
use weft_projections::{
    AuditFilter, ProjectionRunner, ReadModels, TableSet, WorkflowFilter, rebuild,
};

struct Env {
    _db: TestDb,
    store: EventStore,
    commands: WorkflowCommands,
    reads: ReadModels,
}

async fn env(backend: Backend) -> Env {
    let db = TestDb::of(backend).await;
    let store = EventStore::open(&db.url).await.unwrap();
    let commands = WorkflowCommands::new(store.clone(), WorkflowServices::default());
    let reads = ReadModels::new(store.db().clone());
    Env {
        _db: db,
        store,
        commands,
        reads,
    }
}

fn by(user: &str) -> EventMetadata {
    EventMetadata {
        actor: Actor::user(user),
        timestamp: Utc::now(),
        correlation_id: format!("c-{user}"),
        causation_id: None,
    }
}

fn node(id: &str, node_type: &str) -> Node {
    let mut node = Node::new(id, &format!("n8n-nodes-base.{node_type}"), id);
    if node_type == "webhook" {
        node.parameters = serde_json::json!({ "path": id });
    }
    node
}

async fn add(env: &Env, id: &str, n: &str, t: &str, user: &str) {
    env.commands
        .execute(
            id,
            WorkflowCommand::new(WorkflowAction::AddNode { node: node(n, t) }),
            &by(user),
        )
        .await
        .unwrap();
}

/// Three workflows: "Orders sync" (active), "Invoices" (edited by bob), "Old thing" (archived).
async fn populate(env: &Env) -> Vec<String> {
    let (orders, _) = env
        .commands
        .create("Orders sync", "", Default::default(), &by("alice"))
        .await
        .unwrap();
    add(env, &orders, "hook", "webhook", "alice").await;
    env.commands
        .execute(
            &orders,
            WorkflowCommand::new(WorkflowAction::ActivateWorkflow),
            &by("alice"),
        )
        .await
        .unwrap();
    let (invoices, _) = env
        .commands
        .create("Invoices", "", Default::default(), &by("alice"))
        .await
        .unwrap();
    add(env, &invoices, "a", "set", "bob").await;
    env.commands
        .execute(
            &invoices,
            WorkflowCommand::new(WorkflowAction::UpdateNode {
                node_id: "a".into(),
                changes: NodeChanges {
                    parameters: Some(json!({"x": 1})),
                    ..Default::default()
                },
            }),
            &by("bob"),
        )
        .await
        .unwrap();
    let (old, _) = env
        .commands
        .create("Old thing", "", Default::default(), &by("carol"))
        .await
        .unwrap();
    env.commands
        .execute(
            &old,
            WorkflowCommand::new(WorkflowAction::ArchiveWorkflow),
            &by("carol"),
        )
        .await
        .unwrap();
    vec![orders, invoices, old]
}

async fn runner(env: &Env) -> ProjectionRunner {
    ProjectionRunner::new(env.store.clone(), TableSet::live())
        .await
        .unwrap()
}

async fn event_count(env: &Env) -> usize {
    all_committed_events(&env.store).await.len()
}

async fn read_models_follow_the_log(backend: Backend) {
    let env = env(backend).await;
    let ids = populate(&env).await;
    let mut runner = runner(&env).await;
    assert_eq!(runner.catch_up().await.unwrap(), event_count(&env).await);
    let list = |filter: WorkflowFilter| {
        let reads = env.reads.clone();
        async move {
            reads
                .workflows(&WorkflowFilter {
                    limit: 50,
                    ..filter
                })
                .await
                .unwrap()
        }
    };
    let names = |rows: Vec<weft_projections::WorkflowRow>| {
        rows.into_iter().map(|r| r.name).collect::<Vec<_>>()
    };
    assert_eq!(
        names(list(WorkflowFilter::default()).await),
        ["Orders sync", "Invoices"]
    );
    assert_eq!(
        names(
            list(WorkflowFilter {
                active: Some(true),
                ..Default::default()
            })
            .await
        ),
        ["Orders sync"]
    );
    assert_eq!(
        names(
            list(WorkflowFilter {
                search: Some("VOICE".into()),
                ..Default::default()
            })
            .await
        ),
        ["Invoices"]
    );
    assert_eq!(
        names(
            list(WorkflowFilter {
                archived: true,
                ..Default::default()
            })
            .await
        ),
        ["Old thing"]
    );
    assert!(
        list(WorkflowFilter {
            environment: Some(Environment::Production),
            ..Default::default()
        })
        .await
        .is_empty()
    );
    let first_page = list(WorkflowFilter {
        limit: 1,
        ..Default::default()
    })
    .await;
    let second = env
        .reads
        .workflows(&WorkflowFilter {
            limit: 1,
            after: Some(first_page[0].id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(names(second), ["Invoices"]);

    let invoices = env.reads.workflow(&ids[1]).await.unwrap().unwrap();
    assert_eq!(invoices.version, 3);
    assert_eq!(invoices.created_by, "user:alice");
    assert_eq!(invoices.updated_by, "user:bob");
    assert_eq!(
        invoices.definition.node("a").unwrap().parameters,
        json!({"x": 1})
    );
    let versions = env.reads.versions(&ids[1]).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(versions[2].summary, "changed parameters of node a");
    assert_eq!(versions[2].actor, "user:bob");

    let bob = env
        .reads
        .audit(&AuditFilter {
            actor: Some("user:bob".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(bob.len(), 2);
    assert!(
        bob.iter()
            .all(|a| a.aggregate_id == ids[1] && a.correlation_id == "c-bob")
    );
    let orders = env
        .reads
        .audit(&AuditFilter {
            aggregate_id: Some(ids[0].clone()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        orders
            .iter()
            .map(|a| a.event_type.as_str())
            .collect::<Vec<_>>(),
        ["WorkflowCreated", "NodeAdded", "WorkflowActivated"]
    );
    let future = env
        .reads
        .audit(&AuditFilter {
            from: Some("2999-01-01".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(future.is_empty());
}

async fn projection_resumes_after_a_crash_without_loss_or_duplicates(backend: Backend) {
    let env = env(backend).await;
    populate(&env).await;
    let mut first = runner(&env).await;
    first.catch_up().await.unwrap();
    // More events are committed, then the process dies before projecting them.
    let (late, _) = env
        .commands
        .create("Late", "", Default::default(), &by("dave"))
        .await
        .unwrap();
    add(&env, &late, "n", "noOp", "dave").await;
    drop(first);
    // On restart a new runner starts from the stored checkpoint.
    let mut restarted = runner(&env).await;
    assert_eq!(restarted.catch_up().await.unwrap(), 2);
    assert_eq!(restarted.catch_up().await.unwrap(), 0);
    let audit = env
        .reads
        .audit(&AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), event_count(&env).await);
    assert_eq!(env.reads.workflow(&late).await.unwrap().unwrap().version, 2);
}

async fn rebuild_reproduces_the_live_read_models(backend: Backend) {
    let env = env(backend).await;
    populate(&env).await;
    let mut live = runner(&env).await;
    live.catch_up().await.unwrap();
    let report = rebuild(&env.store, true).await.unwrap();
    assert_eq!(report.events, event_count(&env).await);
    for (table, rebuilt, live) in &report.tables {
        assert_eq!(Some(rebuilt), live.as_ref(), "{table}");
    }
    // A tampered live table is caught by --verify.
    env.store
        .db()
        .pool()
        .execute("UPDATE workflows SET name = 'tampered' WHERE name = 'Invoices'")
        .await
        .unwrap();
    let err = rebuild(&env.store, true).await.unwrap_err();
    assert!(err.to_string().contains("workflows"), "{err}");
    // A plain rebuild repairs it.
    rebuild(&env.store, false).await.unwrap();
    let names: Vec<String> = env
        .reads
        .workflows(&WorkflowFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["Orders sync", "Invoices"]);
    // The rebuilt tables that took the live ones' place carry the live indexes.
    let index_query = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log' AND sql IS NOT NULL ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT indexname::text FROM pg_indexes WHERE tablename = 'audit_log' AND indexname LIKE 'audit_by_%' ORDER BY indexname"
        }
    };
    let indexes: Vec<String> = sqlx::query_scalar(index_query)
        .fetch_all(env.store.db().pool())
        .await
        .unwrap();
    assert_eq!(
        indexes,
        ["audit_by_actor", "audit_by_aggregate", "audit_by_time"]
    );
    rebuild(&env.store, true).await.unwrap();
}

async fn two_runners_on_one_database_apply_each_event_once(backend: Backend) {
    let env = env(backend).await;
    populate(&env).await;
    let mut a = runner(&env).await;
    let mut b = runner(&env).await;
    let (ra, rb) = tokio::join!(a.catch_up(), b.catch_up());
    ra.unwrap();
    rb.unwrap();
    assert_eq!(a.checkpoint(), b.checkpoint());
    let audit = env
        .reads
        .audit(&AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), event_count(&env).await);
}

async fn subscribers_see_events_after_they_are_projected(backend: Backend) {
    let env = env(backend).await;
    let runner = runner(&env).await;
    let feed = runner.feed();
    let mut events = feed.subscribe();
    tokio::spawn(runner.run());
    let (id, _) = env
        .commands
        .create("Live", "", Default::default(), &by("erin"))
        .await
        .unwrap();
    let event = tokio::time::timeout(std::time::Duration::from_secs(10), events.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event.aggregate_id, id);
    assert_eq!(event.event_type, "WorkflowCreated");
    // The read model already holds it when the notification arrives.
    assert_eq!(env.reads.workflow(&id).await.unwrap().unwrap().name, "Live");
}

on_both_backends!(
    read_models_follow_the_log,
    projection_resumes_after_a_crash_without_loss_or_duplicates,
    rebuild_reproduces_the_live_read_models,
    two_runners_on_one_database_apply_each_event_once,
    subscribers_see_events_after_they_are_projected,
);

/// A writer holds position N open while N+1 commits: the projection must wait for N, never skip it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_projection_never_misses_a_late_committing_transaction() {
    let env = env(Backend::Postgres).await;
    let mut slow = sqlx::AnyConnection::connect(env.store.db().url())
        .await
        .unwrap();
    let mut slow_tx = slow.begin().await.unwrap();
    slow_tx
        .execute(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             VALUES ('probe', 'slow', 1, 'Probed', '1.0', '{}', '{\"actor\":\"system:test\"}')",
        )
        .await
        .unwrap();
    // A later transaction commits first, with a higher position.
    let (fast, _) = env
        .commands
        .create("Fast", "", Default::default(), &by("frank"))
        .await
        .unwrap();
    let mut runner = runner(&env).await;
    assert_eq!(
        runner.apply_available(None).await.unwrap(),
        0,
        "must not pass the open transaction"
    );
    slow_tx.commit().await.unwrap();
    assert_eq!(runner.catch_up().await.unwrap(), 2);
    let audit = env
        .reads
        .audit(&AuditFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let ids: Vec<&str> = audit.iter().map(|a| a.aggregate_id.as_str()).collect();
    assert!(
        ids.contains(&"slow") && ids.contains(&fast.as_str()),
        "{ids:?}"
    );
}
