//! Early responses: a running execution hands an HTTP response back to whoever started it (the
//! webhook that waits for a Respond to Webhook node), before the execution ends.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The body of a response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "camelCase")]
pub enum ResponseBody {
    /// A JSON document (`application/json`).
    Json(Value),
    /// Plain text.
    Text(String),
    /// No body.
    Empty,
}

/// An HTTP response produced by a workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookResponse {
    /// Status code.
    pub status: u16,
    /// Extra headers.
    pub headers: BTreeMap<String, String>,
    /// Body.
    pub body: ResponseBody,
}

/// Receives the response of a Respond to Webhook node. Only the first response of an execution
/// counts; later ones are ignored, as in n8n.
pub trait Responder: Send + Sync {
    /// Called by the node when it runs.
    fn respond(&self, response: WebhookResponse);
}
