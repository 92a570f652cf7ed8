//! Which requests a Webhook node answers, and how it responds.

use serde_json::Value;

use super::error::TriggerError;
use crate::definition::Node;

/// Longest accepted webhook path, in bytes.
const MAX_PATH_BYTES: usize = 512;

/// HTTP methods a Webhook node can listen on.
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

/// When the HTTP response is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    /// At once, `202` with the execution id (n8n: "Immediately").
    OnReceived,
    /// When the execution finished, with the last node's data.
    LastNode,
    /// When a Respond to Webhook node runs.
    ResponseNode,
}

/// What "when the last node finishes" answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseData {
    /// The first item's JSON (n8n's default).
    FirstEntryJson,
    /// Every item's JSON as an array.
    AllEntries,
    /// An empty body.
    NoData,
}

/// A Webhook node's listening configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSpec {
    /// Upper-case HTTP method.
    pub method: String,
    /// The path after `/webhook/`.
    pub path: WebhookPath,
    /// When to respond.
    pub response_mode: ResponseMode,
    /// What to respond with in [`ResponseMode::LastNode`].
    pub response_data: ResponseData,
    /// Status code of the response in modes `OnReceived` and `LastNode`.
    pub response_code: u16,
}

impl WebhookSpec {
    /// Reads a Webhook node's parameters.
    pub fn from_node(node: &Node) -> Result<Self, TriggerError> {
        let error = |reason: String| TriggerError::new(&node.name, reason);
        let text = |key: &str| node.parameters.get(key).and_then(Value::as_str);
        let method = text("httpMethod").unwrap_or("GET").to_ascii_uppercase();
        if !METHODS.contains(&method.as_str()) {
            return Err(error(format!("unsupported HTTP method `{method}`")));
        }
        let path = WebhookPath::parse(text("path").unwrap_or("")).map_err(error)?;
        let response_mode = match text("responseMode").unwrap_or("onReceived") {
            "onReceived" => ResponseMode::OnReceived,
            "lastNode" => ResponseMode::LastNode,
            "responseNode" => ResponseMode::ResponseNode,
            other => return Err(error(format!("unknown response mode `{other}`"))),
        };
        let response_data = match text("responseData").unwrap_or("firstEntryJson") {
            "firstEntryJson" => ResponseData::FirstEntryJson,
            "allEntries" => ResponseData::AllEntries,
            "noData" => ResponseData::NoData,
            other => return Err(error(format!("unknown response data `{other}`"))),
        };
        let default_code = if response_mode == ResponseMode::OnReceived {
            202
        } else {
            200
        };
        let response_code = match node.parameters.pointer("/options/responseCode") {
            None | Some(Value::Null) => default_code,
            Some(code) => code
                .as_u64()
                .filter(|c| (200..=599).contains(c))
                .map(|c| c as u16)
                .ok_or_else(|| error(format!("response code {code} is not an HTTP status")))?,
        };
        Ok(Self {
            method,
            path,
            response_mode,
            response_data,
            response_code,
        })
    }
}

/// A webhook path: literal segments and `:name` parameters, e.g. `orders/:id/items`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WebhookPath {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Segment {
    Literal(String),
    Param(String),
}

impl WebhookPath {
    /// Parses a path; leading and trailing slashes are ignored.
    pub fn parse(path: &str) -> Result<Self, String> {
        let trimmed = path.trim().trim_matches('/');
        if trimmed.is_empty() {
            return Err("the webhook path is empty".into());
        }
        if trimmed.len() > MAX_PATH_BYTES {
            return Err(format!(
                "the webhook path is longer than {MAX_PATH_BYTES} bytes"
            ));
        }
        let segments = trimmed
            .split('/')
            .map(|segment| {
                let valid = |s: &str| {
                    !s.is_empty()
                        && s.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "-_.~%@".contains(c))
                };
                match segment.strip_prefix(':') {
                    Some(name) if valid(name) => Ok(Segment::Param(name.to_string())),
                    None if valid(segment) => Ok(Segment::Literal(segment.to_string())),
                    _ => Err(format!(
                        "invalid webhook path `{trimmed}`: segment `{segment}` may only use letters, digits and -_.~%@ (`:name` for a parameter)"
                    )),
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { segments })
    }

    /// Whether the path has no `:name` parameters (it can be looked up by its text).
    pub fn is_literal(&self) -> bool {
        self.segments
            .iter()
            .all(|s| matches!(s, Segment::Literal(_)))
    }

    /// The path's parameters when a request path (without the `/webhook/` prefix) matches.
    pub fn matches(&self, request_path: &str) -> Option<Vec<(String, String)>> {
        let mut parts = request_path.trim_matches('/').split('/');
        let mut params = Vec::new();
        for segment in &self.segments {
            let part = parts.next()?;
            match segment {
                Segment::Literal(text) if text == part => {}
                Segment::Literal(_) => return None,
                Segment::Param(name) if !part.is_empty() => {
                    params.push((name.clone(), part.to_string()));
                }
                Segment::Param(_) => return None,
            }
        }
        parts.next().is_none().then_some(params)
    }
}

impl std::fmt::Display for WebhookPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, segment) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            match segment {
                Segment::Literal(text) => f.write_str(text)?,
                Segment::Param(name) => write!(f, ":{name}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec(parameters: Value) -> Result<WebhookSpec, TriggerError> {
        let mut node = Node::new("w", "n8n-nodes-base.webhook", "Webhook");
        node.parameters = parameters;
        WebhookSpec::from_node(&node)
    }

    #[test]
    fn reads_n8n_parameters() {
        let s = spec(
            json!({ "httpMethod": "post", "path": "/bench/", "responseMode": "responseNode" }),
        )
        .unwrap();
        assert_eq!(s.method, "POST");
        assert_eq!(s.path.to_string(), "bench");
        assert!(s.path.is_literal());
        assert_eq!(s.response_mode, ResponseMode::ResponseNode);
        assert_eq!(s.response_code, 200);
        let defaults = spec(json!({ "path": "x" })).unwrap();
        assert_eq!(defaults.method, "GET");
        assert_eq!(defaults.response_mode, ResponseMode::OnReceived);
        assert_eq!(defaults.response_code, 202);
    }

    #[test]
    fn matches_literal_and_parameter_segments() {
        let path = WebhookPath::parse("orders/:id/items").unwrap();
        assert!(!path.is_literal());
        assert_eq!(
            path.matches("orders/42/items"),
            Some(vec![("id".to_string(), "42".to_string())])
        );
        assert_eq!(path.matches("orders/42"), None);
        assert_eq!(path.matches("orders/42/items/extra"), None);
        assert_eq!(path.matches("order/42/items"), None);
        assert_eq!(path.matches("orders//items"), None);
    }

    #[test]
    fn rejects_bad_configuration_with_the_reason() {
        assert!(
            spec(json!({ "path": "" }))
                .unwrap_err()
                .reason
                .contains("empty")
        );
        assert!(
            spec(json!({ "path": "a b" }))
                .unwrap_err()
                .reason
                .contains("segment `a b`")
        );
        assert!(
            spec(json!({ "path": "x", "httpMethod": "TRACE" }))
                .unwrap_err()
                .reason
                .contains("TRACE")
        );
        assert!(
            spec(json!({ "path": "x", "options": { "responseCode": 99 } }))
                .unwrap_err()
                .reason
                .contains("99")
        );
    }
}
