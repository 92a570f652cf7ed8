//! Code node (and the legacy Function node): JavaScript over the items in the sandbox, once for
//! all items or once per item.

use serde_json::Value;

use super::{NodeContext, NodeOutput, NodeType, error_item};
use crate::error::{NodeError, NodeErrorKind};
use crate::item::{Item, PairedItem};
use crate::sandbox::JsError;

/// The Code node.
pub struct Code;

fn js_error(node: &str, e: JsError) -> NodeError {
    let kind = match e {
        JsError::Timeout(_) => NodeErrorKind::Timeout,
        JsError::OutOfMemory(_) => NodeErrorKind::OutOfMemory,
        _ => NodeErrorKind::Code,
    };
    NodeError::new(kind, format!("{node}: {e}"))
}

fn to_items(value: Option<Value>, paired: Option<usize>) -> Result<Vec<Item>, NodeError> {
    let Some(Value::Array(list)) = value else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|v| {
            let mut item = Item::from_n8n(v);
            if !v.get("json").is_some_and(Value::is_object) {
                return Err(NodeError::new(
                    NodeErrorKind::Code,
                    "the code must return objects",
                ));
            }
            if let Some(i) = paired
                && item.paired_item.is_none()
            {
                item.paired_item = PairedItem::item(i);
            }
            Ok(item)
        })
        .collect()
}

impl NodeType for Code {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let legacy = ctx.node.node_type.ends_with(".function");
        let source = ctx
            .raw(if legacy { "functionCode" } else { "jsCode" })
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let language = ctx
            .raw("language")
            .and_then(Value::as_str)
            .unwrap_or("javaScript");
        if language != "javaScript" {
            return Err(NodeError::new(
                NodeErrorKind::Unsupported,
                format!("Code language `{language}` is not supported"),
            ));
        }
        let per_item = ctx.raw("mode").and_then(Value::as_str) == Some("runOnceForEachItem");
        let name = ctx.node.name.clone();
        let run_index = ctx.run_index;
        let count = ctx.items().len();
        let session = ctx.js()?;
        let id = session
            .compile_code(&source)
            .map_err(|e| js_error(&name, e))?;
        if !per_item {
            let out = session
                .run_code(id, None, run_index)
                .map_err(|e| js_error(&name, e))?;
            return Ok(vec![to_items(out, None)?]);
        }
        let mut items = Vec::with_capacity(count);
        for index in 0..count {
            let session = ctx.js()?;
            match session.run_code(id, Some(index), run_index) {
                Ok(out) => items.extend(to_items(out, Some(index))?),
                Err(e @ (JsError::Timeout(_) | JsError::OutOfMemory(_))) => {
                    return Err(js_error(&name, e));
                }
                Err(e) if ctx.continue_on_fail() => {
                    items.push(error_item(&js_error(&name, e), index))
                }
                Err(e) => return Err(js_error(&name, e).at_item(index)),
            }
        }
        Ok(vec![items])
    }
}
