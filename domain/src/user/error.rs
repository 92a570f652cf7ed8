//! Typed errors of the user, session and API key aggregates.

/// Why a user, session or API key command was rejected. Nothing is appended when it fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    /// The user (or key, or session) does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Create on an existing stream.
    #[error("{0} already exists")]
    AlreadyExists(&'static str),
    /// The email is not a plausible address.
    #[error("invalid email `{0}`: expected an address like ada@example.com")]
    InvalidEmail(String),
    /// The actor's role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// The command is not valid in the current state.
    #[error("{0}")]
    Invalid(String),
    /// The refresh token does not match, expired or the session ended.
    #[error("{0}")]
    InvalidToken(&'static str),
}

impl UserError {
    /// Stable machine-readable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "NOT_FOUND",
            Self::AlreadyExists(_) => "CONFLICT",
            Self::InvalidEmail(_) | Self::Invalid(_) => "VALIDATION",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::InvalidToken(_) => "UNAUTHENTICATED",
        }
    }
}
