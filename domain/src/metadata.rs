//! Metadata carried by every event: who did it, when, and which request chain it belongs to.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Actor {
    /// A signed-in person.
    #[serde(rename_all = "camelCase")]
    User {
        /// User id.
        user_id: String,
    },
    /// A program using an API key that belongs to a user.
    #[serde(rename_all = "camelCase")]
    ApiKey {
        /// API key id.
        key_id: String,
        /// Owner of the key.
        user_id: String,
    },
    /// Weft itself (scheduler, worker, migration).
    #[serde(rename_all = "camelCase")]
    System {
        /// Component name, e.g. `scheduler`.
        component: String,
    },
    /// The AI assistant acting on behalf of a user.
    #[serde(rename_all = "camelCase")]
    Assistant {
        /// The user the assistant acts for.
        on_behalf_of: String,
    },
}

impl Actor {
    /// A system actor for the given component.
    pub fn system(component: &str) -> Self {
        Self::System {
            component: component.to_string(),
        }
    }

    /// A user actor.
    pub fn user(user_id: &str) -> Self {
        Self::User {
            user_id: user_id.to_string(),
        }
    }

    /// Parses the compact form produced by `Display` (`user:ID`, `apikey:KEY:USER`, `system:NAME`,
    /// `assistant:USER`).
    pub fn parse(text: &str) -> Option<Self> {
        let (kind, rest) = text.split_once(':')?;
        match kind {
            "user" => Some(Self::user(rest)),
            "system" => Some(Self::system(rest)),
            "assistant" => Some(Self::Assistant {
                on_behalf_of: rest.to_string(),
            }),
            "apikey" => {
                let (key_id, user_id) = rest.split_once(':')?;
                Some(Self::ApiKey {
                    key_id: key_id.to_string(),
                    user_id: user_id.to_string(),
                })
            }
            _ => None,
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User { user_id } => write!(f, "user:{user_id}"),
            Self::ApiKey { key_id, user_id } => write!(f, "apikey:{key_id}:{user_id}"),
            Self::System { component } => write!(f, "system:{component}"),
            Self::Assistant { on_behalf_of } => write!(f, "assistant:{on_behalf_of}"),
        }
    }
}

/// Metadata of one command's events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventMetadata {
    /// Who caused the events.
    pub actor: Actor,
    /// When the command was accepted.
    pub timestamp: DateTime<Utc>,
    /// Id shared by every event caused by one external request.
    pub correlation_id: String,
    /// Id of the event or request that directly caused these events.
    pub causation_id: Option<String>,
}

const ACTOR: &str = "actor";
const TIMESTAMP: &str = "timestamp";
const CORRELATION: &str = "correlationId";
const CAUSATION: &str = "causationId";

impl EventMetadata {
    /// The flat string map cqrs-es stores with each event.
    pub fn to_map(&self) -> HashMap<String, String> {
        let mut map = HashMap::from([
            (ACTOR.to_string(), self.actor.to_string()),
            (
                TIMESTAMP.to_string(),
                self.timestamp
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            ),
            (CORRELATION.to_string(), self.correlation_id.clone()),
        ]);
        if let Some(causation) = &self.causation_id {
            map.insert(CAUSATION.to_string(), causation.clone());
        }
        map
    }

    /// The same flat map as [`to_map`](Self::to_map), serialised without building it (the hot
    /// path that writes each event's metadata straight into its row).
    pub fn as_stored(&self) -> StoredMetadata<'_> {
        StoredMetadata(self)
    }

    /// Reads metadata back from the stored map; `None` when a required key is missing or malformed.
    pub fn from_map(map: &HashMap<String, String>) -> Option<Self> {
        Some(Self {
            actor: Actor::parse(map.get(ACTOR)?)?,
            timestamp: DateTime::parse_from_rfc3339(map.get(TIMESTAMP)?)
                .ok()?
                .with_timezone(&Utc),
            correlation_id: map.get(CORRELATION)?.clone(),
            causation_id: map.get(CAUSATION).cloned(),
        })
    }
}

/// [`EventMetadata`] in its stored form (see [`EventMetadata::as_stored`]).
pub struct StoredMetadata<'a>(&'a EventMetadata);

impl Serialize for StoredMetadata<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let meta = self.0;
        let causation = meta.causation_id.as_ref();
        let mut map = serializer.serialize_map(Some(3 + usize::from(causation.is_some())))?;
        map.serialize_entry(ACTOR, &meta.actor.to_string())?;
        map.serialize_entry(
            TIMESTAMP,
            &meta
                .timestamp
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        )?;
        map.serialize_entry(CORRELATION, &meta.correlation_id)?;
        if let Some(causation) = causation {
            map.serialize_entry(CAUSATION, causation)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_round_trips_through_the_stored_map() {
        for actor in [
            Actor::user("u1"),
            Actor::ApiKey {
                key_id: "k1".into(),
                user_id: "u1".into(),
            },
            Actor::system("scheduler"),
            Actor::Assistant {
                on_behalf_of: "u2".into(),
            },
        ] {
            let metadata = EventMetadata {
                actor,
                timestamp: DateTime::parse_from_rfc3339("2026-11-27T10:00:00.123456Z")
                    .unwrap()
                    .with_timezone(&Utc),
                correlation_id: "c1".into(),
                causation_id: Some("e9".into()),
            };
            let stored: HashMap<String, String> =
                serde_json::from_str(&serde_json::to_string(&metadata.as_stored()).unwrap())
                    .unwrap();
            assert_eq!(stored, metadata.to_map());
            assert_eq!(EventMetadata::from_map(&metadata.to_map()), Some(metadata));
        }
    }

    #[test]
    fn malformed_actor_is_rejected() {
        assert_eq!(Actor::parse("robot:1"), None);
        assert_eq!(Actor::parse("apikey:onlykey"), None);
    }
}
