//! The `Credential` aggregate (type `credential`): a named, typed secret for nodes that call
//! external services.
//!
//! Invariants: the data matches the type's schema; secret fields only ever appear sealed
//! (AES-256-GCM under the credential's own data key, which lives outside the event log), so the
//! events hold the public fields, the names of the secret fields and a ciphertext; a deleted
//! credential accepts no further command.

mod error;
mod schema;

#[cfg(test)]
mod tests;

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use error::CredentialError;
pub use schema::{CREDENTIAL_TYPES, CredentialType, Field, FieldKind, SplitData, credential_type};

/// Schema version of every credential event written by this build.
pub const CREDENTIAL_EVENT_VERSION: &str = "1.0";

/// Events of one credential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum CredentialEvent {
    /// A credential was created.
    CredentialCreated {
        /// Display name.
        name: String,
        /// Type id.
        credential_type: String,
        /// Non-secret fields.
        public_data: Map<String, Value>,
        /// Names of the secret fields that are set.
        secret_fields: Vec<String>,
        /// The secret fields as JSON, sealed with the credential's data key (base64).
        sealed: String,
    },
    /// Name or data changed (the sealed data is replaced as a whole).
    CredentialUpdated {
        /// Display name.
        name: String,
        /// Non-secret fields.
        public_data: Map<String, Value>,
        /// Names of the secret fields that are set.
        secret_fields: Vec<String>,
        /// The sealed secret fields.
        sealed: String,
    },
    /// The credential was deleted and its data key destroyed.
    CredentialDeleted,
}

impl CredentialEvent {
    /// The event type name as stored.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::CredentialCreated { .. } => "CredentialCreated",
            Self::CredentialUpdated { .. } => "CredentialUpdated",
            Self::CredentialDeleted => "CredentialDeleted",
        }
    }
}

impl DomainEvent for CredentialEvent {
    fn event_type(&self) -> String {
        self.type_name().to_string()
    }

    fn event_version(&self) -> String {
        CREDENTIAL_EVENT_VERSION.to_string()
    }
}

/// What may be asked of a credential. Data arrives already split and sealed by the caller,
/// which owns the keys.
#[derive(Debug, Clone, PartialEq)]
pub enum CredentialCommand {
    /// Create it.
    Create {
        /// Display name.
        name: String,
        /// Type id.
        credential_type: String,
        /// The validated data, split.
        data: SplitData,
        /// The sealed secret fields.
        sealed: String,
    },
    /// Replace name and data.
    Update {
        /// Display name.
        name: String,
        /// The validated data, split (secrets merged with the previous ones by the caller).
        data: SplitData,
        /// The sealed secret fields.
        sealed: String,
    },
    /// Delete it.
    Delete,
}

/// A credential as folded from its events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Credential {
    /// Whether it was created.
    pub exists: bool,
    /// Whether it was deleted.
    pub deleted: bool,
    /// Display name.
    pub name: String,
    /// Type id.
    pub credential_type: String,
    /// Non-secret fields.
    pub public_data: Map<String, Value>,
    /// Names of the secret fields that are set.
    pub secret_fields: Vec<String>,
    /// The sealed secret fields (base64).
    pub sealed: String,
}

fn check_name(name: &str) -> Result<String, CredentialError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(CredentialError::BadName);
    }
    Ok(name.to_string())
}

fn secret_names(data: &SplitData) -> Vec<String> {
    data.secret.keys().cloned().collect()
}

impl Credential {
    /// Whether the credential can be used or changed.
    pub fn live(&self) -> bool {
        self.exists && !self.deleted
    }

    /// The events a command produces, or why it is rejected. Pure.
    pub fn decide(
        &self,
        command: CredentialCommand,
    ) -> Result<Vec<CredentialEvent>, CredentialError> {
        match command {
            CredentialCommand::Create {
                name,
                credential_type: type_id,
                data,
                sealed,
            } => {
                if self.exists {
                    return Err(CredentialError::AlreadyExists);
                }
                credential_type(&type_id)?;
                Ok(vec![CredentialEvent::CredentialCreated {
                    name: check_name(&name)?,
                    credential_type: type_id,
                    secret_fields: secret_names(&data),
                    public_data: data.public,
                    sealed,
                }])
            }
            CredentialCommand::Update { name, data, sealed } => {
                if !self.live() {
                    return Err(CredentialError::NotFound);
                }
                Ok(vec![CredentialEvent::CredentialUpdated {
                    name: check_name(&name)?,
                    secret_fields: secret_names(&data),
                    public_data: data.public,
                    sealed,
                }])
            }
            CredentialCommand::Delete => {
                if !self.live() {
                    return Err(CredentialError::NotFound);
                }
                Ok(vec![CredentialEvent::CredentialDeleted])
            }
        }
    }

    /// Applies one event.
    pub fn fold(&mut self, event: &CredentialEvent) {
        match event {
            CredentialEvent::CredentialCreated {
                name,
                credential_type,
                public_data,
                secret_fields,
                sealed,
            } => {
                self.exists = true;
                self.name = name.clone();
                self.credential_type = credential_type.clone();
                self.public_data = public_data.clone();
                self.secret_fields = secret_fields.clone();
                self.sealed = sealed.clone();
            }
            CredentialEvent::CredentialUpdated {
                name,
                public_data,
                secret_fields,
                sealed,
            } => {
                self.name = name.clone();
                self.public_data = public_data.clone();
                self.secret_fields = secret_fields.clone();
                self.sealed = sealed.clone();
            }
            CredentialEvent::CredentialDeleted => self.deleted = true,
        }
    }
}

impl Aggregate for Credential {
    const TYPE: &'static str = "credential";
    type Command = CredentialCommand;
    type Event = CredentialEvent;
    type Error = CredentialError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.fold(&event);
    }
}
