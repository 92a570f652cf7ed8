//! Large item lists leave the event for the blob table (see `weft_commands::Blob`): the event
//! keeps a [`BlobRef`], the log stays lean and readers resolve the reference to the exact items.

use weft_commands::Blob;
use weft_domain::execution::{BlobRef, ExecutionEvent, ItemData};

/// Moves every item list of `event` whose JSON text is longer than `threshold` bytes into a blob
/// and returns the blobs, which must be stored before the event is appended. The blob holds the
/// exact JSON text the list had inline, so resolving it gives the same items.
pub(super) fn externalize(
    event: &mut ExecutionEvent,
    threshold: usize,
) -> Result<Vec<Blob>, serde_json::Error> {
    let mut blobs = Vec::new();
    for data in event.item_data_mut() {
        let ItemData::Inline(items) = data else {
            continue;
        };
        let text = serde_json::to_vec(items)?;
        if text.len() <= threshold {
            continue;
        }
        let items = items.len() as u64;
        let blob = Blob::new(text);
        *data = ItemData::Blob(BlobRef {
            blob: blob.hash().to_string(),
            bytes: blob.data().len() as u64,
            items,
        });
        blobs.push(blob);
    }
    Ok(blobs)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_lists_over_the_threshold_become_references() {
        let big = vec![json!({"json": {"text": "x".repeat(200)}}); 3];
        let small = vec![json!({"json": {"n": 1}})];
        let mut event = ExecutionEvent::NodeRunSucceeded {
            node_id: "n".into(),
            run_index: 0,
            outputs: vec![big.clone().into(), small.clone().into()],
            duration_ms: 1,
            pinned: false,
        };
        let blobs = externalize(&mut event, 100).unwrap();
        assert_eq!(blobs.len(), 1);
        assert_eq!(blobs[0].data(), serde_json::to_vec(&big).unwrap());
        let ExecutionEvent::NodeRunSucceeded { outputs, .. } = &event else {
            unreachable!()
        };
        assert_eq!(
            outputs[0],
            ItemData::Blob(BlobRef {
                blob: blobs[0].hash().to_string(),
                bytes: blobs[0].data().len() as u64,
                items: 3,
            })
        );
        assert_eq!(outputs[1], ItemData::Inline(small));
    }
}
