//! Who is calling: the actor and correlation id recorded in the metadata of every event a request
//! causes. Until users and tokens exist, the actor comes from the `X-Weft-Actor` header (or is
//! `system:api`); authentication replaces [`RequestContext::from_headers`].

use axum::http::HeaderMap;
use chrono::Utc;
use uuid::Uuid;
use weft_domain::metadata::{Actor, EventMetadata};

/// Header naming the actor (`user:ID`, `system:NAME`, …).
pub const ACTOR_HEADER: &str = "x-weft-actor";
/// Header carrying the caller's request id, used as the correlation id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The caller of one HTTP request or WebSocket connection.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestContext {
    /// Who acts.
    pub actor: Actor,
    /// Shared by every event this request causes.
    pub correlation_id: String,
}

impl RequestContext {
    /// Reads the actor and request id from the headers; fails with a message when the actor header
    /// is present but malformed.
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, String> {
        let actor = match headers.get(ACTOR_HEADER) {
            None => Actor::system("api"),
            Some(value) => value.to_str().ok().and_then(Actor::parse).ok_or_else(|| {
                format!(
                    "invalid {ACTOR_HEADER} header: expected user:ID, apikey:KEY:USER, \
                         system:NAME or assistant:USER"
                )
            })?,
        };
        let correlation_id = headers
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 200)
            .map_or_else(|| Uuid::new_v4().to_string(), str::to_string);
        Ok(Self {
            actor,
            correlation_id,
        })
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
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn actor_defaults_to_the_api_and_reads_the_header() {
        let context = RequestContext::from_headers(&HeaderMap::new()).unwrap();
        assert_eq!(context.actor, Actor::system("api"));
        assert!(Uuid::parse_str(&context.correlation_id).is_ok());
        let mut headers = HeaderMap::new();
        headers.insert(ACTOR_HEADER, HeaderValue::from_static("user:ada"));
        headers.insert(REQUEST_ID_HEADER, HeaderValue::from_static("req-1"));
        let context = RequestContext::from_headers(&headers).unwrap();
        assert_eq!(context.actor, Actor::user("ada"));
        assert_eq!(context.correlation_id, "req-1");
        headers.insert(ACTOR_HEADER, HeaderValue::from_static("robot"));
        assert!(RequestContext::from_headers(&headers).is_err());
    }
}
