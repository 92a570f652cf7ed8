//! Sort (and Item Lists "sort"): by fields, randomly, or with a JavaScript comparator.

use std::cmp::Ordering;

use serde_json::Value;

use super::fields;
use super::{NodeContext, NodeOutput, NodeType};
use crate::error::{NodeError, NodeErrorKind};
use crate::item::Item;

fn rank(v: Option<&Value>) -> u8 {
    match v {
        None | Some(Value::Null) => 0,
        Some(Value::Bool(_)) => 1,
        Some(Value::Number(_)) => 2,
        Some(Value::String(_)) => 3,
        _ => 4,
    }
}

/// Orders two field values like JavaScript's `<` for same-typed values.
pub(crate) fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Runs the sort over the node's items.
pub(crate) fn sort(ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
    let mut items: Vec<Item> = ctx.items().to_vec();
    match ctx.string("type", 0, "simple")?.as_str() {
        "random" => {
            // Fisher-Yates with xorshift, seeded from the run's clock (fake clocks make it repeatable).
            let nanos = ctx
                .options
                .clock
                .now()
                .timestamp_nanos_opt()
                .unwrap_or_default() as u64;
            let mut seed = (nanos ^ 0x9e37_79b9_7f4a_7c15).max(1);
            for i in (1..items.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                items.swap(i, (seed % (i as u64 + 1)) as usize);
            }
            Ok(vec![items])
        }
        "code" => {
            let code = ctx
                .raw("code")
                .and_then(Value::as_str)
                .unwrap_or("return 0;");
            let source = format!(
                "const __cmp = function (a, b) {{\n{code}\n}};\nreturn $input.all().map((it, i) => ({{ ...it, pairedItem: {{ item: i }} }})).sort(__cmp);"
            );
            let run_index = ctx.run_index;
            let session = ctx.js()?;
            let id = session
                .compile_code(&source)
                .map_err(|e| NodeError::new(NodeErrorKind::Code, e.to_string()))?;
            let out = session
                .run_code(id, None, run_index)
                .map_err(|e| NodeError::new(NodeErrorKind::Code, e.to_string()))?;
            let list = out.and_then(|v| v.as_array().cloned()).unwrap_or_default();
            Ok(vec![list.iter().map(Item::from_n8n).collect()])
        }
        _ => {
            let dot = !ctx.boolean("options.disableDotNotation", 0, false)?;
            let specs = ctx
                .param("sortFieldsUi.sortField", 0)?
                .unwrap_or(Value::Null);
            let specs: Vec<(String, bool)> = specs
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|s| {
                    let name = s
                        .get("fieldName")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    (
                        name,
                        s.get("order").and_then(Value::as_str) == Some("descending"),
                    )
                })
                .collect();
            items.sort_by(|a, b| {
                for (field, descending) in &specs {
                    let o = compare_values(
                        fields::get(&a.json, field, dot),
                        fields::get(&b.json, field, dot),
                    );
                    let o = if *descending { o.reverse() } else { o };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            });
            Ok(vec![items])
        }
    }
}

/// The Sort node.
pub struct Sort;

impl NodeType for Sort {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        sort(ctx)
    }
}
