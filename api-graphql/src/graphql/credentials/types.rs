//! GraphQL types of credentials: metadata only. No type here can carry a secret value.

use async_graphql::{ID, Json, SimpleObject};
use weft_domain::credential::{CredentialType as DomainType, FieldKind};
use weft_projections::access::CredentialRow;

/// A stored credential's metadata: the non-secret fields and which secret fields are set.
#[derive(SimpleObject)]
pub struct Credential {
    /// Id (referenced by nodes as `credentials.<type>.id`).
    pub id: ID,
    /// Display name.
    pub name: String,
    /// Type id (`httpBasicAuth`, `postgres`, …).
    #[graphql(name = "type")]
    pub credential_type: String,
    /// The non-secret fields.
    pub data: Json<serde_json::Value>,
    /// Names of the secret fields that are set (their values are never returned).
    pub secret_fields: Vec<String>,
    /// When created (RFC 3339).
    pub created_at: String,
    /// Who created it.
    pub created_by: String,
    /// When last changed.
    pub updated_at: String,
    /// Who changed it last.
    pub updated_by: String,
}

impl From<CredentialRow> for Credential {
    fn from(row: CredentialRow) -> Self {
        Self {
            id: ID(row.id),
            name: row.name,
            credential_type: row.credential_type,
            data: Json(row.public_data),
            secret_fields: row.secret_fields,
            created_at: row.created_at,
            created_by: row.created_by,
            updated_at: row.updated_at,
            updated_by: row.updated_by,
        }
    }
}

/// One field of a credential type.
#[derive(SimpleObject)]
pub struct CredentialField {
    /// Field name.
    pub name: String,
    /// `string`, `number` or `boolean`.
    pub kind: String,
    /// Encrypted at rest and never returned.
    pub secret: bool,
    /// Must be given on creation.
    pub required: bool,
}

/// A supported credential type and its schema.
#[derive(SimpleObject)]
pub struct CredentialTypeInfo {
    /// Type id.
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// Fields.
    pub fields: Vec<CredentialField>,
}

impl From<&DomainType> for CredentialTypeInfo {
    fn from(ty: &DomainType) -> Self {
        Self {
            id: ty.id.to_string(),
            display_name: ty.display_name.to_string(),
            fields: ty
                .fields
                .iter()
                .map(|f| CredentialField {
                    name: f.name.to_string(),
                    kind: match f.kind {
                        FieldKind::Text => "string",
                        FieldKind::Number => "number",
                        FieldKind::Boolean => "boolean",
                    }
                    .to_string(),
                    secret: f.secret,
                    required: f.required,
                })
                .collect(),
        }
    }
}

/// The outcome of `testCredential`.
#[derive(SimpleObject)]
pub struct CredentialTestResult {
    /// Whether the service accepted the credential.
    pub ok: bool,
    /// What happened (never contains a secret).
    pub message: String,
}
