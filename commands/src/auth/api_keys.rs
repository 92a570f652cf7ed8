//! API keys: `weft_KEYID_SECRET`, shown once; only the secret's fingerprint is stored. A key acts
//! with its owner's current role and stops working when revoked or when the owner is disabled.

use uuid::Uuid;
use weft_domain::metadata::EventMetadata;
use weft_domain::user::{ApiKey, ApiKeyCommand};

use super::sessions::same;
use super::streams::{load, serialize};
use super::{API_KEY, Access, AuthError, NewApiKey, Principal, Via};
use crate::secrets::{fingerprint, random_token};

const PREFIX: &str = "weft_";

impl Access {
    /// Creates an API key for the caller; the returned key is the only copy of the secret.
    pub async fn create_api_key(
        &self,
        by: &Principal,
        name: &str,
        metadata: &EventMetadata,
    ) -> Result<NewApiKey, AuthError> {
        let id = Uuid::now_v7().simple().to_string();
        let secret = random_token();
        let events = ApiKey::default().decide(ApiKeyCommand::Create {
            user_id: by.user_id.clone(),
            name: name.to_string(),
            secret_hash: fingerprint(&secret),
        })?;
        self.store()
            .append(serialize(API_KEY, &id, 0, &events, metadata))
            .await?;
        Ok(NewApiKey {
            key: format!("{PREFIX}{id}_{secret}"),
            id,
        })
    }

    /// Revokes a key of the caller (admins and the owner may revoke anyone's).
    pub async fn revoke_api_key(
        &self,
        by: &Principal,
        id: &str,
        metadata: &EventMetadata,
    ) -> Result<(), AuthError> {
        let loaded = load::<ApiKey>(self.store(), API_KEY, id).await?;
        let events = loaded.state.decide(ApiKeyCommand::Revoke {
            by_user: by.user_id.clone(),
            may_manage: by.role.can_manage_users(),
        })?;
        self.store()
            .append(serialize(API_KEY, id, loaded.version, &events, metadata))
            .await?;
        Ok(())
    }

    /// The caller behind an API key.
    pub async fn authenticate_api_key(&self, key: &str) -> Result<Principal, AuthError> {
        let invalid = || AuthError::Unauthenticated("the API key is not valid".into());
        let (id, secret) = key
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once('_'))
            .filter(|(id, _)| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(invalid)?;
        let api_key = load::<ApiKey>(self.store(), API_KEY, id).await?.state;
        if api_key.user_id.is_empty() || !same(&api_key.secret_hash, &fingerprint(secret)) {
            return Err(invalid());
        }
        if api_key.revoked {
            return Err(AuthError::Unauthenticated("the API key was revoked".into()));
        }
        self.principal(&api_key.user_id, Via::ApiKey(id.to_string()))
            .await
    }
}
