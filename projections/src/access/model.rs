//! Access events → row writes (pure). Each event becomes one statement, applied in log order
//! inside the runner's transaction; these streams are small, so no row cache is needed.

use weft_commands::StoredEvent;
use weft_domain::credential::CredentialEvent;
use weft_domain::user::{ApiKeyEvent, UserEvent};

use super::tables::{API_KEYS, CREDENTIALS, USERS};
use crate::error::{ProjectionError, parse_payload};
pub use crate::statements::Value;
use crate::tables::TableSpec;

/// How a statement changes its table.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Insert a full row (values in the table's column order).
    Insert(Vec<Value>),
    /// Set these columns on the row with this key.
    Update {
        /// Key value.
        key: String,
        /// Columns and values.
        set: Vec<(&'static str, Value)>,
    },
    /// Delete the row with this key.
    Delete(String),
}

/// One row change.
#[derive(Debug, Clone)]
pub struct AccessChange {
    /// The table.
    pub table: TableSpec,
    /// The change.
    pub write: Write,
}

/// The access row changes of one batch, in log order.
#[derive(Debug, Default)]
pub struct AccessChanges {
    /// Changes in order.
    pub changes: Vec<AccessChange>,
}

fn text(value: &str) -> Value {
    Value::Text(value.to_string())
}

impl AccessChanges {
    /// Adds the row change of one `user`, `apikey` or `credential` event; other events are
    /// ignored.
    pub fn apply(&mut self, event: &StoredEvent) -> Result<(), ProjectionError> {
        let actor = event.metadata.get("actor").map_or("", String::as_str);
        let at = event.metadata.get("timestamp").map_or("", String::as_str);
        let id = event.aggregate_id.as_str();
        let change = match event.aggregate_type.as_str() {
            "user" => {
                let parsed: UserEvent = parse_payload(event)?;
                let touched = |mut set: Vec<(&'static str, Value)>| {
                    set.push(("updated_at", text(at)));
                    set.push(("updated_by", text(actor)));
                    Write::Update {
                        key: id.to_string(),
                        set,
                    }
                };
                let write = match parsed {
                    UserEvent::UserCreated { email, role, .. } => Write::Insert(vec![
                        text(id),
                        Value::Text(email),
                        text(role.as_str()),
                        Value::Int(0),
                        text(at),
                        text(actor),
                        text(at),
                        text(actor),
                    ]),
                    UserEvent::UserRoleChanged { role } => {
                        touched(vec![("role", text(role.as_str()))])
                    }
                    UserEvent::UserDisabled => touched(vec![("disabled", Value::Int(1))]),
                    UserEvent::UserEnabled => touched(vec![("disabled", Value::Int(0))]),
                    UserEvent::UserPasswordChanged { .. } => touched(vec![]),
                };
                AccessChange {
                    table: USERS,
                    write,
                }
            }
            "apikey" => {
                let parsed: ApiKeyEvent = parse_payload(event)?;
                let write = match parsed {
                    ApiKeyEvent::ApiKeyCreated { user_id, name, .. } => Write::Insert(vec![
                        text(id),
                        Value::Text(user_id),
                        Value::Text(name),
                        text(at),
                        Value::Null,
                    ]),
                    ApiKeyEvent::ApiKeyRevoked => Write::Update {
                        key: id.to_string(),
                        set: vec![("revoked_at", text(at))],
                    },
                };
                AccessChange {
                    table: API_KEYS,
                    write,
                }
            }
            "credential" => {
                let parsed: CredentialEvent = parse_payload(event)?;
                let json = |value: serde_json::Value| Value::Text(value.to_string());
                let write = match parsed {
                    CredentialEvent::CredentialCreated {
                        name,
                        credential_type,
                        public_data,
                        secret_fields,
                        ..
                    } => Write::Insert(vec![
                        text(id),
                        Value::Text(name),
                        Value::Text(credential_type),
                        json(public_data.into()),
                        json(secret_fields.into()),
                        text(at),
                        text(actor),
                        text(at),
                        text(actor),
                    ]),
                    CredentialEvent::CredentialUpdated {
                        name,
                        public_data,
                        secret_fields,
                        ..
                    } => Write::Update {
                        key: id.to_string(),
                        set: vec![
                            ("name", Value::Text(name)),
                            ("public_data", json(public_data.into())),
                            ("secret_fields", json(secret_fields.into())),
                            ("updated_at", text(at)),
                            ("updated_by", text(actor)),
                        ],
                    },
                    CredentialEvent::CredentialDeleted => Write::Delete(id.to_string()),
                };
                AccessChange {
                    table: CREDENTIALS,
                    write,
                }
            }
            _ => return Ok(()),
        };
        self.changes.push(change);
        Ok(())
    }
}
