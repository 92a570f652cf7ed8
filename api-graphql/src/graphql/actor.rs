//! Who is calling: the authenticated principal of a request (from `Authorization: Bearer <jwt>`
//! or `X-API-Key`, or for WebSockets the graphql-ws `connection_init` payload) and the correlation
//! id recorded on every event it causes. The actor recorded is always the authenticated one
//! (`user:ID` or `apikey:KEY:USER`); there is no header that names an actor.

use axum::http::HeaderMap;
use chrono::Utc;
use serde_json::Value;
use uuid::Uuid;
use weft_commands::{Access, Principal};
use weft_domain::metadata::{Actor, EventMetadata};

/// Header carrying the caller's request id, used as the correlation id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// Header carrying an API key.
pub const API_KEY_HEADER: &str = "x-api-key";

/// The caller of one HTTP request or WebSocket connection.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestContext {
    /// Who acts: the principal's actor, or `system:anonymous` before authentication.
    pub actor: Actor,
    /// The authenticated caller, if any.
    pub principal: Option<Principal>,
    /// Why presented credentials were refused (`None` when none were presented or they were
    /// accepted).
    pub auth_error: Option<String>,
    /// Shared by every event this request causes.
    pub correlation_id: String,
}

/// Credentials a request presented.
enum Presented {
    None,
    Bearer(String),
    ApiKey(String),
    Malformed(&'static str),
}

fn presented(authorization: Option<&str>, api_key: Option<&str>) -> Presented {
    if let Some(value) = authorization {
        let mut parts = value.trim().splitn(2, ' ');
        let scheme = parts.next().unwrap_or_default();
        let token = parts.next().unwrap_or_default().trim();
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            return Presented::Malformed("the Authorization header must be `Bearer <token>`");
        }
        return Presented::Bearer(token.to_string());
    }
    match api_key.map(str::trim) {
        Some(key) if !key.is_empty() => Presented::ApiKey(key.to_string()),
        Some(_) => Presented::Malformed("the X-API-Key header is empty"),
        None => Presented::None,
    }
}

impl RequestContext {
    /// An unauthenticated caller with this correlation id.
    pub fn anonymous(correlation_id: String) -> Self {
        Self {
            actor: Actor::system("anonymous"),
            principal: None,
            auth_error: None,
            correlation_id,
        }
    }

    /// Authenticates the request's headers; never fails: a refusal is kept in `auth_error` so
    /// public operations (sign-in) still work and the others report `UNAUTHENTICATED`.
    pub async fn from_headers(headers: &HeaderMap, access: &Access) -> Self {
        let correlation_id = headers
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 200)
            .map_or_else(|| Uuid::new_v4().to_string(), str::to_string);
        let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or_default());
        let found = presented(header("authorization"), header(API_KEY_HEADER));
        Self::anonymous(correlation_id)
            .authenticate(found, access)
            .await
    }

    /// Authenticates a graphql-ws `connection_init` payload (`{"authorization": "Bearer …"}` or
    /// `{"apiKey": "…"}`); without credentials in it, the connection keeps `self`.
    pub async fn with_connection_init(self, payload: &Value, access: &Access) -> Self {
        let field = |names: &[&str]| {
            names
                .iter()
                .find_map(|name| payload.get(*name).and_then(Value::as_str))
                .map(str::to_string)
        };
        let authorization = field(&["authorization", "Authorization"]);
        let api_key = field(&["apiKey", "x-api-key", "X-API-Key"]);
        match presented(authorization.as_deref(), api_key.as_deref()) {
            Presented::None => self,
            found => {
                Self::anonymous(self.correlation_id)
                    .authenticate(found, access)
                    .await
            }
        }
    }

    async fn authenticate(mut self, found: Presented, access: &Access) -> Self {
        let result = match found {
            Presented::None => return self,
            Presented::Malformed(message) => Err(message.to_string()),
            Presented::Bearer(token) => access
                .authenticate_token(&token)
                .await
                .map_err(|e| e.to_string()),
            Presented::ApiKey(key) => access
                .authenticate_api_key(&key)
                .await
                .map_err(|e| e.to_string()),
        };
        match result {
            Ok(principal) => {
                self.actor = principal.actor();
                self.principal = Some(principal);
            }
            Err(message) => self.auth_error = Some(message),
        }
        self
    }

    /// Metadata for the events of a command accepted now.
    pub fn metadata(&self) -> EventMetadata {
        EventMetadata {
            actor: self.actor.clone(),
            timestamp: Utc::now(),
            correlation_id: self.correlation_id.clone(),
            causation_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_read_from_either_header() {
        assert!(matches!(presented(Some("Bearer abc"), None), Presented::Bearer(t) if t == "abc"));
        assert!(
            matches!(presented(Some("bearer  abc "), None), Presented::Bearer(t) if t == "abc")
        );
        assert!(matches!(
            presented(Some("Basic abc"), None),
            Presented::Malformed(_)
        ));
        assert!(matches!(presented(None, Some("weft_k")), Presented::ApiKey(k) if k == "weft_k"));
        assert!(matches!(presented(None, None), Presented::None));
    }
}
