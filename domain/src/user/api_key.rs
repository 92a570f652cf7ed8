//! The `ApiKey` aggregate: a secret for programs, owned by a user and acting with their role.

use serde::{Deserialize, Serialize};

use super::error::UserError;
use super::events::ApiKeyEvent;

/// What may be asked of an API key.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiKeyCommand {
    /// Create the key.
    Create {
        /// Owner.
        user_id: String,
        /// Label.
        name: String,
        /// SHA-256 (hex) of the secret.
        secret_hash: String,
    },
    /// Revoke it, as `by_user` (its owner, or a user manager when `may_manage` is set).
    Revoke {
        /// Who revokes.
        by_user: String,
        /// Whether the revoker manages users (admin or owner).
        may_manage: bool,
    },
}

/// An API key as folded from its events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    /// Owner (empty before creation).
    pub user_id: String,
    /// Label.
    pub name: String,
    /// Hash of the secret.
    pub secret_hash: String,
    /// Whether it was revoked.
    pub revoked: bool,
}

impl ApiKey {
    /// The events a command produces, or why it is rejected.
    pub fn decide(&self, command: ApiKeyCommand) -> Result<Vec<ApiKeyEvent>, UserError> {
        match command {
            ApiKeyCommand::Create {
                user_id,
                name,
                secret_hash,
            } => {
                if !self.user_id.is_empty() {
                    return Err(UserError::AlreadyExists("API key"));
                }
                let name = name.trim().to_string();
                if name.is_empty() || name.len() > 100 {
                    return Err(UserError::Invalid(
                        "an API key needs a name of 1 to 100 characters".into(),
                    ));
                }
                Ok(vec![ApiKeyEvent::ApiKeyCreated {
                    user_id,
                    name,
                    secret_hash,
                }])
            }
            ApiKeyCommand::Revoke {
                by_user,
                may_manage,
            } => {
                if self.user_id.is_empty() || (self.user_id != by_user && !may_manage) {
                    return Err(UserError::NotFound("API key"));
                }
                if self.revoked {
                    return Ok(vec![]);
                }
                Ok(vec![ApiKeyEvent::ApiKeyRevoked])
            }
        }
    }

    /// Applies one event.
    pub fn fold(&mut self, event: &ApiKeyEvent) {
        match event {
            ApiKeyEvent::ApiKeyCreated {
                user_id,
                name,
                secret_hash,
            } => {
                self.user_id = user_id.clone();
                self.name = name.clone();
                self.secret_hash = secret_hash.clone();
            }
            ApiKeyEvent::ApiKeyRevoked => self.revoked = true,
        }
    }
}
