//! The content-addressed blob table, on SQLite and Postgres.

use serde_json::{Value, json};
use weft_commands::testing::TestDb;
use weft_commands::{Backend, Blob, EventStore, StoreError, on_both_backends};

async fn open(backend: Backend) -> (TestDb, EventStore) {
    let db = TestDb::of(backend).await;
    let store = EventStore::open(&db.url).await.expect("open store");
    (db, store)
}

async fn blob_rows(store: &EventStore) -> i64 {
    let db = store.db();
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM blobs")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn blobs_are_stored_once_by_content_hash(backend: Backend) {
    let (_db, store) = open(backend).await;
    let items = serde_json::to_vec(&json!([{"json": {"a": 1}}])).unwrap();
    let blob = Blob::new(items.clone());
    // SHA-256 of the bytes, lowercase hex.
    assert_eq!(blob.hash().len(), 64);
    assert_eq!(Blob::new(items.clone()).hash(), blob.hash());
    assert_ne!(Blob::new(b"[]".to_vec()).hash(), blob.hash());

    store.put_blobs(std::slice::from_ref(&blob)).await.unwrap();
    // Idempotent: the same content again (alone or twice in one call) adds nothing.
    store
        .put_blobs(&[blob.clone(), blob.clone()])
        .await
        .unwrap();
    assert_eq!(blob_rows(&store).await, 1);

    let found = store
        .get_blobs(&[blob.hash(), &"0".repeat(64)])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[blob.hash()], items);
    let size: i64 = sqlx::query_scalar(&store.db().sql("SELECT size FROM blobs WHERE hash = $1"))
        .bind(blob.hash())
        .fetch_one(store.db().pool())
        .await
        .unwrap();
    assert_eq!(size, items.len() as i64);
}

async fn references_resolve_to_the_stored_items(backend: Backend) {
    let (_db, store) = open(backend).await;
    let items = json!([{"json": {"big": "x".repeat(1000)}}, {"json": {"n": 2}}]);
    let blob = Blob::new(serde_json::to_vec(&items).unwrap());
    store.put_blobs(std::slice::from_ref(&blob)).await.unwrap();
    let reference = json!({"blob": blob.hash(), "bytes": blob.data().len(), "items": 2});
    let mut payloads = [
        json!({"type": "NodeRunSucceeded", "nodeId": "n", "runIndex": 0,
            "outputs": [reference.clone(), [{"json": {}}]], "durationMs": 1, "pinned": false}),
        json!({"type": "NodeRunStarted", "nodeId": "m", "runIndex": 0,
            "inputs": [null, reference.clone()]}),
        json!({"type": "ExecutionQueued", "input": reference.clone()}),
        // Not an item list: left alone.
        json!({"type": "WebhookResponded", "body": reference.clone()}),
    ];
    store.resolve_blobs(payloads.iter_mut()).await.unwrap();
    assert_eq!(
        payloads[0]["outputs"],
        json!([items.clone(), [{"json": {}}]])
    );
    assert_eq!(payloads[1]["inputs"], json!([null, items.clone()]));
    assert_eq!(payloads[2]["input"], items);
    assert_eq!(payloads[3]["body"], reference);
}

async fn a_missing_blob_is_an_error_naming_its_hash(backend: Backend) {
    let (_db, store) = open(backend).await;
    let hash = "f".repeat(64);
    let mut payload = json!({"type": "NodeRunSucceeded", "nodeId": "n", "runIndex": 0,
        "outputs": [{"blob": hash, "bytes": 10, "items": 1}], "durationMs": 1, "pinned": false});
    let error = store
        .resolve_blobs(std::iter::once(&mut payload))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::MissingBlob(h) if *h == hash),
        "{error:?}"
    );
    assert!(error.to_string().contains(&hash), "{error}");
    // Nothing was replaced.
    assert_eq!(payload["outputs"][0]["blob"], Value::String(hash));
}

on_both_backends!(
    blobs_are_stored_once_by_content_hash,
    references_resolve_to_the_stored_items,
    a_missing_blob_is_an_error_naming_its_hash,
);
