//! Compare Datasets: matches items of input A and input B by key fields and sorts them into
//! "in A only", "same", "different" and "in B only".

use serde_json::{Map, Value, json};

use super::aggregate::field_list;
use super::fields;
use super::{NodeContext, NodeOutput, NodeType};
use crate::error::NodeError;
use crate::item::{Item, ItemRef, PairedItem};

/// The Compare Datasets node.
pub struct CompareDatasets;

/// A value reduced to what fuzzy comparison looks at.
#[derive(Debug, PartialEq)]
enum Loose {
    Empty,
    Number(f64),
    Bool(bool),
    Text(String),
    Json(Value),
}

fn loosen(v: Option<&Value>) -> Loose {
    match v {
        None | Some(Value::Null) => Loose::Empty,
        Some(Value::Number(n)) => Loose::Number(n.as_f64().unwrap_or(f64::NAN)),
        Some(Value::Bool(b)) => Loose::Bool(*b),
        Some(Value::Array(a)) if a.is_empty() => Loose::Empty,
        Some(Value::String(s)) => {
            let t = s.trim();
            match t.to_lowercase().as_str() {
                "" => return Loose::Empty,
                "true" => return Loose::Bool(true),
                "false" => return Loose::Bool(false),
                _ => {}
            }
            match serde_json::from_str::<Value>(t) {
                Ok(parsed @ (Value::Number(_) | Value::Array(_) | Value::Object(_))) => {
                    loosen(Some(&parsed))
                }
                _ => Loose::Text(s.clone()),
            }
        }
        Some(other) => Loose::Json(other.clone()),
    }
}

fn fuzzy_equal(a: Option<&Value>, b: Option<&Value>) -> bool {
    let as_number = |l: &Loose| match l {
        Loose::Number(n) => Some(*n),
        Loose::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    };
    let (x, y) = (loosen(a), loosen(b));
    match (as_number(&x), as_number(&y)) {
        (Some(m), Some(n)) => m == n,
        _ => x == y,
    }
}

fn strict_equal(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x.as_f64() == y.as_f64(),
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            x.len() == y.len() && x.iter().all(|(k, v)| strict_equal(Some(v), y.get(k)))
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| strict_equal(Some(v), Some(w)))
        }
        _ => a == b,
    }
}

struct Settings {
    keys: Vec<(String, String)>,
    fuzzy: bool,
    dot: bool,
    skip: Vec<String>,
    resolve: String,
    prefer_b_when_mix: bool,
    except_when_mix: Vec<String>,
    labels: (&'static str, &'static str),
}

impl Settings {
    fn equal(&self, a: Option<&Value>, b: Option<&Value>) -> bool {
        if self.fuzzy {
            fuzzy_equal(a, b)
        } else {
            strict_equal(a, b)
        }
    }
}

fn without(json: &Map<String, Value>, skip: &[String], dot: bool) -> Map<String, Value> {
    let mut out = json.clone();
    for f in skip {
        fields::remove(&mut out, f, dot);
    }
    out
}

/// The "include both versions" record of a difference.
fn both(settings: &Settings, a: &Item, b: &Item) -> Value {
    let (a_json, b_json) = (
        without(&a.json, &settings.skip, settings.dot),
        without(&b.json, &settings.skip, settings.dot),
    );
    let mut keys = Map::new();
    for (f1, _) in &settings.keys {
        keys.insert(
            f1.clone(),
            fields::get(&a.json, f1, settings.dot)
                .cloned()
                .unwrap_or(Value::Null),
        );
    }
    let mut same = Map::new();
    let mut different = Map::new();
    let mut names: Vec<&String> = a_json.keys().collect();
    names.extend(b_json.keys().filter(|k| !a_json.contains_key(*k)));
    for name in names {
        let (x, y) = (a_json.get(name), b_json.get(name));
        if x.is_some() && y.is_some() && settings.equal(x, y) {
            same.insert(name.clone(), x.cloned().unwrap_or(Value::Null));
        } else {
            let (la, lb) = settings.labels;
            different.insert(name.clone(), json!({ la: x.cloned().unwrap_or(Value::Null), lb: y.cloned().unwrap_or(Value::Null) }));
        }
    }
    json!({ "keys": keys, "same": same, "different": different })
}

fn mix(settings: &Settings, a: &Item, b: &Item) -> Map<String, Value> {
    let (base, other) = if settings.prefer_b_when_mix {
        (b, a)
    } else {
        (a, b)
    };
    let mut json = base.json.clone();
    for f in &settings.except_when_mix {
        if let Some(v) = fields::get(&other.json, f, settings.dot) {
            fields::set(&mut json, f, v.clone(), settings.dot);
        }
    }
    json
}

fn tagged(item: &Item, index: usize, input: u32) -> Item {
    Item {
        paired_item: PairedItem::One(ItemRef {
            item: index as u32,
            input,
        }),
        ..item.clone()
    }
}

impl NodeType for CompareDatasets {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let pairs = ctx.param("mergeByFields.values", 0)?.unwrap_or(Value::Null);
        let keys: Vec<(String, String)> = pairs
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|p| {
                let f = |k: &str| {
                    p.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .trim()
                        .to_string()
                };
                (f("field1"), f("field2"))
            })
            .collect();
        if keys.iter().any(|(a, b)| a.is_empty() || b.is_empty()) {
            return Err(NodeError::parameter(
                "every pair of fields to match needs both names",
            ));
        }
        let settings = Settings {
            keys,
            fuzzy: ctx.boolean("options.fuzzyCompare", 0, false)?,
            dot: !ctx.boolean("options.disableDotNotation", 0, false)?,
            skip: field_list(ctx.param("options.skipFields", 0)?),
            resolve: ctx.string(
                "resolve",
                0,
                if ctx.node.type_version >= 2.0 {
                    "includeBoth"
                } else {
                    "preferInput2"
                },
            )?,
            prefer_b_when_mix: ctx.string("preferWhenMix", 0, "input1")? == "input2",
            except_when_mix: field_list(ctx.param("exceptWhenMix", 0)?),
            labels: if ctx.node.type_version >= 2.0 {
                ("inputA", "inputB")
            } else {
                ("input1", "input2")
            },
        };
        let all_matches = ctx.string("options.multipleMatches", 0, "first")? == "all";
        let (a_items, b_items) = (ctx.input(0), ctx.input(1));
        let mut matched_b = vec![false; b_items.len()];
        let (mut only_a, mut same, mut different) = (Vec::new(), Vec::new(), Vec::new());
        for (i, a) in a_items.iter().enumerate() {
            let mut found = false;
            for (j, b) in b_items.iter().enumerate() {
                let is_match = settings.keys.iter().all(|(f1, f2)| {
                    let (x, y) = (
                        fields::get(&a.json, f1, settings.dot),
                        fields::get(&b.json, f2, settings.dot),
                    );
                    x.is_some() && y.is_some() && settings.equal(x, y)
                });
                if !is_match {
                    continue;
                }
                found = true;
                matched_b[j] = true;
                let (a_cmp, b_cmp) = (
                    without(&a.json, &settings.skip, settings.dot),
                    without(&b.json, &settings.skip, settings.dot),
                );
                let names: Vec<&String> = a_cmp.keys().chain(b_cmp.keys()).collect();
                let equal = names
                    .iter()
                    .all(|k| settings.equal(a_cmp.get(*k), b_cmp.get(*k)));
                let pair = PairedItem::Many(vec![
                    ItemRef {
                        item: i as u32,
                        input: 0,
                    },
                    ItemRef {
                        item: j as u32,
                        input: 1,
                    },
                ]);
                if equal {
                    let prefer_b = settings.resolve == "preferInput2"
                        || (settings.resolve == "mix" && settings.prefer_b_when_mix);
                    same.push(if prefer_b {
                        tagged(b, j, 1)
                    } else {
                        tagged(a, i, 0)
                    });
                } else {
                    let json = match settings.resolve.as_str() {
                        "preferInput1" => a.json.clone(),
                        "preferInput2" => b.json.clone(),
                        "mix" => mix(&settings, a, b),
                        _ => both(&settings, a, b)
                            .as_object()
                            .cloned()
                            .unwrap_or_default(),
                    };
                    different.push(Item {
                        json,
                        binary: None,
                        paired_item: pair,
                    });
                }
                if !all_matches {
                    break;
                }
            }
            if !found {
                only_a.push(tagged(a, i, 0));
            }
        }
        let only_b = b_items
            .iter()
            .enumerate()
            .filter(|(j, _)| !matched_b[*j])
            .map(|(j, b)| tagged(b, j, 1))
            .collect();
        Ok(vec![only_a, same, different, only_b])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_equality_treats_types_loosely() {
        let eq = |a: Value, b: Value| fuzzy_equal(Some(&a), Some(&b));
        assert!(eq(json!("1"), json!(1)));
        assert!(eq(json!([1, 2, 3]), json!("[1,2,3]")));
        assert!(eq(json!("tRuE"), json!(true)));
        assert!(eq(json!(true), json!(1)));
        assert!(eq(json!(null), json!([])));
        assert!(eq(json!(""), json!(null)));
        assert!(!eq(json!(42), json!("forty two")));
        assert!(!strict_equal(Some(&json!("1")), Some(&json!(1))));
    }
}
