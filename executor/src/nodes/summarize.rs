//! Summarize (and Item Lists "summarize"): aggregations per group of split-by fields.

use serde_json::{Map, Value};

use super::aggregate::field_list;
use super::fields;
use super::set::number_value;
use super::{NodeContext, NodeOutput, NodeType};
use crate::error::NodeError;
use crate::expr::to_template_string;
use crate::item::{Item, ItemRef, PairedItem};

struct Spec {
    aggregation: String,
    field: String,
    separator: String,
    include_empty: bool,
}

fn output_key(spec: &Spec) -> String {
    let prefix = match spec.aggregation.as_str() {
        "countUnique" => "unique_count",
        "append" => "appended",
        "concatenate" => "concatenated",
        other => other,
    };
    format!("{prefix}_{}", spec.field.replace('.', "_"))
}

fn is_empty(v: &Value) -> bool {
    matches!(v, Value::Null) || v.as_str() == Some("")
}

fn aggregate(spec: &Spec, values: &[Option<&Value>]) -> Value {
    let non_empty: Vec<&Value> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| !is_empty(v))
        .collect();
    let counted: Vec<Option<&Value>> = if spec.include_empty {
        values.to_vec()
    } else {
        non_empty.iter().map(|v| Some(*v)).collect()
    };
    let numbers: Vec<f64> = non_empty.iter().filter_map(|v| v.as_f64()).collect();
    match spec.aggregation.as_str() {
        "countUnique" => {
            let mut unique: Vec<Option<&Value>> = Vec::new();
            for v in &counted {
                if !unique.contains(v) {
                    unique.push(*v);
                }
            }
            Value::from(unique.len())
        }
        "sum" => number_value(numbers.iter().sum()),
        "average" if numbers.is_empty() => Value::Null,
        "average" => serde_json::Number::from_f64(
            numbers.iter().sum::<f64>() / numbers.len() as f64,
        )
        .map_or(Value::Null, |n| {
            let v = Value::Number(n);
            if v.as_f64().is_some_and(|f| f.fract() == 0.0) {
                number_value(v.as_f64().unwrap_or(0.0))
            } else {
                v
            }
        }),
        "min" => numbers
            .iter()
            .copied()
            .reduce(f64::min)
            .map_or(Value::Null, number_value),
        "max" => numbers
            .iter()
            .copied()
            .reduce(f64::max)
            .map_or(Value::Null, number_value),
        "append" => Value::Array(
            counted
                .iter()
                .map(|v| v.cloned().unwrap_or(Value::Null))
                .collect(),
        ),
        "concatenate" => Value::String(
            counted
                .iter()
                .map(|v| to_template_string(*v))
                .collect::<Vec<_>>()
                .join(&spec.separator),
        ),
        _ => Value::from(counted.len()),
    }
}

/// Runs the summary over the node's items.
pub(crate) fn summarize(ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
    let items = ctx.items();
    let dot = !ctx.boolean("options.disableDotNotation", 0, false)?;
    let single = ctx.string("options.outputFormat", 0, "separateItems")? == "singleItem";
    let split_by = field_list(ctx.param("fieldsToSplitBy", 0)?);
    let raw_specs = ctx
        .param("fieldsToSummarize.values", 0)?
        .unwrap_or(Value::Null);
    let specs: Vec<Spec> = raw_specs
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|s| {
            let separator = match s.get("separateBy").and_then(Value::as_str).unwrap_or(",") {
                "other" => s
                    .get("customSeparator")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                sep => sep.to_string(),
            };
            Spec {
                aggregation: s
                    .get("aggregation")
                    .and_then(Value::as_str)
                    .unwrap_or("count")
                    .to_string(),
                field: s
                    .get("field")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                separator,
                include_empty: s
                    .get("includeEmpty")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            }
        })
        .collect();
    let mut groups: Vec<(Vec<Value>, Vec<usize>)> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let key: Vec<Value> = split_by
            .iter()
            .map(|f| {
                fields::get(&item.json, f, dot)
                    .cloned()
                    .unwrap_or(Value::Null)
            })
            .collect();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(index),
            None => groups.push((key, vec![index])),
        }
    }
    // Nested grouping: order by the first appearance of each key prefix, level by level.
    let first_seen = |prefix: &[Value]| {
        groups
            .iter()
            .position(|(k, _)| k.starts_with(prefix))
            .unwrap_or(0)
    };
    let mut order: Vec<(Vec<usize>, usize)> = groups
        .iter()
        .enumerate()
        .map(|(g, (k, _))| ((1..=k.len()).map(|d| first_seen(&k[..d])).collect(), g))
        .collect();
    order.sort();
    let mut groups: Vec<(Vec<Value>, Vec<usize>)> =
        order.into_iter().map(|(_, g)| groups[g].clone()).collect();
    if ctx.node.node_type.ends_with(".itemLists") && ctx.node.type_version < 2.1 {
        for spec in &specs {
            if !items
                .iter()
                .any(|i| fields::get(&i.json, &spec.field, dot).is_some())
            {
                return Err(NodeError::operation(format!(
                    "The field '{}' wasn't found in any input item",
                    spec.field
                )));
            }
        }
    }
    if groups.is_empty() && split_by.is_empty() {
        groups.push((Vec::new(), Vec::new()));
    }
    let summarize_group = |members: &[usize]| {
        let mut json = Map::new();
        for spec in &specs {
            let values: Vec<Option<&Value>> = members
                .iter()
                .map(|i| fields::get(&items[*i].json, &spec.field, dot))
                .collect();
            json.insert(output_key(spec), aggregate(spec, &values));
        }
        json
    };
    let paired = |members: &[usize]| {
        PairedItem::Many(
            members
                .iter()
                .map(|i| ItemRef {
                    item: *i as u32,
                    input: 0,
                })
                .collect(),
        )
    };
    if single && !split_by.is_empty() {
        let mut root = Map::new();
        for (key, members) in &groups {
            let mut node = &mut root;
            for (depth, value) in key.iter().enumerate() {
                let name = to_template_string(Some(value));
                if depth + 1 == key.len() {
                    node.insert(name, Value::Object(summarize_group(members)));
                    break;
                }
                let entry = node
                    .entry(name)
                    .or_insert_with(|| Value::Object(Map::new()));
                let Value::Object(next) = entry else { break };
                node = next;
            }
        }
        let all: Vec<usize> = (0..items.len()).collect();
        return Ok(vec![vec![Item {
            json: root,
            binary: None,
            paired_item: paired(&all),
        }]]);
    }
    let out = groups
        .iter()
        .map(|(key, members)| {
            let mut json = Map::new();
            for (field, value) in split_by.iter().zip(key) {
                json.insert(field.clone(), value.clone());
            }
            json.extend(summarize_group(members));
            Item {
                json,
                binary: None,
                paired_item: paired(members),
            }
        })
        .collect();
    Ok(vec![out])
}

/// The Summarize node.
pub struct Summarize;

impl NodeType for Summarize {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        summarize(ctx)
    }
}
