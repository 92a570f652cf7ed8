//! Rename Keys: moves fields to new names, optionally by regular expression.

use regex::RegexBuilder;
use serde_json::{Map, Value};

use super::fields;
use super::{NodeContext, NodeOutput, NodeType};
use crate::error::NodeError;
use crate::item::{Item, PairedItem};

fn rename_by_regex(
    obj: &Map<String, Value>,
    re: &regex::Regex,
    replacement: &str,
    depth: i64,
) -> Map<String, Value> {
    obj.iter()
        .map(|(k, v)| {
            let key = re.replace_all(k, replacement).into_owned();
            let value = match v {
                Value::Object(inner) if depth != 0 => {
                    Value::Object(rename_by_regex(inner, re, replacement, depth - 1))
                }
                other => other.clone(),
            };
            (key, value)
        })
        .collect()
}

/// The Rename Keys node.
pub struct RenameKeys;

impl NodeType for RenameKeys {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let mut out = Vec::new();
        for (index, item) in ctx.items().iter().enumerate() {
            let mut json = item.json.clone();
            let keys = ctx.param("keys.key", index)?.unwrap_or(Value::Null);
            for k in keys.as_array().map(Vec::as_slice).unwrap_or_default() {
                let (Some(current), Some(new)) = (
                    k.get("currentKey").and_then(Value::as_str),
                    k.get("newKey").and_then(Value::as_str),
                ) else {
                    continue;
                };
                if current.is_empty() || new.is_empty() {
                    continue;
                }
                if let Some(value) = fields::get(&item.json, current, true).cloned() {
                    fields::set(&mut json, new, value, true);
                    fields::remove(&mut json, current, true);
                }
            }
            let replacements = ctx
                .param("additionalOptions.regexReplacement.replacements", index)?
                .unwrap_or(Value::Null);
            for r in replacements
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let search = r
                    .get("searchRegex")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let replace = r
                    .get("replaceRegex")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let options = r.get("options").cloned().unwrap_or(Value::Null);
                let insensitive = options
                    .get("caseInsensitive")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let depth = options.get("depth").and_then(Value::as_i64).unwrap_or(-1);
                let re = RegexBuilder::new(search)
                    .case_insensitive(insensitive)
                    .build()
                    .map_err(|e| {
                        NodeError::parameter(format!("invalid regular expression `{search}`: {e}"))
                    })?;
                json = rename_by_regex(&json, &re, replace, depth);
            }
            out.push(Item {
                json,
                binary: item.binary.clone(),
                paired_item: PairedItem::item(index),
            });
        }
        Ok(vec![out])
    }
}
