//! Merge (v1–v3): append, combine by matching fields, by position or every combination
//! (multiplex), choose a branch, pass one input through.

use serde_json::{Map, Value};
use weft_domain::definition::Node;

use super::fields;
use super::{NodeContext, NodeOutput, NodeType};
use crate::error::NodeError;
use crate::item::{Item, ItemRef, PairedItem};

/// The Merge node.
pub struct Merge;

#[derive(Clone, Copy, PartialEq)]
enum Clash {
    PreferInput1,
    PreferInput2,
    AddSuffix,
}

struct MergeOptions {
    clash: Clash,
    deep: bool,
}

fn mode(node: &Node) -> String {
    node.parameters
        .get("mode")
        .and_then(Value::as_str)
        .unwrap_or("append")
        .to_string()
}

fn deep_merge(target: &mut Map<String, Value>, source: &Map<String, Value>, deep: bool) {
    for (k, v) in source {
        match (target.get_mut(k), v) {
            (Some(Value::Object(t)), Value::Object(s)) if deep => deep_merge(t, s, deep),
            _ => {
                target.insert(k.clone(), v.clone());
            }
        }
    }
}

fn suffixed(json: &Map<String, Value>, suffix: &str) -> Map<String, Value> {
    json.iter()
        .map(|(k, v)| (format!("{k}_{suffix}"), v.clone()))
        .collect()
}

fn combine(a: &Item, b: &Item, options: &MergeOptions) -> Map<String, Value> {
    match options.clash {
        Clash::AddSuffix => {
            let mut out = suffixed(&a.json, "1");
            out.extend(suffixed(&b.json, "2"));
            out
        }
        Clash::PreferInput1 => {
            let mut out = b.json.clone();
            deep_merge(&mut out, &a.json, options.deep);
            out
        }
        Clash::PreferInput2 => {
            let mut out = a.json.clone();
            deep_merge(&mut out, &b.json, options.deep);
            out
        }
    }
}

fn pair(refs: &[(usize, u32)]) -> PairedItem {
    PairedItem::Many(
        refs.iter()
            .map(|(i, input)| ItemRef {
                item: *i as u32,
                input: *input,
            })
            .collect(),
    )
}

fn merge_options(ctx: &mut NodeContext<'_>) -> Result<MergeOptions, NodeError> {
    let clash = match ctx
        .string(
            "options.clashHandling.values.resolveClash",
            0,
            "preferInput2",
        )?
        .as_str()
    {
        "preferInput1" | "preferLast" => Clash::PreferInput1,
        "addSuffix" => Clash::AddSuffix,
        _ => Clash::PreferInput2,
    };
    let deep = ctx.string("options.clashHandling.values.mergeMode", 0, "deepMerge")? == "deepMerge";
    Ok(MergeOptions { clash, deep })
}

fn tag(items: &[Item], input: u32) -> Vec<Item> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| Item {
            paired_item: PairedItem::One(ItemRef {
                item: i as u32,
                input,
            }),
            ..item.clone()
        })
        .collect()
}

fn by_position(
    a: &[Item],
    b: &[Item],
    include_unpaired: bool,
    options: &MergeOptions,
) -> Vec<Item> {
    let len = if include_unpaired {
        a.len().max(b.len())
    } else {
        a.len().min(b.len())
    };
    (0..len)
        .map(|i| match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => Item {
                json: combine(x, y, options),
                binary: None,
                paired_item: pair(&[(i, 0), (i, 1)]),
            },
            (Some(x), None) => Item {
                paired_item: pair(&[(i, 0)]),
                ..x.clone()
            },
            (None, Some(y)) => Item {
                paired_item: pair(&[(i, 1)]),
                ..y.clone()
            },
            (None, None) => Item::default(),
        })
        .collect()
}

fn multiplex(a: &[Item], b: &[Item], options: &MergeOptions) -> Vec<Item> {
    let mut out = Vec::with_capacity(a.len() * b.len());
    // n8n swaps the inputs when input 1 wins, which also changes the order of the combinations.
    if options.clash == Clash::PreferInput1 {
        for (j, y) in b.iter().enumerate() {
            for (i, x) in a.iter().enumerate() {
                out.push(Item {
                    json: combine(x, y, options),
                    binary: None,
                    paired_item: pair(&[(i, 0), (j, 1)]),
                });
            }
        }
        return out;
    }
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            out.push(Item {
                json: combine(x, y, options),
                binary: None,
                paired_item: pair(&[(i, 0), (j, 1)]),
            });
        }
    }
    out
}

fn field_value<'v>(item: &'v Item, field: &str, dot: bool) -> Option<&'v Value> {
    fields::get(&item.json, field, dot)
}

fn loosely_equal(a: Option<&Value>, b: Option<&Value>, fuzzy: bool) -> bool {
    match (a, b) {
        (Some(x), Some(y)) if x == y => true,
        (Some(Value::Number(x)), Some(Value::Number(y))) => x.as_f64() == y.as_f64(),
        (Some(x), Some(y)) if fuzzy => {
            crate::expr::to_template_string(Some(x)) == crate::expr::to_template_string(Some(y))
        }
        _ => false,
    }
}

fn by_fields(
    ctx: &mut NodeContext<'_>,
    a: &[Item],
    b: &[Item],
    options: &MergeOptions,
) -> Result<Vec<Item>, NodeError> {
    let pairs = ctx.param("mergeByFields.values", 0)?.unwrap_or(Value::Null);
    let pairs: Vec<(String, String)> = pairs
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|p| {
            let f = |k: &str| {
                p.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            (f("field1"), f("field2"))
        })
        .collect();
    let join = ctx.string("joinMode", 0, "keepMatches")?;
    let output_from = ctx.string("outputDataFrom", 0, "both")?;
    let dot = !ctx.boolean("options.disableDotNotation", 0, false)?;
    let fuzzy = ctx.boolean("options.fuzzyCompare", 0, false)?;
    let first_only = ctx.string("options.multipleMatches", 0, "all")? == "first";
    let matches = |x: &Item, y: &Item| {
        pairs
            .iter()
            .all(|(f1, f2)| loosely_equal(field_value(x, f1, dot), field_value(y, f2, dot), fuzzy))
    };
    let mut matched_b = vec![false; b.len()];
    let mut out = Vec::new();
    let mut unmatched_a = Vec::new();
    for (i, x) in a.iter().enumerate() {
        let mut found = false;
        for (j, y) in b.iter().enumerate() {
            if !matches(x, y) {
                continue;
            }
            found = true;
            matched_b[j] = true;
            let item = match (join.as_str(), output_from.as_str()) {
                ("keepMatches", "input1") => Item {
                    paired_item: pair(&[(i, 0)]),
                    ..x.clone()
                },
                ("keepMatches", "input2") => Item {
                    paired_item: pair(&[(j, 1)]),
                    ..y.clone()
                },
                ("keepNonMatches", _) => continue,
                _ => Item {
                    json: combine(x, y, options),
                    binary: None,
                    paired_item: pair(&[(i, 0), (j, 1)]),
                },
            };
            out.push(item);
            if first_only {
                break;
            }
        }
        if !found {
            unmatched_a.push(i);
        }
    }
    let unmatched_b: Vec<usize> = (0..b.len()).filter(|j| !matched_b[*j]).collect();
    let only_a = || {
        unmatched_a.iter().map(|i| Item {
            paired_item: pair(&[(*i, 0)]),
            ..a[*i].clone()
        })
    };
    let only_b = || {
        unmatched_b.iter().map(|j| Item {
            paired_item: pair(&[(*j, 1)]),
            ..b[*j].clone()
        })
    };
    match join.as_str() {
        "keepNonMatches" => match output_from.as_str() {
            "input1" => out.extend(only_a()),
            "input2" => out.extend(only_b()),
            _ => {
                out.extend(only_a());
                out.extend(only_b());
            }
        },
        "keepEverything" => {
            out.extend(only_a());
            out.extend(only_b());
        }
        "enrichInput1" => out.extend(only_a()),
        "enrichInput2" => out.extend(only_b()),
        _ => {}
    }
    Ok(out)
}

impl NodeType for Merge {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let (a, b) = (ctx.input(0), ctx.input(1));
        let version = ctx.node.type_version;
        let mode = ctx.string("mode", 0, "append")?;
        let out = match mode.as_str() {
            "append" => {
                let mut all = Vec::new();
                for input in 0..ctx.input_count().max(2) {
                    all.extend(tag(ctx.input(input), input as u32));
                }
                all
            }
            "passThrough" => {
                let from_second = ctx.string("output", 0, "input1")? == "input2";
                if from_second { tag(b, 1) } else { tag(a, 0) }
            }
            "wait" => Vec::new(),
            "multiplex" => multiplex(
                a,
                b,
                &MergeOptions {
                    clash: Clash::PreferInput2,
                    deep: false,
                },
            ),
            "mergeByIndex" => {
                let join = ctx.string("join", 0, "left")?;
                let options = MergeOptions {
                    clash: Clash::PreferInput2,
                    deep: false,
                };
                match join.as_str() {
                    "inner" => by_position(a, b, false, &options),
                    "outer" => by_position(a, b, true, &options),
                    _ => by_position(a, &b[..b.len().min(a.len())], true, &options)[..a.len()]
                        .to_vec(),
                }
            }
            "chooseBranch" => {
                let choice = ctx.string("output", 0, "input1")?;
                match choice.as_str() {
                    "input2" => tag(b, 1),
                    "empty" => {
                        let refs: Vec<(usize, u32)> = (0..a.len())
                            .map(|i| (i, 0))
                            .chain((0..b.len()).map(|j| (j, 1)))
                            .collect();
                        vec![Item {
                            json: Map::new(),
                            binary: None,
                            paired_item: pair(&refs),
                        }]
                    }
                    "specifiedInput" => {
                        let n = ctx.number("useDataOfInput", 0, 1.0)? as usize;
                        tag(ctx.input(n.saturating_sub(1)), n.saturating_sub(1) as u32)
                    }
                    _ => tag(a, 0),
                }
            }
            "combine" | "combineByFields" | "combineByPosition" | "combineAll" => {
                let options = merge_options(ctx)?;
                let how = match mode.as_str() {
                    "combine" if version >= 3.0 => ctx.string("combineBy", 0, "combineByFields")?,
                    "combine" => ctx.string("combinationMode", 0, "mergeByFields")?,
                    other => other.to_string(),
                };
                match how.as_str() {
                    "mergeByPosition" | "combineByPosition" => by_position(
                        a,
                        b,
                        ctx.boolean("options.includeUnpaired", 0, false)?,
                        &options,
                    ),
                    "multiplex" | "combineAll" => multiplex(a, b, &options),
                    _ => by_fields(ctx, a, b, &options)?,
                }
            }
            other => {
                return Err(NodeError::parameter(format!(
                    "unknown Merge mode `{other}`"
                )));
            }
        };
        Ok(vec![out])
    }

    fn requires_all_inputs(&self, node: &Node) -> bool {
        mode(node) == "chooseBranch"
    }
}
