//! An event ready to append: every text column in one buffer, serialised once by the caller.
//!
//! The append path is hot (thousands of executions share each commit), so a row is built with one
//! allocation and the payload and metadata are serialised straight into it: no intermediate
//! `serde_json::Value`, no per-column `String`, nothing left for the writer to format or free.

use cqrs_es::persist::SerializedEvent;
use serde::Serialize;

use crate::error::StoreError;

/// Column order inside [`NewEvent::text`].
const AGGREGATE_TYPE: usize = 0;
const AGGREGATE_ID: usize = 1;
const EVENT_TYPE: usize = 2;
const EVENT_VERSION: usize = 3;
const PAYLOAD: usize = 4;
const METADATA: usize = 5;

/// One event to append: stream, sequence, type and version, JSON payload and metadata.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// The text columns, back to back.
    text: String,
    /// End offset of each text column in `text`.
    ends: [usize; 6],
    sequence: i64,
}

impl NewEvent {
    /// Builds an event, serialising `payload` and `metadata` (typically the domain event and its
    /// `EventMetadata`) directly into the row.
    pub fn new<P, M>(
        aggregate_type: &str,
        aggregate_id: &str,
        sequence: u64,
        event_type: &str,
        event_version: &str,
        payload: &P,
        metadata: &M,
    ) -> Result<Self, StoreError>
    where
        P: Serialize + ?Sized,
        M: Serialize + ?Sized,
    {
        let names =
            aggregate_type.len() + aggregate_id.len() + event_type.len() + event_version.len();
        let mut bytes = Vec::with_capacity(names + 256);
        let mut ends = [0; 6];
        for (column, text) in [aggregate_type, aggregate_id, event_type, event_version]
            .into_iter()
            .enumerate()
        {
            bytes.extend_from_slice(text.as_bytes());
            ends[column] = bytes.len();
        }
        serde_json::to_writer(&mut bytes, payload).map_err(|e| invalid("payload", e))?;
        ends[PAYLOAD] = bytes.len();
        serde_json::to_writer(&mut bytes, metadata).map_err(|e| invalid("metadata", e))?;
        ends[METADATA] = bytes.len();
        let text = String::from_utf8(bytes)
            .map_err(|e| StoreError::Write(format!("event is not UTF-8: {e}")))?;
        let sequence = i64::try_from(sequence)
            .map_err(|_| StoreError::Write(format!("sequence {sequence} is out of range")))?;
        Ok(Self {
            text,
            ends,
            sequence,
        })
    }

    /// Converts a cqrs-es event (the repository path) without cloning it first.
    pub fn from_serialized(event: &SerializedEvent) -> Result<Self, StoreError> {
        Self::new(
            &event.aggregate_type,
            &event.aggregate_id,
            event.sequence as u64,
            &event.event_type,
            &event.event_version,
            &event.payload,
            &event.metadata,
        )
    }

    fn column(&self, column: usize) -> &str {
        let start = if column == 0 {
            0
        } else {
            self.ends[column - 1]
        };
        &self.text[start..self.ends[column]]
    }

    /// The aggregate type (`workflow`, `execution`, …).
    pub fn aggregate_type(&self) -> &str {
        self.column(AGGREGATE_TYPE)
    }

    /// The aggregate id.
    pub fn aggregate_id(&self) -> &str {
        self.column(AGGREGATE_ID)
    }

    /// The sequence of this event in its stream (1-based).
    pub fn sequence(&self) -> i64 {
        self.sequence
    }

    /// The event type (`NodeAdded`, …).
    pub fn event_type(&self) -> &str {
        self.column(EVENT_TYPE)
    }

    /// The event schema version.
    pub fn event_version(&self) -> &str {
        self.column(EVENT_VERSION)
    }

    /// The payload as JSON text.
    pub fn payload(&self) -> &str {
        self.column(PAYLOAD)
    }

    /// The metadata as JSON text.
    pub fn metadata(&self) -> &str {
        self.column(METADATA)
    }

    /// The optimistic-concurrency slot this event claims.
    pub(crate) fn key(&self) -> (&str, &str, i64) {
        (self.aggregate_type(), self.aggregate_id(), self.sequence)
    }
}

fn invalid(what: &str, error: serde_json::Error) -> StoreError {
    StoreError::Write(format!("event {what} cannot be serialised: {error}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn columns_round_trip() {
        let event = SerializedEvent {
            aggregate_id: "wf-1".into(),
            sequence: 7,
            aggregate_type: "workflow".into(),
            event_type: "NodeMoved".into(),
            event_version: "1.0".into(),
            payload: json!({"nodeId": "n1", "position": [1, 2], "note": "ü"}),
            metadata: json!({"actor": "user:ada"}),
        };
        let row = NewEvent::from_serialized(&event).unwrap();
        assert_eq!(row.aggregate_type(), "workflow");
        assert_eq!(row.aggregate_id(), "wf-1");
        assert_eq!(row.sequence(), 7);
        assert_eq!(row.event_type(), "NodeMoved");
        assert_eq!(row.event_version(), "1.0");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(row.payload()).unwrap(),
            event.payload
        );
        assert_eq!(row.metadata(), r#"{"actor":"user:ada"}"#);
        assert_eq!(row.key(), ("workflow", "wf-1", 7));
    }

    #[test]
    fn a_sequence_beyond_i64_is_rejected() {
        let error = NewEvent::new("t", "a", u64::MAX, "E", "1.0", &1, &2).unwrap_err();
        assert!(error.to_string().contains("out of range"), "{error}");
    }
}
