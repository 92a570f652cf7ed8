//! Aggregate (and Item Lists "aggregate items"/"concatenate items"): many items into one.

use serde_json::{Map, Value};

use super::fields;
use super::{NodeContext, NodeOutput, NodeType};
use crate::error::NodeError;
use crate::item::{Item, ItemRef, PairedItem};

/// Field names from any of the list shapes n8n uses: `"a, b"`, `["a"]` or `{fields: [{fieldName}]}`.
pub(crate) fn field_list(value: Option<Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => s
            .split(',')
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect(),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|v| {
                v.as_str().map(str::to_string).or_else(|| {
                    v.get("fieldName")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
            })
            .collect(),
        Some(Value::Object(o)) => field_list(o.get("fields").cloned()),
        _ => Vec::new(),
    }
}

fn all_paired(count: usize) -> PairedItem {
    PairedItem::Many(
        (0..count)
            .map(|i| ItemRef {
                item: i as u32,
                input: 0,
            })
            .collect(),
    )
}

/// Runs the aggregation over the node's items.
pub(crate) fn aggregate(ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
    let items = ctx.items();
    if items.is_empty() {
        return Ok(vec![Vec::new()]);
    }
    let dot = !ctx.boolean("options.disableDotNotation", 0, false)?;
    let mut json = Map::new();
    if ctx.string("aggregate", 0, "aggregateIndividualFields")? == "aggregateAllItemData" {
        let destination = ctx.string("destinationFieldName", 0, "data")?;
        let include = ctx.string("include", 0, "allFields")?;
        let chosen = match include.as_str() {
            "specifiedFields" => field_list(ctx.param("fieldsToInclude", 0)?),
            "allFieldsExcept" => field_list(ctx.param("fieldsToExclude", 0)?),
            _ => Vec::new(),
        };
        let list = items
            .iter()
            .map(|item| {
                let json = match include.as_str() {
                    "specifiedFields" => {
                        let mut m = Map::new();
                        for f in &chosen {
                            if let Some(v) = fields::get(&item.json, f, dot) {
                                fields::set(&mut m, f, v.clone(), dot);
                            }
                        }
                        m
                    }
                    "allFieldsExcept" => {
                        let mut m = item.json.clone();
                        for f in &chosen {
                            fields::remove(&mut m, f, dot);
                        }
                        m
                    }
                    _ => item.json.clone(),
                };
                Value::Object(json)
            })
            .collect();
        json.insert(destination, Value::Array(list));
    } else {
        let specs = ctx
            .param("fieldsToAggregate.fieldToAggregate", 0)?
            .unwrap_or(Value::Null);
        let merge_lists = ctx.boolean("options.mergeLists", 0, false)?;
        let keep_missing = ctx.boolean("options.keepMissing", 0, false)?;
        for spec in specs.as_array().map(Vec::as_slice).unwrap_or_default() {
            let field = spec
                .get("fieldToAggregate")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if field.is_empty() {
                continue;
            }
            let rename = spec
                .get("renameField")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let output = match spec.get("outputFieldName").and_then(Value::as_str) {
                Some(name) if rename && !name.is_empty() => name.to_string(),
                _ => field.clone(),
            };
            let mut values = Vec::new();
            for item in items {
                match fields::get(&item.json, &field, dot) {
                    Some(Value::Array(list)) if merge_lists => values.extend(list.iter().cloned()),
                    Some(v) => values.push(v.clone()),
                    None if keep_missing => values.push(Value::Null),
                    None => {}
                }
            }
            if values.is_empty()
                && ctx.node.node_type.ends_with(".itemLists")
                && ctx.node.type_version < 2.1
            {
                return Err(NodeError::operation(format!(
                    "The field '{field}' wasn't found in any input item"
                )));
            }
            fields::set(&mut json, &output, Value::Array(values), dot && rename);
        }
    }
    Ok(vec![vec![Item {
        json,
        binary: None,
        paired_item: all_paired(items.len()),
    }]])
}

/// The Aggregate node.
pub struct Aggregate;

impl NodeType for Aggregate {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        aggregate(ctx)
    }
}
