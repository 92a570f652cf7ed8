//! Split In Batches / Loop Over Items: hands items on in batches, one batch per run, keeping its
//! progress in the node state (`$node[…].context`: `items`, `currentRunIndex`, `maxRunIndex`,
//! `noItemsLeft`, `done`). v1 has one output; v2 outputs `loop` then `done`; v3 `done` then `loop`.

use serde_json::{Value, json};

use super::{NodeContext, NodeOutput, NodeType};
use crate::error::NodeError;
use crate::item::{Item, PairedItem};

/// The Split In Batches node.
pub struct SplitInBatches;

fn to_json(items: &[Item]) -> Value {
    Value::Array(items.iter().map(Item::to_n8n).collect())
}

fn from_json(v: Option<&Value>) -> Vec<Item> {
    v.and_then(Value::as_array)
        .map(|l| l.iter().map(Item::from_n8n).collect())
        .unwrap_or_default()
}

impl NodeType for SplitInBatches {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let version = ctx.node.type_version;
        let batch = ctx.number("batchSize", 0, 10.0)?.max(1.0) as usize;
        let reset = ctx.boolean("options.reset", 0, false)?;
        let input: Vec<Item> = ctx.items().to_vec();
        let state = ctx.state();
        let first_run = state.get("items").is_none() || reset;
        let returned: Vec<Item>;
        if first_run {
            let mut rest = input;
            let tail = rest.split_off(batch.min(rest.len()));
            returned = rest;
            *state = json!({
                "currentRunIndex": 0,
                "maxRunIndex": (returned.len() + tail.len()).div_ceil(batch),
                "items": to_json(&tail),
                "processedItems": [],
            });
        } else {
            let mut pending = from_json(state.get("items"));
            let tail = pending.split_off(batch.min(pending.len()));
            returned = pending;
            let run = state
                .get("currentRunIndex")
                .and_then(Value::as_u64)
                .unwrap_or(0)
                + 1;
            let mut processed = from_json(state.get("processedItems"));
            processed.extend(input.into_iter().enumerate().map(|(i, item)| Item {
                paired_item: PairedItem::item(i),
                ..item
            }));
            state["currentRunIndex"] = json!(run);
            state["items"] = to_json(&tail);
            state["processedItems"] = to_json(&processed);
        }
        let no_items_left = state["items"].as_array().is_none_or(Vec::is_empty);
        state["noItemsLeft"] = json!(no_items_left);
        state["done"] = json!(returned.is_empty());
        if version < 2.0 {
            return Ok(vec![returned]);
        }
        let (loop_items, done_items) = if returned.is_empty() {
            (Vec::new(), from_json(state.get("processedItems")))
        } else {
            (returned, Vec::new())
        };
        Ok(if version < 3.0 {
            vec![loop_items, done_items]
        } else {
            vec![done_items, loop_items]
        })
    }
}
