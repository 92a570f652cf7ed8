//! The access tables: users, API keys and credential metadata.

use crate::tables::TableSpec;

/// One row per user (never the password hash).
pub const USERS: TableSpec = TableSpec {
    name: "users",
    columns: &[
        "id",
        "email",
        "role",
        "disabled",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ],
    key: &["id"],
};

/// One row per API key (never the secret or its hash).
pub const API_KEYS: TableSpec = TableSpec {
    name: "api_keys",
    columns: &["id", "user_id", "name", "created_at", "revoked_at"],
    key: &["id"],
};

/// One row per live credential: name, type, the non-secret fields and the names of the secret
/// fields that are set (never their values).
pub const CREDENTIALS: TableSpec = TableSpec {
    name: "credentials",
    columns: &[
        "id",
        "name",
        "credential_type",
        "public_data",
        "secret_fields",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ],
    key: &["id"],
};
