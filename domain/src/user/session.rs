//! The `Session` aggregate: one sign-in. Its refresh token rotates on every use; presenting a
//! token that was already rotated away ends the session (the token was likely stolen).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::UserError;
use super::events::SessionEvent;

/// What may be asked of a session.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionCommand {
    /// Start a session for a user.
    Start {
        /// The user.
        user_id: String,
        /// SHA-256 (hex) of the first refresh token's secret.
        refresh_hash: String,
        /// When it expires.
        expires_at: DateTime<Utc>,
    },
    /// Exchange the presented refresh token for a new one.
    Refresh {
        /// SHA-256 (hex) of the presented secret.
        presented_hash: String,
        /// SHA-256 (hex) of the new secret.
        new_hash: String,
        /// When the new token expires.
        expires_at: DateTime<Utc>,
        /// The current time.
        now: DateTime<Utc>,
    },
    /// End the session.
    End {
        /// Why.
        reason: String,
    },
}

/// A session as folded from its events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The user (empty before `SessionStarted`).
    pub user_id: String,
    /// Hash of the current refresh secret.
    pub refresh_hash: String,
    /// Hashes of earlier refresh secrets (reuse detection).
    pub rotated: Vec<String>,
    /// Expiry of the current refresh token.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether the session ended.
    pub ended: bool,
}

impl Session {
    /// Whether the session was started.
    pub fn exists(&self) -> bool {
        !self.user_id.is_empty()
    }

    /// The events a command produces, or why it is rejected. A reused (rotated) refresh token
    /// yields `SessionEnded`; the caller reports it as an invalid token after recording it.
    pub fn decide(&self, command: SessionCommand) -> Result<Vec<SessionEvent>, UserError> {
        match command {
            SessionCommand::Start {
                user_id,
                refresh_hash,
                expires_at,
            } => {
                if self.exists() {
                    return Err(UserError::AlreadyExists("session"));
                }
                Ok(vec![SessionEvent::SessionStarted {
                    user_id,
                    refresh_hash,
                    expires_at,
                }])
            }
            SessionCommand::Refresh {
                presented_hash,
                new_hash,
                expires_at,
                now,
            } => {
                if !self.exists() || self.ended {
                    return Err(UserError::InvalidToken(
                        "the refresh token is not valid (signed out or unknown)",
                    ));
                }
                if self.rotated.contains(&presented_hash) {
                    return Ok(vec![SessionEvent::SessionEnded {
                        reason: "refresh token reused".into(),
                    }]);
                }
                if presented_hash != self.refresh_hash {
                    return Err(UserError::InvalidToken("the refresh token is not valid"));
                }
                if self.expires_at.is_some_and(|at| at <= now) {
                    return Err(UserError::InvalidToken("the refresh token expired"));
                }
                Ok(vec![SessionEvent::SessionRefreshed {
                    refresh_hash: new_hash,
                    expires_at,
                }])
            }
            SessionCommand::End { reason } => {
                if !self.exists() {
                    return Err(UserError::NotFound("session"));
                }
                if self.ended {
                    return Ok(vec![]);
                }
                Ok(vec![SessionEvent::SessionEnded { reason }])
            }
        }
    }

    /// Applies one event.
    pub fn fold(&mut self, event: &SessionEvent) {
        match event {
            SessionEvent::SessionStarted {
                user_id,
                refresh_hash,
                expires_at,
            } => {
                self.user_id = user_id.clone();
                self.refresh_hash = refresh_hash.clone();
                self.expires_at = Some(*expires_at);
            }
            SessionEvent::SessionRefreshed {
                refresh_hash,
                expires_at,
            } => {
                let old = std::mem::replace(&mut self.refresh_hash, refresh_hash.clone());
                self.rotated.push(old);
                self.expires_at = Some(*expires_at);
            }
            SessionEvent::SessionEnded { .. } => self.ended = true,
        }
    }
}
