//! Typed errors of the credential aggregate.

/// Why a credential command was rejected. Nothing is appended when it fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// No such credential (or it was deleted).
    #[error("credential not found")]
    NotFound,
    /// Create on an existing credential.
    #[error("the credential already exists")]
    AlreadyExists,
    /// The type id is not supported.
    #[error("unknown credential type `{0}`: expected one of {1}")]
    UnknownType(String, String),
    /// A field the type does not have.
    #[error("credential type `{credential_type}` has no field `{field}` (fields: {known})")]
    UnknownField {
        /// The type.
        credential_type: &'static str,
        /// The field given.
        field: String,
        /// The type's fields.
        known: String,
    },
    /// A required field is missing or empty.
    #[error("credential type `{credential_type}` needs the field `{field}`")]
    MissingField {
        /// The type.
        credential_type: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A field has the wrong kind of value.
    #[error("field `{field}` must be {expected}")]
    WrongKind {
        /// The field.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// The name is empty or too long.
    #[error("a credential needs a name of 1 to 200 characters")]
    BadName,
}

impl CredentialError {
    /// Stable machine-readable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "NOT_FOUND",
            Self::AlreadyExists => "CONFLICT",
            _ => "VALIDATION",
        }
    }
}
