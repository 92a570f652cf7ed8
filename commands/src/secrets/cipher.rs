//! AES-256-GCM sealing: a fresh random 96-bit nonce per message, stored in front of the
//! ciphertext; associated data binds a ciphertext to its purpose (e.g. the credential id).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};

use super::SecretsError;
use super::random::random_bytes;

const NONCE: usize = 12;

/// Encrypts `plaintext` under `key`; returns nonce ‖ ciphertext ‖ tag.
pub fn seal(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let nonce: [u8; NONCE] = random_bytes();
    let mut out = nonce.to_vec();
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("AES-GCM encryption of an in-memory buffer cannot fail");
    out.extend(sealed);
    out
}

/// Decrypts what [`seal`] produced with the same key and associated data.
pub fn open(
    key: &[u8; 32],
    sealed: &[u8],
    aad: &[u8],
    what: &'static str,
) -> Result<Vec<u8>, SecretsError> {
    if sealed.len() < NONCE {
        return Err(SecretsError::Decrypt(what));
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE);
    Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key))
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map_err(|_| SecretsError::Decrypt(what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_only_with_the_same_key_and_purpose() {
        let key = [7u8; 32];
        let sealed = seal(&key, b"hunter2", b"credential:1");
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(
            open(&key, &sealed, b"credential:1", "x").unwrap(),
            b"hunter2"
        );
        assert!(open(&[8u8; 32], &sealed, b"credential:1", "x").is_err());
        assert!(open(&key, &sealed, b"credential:2", "x").is_err());
        assert_ne!(seal(&key, b"hunter2", b""), seal(&key, b"hunter2", b""));
    }
}
