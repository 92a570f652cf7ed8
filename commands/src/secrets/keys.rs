//! The credential data-key table (`credential_keys`), outside the event log and mutable: each
//! credential's 256-bit data key, wrapped (AES-256-GCM) by a key derived from the master key.
//! Deleting a row destroys the only copy of that data key (crypto-shredding).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{SecondsFormat, Utc};
use sqlx::Row;

use super::{MasterKey, SecretsError, open, random_bytes, seal};
use crate::error::StoreError;
use crate::store::Db;

/// HKDF purpose of the key that wraps data keys.
const WRAP_INFO: &str = "weft credential key wrap v1";

fn aad(credential_id: &str) -> Vec<u8> {
    format!("weft credential data key:{credential_id}").into_bytes()
}

/// Failures of the key table.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Unwrapping failed (another master key, damaged row).
    #[error(transparent)]
    Secrets(#[from] SecretsError),
}

impl From<sqlx::Error> for KeyError {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(StoreError::Database(error))
    }
}

/// Data keys of credentials.
#[derive(Clone, Debug)]
pub struct DataKeys {
    db: Db,
    wrap: [u8; 32],
}

impl DataKeys {
    /// The key table in `db`, wrapping with a key derived from `master`.
    pub fn new(db: Db, master: &MasterKey) -> Self {
        Self {
            db,
            wrap: master.derive(WRAP_INFO),
        }
    }

    /// Creates and stores a fresh data key for `credential_id`.
    pub async fn create(&self, credential_id: &str) -> Result<[u8; 32], KeyError> {
        let key: [u8; 32] = random_bytes();
        let wrapped = STANDARD.encode(seal(&self.wrap, &key, &aad(credential_id)));
        sqlx::query(&self.db.sql(
            "INSERT INTO credential_keys (credential_id, wrapped_key, created_at) VALUES ($1, $2, $3)",
        ))
        .bind(credential_id)
        .bind(wrapped)
        .bind(Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true))
        .execute(self.db.pool())
        .await?;
        Ok(key)
    }

    /// The data key of `credential_id`; `None` once it was destroyed.
    pub async fn get(&self, credential_id: &str) -> Result<Option<[u8; 32]>, KeyError> {
        let row = sqlx::query(
            &self
                .db
                .sql("SELECT wrapped_key FROM credential_keys WHERE credential_id = $1"),
        )
        .bind(credential_id)
        .fetch_optional(self.db.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let wrapped: String = row.try_get(0)?;
        let wrapped = STANDARD
            .decode(wrapped)
            .map_err(|_| SecretsError::Decrypt("a credential data key"))?;
        let key = open(
            &self.wrap,
            &wrapped,
            &aad(credential_id),
            "a credential data key",
        )?;
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| SecretsError::Decrypt("a credential data key"))?;
        Ok(Some(key))
    }

    /// Destroys the data key of `credential_id` (crypto-shredding).
    pub async fn destroy(&self, credential_id: &str) -> Result<(), KeyError> {
        sqlx::query(
            &self
                .db
                .sql("DELETE FROM credential_keys WHERE credential_id = $1"),
        )
        .bind(credential_id)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }
}
