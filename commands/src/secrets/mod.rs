//! Key material: the master key (from `WEFT_ENCRYPTION_KEY` or a 0600 key file), keys derived
//! from it with HKDF (the JWT signing key, so every process sharing the master key accepts the
//! others' tokens), AES-256-GCM sealing, random secrets with their SHA-256 fingerprints, and
//! credentials encrypted under per-credential data keys kept outside the event log.

mod cipher;
pub mod credentials;
pub mod keys;
mod master_key;
mod random;

pub use cipher::{open, seal};
pub use credentials::{CREDENTIAL, Credentials, CredentialsError, Decrypted};
pub use master_key::{MASTER_KEY_ENV, MasterKey};
pub use random::{fingerprint, random_bytes, random_token};

/// Failures of key handling and decryption. Messages never contain key material.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// `WEFT_ENCRYPTION_KEY` or the key file does not hold base64 of exactly 32 bytes.
    #[error("{source_name} must be base64 of exactly 32 bytes ({reason})")]
    BadKey {
        /// Where the key came from.
        source_name: String,
        /// What is wrong.
        reason: String,
    },
    /// The key file could not be read or created.
    #[error("key file {path}: {reason}")]
    KeyFile {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// Decryption failed: wrong key, tampered data, or the data key was destroyed.
    #[error("cannot decrypt {0}: wrong key or damaged data")]
    Decrypt(&'static str),
}
