//! Events of the user, session and API key aggregates (past tense, versioned). Only hashes of
//! passwords and tokens are ever recorded, never the secrets themselves.

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use super::role::Role;

/// Schema version of every user, session and API key event written by this build.
pub const USER_EVENT_VERSION: &str = "1.0";

/// Events of one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum UserEvent {
    /// A user was created.
    UserCreated {
        /// Login email (lower case).
        email: String,
        /// Role.
        role: Role,
        /// Argon2 PHC string of the password.
        password_hash: String,
    },
    /// The user's role changed.
    UserRoleChanged {
        /// New role.
        role: Role,
    },
    /// The user can no longer sign in; their sessions and API keys stop working.
    UserDisabled,
    /// The user may sign in again.
    UserEnabled,
    /// The password changed.
    UserPasswordChanged {
        /// Argon2 PHC string of the new password.
        password_hash: String,
    },
}

/// Events of one sign-in session (the refresh token's life).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum SessionEvent {
    /// A user signed in.
    SessionStarted {
        /// The user.
        user_id: String,
        /// SHA-256 (hex) of the refresh token's secret.
        refresh_hash: String,
        /// When the refresh token stops working.
        expires_at: DateTime<Utc>,
    },
    /// The refresh token was used and replaced by a new one.
    SessionRefreshed {
        /// SHA-256 (hex) of the new secret.
        refresh_hash: String,
        /// When the new refresh token stops working.
        expires_at: DateTime<Utc>,
    },
    /// The session ended (logout, or a reused refresh token revoked it).
    SessionEnded {
        /// Why (`logout`, `refresh token reused`).
        reason: String,
    },
}

/// Events of one API key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum ApiKeyEvent {
    /// A key was created for a user; it acts with that user's role.
    ApiKeyCreated {
        /// The owning user.
        user_id: String,
        /// Label.
        name: String,
        /// SHA-256 (hex) of the key's secret.
        secret_hash: String,
    },
    /// The key was revoked.
    ApiKeyRevoked,
}

/// Events of the user directory (type `directory`): facts that must be unique across users. The
/// stream `owner` holds the instance setup; `email:ADDRESS` claims an address for one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum DirectoryEvent {
    /// The instance owner was set up (at most once).
    OwnerSetUp {
        /// The owner.
        user_id: String,
    },
    /// An email address now belongs to a user (at most once per address).
    EmailClaimed {
        /// The user.
        user_id: String,
    },
}

macro_rules! domain_event {
    ($ty:ty, $($variant:ident),*) => {
        impl $ty {
            /// The event type name as stored.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => stringify!($variant),)*
                }
            }
        }

        impl DomainEvent for $ty {
            fn event_type(&self) -> String {
                self.type_name().to_string()
            }

            fn event_version(&self) -> String {
                USER_EVENT_VERSION.to_string()
            }
        }
    };
}

domain_event!(
    UserEvent,
    UserCreated,
    UserRoleChanged,
    UserDisabled,
    UserEnabled,
    UserPasswordChanged
);
domain_event!(SessionEvent, SessionStarted, SessionRefreshed, SessionEnded);
domain_event!(ApiKeyEvent, ApiKeyCreated, ApiKeyRevoked);
domain_event!(DirectoryEvent, OwnerSetUp, EmailClaimed);
