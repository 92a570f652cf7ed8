//! Parameter schemas and credential types of the built-in node types.

use super::schema::{CredentialSpec, ParameterSpec};

/// The parameter schema of a built-in node type.
pub(super) fn parameters_for(_node_type: &str) -> Vec<ParameterSpec> {
    Vec::new()
}

/// The credential types a built-in node type accepts.
pub(super) fn credentials_for(_node_type: &str) -> Vec<CredentialSpec> {
    Vec::new()
}
