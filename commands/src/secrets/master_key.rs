//! The master key: 32 bytes from `WEFT_ENCRYPTION_KEY` (base64) or from a key file created with
//! mode 0600 on first start. It never encrypts data directly: purpose keys are derived from it
//! with HKDF-SHA256, and per-credential data keys are wrapped by a derived key.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hkdf::Hkdf;
use sha2::Sha256;

use super::SecretsError;
use super::random::random_bytes;

/// Environment variable holding the master key (base64 of 32 bytes).
pub const MASTER_KEY_ENV: &str = "WEFT_ENCRYPTION_KEY";

/// Salt of every derivation (fixed: the master key itself is random).
const SALT: &[u8] = b"weft master key v1";

/// The master key. `Debug` never prints it.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    /// A fresh random key (tests, first start).
    pub fn generate() -> Self {
        Self(random_bytes())
    }

    /// Reads base64 of exactly 32 bytes; `source_name` names the origin in errors.
    pub fn from_base64(text: &str, source_name: &str) -> Result<Self, SecretsError> {
        let bad = |reason: String| SecretsError::BadKey {
            source_name: source_name.to_string(),
            reason,
        };
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|e| bad(format!("not base64: {e}")))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| bad(format!("{} bytes", b.len())))?;
        Ok(Self(key))
    }

    /// The key as base64 (for writing the key file).
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Reads the key file at `path`, or creates it with a fresh key and mode 0600 when missing.
    pub fn load_or_create(path: &Path) -> Result<Self, SecretsError> {
        let file_error = |reason: String| SecretsError::KeyFile {
            path: path.display().to_string(),
            reason,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => return Self::from_base64(&text, &format!("key file {}", path.display())),
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(file_error(e.to_string()));
            }
            Err(_) => {}
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| file_error(e.to_string()))?;
        }
        let key = Self::generate();
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
        match created {
            Ok(mut file) => {
                writeln!(file, "{}", key.to_base64())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| file_error(e.to_string()))?;
                Ok(key)
            }
            // Another process created it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Self::load_or_create(path),
            Err(e) => Err(file_error(e.to_string())),
        }
    }

    /// A 32-byte key for one purpose (`info`), derived with HKDF-SHA256.
    pub fn derive(&self, info: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        Hkdf::<Sha256>::new(Some(SALT), &self.0)
            .expand(info.as_bytes(), &mut out)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        out
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_key_file_is_created_once_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/master.key");
        let first = MasterKey::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = MasterKey::load_or_create(&path).unwrap();
        assert_eq!(first.derive("x"), again.derive("x"));
        assert_ne!(first.derive("x"), first.derive("y"));
    }

    #[test]
    fn bad_keys_are_named_without_echoing_them() {
        let err = MasterKey::from_base64("c2hvcnQ=", MASTER_KEY_ENV).unwrap_err();
        assert_eq!(
            err.to_string(),
            "WEFT_ENCRYPTION_KEY must be base64 of exactly 32 bytes (5 bytes)"
        );
        let key = MasterKey::generate();
        assert_eq!(format!("{key:?}"), "MasterKey(..)");
        let round = MasterKey::from_base64(&key.to_base64(), "k").unwrap();
        assert_eq!(round.derive("a"), key.derive("a"));
    }
}
