//! Access tokens: HS256 JWTs signed with a key derived from the master key, so every process
//! sharing the master key accepts the others' tokens. Only HS256 is accepted (`alg: none` and
//! every other algorithm are rejected), with issuer, audience and expiry checked.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::secrets::MasterKey;

const ISSUER: &str = "weft";
const AUDIENCE: &str = "weft-api";
/// HKDF purpose of the signing key.
const SIGNING_KEY_INFO: &str = "weft jwt hs256 v1";

/// Claims of an access token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// User id.
    pub sub: String,
    /// Session id (the refresh token's session).
    pub sid: String,
    /// Role when issued (informational; the current role is read on every request).
    pub role: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Issuer (`weft`).
    pub iss: String,
    /// Audience (`weft-api`).
    pub aud: String,
}

/// Signs and checks access tokens.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Lifetime of an access token.
    pub access_ttl: Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(..)")
    }
}

impl TokenKeys {
    /// Keys derived from the master key; access tokens live `access_ttl`.
    pub fn new(master: &MasterKey, access_ttl: Duration) -> Self {
        let secret = master.derive(SIGNING_KEY_INFO);
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = 0;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        Self {
            encoding: EncodingKey::from_secret(&secret),
            decoding: DecodingKey::from_secret(&secret),
            validation,
            access_ttl,
        }
    }

    /// A signed token for `user_id` in session `session_id`, issued at `now`.
    pub fn issue(
        &self,
        user_id: &str,
        session_id: &str,
        role: &str,
        now: DateTime<Utc>,
    ) -> (String, DateTime<Utc>) {
        let expires_at = now + self.access_ttl;
        let claims = AccessClaims {
            sub: user_id.to_string(),
            sid: session_id.to_string(),
            role: role.to_string(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing with an in-memory key cannot fail");
        (token, expires_at)
    }

    /// The claims of a valid token, or why it is not accepted (a message safe to show).
    pub fn verify(&self, token: &str) -> Result<AccessClaims, &'static str> {
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => "the access token expired",
                ErrorKind::InvalidSignature => "the access token's signature is not valid",
                ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => {
                    "the access token's algorithm is not accepted (HS256 only)"
                }
                ErrorKind::InvalidIssuer | ErrorKind::InvalidAudience => {
                    "the access token was not issued for this API"
                }
                _ => "the access token is malformed or uses an unsupported algorithm",
            })
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn keys(master: &MasterKey) -> TokenKeys {
        TokenKeys::new(master, Duration::minutes(15))
    }

    #[test]
    fn tokens_verify_across_processes_sharing_the_master_key() {
        let master = MasterKey::generate();
        let (token, _) = keys(&master).issue("u1", "s1", "owner", Utc::now());
        let claims = keys(&master).verify(&token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.sid.as_str()), ("u1", "s1"));
        assert_eq!(
            keys(&MasterKey::generate()).verify(&token),
            Err("the access token's signature is not valid")
        );
    }

    #[test]
    fn expired_and_unsigned_tokens_are_rejected() {
        let master = MasterKey::generate();
        let (old, _) = keys(&master).issue("u1", "s1", "owner", Utc::now() - Duration::hours(1));
        assert_eq!(keys(&master).verify(&old), Err("the access token expired"));
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = old.split('.').nth(1).unwrap();
        let (fresh, _) = keys(&master).issue("u1", "s1", "owner", Utc::now());
        let fresh_body = fresh.split('.').nth(1).unwrap();
        for token in [
            format!("{header}.{body}."),
            format!("{header}.{fresh_body}."),
        ] {
            assert!(keys(&master).verify(&token).is_err(), "{token}");
        }
        assert!(keys(&master).verify("garbage").is_err());
    }
}
