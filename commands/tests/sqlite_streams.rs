//! The SQLite log's streams (migration 0011): a database written with the old schema (unique
//! `(aggregate_type, aggregate_id, sequence)` index) is converted with its rows kept, and the
//! writer's remembered stream heads never let an append through that another process made stale.

use std::path::Path;

use cqrs_es::persist::SerializedEvent;
use serde_json::json;
use sqlx::Connection;
use weft_commands::testing::{all_committed_events, numbered_event as event};
use weft_commands::{EventStore, StoreError};

fn sequences(events: &[SerializedEvent]) -> Vec<usize> {
    events.iter().map(|e| e.sequence).collect()
}

/// Applies the SQLite migrations before 0011 to a new database file.
async fn old_schema(dir: &Path) -> String {
    let old = dir.join("old-migrations");
    std::fs::create_dir(&old).unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/sqlite");
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.as_str() < "0011" {
            std::fs::copy(&path, old.join(&name)).unwrap();
        }
    }
    let url = format!("sqlite://{}?mode=rwc", dir.join("weft.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(old)
        .await
        .unwrap()
        .run(&mut conn)
        .await
        .unwrap();
    // Two interleaved streams, as the old writer stored them.
    for (aggregate, sequence, n) in [
        ("a", 1, 1),
        ("b", 1, 2),
        ("a", 2, 3),
        ("b", 2, 4),
        ("a", 3, 5),
    ] {
        sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             VALUES ('test', ?, ?, 'Happened', '1.0', ?, '{\"actor\":\"system:test\"}')",
        )
        .bind(aggregate)
        .bind(sequence)
        .bind(json!({"n": n}).to_string())
        .execute(&mut conn)
        .await
        .unwrap();
    }
    conn.close().await.unwrap();
    url
}

#[tokio::test]
async fn an_old_database_is_converted_with_its_events_kept() {
    let dir = tempfile::tempdir().unwrap();
    let url = old_schema(dir.path()).await;
    let store = EventStore::open(&url).await.expect("open and migrate");

    let all = all_committed_events(&store).await;
    let order: Vec<(String, u64, i64)> = all
        .iter()
        .map(|e| {
            (
                e.aggregate_id.clone(),
                e.sequence,
                e.payload["n"].as_i64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("a", 1, 1),
        ("b", 1, 2),
        ("a", 2, 3),
        ("b", 2, 4),
        ("a", 3, 5),
    ];
    assert_eq!(
        order,
        expected.map(|(a, s, n)| (a.to_string(), s, n)).to_vec(),
        "same events in the same global order"
    );
    let positions: Vec<i64> = all.iter().map(|e| e.position.position).collect();
    assert_eq!(positions, [1, 2, 3, 4, 5], "positions kept");

    assert_eq!(
        sequences(&store.stream("test", "a").await.unwrap()),
        [1, 2, 3]
    );
    assert_eq!(sequences(&store.stream("test", "b").await.unwrap()), [1, 2]);
    let after = store
        .stream_after("test", "a", 1, store.head().await.unwrap(), 10)
        .await
        .unwrap();
    assert_eq!(
        after
            .iter()
            .map(|e| e.position.position)
            .collect::<Vec<_>>(),
        [3, 5]
    );

    // Optimistic concurrency holds on the converted streams.
    let err = store.append(vec![event("a", 3, 6)]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err}");
    store.append(vec![event("a", 4, 7)]).await.unwrap();
    store.append(vec![event("b", 3, 8)]).await.unwrap();
    store.append(vec![event("c", 1, 9)]).await.unwrap();
    assert_eq!(
        sequences(&store.stream("test", "a").await.unwrap()),
        [1, 2, 3, 4]
    );
    assert_eq!(
        store.stream("test", "a").await.unwrap()[3].payload,
        json!({"n": 7})
    );
    assert_eq!(sequences(&store.stream("test", "c").await.unwrap()), [1]);
}

#[tokio::test]
async fn an_append_by_another_process_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("weft.db").display());
    let first = EventStore::open(&url).await.unwrap();
    let second = EventStore::open(&url).await.unwrap();
    first.append(vec![event("a", 1, 1)]).await.unwrap();
    // The first writer now remembers version 1 of `a`; the second moves it on.
    second.append(vec![event("a", 2, 2)]).await.unwrap();
    let err = first.append(vec![event("a", 2, 3)]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err}");
    first.append(vec![event("a", 3, 4)]).await.unwrap();
    let stream = second.stream("test", "a").await.unwrap();
    assert_eq!(sequences(&stream), [1, 2, 3]);
    assert_eq!(
        stream
            .iter()
            .map(|e| e.payload["n"].clone())
            .collect::<Vec<_>>(),
        [json!(1), json!(2), json!(4)]
    );
}

#[tokio::test]
async fn a_conflicting_command_leaves_the_rest_of_its_batch_and_its_stream_intact() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("weft.db").display());
    let store = EventStore::open(&url).await.unwrap();
    store.append(vec![event("a", 1, 1)]).await.unwrap();
    // A command spanning two streams, one slot taken: nothing of it is written.
    let err = store
        .append(vec![event("b", 1, 2), event("a", 1, 3)])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err}");
    assert!(store.stream("test", "b").await.unwrap().is_empty());
    // Several events of one stream in one command.
    store
        .append(vec![event("b", 1, 4), event("b", 2, 5), event("a", 2, 6)])
        .await
        .unwrap();
    assert_eq!(sequences(&store.stream("test", "b").await.unwrap()), [1, 2]);
    assert_eq!(sequences(&store.stream("test", "a").await.unwrap()), [1, 2]);
    let err = store
        .append(vec![event("c", 1, 7), event("c", 1, 8)])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err}");
    assert_eq!(all_committed_events(&store).await.len(), 4);
}
