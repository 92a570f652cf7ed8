//! The content-addressed blob table: large item lists of execution events live here and the
//! events keep a reference (`weft_domain::execution::BlobRef`).
//!
//! Invariant: a blob is durable before any event that refers to it is appended (the recorder
//! writes it in its own statement first). Blobs are never changed or deleted by the log's
//! writers; one left behind by a failed append is harmless, since its key is its content.
//! Writes go through the shared pool, outside the group-commit writer: on SQLite they wait on
//! the busy timeout for the writer's transaction like every other non-event write.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;
use weft_domain::execution::{BlobRef, blob_ref_slots};

use super::EventStore;
use crate::error::StoreError;

/// Item lists whose JSON text is longer than this go to the blob table by default (64 KiB).
pub const DEFAULT_BLOB_THRESHOLD: usize = 64 * 1024;

/// Hashes looked up per statement (well under every backend's parameter limit).
const LOOKUP_CHUNK: usize = 500;

/// Bytes to store under their SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    hash: String,
    data: Vec<u8>,
}

impl Blob {
    /// A blob of `data`, keyed by its SHA-256 (lowercase hex).
    pub fn new(data: Vec<u8>) -> Self {
        let hash = hex::encode(Sha256::digest(&data));
        Self { hash, data }
    }

    /// The content hash (the blob's key).
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The stored bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
}

impl EventStore {
    /// Stores blobs in one transaction; a blob already stored is left as it is (same key, same
    /// content). Returns once they are durable.
    pub async fn put_blobs(&self, blobs: &[Blob]) -> Result<(), StoreError> {
        if blobs.is_empty() {
            return Ok(());
        }
        let db = self.db();
        let insert = db.sql(
            "INSERT INTO blobs (hash, size, data) VALUES ($1, $2, $3) \
             ON CONFLICT (hash) DO NOTHING",
        );
        let mut tx = db.pool().begin().await?;
        for blob in blobs {
            sqlx::query(&insert)
                .bind(blob.hash.as_str())
                .bind(blob.data.len() as i64)
                .bind(blob.data.as_slice())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The stored bytes of the blobs among `hashes` that exist, by hash.
    pub async fn get_blobs(&self, hashes: &[&str]) -> Result<HashMap<String, Vec<u8>>, StoreError> {
        let mut found = HashMap::with_capacity(hashes.len());
        let db = self.db();
        for chunk in hashes.chunks(LOOKUP_CHUNK) {
            let placeholders = (1..=chunk.len())
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", ");
            let select = format!("SELECT hash, data FROM blobs WHERE hash IN ({placeholders})");
            let select = db.sql(&select);
            let mut query = sqlx::query(&select);
            for hash in chunk {
                query = query.bind(*hash);
            }
            for row in query.fetch_all(db.pool()).await? {
                found.insert(row.try_get::<String, _>(0)?, row.try_get::<Vec<u8>, _>(1)?);
            }
        }
        Ok(found)
    }

    /// Replaces every blob reference in `slots` (JSON values that hold a `BlobRef`) with the
    /// item list it points to, loading all blobs in one go. A reference to a blob that is not
    /// stored fails with [`StoreError::MissingBlob`] naming its hash.
    pub async fn resolve_blob_refs(&self, slots: Vec<&mut Value>) -> Result<(), StoreError> {
        if slots.is_empty() {
            return Ok(());
        }
        let refs = slots
            .iter()
            .map(|slot| {
                serde_json::from_value::<BlobRef>((**slot).clone()).map_err(|e| {
                    StoreError::Corrupt {
                        position: "item data reference".into(),
                        reason: format!("{e}: {slot}"),
                    }
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let wanted: HashSet<&str> = refs.iter().map(|r| r.blob.as_str()).collect();
        let wanted: Vec<&str> = wanted.into_iter().collect();
        let blobs = self.get_blobs(&wanted).await?;
        for (slot, reference) in slots.into_iter().zip(&refs) {
            let data = blobs
                .get(&reference.blob)
                .ok_or_else(|| StoreError::MissingBlob(reference.blob.clone()))?;
            *slot = serde_json::from_slice(data).map_err(|e| StoreError::Corrupt {
                position: format!("blob {}", reference.blob),
                reason: e.to_string(),
            })?;
        }
        Ok(())
    }

    /// Resolves the blob references of stored execution event payloads in place, so readers
    /// see every item list inline, exactly as it was recorded. Other payloads are untouched.
    pub async fn resolve_blobs<'a>(
        &self,
        payloads: impl IntoIterator<Item = &'a mut Value>,
    ) -> Result<(), StoreError> {
        let slots = payloads.into_iter().flat_map(blob_ref_slots).collect();
        self.resolve_blob_refs(slots).await
    }
}
