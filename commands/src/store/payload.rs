//! An event payload read from the log, parsed on first use.
//!
//! The projection runner reads every event, but most of an execution's events only move its list
//! row forward and never look inside the payload (which carries the node runs' items). Keeping
//! the stored text and parsing it when a reader first dereferences it saves building and freeing
//! a JSON tree per event on the hot path; events shared with subscribers are parsed once.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde_json::Value;

/// A stored event's payload: its JSON text, and the parsed value once someone needed it.
/// Dereferences to the [`Value`]; a payload that is not valid JSON reads as `null` (the log is
/// written by serialising values, so only outside tampering produces one; typed readers then
/// report the event as malformed).
#[derive(Clone, Default)]
pub struct EventPayload {
    text: Box<str>,
    parsed: OnceLock<Value>,
}

impl EventPayload {
    /// A payload from its stored JSON text.
    pub fn from_text(text: impl Into<Box<str>>) -> Self {
        Self {
            text: text.into(),
            parsed: OnceLock::new(),
        }
    }

    /// The payload as `T`: straight from the text when nobody parsed it yet (no JSON tree is
    /// built), else from the parsed value.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        match self.parsed.get() {
            Some(value) => T::deserialize(value),
            None => serde_json::from_str(&self.text),
        }
    }

    /// The parsed payload, taken out.
    pub fn into_value(mut self) -> Value {
        self.force();
        self.parsed.take().unwrap_or(Value::Null)
    }

    fn force(&self) -> &Value {
        self.parsed
            .get_or_init(|| serde_json::from_str(&self.text).unwrap_or(Value::Null))
    }
}

impl Deref for EventPayload {
    type Target = Value;

    fn deref(&self) -> &Value {
        self.force()
    }
}

impl DerefMut for EventPayload {
    fn deref_mut(&mut self) -> &mut Value {
        self.force();
        self.parsed.get_mut().expect("parsed just above")
    }
}

impl PartialEq for EventPayload {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl PartialEq<Value> for EventPayload {
    fn eq(&self, other: &Value) -> bool {
        **self == *other
    }
}

impl fmt::Debug for EventPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parses_on_first_use_and_keeps_the_value() {
        let mut payload = EventPayload::from_text(r#"{"n": 1}"#);
        assert!(payload.parsed.get().is_none());
        assert_eq!(payload["n"], 1);
        payload["n"] = json!(2);
        assert_eq!(payload, json!({"n": 2}));
        assert_eq!(payload.clone().into_value(), json!({"n": 2}));
        assert_eq!(payload.parse::<Value>().unwrap(), json!({"n": 2}));
        assert_eq!(
            EventPayload::from_text(r#"{"n": 3}"#)
                .parse::<Value>()
                .unwrap(),
            json!({"n": 3})
        );
    }

    #[test]
    fn malformed_text_reads_as_null() {
        assert_eq!(EventPayload::from_text("{not json"), Value::Null);
    }
}
