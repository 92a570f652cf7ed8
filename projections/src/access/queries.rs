//! Reads of the access read models.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::tables::{API_KEYS, CREDENTIALS, USERS};
use crate::error::ProjectionError;
use crate::queries::ReadModels;

/// A user as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    /// Id.
    pub id: String,
    /// Email.
    pub email: String,
    /// Role name.
    pub role: String,
    /// Whether sign-in is blocked.
    pub disabled: bool,
    /// When created (RFC 3339).
    pub created_at: String,
    /// Who created it.
    pub created_by: String,
}

/// An API key as listed (never the secret).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeyRow {
    /// Id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Label.
    pub name: String,
    /// When created.
    pub created_at: String,
    /// When revoked.
    pub revoked_at: Option<String>,
}

/// A credential's metadata (never a secret value).
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialRow {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Type id.
    pub credential_type: String,
    /// Non-secret fields (JSON object).
    pub public_data: serde_json::Value,
    /// Names of the secret fields that are set.
    pub secret_fields: Vec<String>,
    /// When created.
    pub created_at: String,
    /// Who created it.
    pub created_by: String,
    /// When last changed.
    pub updated_at: String,
    /// Who changed it last.
    pub updated_by: String,
}

fn credential(row: &AnyRow) -> Result<CredentialRow, ProjectionError> {
    let public: String = row.try_get(3)?;
    let secret: String = row.try_get(4)?;
    Ok(CredentialRow {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        credential_type: row.try_get(2)?,
        public_data: serde_json::from_str(&public).unwrap_or_default(),
        secret_fields: serde_json::from_str(&secret).unwrap_or_default(),
        created_at: row.try_get(5)?,
        created_by: row.try_get(6)?,
        updated_at: row.try_get(7)?,
        updated_by: row.try_get(8)?,
    })
}

fn user(row: &AnyRow) -> Result<UserRow, ProjectionError> {
    Ok(UserRow {
        id: row.try_get(0)?,
        email: row.try_get(1)?,
        role: row.try_get(2)?,
        disabled: row.try_get::<i64, _>(3)? != 0,
        created_at: row.try_get(4)?,
        created_by: row.try_get(5)?,
    })
}

fn api_key(row: &AnyRow) -> Result<ApiKeyRow, ProjectionError> {
    Ok(ApiKeyRow {
        id: row.try_get(0)?,
        user_id: row.try_get(1)?,
        name: row.try_get(2)?,
        created_at: row.try_get(3)?,
        revoked_at: row.try_get(4)?,
    })
}

impl ReadModels {
    /// Every user, in creation order.
    pub async fn users(&self) -> Result<Vec<UserRow>, ProjectionError> {
        let sql = format!(
            "SELECT {} FROM {} ORDER BY id",
            USERS.columns[..6].join(","),
            USERS.name
        );
        sqlx::query(&sql)
            .fetch_all(self.db().pool())
            .await?
            .iter()
            .map(user)
            .collect()
    }

    /// Every live credential's metadata, by name.
    pub async fn credentials(&self) -> Result<Vec<CredentialRow>, ProjectionError> {
        let sql = format!(
            "SELECT {} FROM {} ORDER BY name, id",
            CREDENTIALS.columns.join(","),
            CREDENTIALS.name
        );
        sqlx::query(&sql)
            .fetch_all(self.db().pool())
            .await?
            .iter()
            .map(credential)
            .collect()
    }

    /// One credential's metadata.
    pub async fn credential(&self, id: &str) -> Result<Option<CredentialRow>, ProjectionError> {
        let sql = format!(
            "SELECT {} FROM {} WHERE id = $1",
            CREDENTIALS.columns.join(","),
            CREDENTIALS.name
        );
        sqlx::query(&self.db().sql(&sql))
            .bind(id)
            .fetch_optional(self.db().pool())
            .await?
            .as_ref()
            .map(credential)
            .transpose()
    }

    /// The API keys of one user, in creation order (revoked ones included).
    pub async fn api_keys(&self, user_id: &str) -> Result<Vec<ApiKeyRow>, ProjectionError> {
        let sql = format!(
            "SELECT {} FROM {} WHERE user_id = $1 ORDER BY id",
            API_KEYS.columns.join(","),
            API_KEYS.name
        );
        sqlx::query(&self.db().sql(&sql))
            .bind(user_id)
            .fetch_all(self.db().pool())
            .await?
            .iter()
            .map(api_key)
            .collect()
    }
}
