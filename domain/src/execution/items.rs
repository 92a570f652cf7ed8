//! Item data in execution events: inline n8n items, or a reference to a content-addressed blob
//! that holds them (large lists are stored outside the event so the log stays lean).
//!
//! Stored form: an inline list is a JSON array (as every event before blobs existed), a reference
//! is an object `{"blob": "<sha-256 hex>", "bytes": N, "items": N}`. Where an item list lives in
//! an event (`input`, `inputs[i]`, `outputs[i]`) an array is always inline data and an object is
//! always a reference, so the two never mix up whatever the items contain.

use std::fmt;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::events::{ExecutionEvent, ItemList};

/// Where a large item list is stored: the blob's content hash, its size and the item count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRef {
    /// SHA-256 (lowercase hex) of the item list's JSON text, the blob's key.
    pub blob: String,
    /// Length of the JSON text in bytes.
    pub bytes: u64,
    /// Number of items in the list.
    pub items: u64,
}

/// One item list of an event: the items themselves, or a reference to the blob holding them.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemData {
    /// The items, in the event.
    Inline(ItemList),
    /// The items are in the blob table.
    Blob(BlobRef),
}

/// An item list was read while its blob reference was not resolved (see
/// `EventStore::resolve_blobs` in `weft-commands`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("item data blob {0} was not loaded")]
pub struct UnresolvedBlob(pub String);

impl ItemData {
    /// The items; an error naming the blob when this is an unresolved reference.
    pub fn items(&self) -> Result<&ItemList, UnresolvedBlob> {
        match self {
            Self::Inline(items) => Ok(items),
            Self::Blob(blob) => Err(UnresolvedBlob(blob.blob.clone())),
        }
    }

    /// The items, taken out; an error naming the blob when this is an unresolved reference.
    pub fn into_items(self) -> Result<ItemList, UnresolvedBlob> {
        match self {
            Self::Inline(items) => Ok(items),
            Self::Blob(blob) => Err(UnresolvedBlob(blob.blob)),
        }
    }

    /// The number of items, known for both forms.
    pub fn len(&self) -> usize {
        match self {
            Self::Inline(items) => items.len(),
            Self::Blob(blob) => blob.items as usize,
        }
    }

    /// Whether the list has no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The reference, when the items are stored in a blob.
    pub fn blob(&self) -> Option<&BlobRef> {
        match self {
            Self::Inline(_) => None,
            Self::Blob(blob) => Some(blob),
        }
    }
}

impl Default for ItemData {
    fn default() -> Self {
        Self::Inline(Vec::new())
    }
}

impl From<ItemList> for ItemData {
    fn from(items: ItemList) -> Self {
        Self::Inline(items)
    }
}

impl Serialize for ItemData {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Inline(items) => items.serialize(serializer),
            Self::Blob(blob) => blob.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ItemData {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ItemDataVisitor;

        impl<'de> Visitor<'de> for ItemDataVisitor {
            type Value = ItemData;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of items or a blob reference")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ItemData, A::Error> {
                ItemList::deserialize(SeqAccessDeserializer::new(seq)).map(ItemData::Inline)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ItemData, A::Error> {
                BlobRef::deserialize(MapAccessDeserializer::new(map)).map(ItemData::Blob)
            }
        }

        deserializer.deserialize_any(ItemDataVisitor)
    }
}

impl ExecutionEvent {
    /// Every item list the event carries (queued input, node run inputs and outputs).
    pub fn item_data_mut(&mut self) -> Vec<&mut ItemData> {
        match self {
            Self::ExecutionQueued { input, .. } => vec![input],
            Self::NodeRunStarted { inputs, .. } => inputs.iter_mut().flatten().collect(),
            Self::NodeRunSucceeded { outputs, .. } => outputs.iter_mut().collect(),
            _ => Vec::new(),
        }
    }
}

/// The blob references in a stored execution event payload (JSON), to be replaced by the items
/// they point to. Only the places where an event holds an item list are looked at.
pub fn blob_ref_slots(payload: &mut Value) -> Vec<&mut Value> {
    let field = match payload.get("type").and_then(Value::as_str) {
        Some("ExecutionQueued") => "input",
        Some("NodeRunStarted") => "inputs",
        Some("NodeRunSucceeded") => "outputs",
        _ => return Vec::new(),
    };
    match payload.get_mut(field) {
        Some(input) if field == "input" => input.is_object().then_some(input).into_iter().collect(),
        Some(lists) => blob_ref_slots_in_lists(lists),
        None => Vec::new(),
    }
}

/// The blob references in a JSON array of item lists (per input or per output; `null` for an
/// input without data), as the execution read models store them.
pub fn blob_ref_slots_in_lists(lists: &mut Value) -> Vec<&mut Value> {
    match lists.as_array_mut() {
        Some(lists) => lists.iter_mut().filter(|list| list.is_object()).collect(),
        None => Vec::new(),
    }
}
