//! Item lists as the API shows them: blob references (large lists stored outside the events)
//! are resolved to the exact items recorded, so clients never see the storage form.

use serde_json::Value;
use weft_commands::{CommandError, EventStore};
use weft_domain::execution::blob_ref_slots_in_lists;

use crate::graphql::error::ApiError;

/// Parses stored JSON text of item lists (per input or per output) and resolves every blob
/// reference among them, loading all blobs of all `lists` at once. A missing blob is an
/// `INTERNAL` error naming its hash.
pub async fn resolve_lists(
    store: &EventStore,
    lists: Vec<&mut Option<Value>>,
) -> Result<(), ApiError> {
    let slots = lists
        .into_iter()
        .flatten()
        .flat_map(blob_ref_slots_in_lists)
        .collect();
    store
        .resolve_blob_refs(slots)
        .await
        .map_err(|e| ApiError::Command(CommandError::from(e)))
}

/// Resolves the blob references of stored execution event payloads (replay, subscriptions).
pub async fn resolve_payloads<'a>(
    store: &EventStore,
    payloads: impl IntoIterator<Item = &'a mut Value>,
) -> Result<(), ApiError> {
    store
        .resolve_blobs(payloads)
        .await
        .map_err(|e| ApiError::Command(CommandError::from(e)))
}
