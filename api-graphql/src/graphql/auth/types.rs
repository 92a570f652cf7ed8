//! GraphQL types of users, sign-in and API keys. None of them can carry a password hash or a
//! key's secret, except `NewApiKey.key`, shown once at creation.

use async_graphql::{Enum, ID, SimpleObject};
use chrono::{DateTime, SecondsFormat, Utc};
use weft_commands::auth::{NewApiKey as CreatedKey, Tokens, UserSummary};
use weft_projections::access::{ApiKeyRow, UserRow};

/// A user's role, from most to least privileged.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "weft_domain::user::Role")]
pub enum Role {
    /// Read-only access.
    Viewer,
    /// Edits and runs workflows, uses and creates credentials.
    Editor,
    /// An editor who also manages users.
    Admin,
    /// The instance owner.
    Owner,
}

/// A user.
#[derive(SimpleObject, Clone)]
pub struct User {
    /// Id (the actor `user:ID` on their events).
    pub id: ID,
    /// Login email.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Whether sign-in is blocked.
    pub disabled: bool,
}

impl From<UserSummary> for User {
    fn from(user: UserSummary) -> Self {
        Self {
            id: ID(user.id),
            email: user.email,
            role: user.role.into(),
            disabled: user.disabled,
        }
    }
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            id: ID(row.id),
            email: row.email,
            role: row
                .role
                .parse::<weft_domain::user::Role>()
                .unwrap_or(weft_domain::user::Role::Viewer)
                .into(),
            disabled: row.disabled,
        }
    }
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Tokens of a signed-in session.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Send as `Authorization: Bearer <accessToken>` (HTTP) or `{"authorization": "Bearer …"}` in
    /// the graphql-ws `connection_init` payload.
    pub access_token: String,
    /// When the access token expires (RFC 3339); refresh before.
    pub access_token_expires_at: String,
    /// Exchange with `refreshToken` for new tokens; works once.
    pub refresh_token: String,
    /// When the refresh token expires.
    pub refresh_token_expires_at: String,
    /// The signed-in user.
    pub user: User,
}

impl From<Tokens> for AuthPayload {
    fn from(tokens: Tokens) -> Self {
        Self {
            access_token: tokens.access_token,
            access_token_expires_at: time(tokens.access_expires_at),
            refresh_token: tokens.refresh_token,
            refresh_token_expires_at: time(tokens.refresh_expires_at),
            user: tokens.user.into(),
        }
    }
}

/// Whether the instance needs setup, and who is calling.
#[derive(SimpleObject)]
pub struct AuthStatus {
    /// True until the owner is set up (`setupOwner`).
    pub setup_required: bool,
    /// The caller, when the request carried valid credentials.
    pub user: Option<User>,
}

/// An API key (never its secret).
#[derive(SimpleObject)]
pub struct ApiKey {
    /// Id.
    pub id: ID,
    /// Label.
    pub name: String,
    /// When created (RFC 3339).
    pub created_at: String,
    /// When revoked.
    pub revoked_at: Option<String>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(row: ApiKeyRow) -> Self {
        Self {
            id: ID(row.id),
            name: row.name,
            created_at: row.created_at,
            revoked_at: row.revoked_at,
        }
    }
}

/// A newly created API key.
#[derive(SimpleObject)]
pub struct NewApiKey {
    /// Id.
    pub id: ID,
    /// Label.
    pub name: String,
    /// The key for the `X-API-Key` header. Shown only now: it is not stored.
    pub key: String,
}

impl NewApiKey {
    /// The GraphQL form of a created key.
    pub fn new(created: CreatedKey, name: String) -> Self {
        Self {
            id: ID(created.id),
            name,
            key: created.key,
        }
    }
}
