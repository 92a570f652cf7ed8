//! Users and authentication: the owner setup, user management, password sign-in with rotating
//! refresh tokens, short-lived JWT access tokens, and API keys. Only argon2 hashes of passwords
//! and SHA-256 fingerprints of tokens are stored.
//!
//! Stream types: `user`, `session`, `apikey`, and `directory` (`owner`, `email:ADDRESS`) for the
//! facts that must be unique across users.

mod api_keys;
mod password;
mod sessions;
pub mod streams;
mod tokens;
mod users;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use weft_domain::metadata::Actor;
use weft_domain::user::{Role, UserError};

use crate::error::StoreError;
use crate::secrets::MasterKey;
use crate::store::EventStore;

pub use password::MIN_PASSWORD_CHARS;
pub use tokens::{AccessClaims, TokenKeys};

/// Aggregate type of users.
pub const USER: &str = "user";
/// Aggregate type of sessions.
pub const SESSION: &str = "session";
/// Aggregate type of API keys.
pub const API_KEY: &str = "apikey";
/// Aggregate type of the user directory.
pub const DIRECTORY: &str = "directory";

/// Why an authentication or user command failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A user, session or API key rule rejected it.
    #[error(transparent)]
    Rejected(#[from] UserError),
    /// No valid credentials (wrong password, bad or expired token, unknown or revoked key).
    #[error("{0}")]
    Unauthenticated(String),
    /// The owner exists already.
    #[error("the owner is already set up: sign in instead")]
    AlreadySetUp,
    /// The email belongs to another user.
    #[error("a user with email `{0}` already exists")]
    EmailTaken(String),
    /// Bad input.
    #[error("{0}")]
    Invalid(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something else on the server failed.
    #[error("{0}")]
    Internal(String),
}

impl AuthError {
    /// Stable machine-readable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Rejected(e) => e.code(),
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::AlreadySetUp | Self::EmailTaken(_) => "CONFLICT",
            Self::Invalid(_) => "VALIDATION",
            Self::Store(StoreError::Conflict) => "CONFLICT",
            Self::Store(_) | Self::Internal(_) => "INTERNAL",
        }
    }
}

/// How a request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// An access token of this session.
    Session(String),
    /// This API key.
    ApiKey(String),
}

/// An authenticated caller: a user (directly or through one of their API keys) and their current
/// role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user.
    pub user_id: String,
    /// Their email.
    pub email: String,
    /// Their current role (an API key acts with it).
    pub role: Role,
    /// Session or API key.
    pub via: Via,
}

impl Principal {
    /// The actor recorded on the events this caller causes.
    pub fn actor(&self) -> Actor {
        match &self.via {
            Via::Session(_) => Actor::user(&self.user_id),
            Via::ApiKey(key_id) => Actor::ApiKey {
                key_id: key_id.clone(),
                user_id: self.user_id.clone(),
            },
        }
    }
}

/// A user as shown to clients (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    /// Id.
    pub id: String,
    /// Email.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Whether sign-in is blocked.
    pub disabled: bool,
}

/// What a sign-in or refresh returns.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// When it expires.
    pub access_expires_at: DateTime<Utc>,
    /// Exchange for new tokens with `refresh`; rotates on every use.
    pub refresh_token: String,
    /// When the refresh token expires.
    pub refresh_expires_at: DateTime<Utc>,
    /// The signed-in user.
    pub user: UserSummary,
}

/// A new API key; the secret is shown once and never stored.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// Key id.
    pub id: String,
    /// The full key for `X-API-Key`.
    pub key: String,
}

/// Lifetimes of tokens.
#[derive(Debug, Clone, Copy)]
pub struct TokenLifetimes {
    /// Access tokens.
    pub access: chrono::Duration,
    /// Refresh tokens (each rotation starts a new period).
    pub refresh: chrono::Duration,
}

impl Default for TokenLifetimes {
    fn default() -> Self {
        Self {
            access: chrono::Duration::minutes(15),
            refresh: chrono::Duration::days(30),
        }
    }
}

/// User, session and API key commands plus authentication; cheap to clone.
#[derive(Clone)]
pub struct Access {
    inner: Arc<Inner>,
}

struct Inner {
    store: EventStore,
    tokens: TokenKeys,
    lifetimes: TokenLifetimes,
}

impl Access {
    /// Access commands over `store`, signing tokens with a key derived from `master`.
    pub fn new(store: EventStore, master: &MasterKey, lifetimes: TokenLifetimes) -> Self {
        Self {
            inner: Arc::new(Inner {
                tokens: TokenKeys::new(master, lifetimes.access),
                store,
                lifetimes,
            }),
        }
    }

    fn store(&self) -> &EventStore {
        &self.inner.store
    }

    /// The token keys (tests mint tokens with them).
    pub fn token_keys(&self) -> &TokenKeys {
        &self.inner.tokens
    }
}
