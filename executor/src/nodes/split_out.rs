//! Split Out (and Item Lists "split out items"): one item per element of a list field.

use serde_json::{Map, Value};

use super::aggregate::field_list;
use super::fields;
use super::{NodeContext, NodeOutput, NodeType};
use crate::error::NodeError;
use crate::item::{Item, PairedItem};

fn split_values(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(list) => list.clone(),
        Value::Object(o) => o.values().cloned().collect(),
        other => vec![other.clone()],
    }
}

/// Runs the split over the node's items.
pub(crate) fn split_out(ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
    let mut out = Vec::new();
    for (index, item) in ctx.items().iter().enumerate() {
        let dot = !ctx.boolean("options.disableDotNotation", index, false)?;
        let to_split = field_list(ctx.param("fieldToSplitOut", index)?);
        let destinations = field_list(ctx.param("options.destinationFieldName", index)?);
        let include = ctx.string("include", index, "noOtherFields")?;
        let base = match include.as_str() {
            "allOtherFields" => {
                let mut m = item.json.clone();
                for f in &to_split {
                    fields::remove(&mut m, f, dot);
                }
                m
            }
            "selectedOtherFields" => {
                let mut m = Map::new();
                for f in field_list(ctx.param("fieldsToInclude", index)?) {
                    if let Some(v) = fields::get(&item.json, &f, dot) {
                        fields::set(&mut m, &f, v.clone(), dot);
                    }
                }
                m
            }
            _ => Map::new(),
        };
        let lenient = ctx.node.node_type.ends_with(".itemLists") && ctx.node.type_version >= 2.1;
        let mut columns = Vec::new();
        for field in &to_split {
            match fields::get(&item.json, field, dot) {
                Some(Value::Null) if to_split.len() > 1 => columns.push(vec![Value::Null]),
                None if lenient => columns.push(Vec::new()),
                Some(Value::Null) | None => {
                    return Err(NodeError::operation(format!(
                        "The field '{field}' wasn't found in any input item"
                    ))
                    .at_item(index));
                }
                Some(v) => columns.push(split_values(v)),
            }
        }
        let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
        let merge_objects =
            to_split.len() == 1 && include == "noOtherFields" && destinations.is_empty();
        for row in 0..rows {
            let mut json = base.clone();
            for (c, field) in to_split.iter().enumerate() {
                match columns[c].get(row).cloned() {
                    Some(Value::Object(o)) if merge_objects => json.extend(o),
                    Some(element) => {
                        let key = destinations
                            .get(c)
                            .cloned()
                            .unwrap_or_else(|| field.clone());
                        json.insert(key, element);
                    }
                    None => {}
                }
            }
            out.push(Item {
                json,
                binary: None,
                paired_item: PairedItem::item(index),
            });
        }
    }
    Ok(vec![out])
}

/// The Split Out node.
pub struct SplitOut;

impl NodeType for SplitOut {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        split_out(ctx)
    }
}
