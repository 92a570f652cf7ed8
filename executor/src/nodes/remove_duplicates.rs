//! Remove Duplicates (and Item Lists "remove duplicates"): keeps the first of equal items.

use serde_json::{Map, Value};

use super::aggregate::field_list;
use super::fields;
use super::{NodeContext, NodeOutput, NodeType};
use crate::error::NodeError;
use crate::item::Item;

/// Runs the de-duplication over the node's items.
pub(crate) fn remove_duplicates(ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
    let compare = ctx.string("compare", 0, "allFields")?;
    let dot = !ctx.boolean("options.disableDotNotation", 0, false)?;
    let remove_other = ctx.boolean("options.removeOtherFields", 0, false)?;
    let chosen = match compare.as_str() {
        "selectedFields" => field_list(ctx.param("fieldsToCompare", 0)?),
        "allFieldsExcept" => field_list(ctx.param("fieldsToExclude", 0)?),
        _ => Vec::new(),
    };
    let mut seen: Vec<Value> = Vec::new();
    let mut out = Vec::new();
    for item in ctx.items() {
        let key = match compare.as_str() {
            "selectedFields" => {
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
        let key = Value::Object(key);
        if seen.contains(&key) {
            continue;
        }
        let kept = if remove_other && compare != "allFields" {
            Item {
                json: key.as_object().cloned().unwrap_or_default(),
                ..item.clone()
            }
        } else {
            item.clone()
        };
        seen.push(key);
        out.push(kept);
    }
    Ok(vec![out])
}

/// The Remove Duplicates node.
pub struct RemoveDuplicates;

impl NodeType for RemoveDuplicates {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        remove_duplicates(ctx)
    }
}
