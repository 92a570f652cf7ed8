//! Switch: routes items to outputs by rules or by an output-index expression (v1–v3).

use serde_json::Value;

use super::conditions::{compare_v1, evaluate_v2};
use super::{NodeContext, NodeOutput, NodeType};
use crate::error::NodeError;
use crate::item::Item;

/// The Switch node.
pub struct Switch;

fn output_count(ctx: &NodeContext<'_>) -> usize {
    let raw = |p: &str| ctx.raw(p).and_then(Value::as_u64);
    if ctx.node.type_version < 3.0 {
        if ctx.node.type_version >= 2.0
            && ctx.raw("mode").and_then(Value::as_str) == Some("expression")
        {
            raw("outputsAmount").unwrap_or(4) as usize
        } else {
            4
        }
    } else if ctx.raw("mode").and_then(Value::as_str) == Some("expression") {
        raw("numberOutputs").unwrap_or(4) as usize
    } else {
        let rules = ctx
            .raw("rules.values")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let extra = ctx.raw("options.fallbackOutput").and_then(Value::as_str) == Some("extra");
        rules + usize::from(extra)
    }
}

fn route(ctx: &mut NodeContext<'_>, index: usize, outputs: usize) -> Result<Vec<usize>, NodeError> {
    let version = ctx.node.type_version;
    if ctx.string("mode", index, "rules")? == "expression" {
        let n = ctx.number("output", index, f64::NAN)?;
        if !(n >= 0.0 && (n as usize) < outputs) {
            return Err(NodeError::operation(format!(
                "The output {n} is not allowed. It has to be between 0 and {}!",
                outputs - 1
            )));
        }
        return Ok(vec![n as usize]);
    }
    if version < 3.0 {
        let data_type = ctx.string("dataType", index, "number")?;
        let value1 = ctx.param("value1", index)?.unwrap_or(Value::Null);
        let rules = ctx.param("rules.rules", index)?.unwrap_or(Value::Null);
        for rule in rules.as_array().map(Vec::as_slice).unwrap_or_default() {
            let op = rule
                .get("operation")
                .and_then(Value::as_str)
                .unwrap_or("equal");
            let default = if data_type == "number" {
                Value::from(0)
            } else {
                Value::String(String::new())
            };
            let value2 = rule.get("value2").cloned().unwrap_or(default);
            if compare_v1(&data_type, op, &value1, &value2)? {
                return Ok(vec![
                    rule.get("output").and_then(Value::as_u64).unwrap_or(0) as usize,
                ]);
            }
        }
        let fallback = ctx.number("fallbackOutput", index, -1.0)?;
        return Ok(if fallback >= 0.0 {
            vec![fallback as usize]
        } else {
            Vec::new()
        });
    }
    let rules = ctx.param("rules.values", index)?.unwrap_or(Value::Null);
    let all = ctx.boolean("options.allMatchingOutputs", index, false)?;
    let ignore_case = ctx.boolean("options.ignoreCase", index, false)?;
    let loose = ctx.boolean("options.looseTypeValidation", index, false)?;
    let mut matched = Vec::new();
    for (i, rule) in rules
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if evaluate_v2(
            rule.get("conditions").unwrap_or(&Value::Null),
            ignore_case,
            loose,
        )? {
            matched.push(i);
            if !all {
                break;
            }
        }
    }
    if matched.is_empty() {
        match ctx.param("options.fallbackOutput", index)? {
            Some(Value::String(s)) if s == "extra" => matched.push(outputs - 1),
            Some(Value::Number(n)) if n.as_f64().is_some_and(|f| f >= 0.0) => {
                matched.push(n.as_f64().unwrap_or(0.0) as usize)
            }
            Some(Value::String(s)) => matched.extend(s.parse::<usize>().ok()),
            _ => {}
        }
    }
    Ok(matched)
}

impl NodeType for Switch {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let outputs = output_count(ctx);
        let mut out: Vec<Vec<Item>> = vec![Vec::new(); outputs];
        for (index, item) in ctx.items().iter().enumerate() {
            match route(ctx, index, outputs) {
                Ok(targets) => {
                    for t in targets {
                        if let Some(o) = out.get_mut(t) {
                            o.push(item.clone());
                        }
                    }
                }
                Err(_) if ctx.continue_on_fail() => out[0].push(item.clone()),
                Err(e) => return Err(e.at_item(index)),
            }
        }
        Ok(out)
    }
}
