//! The [`CredentialProvider`] backed by the event store: a node's credential reference is
//! resolved by id and decrypted in memory for this run only.

use async_trait::async_trait;
use serde_json::Value;
use weft_commands::secrets::Credentials;
use weft_domain::definition::CredentialRef;

use crate::options::CredentialProvider;

/// Credentials from the store, decrypted on demand.
#[derive(Clone)]
pub struct StoredCredentials {
    credentials: Credentials,
}

impl StoredCredentials {
    /// A provider over the store's credentials.
    pub fn new(credentials: Credentials) -> Self {
        Self { credentials }
    }
}

#[async_trait]
impl CredentialProvider for StoredCredentials {
    async fn credential(
        &self,
        credential_type: &str,
        reference: &CredentialRef,
    ) -> Result<Value, String> {
        let decrypted = self
            .credentials
            .decrypt(&reference.id)
            .await
            .map_err(|e| e.to_string())?;
        if decrypted.credential_type != credential_type {
            return Err(format!(
                "the credential is of type `{}`, the node needs `{credential_type}`",
                decrypted.credential_type
            ));
        }
        Ok(Value::Object(decrypted.data))
    }
}
