//! Access read models: users, API keys and credential metadata, for listing in the API. They
//! never hold a password hash, a token, a key fingerprint or a secret value; authentication reads
//! the event streams themselves, so it never waits for these tables.

pub mod model;
pub mod queries;
pub(crate) mod sink;
pub mod tables;

pub use model::AccessChanges;
pub use queries::{ApiKeyRow, CredentialRow, UserRow};
