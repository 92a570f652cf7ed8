//! Credential types and their typed schemas: which fields exist, which are required, and which
//! are secret (encrypted, never shown again). Type ids are n8n's, so imported workflows'
//! credential references keep working with the HTTP Request node.

use serde_json::{Map, Value};

use super::error::CredentialError;

/// The kind of value a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text.
    Text,
    /// A whole number.
    Number,
    /// True or false.
    Boolean,
}

/// One field of a credential type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Field name as in n8n (`user`, `password`, …).
    pub name: &'static str,
    /// Value kind.
    pub kind: FieldKind,
    /// Encrypted and never shown again.
    pub secret: bool,
    /// Must be present (and non-empty) on creation.
    pub required: bool,
}

const fn text(name: &'static str, required: bool) -> Field {
    Field {
        name,
        kind: FieldKind::Text,
        secret: false,
        required,
    }
}

const fn secret(name: &'static str) -> Field {
    Field {
        name,
        kind: FieldKind::Text,
        secret: true,
        required: true,
    }
}

const fn number(name: &'static str, required: bool) -> Field {
    Field {
        name,
        kind: FieldKind::Number,
        secret: false,
        required,
    }
}

const fn boolean(name: &'static str) -> Field {
    Field {
        name,
        kind: FieldKind::Boolean,
        secret: false,
        required: false,
    }
}

/// A credential type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialType {
    /// Type id (n8n's).
    pub id: &'static str,
    /// Display name.
    pub display_name: &'static str,
    /// Fields.
    pub fields: &'static [Field],
}

/// Every supported credential type.
pub const CREDENTIAL_TYPES: &[CredentialType] = &[
    CredentialType {
        id: "httpBasicAuth",
        display_name: "Basic Auth",
        fields: &[text("user", true), secret("password")],
    },
    CredentialType {
        id: "httpBearerAuth",
        display_name: "Bearer Token",
        fields: &[secret("token")],
    },
    CredentialType {
        id: "httpHeaderAuth",
        display_name: "Header Auth",
        fields: &[text("name", true), secret("value")],
    },
    CredentialType {
        id: "httpQueryAuth",
        display_name: "Query Auth",
        fields: &[text("name", true), secret("value")],
    },
    CredentialType {
        id: "oAuth2Api",
        display_name: "OAuth2 Client Credentials",
        fields: &[
            text("accessTokenUrl", true),
            text("clientId", true),
            secret("clientSecret"),
            text("scope", false),
            text("authentication", false),
        ],
    },
    CredentialType {
        id: "postgres",
        display_name: "Postgres",
        fields: &[
            text("host", true),
            number("port", false),
            text("database", true),
            text("user", true),
            secret("password"),
            text("ssl", false),
        ],
    },
    CredentialType {
        id: "smtp",
        display_name: "SMTP",
        fields: &[
            text("host", true),
            number("port", false),
            text("user", false),
            secret("password"),
            boolean("secure"),
        ],
    },
    CredentialType {
        id: "openAiApi",
        display_name: "OpenAI-compatible API",
        fields: &[secret("apiKey"), text("url", false)],
    },
];

/// The type with this id.
pub fn credential_type(id: &str) -> Result<&'static CredentialType, CredentialError> {
    CREDENTIAL_TYPES.iter().find(|t| t.id == id).ok_or_else(|| {
        CredentialError::UnknownType(
            id.to_string(),
            CREDENTIAL_TYPES
                .iter()
                .map(|t| t.id)
                .collect::<Vec<_>>()
                .join(", "),
        )
    })
}

/// Credential data split by the schema: the public fields and the secret fields.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SplitData {
    /// Fields shown in metadata.
    pub public: Map<String, Value>,
    /// Fields encrypted and never shown.
    pub secret: Map<String, Value>,
}

impl CredentialType {
    /// Checks `data` against the schema (unknown fields, kinds, required fields) and splits it.
    pub fn split(&self, data: &Map<String, Value>) -> Result<SplitData, CredentialError> {
        let mut split = SplitData::default();
        for (name, value) in data {
            let field = self.fields.iter().find(|f| f.name == name).ok_or_else(|| {
                CredentialError::UnknownField {
                    credential_type: self.id,
                    field: name.clone(),
                    known: self
                        .fields
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?;
            let fits = match field.kind {
                FieldKind::Text => value.is_string(),
                FieldKind::Number => value.is_u64() || value.is_i64(),
                FieldKind::Boolean => value.is_boolean(),
            };
            if !fits && !value.is_null() {
                return Err(CredentialError::WrongKind {
                    field: field.name,
                    expected: match field.kind {
                        FieldKind::Text => "a string",
                        FieldKind::Number => "a whole number",
                        FieldKind::Boolean => "true or false",
                    },
                });
            }
            if value.is_null() {
                continue;
            }
            let target = if field.secret {
                &mut split.secret
            } else {
                &mut split.public
            };
            target.insert(name.clone(), value.clone());
        }
        for field in self.fields.iter().filter(|f| f.required) {
            let present = split
                .public
                .get(field.name)
                .or_else(|| split.secret.get(field.name))
                .is_some_and(|v| v.as_str() != Some(""));
            if !present {
                return Err(CredentialError::MissingField {
                    credential_type: self.id,
                    field: field.name,
                });
            }
        }
        Ok(split)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn data_is_checked_and_split_into_public_and_secret_fields() {
        let basic = credential_type("httpBasicAuth").unwrap();
        let split = basic
            .split(&map(json!({"user": "ada", "password": "s3cret"})))
            .unwrap();
        assert_eq!(Value::Object(split.public), json!({"user": "ada"}));
        assert_eq!(Value::Object(split.secret), json!({"password": "s3cret"}));
        assert_eq!(
            basic
                .split(&map(json!({"user": "ada"})))
                .unwrap_err()
                .to_string(),
            "credential type `httpBasicAuth` needs the field `password`"
        );
        assert_eq!(
            basic
                .split(&map(json!({"user": "ada", "password": "x", "pin": 1})))
                .unwrap_err()
                .to_string(),
            "credential type `httpBasicAuth` has no field `pin` (fields: user, password)"
        );
        let pg = credential_type("postgres").unwrap();
        assert_eq!(
            pg.split(&map(json!({"host": "h", "port": "5432"})))
                .unwrap_err()
                .to_string(),
            "field `port` must be a whole number"
        );
        assert!(
            credential_type("ftp")
                .unwrap_err()
                .to_string()
                .starts_with("unknown credential type `ftp`")
        );
    }
}
