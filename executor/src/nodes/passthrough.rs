//! Nodes that pass items on or emit fixed data: triggers, No-Op, the test data source and
//! Stop and Error.

use serde_json::Value;

use super::{NodeContext, NodeOutput, NodeType};
use crate::error::{NodeError, NodeErrorKind};
use crate::item::Item;

/// Triggers and No-Op: the input items unchanged.
pub struct PassThrough;

impl NodeType for PassThrough {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        Ok(vec![ctx.items().to_vec()])
    }
}

/// `n8n-nodes-testing.testData`: each element of `data` (a JSON array string, an array or an
/// object) as one item.
pub struct TestData;

impl NodeType for TestData {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let data = ctx.param("data", 0)?.unwrap_or(Value::Array(Vec::new()));
        let data = match data {
            Value::String(s) => serde_json::from_str(&s)
                .map_err(|e| NodeError::parameter(format!("`data` is not JSON: {e}")))?,
            other => other,
        };
        let list = match data {
            Value::Array(list) => list,
            other => vec![other],
        };
        Ok(vec![list.into_iter().map(Item::from_value).collect()])
    }
}

/// Stop and Error: fails the run with the configured message or object.
pub struct StopAndError;

impl NodeType for StopAndError {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let message = if ctx.string("errorType", 0, "errorMessage")? == "errorObject" {
            let obj = ctx.param("errorObject", 0)?.unwrap_or(Value::Null);
            let obj = match obj {
                Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
                other => other,
            };
            obj.get("message")
                .and_then(Value::as_str)
                .map_or_else(|| obj.to_string(), str::to_string)
        } else {
            ctx.string("errorMessage", 0, "An error occurred")?
        };
        Err(NodeError::new(NodeErrorKind::Stopped, message))
    }
}

/// Debug Helper: throws an error (default), does nothing, or fails for unsupported categories.
pub struct DebugHelper;

impl NodeType for DebugHelper {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        match ctx.string("category", 0, "throwError")?.as_str() {
            "doNothing" => Ok(vec![ctx.items().to_vec()]),
            "throwError" => {
                let message = ctx.string("throwErrorMessage", 0, "Node has thrown an error")?;
                Err(NodeError::operation(message))
            }
            other => Err(NodeError::new(
                NodeErrorKind::Unsupported,
                format!("Debug Helper category `{other}` is not supported"),
            )),
        }
    }
}

/// Execution Data: records key/value pairs for the execution (kept in the node state as
/// `customData`, readable through `$node[…].context`) and passes items through.
pub struct ExecutionData;

impl NodeType for ExecutionData {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let mut saved = serde_json::Map::new();
        for index in 0..ctx.items().len() {
            let values = ctx
                .param("dataToSave.values", index)?
                .unwrap_or(Value::Null);
            for entry in values.as_array().map(Vec::as_slice).unwrap_or_default() {
                let key = entry.get("key").and_then(Value::as_str).unwrap_or_default();
                if !key.is_empty() {
                    let value = entry.get("value").cloned().unwrap_or(Value::Null);
                    saved.insert(
                        key.to_string(),
                        Value::String(crate::expr::to_template_string(Some(&value))),
                    );
                }
            }
        }
        ctx.state()["customData"] = Value::Object(saved);
        Ok(vec![ctx.items().to_vec()])
    }
}
