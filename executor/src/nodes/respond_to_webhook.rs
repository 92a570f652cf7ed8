//! Respond to Webhook: builds the HTTP response of the webhook that started the run (first
//! item, all items, a JSON or text body, or no data; status code and headers) and passes its
//! input on. Without a waiting webhook (manual runs) it only passes the items on.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{NodeContext, NodeOutput, NodeType};
use crate::error::NodeError;
use crate::respond::{ResponseBody, WebhookResponse};

/// The Respond to Webhook node.
pub struct RespondToWebhook;

fn status_code(value: f64) -> Result<u16, NodeError> {
    if value.fract() == 0.0 && (100.0..=599.0).contains(&value) {
        Ok(value as u16)
    } else {
        Err(NodeError::parameter(format!(
            "`options.responseCode` must be an HTTP status between 100 and 599, not {value}"
        )))
    }
}

fn headers(value: Option<Value>) -> Result<BTreeMap<String, String>, NodeError> {
    let value = match value {
        Some(Value::String(text)) if text.trim().is_empty() => return Ok(BTreeMap::new()),
        Some(Value::String(text)) => serde_json::from_str(&text).map_err(|e| {
            NodeError::parameter(format!("`options.responseHeaders` is not JSON: {e}"))
        })?,
        Some(value) => value,
        None => return Ok(BTreeMap::new()),
    };
    match value {
        Value::Null => Ok(BTreeMap::new()),
        Value::Object(map) => Ok(map
            .into_iter()
            .map(|(name, value)| {
                let value = match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (name, value)
            })
            .collect()),
        other => Err(NodeError::parameter(format!(
            "`options.responseHeaders` must be an object of header names to values, not {other}"
        ))),
    }
}

impl NodeType for RespondToWebhook {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let items = ctx.items().to_vec();
        let body = match ctx.string("respondWith", 0, "firstIncomingItem")?.as_str() {
            "firstIncomingItem" => ResponseBody::Json(
                items
                    .first()
                    .map_or(Value::Object(Default::default()), |item| {
                        Value::Object(item.json.clone())
                    }),
            ),
            "allIncomingItems" => ResponseBody::Json(Value::Array(
                items
                    .iter()
                    .map(|item| Value::Object(item.json.clone()))
                    .collect(),
            )),
            "json" => match ctx.param("responseBody", 0)?.unwrap_or(Value::Null) {
                Value::String(text) => {
                    ResponseBody::Json(serde_json::from_str(&text).map_err(|e| {
                        NodeError::parameter(format!("`responseBody` is not JSON: {e}"))
                    })?)
                }
                other => ResponseBody::Json(other),
            },
            "text" => ResponseBody::Text(match ctx.param("responseBody", 0)? {
                Some(Value::String(text)) => text,
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            }),
            "noData" => ResponseBody::Empty,
            other => {
                return Err(NodeError::parameter(format!(
                    "unknown `respondWith` value `{other}`"
                )));
            }
        };
        let status = status_code(ctx.number("options.responseCode", 0, 200.0)?)?;
        let headers = headers(ctx.param("options.responseHeaders", 0)?)?;
        if let Some(responder) = &ctx.options.responder {
            responder.respond(WebhookResponse {
                status,
                headers,
                body,
            });
        }
        Ok(vec![items])
    }
}
