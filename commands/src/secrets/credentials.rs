//! Credential commands: create, update (omitted secret fields stay as they are), delete (and
//! destroy the data key), and decryption in memory for the nodes that use a credential. Secret
//! fields are sealed with the credential's own data key before any event is built, so plaintext
//! never reaches the log.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};
use uuid::Uuid;
use weft_domain::credential::{
    Credential, CredentialCommand, CredentialError, CredentialEvent, credential_type,
};
use weft_domain::metadata::EventMetadata;

use super::keys::{DataKeys, KeyError};
use super::{MasterKey, SecretsError, open, seal};
use crate::auth::streams::{Folded, load, serialize};
use crate::error::StoreError;
use crate::store::EventStore;

/// Aggregate type of credentials.
pub const CREDENTIAL: &str = "credential";

impl Folded for Credential {
    type Event = CredentialEvent;
    fn fold_event(&mut self, event: &Self::Event) {
        self.fold(event);
    }
}

/// Why a credential command failed.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// The aggregate or the schema rejected it.
    #[error(transparent)]
    Rejected(#[from] CredentialError),
    /// The credential's data key is gone (deleted credential) or does not open.
    #[error("the credential's secrets cannot be decrypted: {0}")]
    Undecryptable(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CredentialsError {
    /// Stable machine-readable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Rejected(e) => e.code(),
            Self::Store(StoreError::Conflict) => "CONFLICT",
            Self::Undecryptable(_) | Self::Store(_) => "INTERNAL",
        }
    }
}

impl From<KeyError> for CredentialsError {
    fn from(error: KeyError) -> Self {
        match error {
            KeyError::Store(e) => Self::Store(e),
            KeyError::Secrets(e) => Self::Undecryptable(e.to_string()),
        }
    }
}

impl From<SecretsError> for CredentialsError {
    fn from(error: SecretsError) -> Self {
        Self::Undecryptable(error.to_string())
    }
}

/// A credential with its secrets decrypted (in memory only; never logged or returned by the
/// API).
#[derive(Clone)]
pub struct Decrypted {
    /// Type id.
    pub credential_type: String,
    /// Every field, secret ones included.
    pub data: Map<String, Value>,
}

impl std::fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Decrypted({}, ..)", self.credential_type)
    }
}

fn aad(credential_id: &str) -> Vec<u8> {
    format!("weft credential secrets:{credential_id}").into_bytes()
}

/// Credential commands and decryption; cheap to clone.
#[derive(Clone)]
pub struct Credentials {
    store: EventStore,
    keys: DataKeys,
}

impl Credentials {
    /// Credentials over `store`, their data keys wrapped by `master`.
    pub fn new(store: EventStore, master: &MasterKey) -> Self {
        Self {
            keys: DataKeys::new(store.db().clone(), master),
            store,
        }
    }

    /// The current state of a credential (metadata and sealed data).
    pub async fn load(&self, id: &str) -> Result<Credential, CredentialsError> {
        let state = load::<Credential>(&self.store, CREDENTIAL, id).await?.state;
        if !state.live() {
            return Err(CredentialError::NotFound.into());
        }
        Ok(state)
    }

    /// Creates a credential of `type_id` with `data` checked against the type's schema; returns
    /// its id.
    pub async fn create(
        &self,
        name: &str,
        type_id: &str,
        data: &Map<String, Value>,
        metadata: &EventMetadata,
    ) -> Result<String, CredentialsError> {
        let split = credential_type(type_id)?.split(data)?;
        let id = Uuid::now_v7().to_string();
        // Check everything but the ciphertext before a data key exists.
        Credential::default().decide(CredentialCommand::Create {
            name: name.to_string(),
            credential_type: type_id.to_string(),
            data: split.clone(),
            sealed: String::new(),
        })?;
        let key = self.keys.create(&id).await?;
        let sealed = self.seal(&key, &id, &split.secret);
        let events = Credential::default().decide(CredentialCommand::Create {
            name: name.to_string(),
            credential_type: type_id.to_string(),
            data: split,
            sealed,
        })?;
        if let Err(error) = self
            .store
            .append(serialize(CREDENTIAL, &id, 0, &events, metadata))
            .await
        {
            self.keys.destroy(&id).await?;
            return Err(error.into());
        }
        Ok(id)
    }

    /// Replaces name and data; secret fields absent from `data` keep their stored values, public
    /// fields absent from it are cleared. `data: None` keeps all data.
    pub async fn update(
        &self,
        id: &str,
        name: Option<&str>,
        data: Option<&Map<String, Value>>,
        metadata: &EventMetadata,
    ) -> Result<(), CredentialsError> {
        for _ in 0..8 {
            let loaded = load::<Credential>(&self.store, CREDENTIAL, id).await?;
            let current = loaded.state;
            if !current.live() {
                return Err(CredentialError::NotFound.into());
            }
            let decrypted = self.decrypt_state(id, &current).await?;
            let schema = credential_type(&current.credential_type)?;
            let mut merged = match data {
                Some(data) => data.clone(),
                None => current.public_data.clone(),
            };
            for field in schema.fields.iter().filter(|f| f.secret) {
                if !merged.contains_key(field.name)
                    && let Some(old) = decrypted.data.get(field.name)
                {
                    merged.insert(field.name.to_string(), old.clone());
                }
            }
            let split = schema.split(&merged)?;
            let key = self.keys.get(id).await?.ok_or_else(|| {
                CredentialsError::Undecryptable("its data key was destroyed".into())
            })?;
            let sealed = self.seal(&key, id, &split.secret);
            let events = current.decide(CredentialCommand::Update {
                name: name.unwrap_or(&current.name).to_string(),
                data: split,
                sealed,
            })?;
            match self
                .store
                .append(serialize(CREDENTIAL, id, loaded.version, &events, metadata))
                .await
            {
                Ok(()) => return Ok(()),
                Err(StoreError::Conflict) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(StoreError::Conflict.into())
    }

    /// Deletes the credential and destroys its data key: its events can no longer be decrypted.
    pub async fn delete(&self, id: &str, metadata: &EventMetadata) -> Result<(), CredentialsError> {
        let loaded = load::<Credential>(&self.store, CREDENTIAL, id).await?;
        let events = loaded.state.decide(CredentialCommand::Delete)?;
        self.store
            .append(serialize(CREDENTIAL, id, loaded.version, &events, metadata))
            .await?;
        self.keys.destroy(id).await?;
        Ok(())
    }

    /// The credential with its secrets, decrypted in memory.
    pub async fn decrypt(&self, id: &str) -> Result<Decrypted, CredentialsError> {
        let state = self.load(id).await?;
        self.decrypt_state(id, &state).await
    }

    /// Decrypts the sealed data of an event payload of credential `id` (the crypto-shredding
    /// check: fails once the data key is destroyed).
    pub async fn open_sealed(
        &self,
        id: &str,
        sealed: &str,
    ) -> Result<Map<String, Value>, CredentialsError> {
        let key =
            self.keys.get(id).await?.ok_or_else(|| {
                CredentialsError::Undecryptable("its data key was destroyed".into())
            })?;
        self.open(&key, id, sealed)
    }

    async fn decrypt_state(
        &self,
        id: &str,
        state: &Credential,
    ) -> Result<Decrypted, CredentialsError> {
        let secret = self.open_sealed(id, &state.sealed).await?;
        let mut data = state.public_data.clone();
        data.extend(secret);
        Ok(Decrypted {
            credential_type: state.credential_type.clone(),
            data,
        })
    }

    fn seal(&self, key: &[u8; 32], id: &str, secret: &Map<String, Value>) -> String {
        let plaintext = serde_json::to_vec(secret).expect("a JSON map serializes");
        STANDARD.encode(seal(key, &plaintext, &aad(id)))
    }

    fn open(
        &self,
        key: &[u8; 32],
        id: &str,
        sealed: &str,
    ) -> Result<Map<String, Value>, CredentialsError> {
        let bytes = STANDARD
            .decode(sealed)
            .map_err(|_| SecretsError::Decrypt("credential secrets"))?;
        let plaintext = open(key, &bytes, &aad(id), "credential secrets")?;
        serde_json::from_slice(&plaintext)
            .map_err(|_| SecretsError::Decrypt("credential secrets").into())
    }
}
