//! [`Follow`] against a real store and projection runner with a tiny feed: the runner is driven
//! by the test, so the follower is not polled while the runner announces and it lags for sure.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;
use weft_commands::testing::{TestDb, all_committed_events};
use weft_commands::{Backend, EventStore, NewEvent, on_both_backends};
use weft_projections::{ProjectionRunner, TableSet};

use super::{Delivery, Follow};

on_both_backends!(
    a_lagging_stream_follower_reads_what_it_missed_once_in_order,
    a_lagging_log_follower_reads_what_it_missed_once_in_commit_order,
);

/// Events the test's feed keeps.
const RING: usize = 4;

async fn open(backend: Backend) -> (TestDb, EventStore, ProjectionRunner) {
    let db = TestDb::of(backend).await;
    let store = EventStore::open(&db.url).await.expect("open store");
    let runner = ProjectionRunner::with_feed_capacity(store.clone(), TableSet::live(), RING)
        .await
        .expect("runner");
    (db, store, runner)
}

async fn append(store: &EventStore, aggregate_id: &str, sequence: u64) {
    let metadata = HashMap::from([("actor", "system:test")]);
    let event = NewEvent::new(
        "probe",
        aggregate_id,
        sequence,
        "Probed",
        "1.0",
        &json!({"n": sequence}),
        &metadata,
    )
    .expect("event");
    store.append_new(vec![event]).await.expect("append");
}

async fn next(follow: &mut Follow) -> Delivery {
    tokio::time::timeout(Duration::from_secs(15), follow.next())
        .await
        .expect("an event within 15 s")
        .expect("feed open")
        .expect("store read")
}

/// Nothing more is delivered: the ring's leftovers (already read from the store) are skipped and
/// the follower waits for the feed.
async fn nothing_more(follow: &mut Follow) {
    let more = tokio::time::timeout(Duration::from_millis(300), follow.next()).await;
    assert!(more.is_err(), "no duplicate delivered");
}

async fn a_lagging_stream_follower_reads_what_it_missed_once_in_order(backend: Backend) {
    let (_db, store, mut runner) = open(backend).await;
    for sequence in 1..=3 {
        append(&store, "ours", sequence).await;
    }
    runner.catch_up().await.expect("catch up");
    let mut follow = Follow::stream(&runner.feed(), store.clone(), "probe", "ours".into());
    follow.skip_through(1);
    // Far more than the ring while nobody reads the feed.
    let mut others = 0;
    for sequence in 4..=40 {
        for other in 0..5 {
            others += 1;
            append(&store, &format!("other-{other}"), others).await;
        }
        append(&store, "ours", sequence).await;
    }
    runner.catch_up().await.expect("catch up");

    let mut sequences = Vec::new();
    let mut missed = 0;
    while sequences.last() != Some(&40) {
        let delivery = next(&mut follow).await;
        missed += usize::from(matches!(delivery, Delivery::Missed(_)));
        let event = delivery.event();
        assert_eq!(event.aggregate_id, "ours");
        assert_eq!(event.payload, json!({"n": event.sequence}));
        sequences.push(event.sequence);
    }
    assert_eq!(sequences, (2..=40).collect::<Vec<u64>>());
    assert!(missed > 0, "the follower lagged and read from the store");
    nothing_more(&mut follow).await;

    // Live again: the next event comes from the feed.
    append(&store, "ours", 41).await;
    runner.catch_up().await.expect("catch up");
    let delivery = next(&mut follow).await;
    assert!(matches!(delivery, Delivery::Live(_)));
    assert_eq!(delivery.event().sequence, 41);
}

async fn a_lagging_log_follower_reads_what_it_missed_once_in_commit_order(backend: Backend) {
    let (_db, store, mut runner) = open(backend).await;
    append(&store, "wanted-before", 1).await;
    runner.catch_up().await.expect("catch up");
    let mut follow = Follow::log(&runner.feed(), store.clone(), |event| {
        event.aggregate_id.starts_with("wanted")
    });
    for round in 1..=30u64 {
        for other in 0..4 {
            append(&store, &format!("noise-{other}"), round).await;
        }
        append(&store, &format!("wanted-{}", round % 3), round.div_ceil(3)).await;
    }
    runner.catch_up().await.expect("catch up");
    let expected: Vec<_> = all_committed_events(&store)
        .await
        .into_iter()
        .filter(|e| e.aggregate_id.starts_with("wanted-") && e.aggregate_id != "wanted-before")
        .map(|e| (e.position, e.aggregate_id, e.sequence))
        .collect();
    assert_eq!(expected.len(), 30);

    let mut got = Vec::new();
    let mut missed = 0;
    while got.len() < expected.len() {
        let delivery = next(&mut follow).await;
        missed += usize::from(matches!(delivery, Delivery::Missed(_)));
        let event = delivery.event();
        got.push((event.position, event.aggregate_id.clone(), event.sequence));
    }
    assert_eq!(
        got, expected,
        "every wanted event after the start, once, in commit order"
    );
    assert!(missed > 0, "the follower lagged and read from the store");
    nothing_more(&mut follow).await;

    append(&store, "wanted-after", 1).await;
    append(&store, "noise-after", 1).await;
    append(&store, "wanted-after", 2).await;
    runner.catch_up().await.expect("catch up");
    let delivery = next(&mut follow).await;
    assert!(matches!(delivery, Delivery::Live(_)));
    assert_eq!(
        (
            delivery.event().aggregate_id.as_str(),
            delivery.event().sequence
        ),
        ("wanted-after", 1)
    );
    assert_eq!(next(&mut follow).await.event().sequence, 2);
}
