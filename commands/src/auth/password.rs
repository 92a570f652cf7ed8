//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes), on a blocking thread
//! so hashing never stalls the async runtime.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use super::AuthError;

/// Shortest accepted password.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Checks the password policy.
pub fn check_policy(password: &str) -> Result<(), AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::Invalid(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if password.len() > 1024 {
        return Err(AuthError::Invalid(
            "the password must have at most 1024 bytes".into(),
        ));
    }
    Ok(())
}

/// The argon2id PHC string of `password` with a fresh salt.
pub async fn hash(password: &str) -> Result<String, AuthError> {
    check_policy(password)?;
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&crate::secrets::random_bytes::<16>())
            .map_err(|e| AuthError::Internal(format!("salt: {e}")))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AuthError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| AuthError::Internal(e.to_string()))?
}

/// Whether `password` matches the PHC string `hash`. An empty hash (no such user) is checked
/// against a dummy hash so the answer takes the same time either way.
pub async fn verify(password: &str, hash: &str) -> bool {
    let password = password.to_string();
    let hash = if hash.is_empty() {
        DUMMY.to_string()
    } else {
        hash.to_string()
    };
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
                && hash != DUMMY
        })
    })
    .await
    .unwrap_or(false)
}

/// argon2id hash of a random string nobody knows, for unknown users.
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3VIqkVLJ9mvuNHAtTMsCNdT0g2CnI46IE1W7R3vddeI";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let hashed = hash("correct horse").await.unwrap();
        assert!(hashed.starts_with("$argon2id$"));
        assert!(!hashed.contains("correct horse"));
        assert!(verify("correct horse", &hashed).await);
        assert!(!verify("wrong horse!", &hashed).await);
        assert!(!verify("correct horse", "").await);
        assert_eq!(
            hash("short").await.unwrap_err().to_string(),
            "the password must have at least 8 characters"
        );
    }
}
