//! Edit Fields (Set): v1/v2 typed value lists, v3.0–3.2 `fields.values`, v3.3+ `assignments`,
//! and the raw JSON mode.

use serde_json::{Map, Value};

use super::fields;
use super::{NodeContext, NodeOutput, NodeType, error_item};
use crate::error::NodeError;
use crate::expr::to_template_string;
use crate::item::Item;

/// The Set node.
pub struct Set;

impl NodeType for Set {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let version = ctx.node.type_version;
        let mut out = Vec::with_capacity(ctx.items().len());
        for index in 0..ctx.items().len() {
            let result = if version < 3.0 {
                legacy(ctx, index)
            } else {
                current(ctx, index)
            };
            match result {
                Ok(item) => out.push(item),
                Err(e) if ctx.continue_on_fail() => out.push(error_item(&e, index)),
                Err(e) => return Err(e.at_item(index)),
            }
        }
        Ok(vec![out])
    }
}

fn legacy(ctx: &mut NodeContext<'_>, index: usize) -> Result<Item, NodeError> {
    let keep_only = ctx.boolean("keepOnlySet", index, false)?;
    let dot = ctx.boolean("options.dotNotation", index, true)?;
    let source = &ctx.items()[index];
    let mut json = if keep_only {
        Map::new()
    } else {
        source.json.clone()
    };
    let binary = if keep_only {
        None
    } else {
        source.binary.clone()
    };
    let convert_numbers = ctx.node.type_version >= 2.0;
    for kind in ["boolean", "number", "string"] {
        let entries = ctx
            .param(&format!("values.{kind}"), index)?
            .unwrap_or(Value::Null);
        for entry in entries.as_array().map(Vec::as_slice).unwrap_or_default() {
            let name = entry.get("name").map_or_else(
                || "propertyName".to_string(),
                |v| to_template_string(Some(v)),
            );
            let raw = entry.get("value").cloned();
            let value = match kind {
                "boolean" => Value::Bool(raw.as_ref().is_some_and(truthy)),
                "number" => match raw {
                    None | Some(Value::Null) => Value::from(0),
                    Some(Value::String(s)) if convert_numbers => {
                        number_value(s.trim().parse::<f64>().unwrap_or(f64::NAN))
                    }
                    Some(v) => v,
                },
                _ => raw.unwrap_or_else(|| Value::String(String::new())),
            };
            fields::set(&mut json, &name, value, dot);
        }
    }
    Ok(Item {
        json,
        binary,
        paired_item: crate::item::PairedItem::item(index),
    })
}

/// JavaScript truthiness of a JSON value.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// A JSON number from an `f64`, integral when possible (NaN becomes `null`).
pub(crate) fn number_value(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

fn current(ctx: &mut NodeContext<'_>, index: usize) -> Result<Item, NodeError> {
    let version = ctx.node.type_version;
    let dot = ctx.boolean("options.dotNotation", index, true)?;
    let ignore_errors = ctx.boolean("options.ignoreConversionErrors", index, false)?;
    let mut assigned: Vec<(String, Value)> = Vec::new();
    if ctx.string("mode", index, "manual")? == "raw" {
        let raw = ctx
            .param("jsonOutput", index)?
            .unwrap_or(Value::Object(Map::new()));
        let parsed = match raw {
            Value::String(s) => serde_json::from_str(&s).map_err(|e| {
                NodeError::parameter(format!("'JSON Output' is not valid JSON: {e}"))
            })?,
            other => other,
        };
        match parsed {
            Value::Object(o) => assigned.extend(o),
            _ => return Err(NodeError::parameter("'JSON Output' must be an object")),
        }
    } else if version >= 3.3 {
        let list = ctx
            .param("assignments.assignments", index)?
            .unwrap_or(Value::Null);
        for a in list.as_array().map(Vec::as_slice).unwrap_or_default() {
            let name = a
                .get("name")
                .map(|v| to_template_string(Some(v)))
                .unwrap_or_default();
            let ty = a.get("type").and_then(Value::as_str).unwrap_or("string");
            let value = a.get("value").cloned().unwrap_or(Value::Null);
            assigned.push((name.clone(), convert(&name, ty, value, ignore_errors)?));
        }
    } else {
        let list = ctx.param("fields.values", index)?.unwrap_or(Value::Null);
        for f in list.as_array().map(Vec::as_slice).unwrap_or_default() {
            let name = f
                .get("name")
                .map(|v| to_template_string(Some(v)))
                .unwrap_or_default();
            let ty = f
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("stringValue");
            let value = f.get(ty).cloned().unwrap_or(Value::Null);
            let ty = ty.trim_end_matches("Value");
            assigned.push((name.clone(), convert(&name, ty, value, ignore_errors)?));
        }
    }
    let include = if version >= 3.3 {
        if ctx.boolean("includeOtherFields", index, false)? {
            ctx.string("include", index, "all")?
        } else {
            "none".into()
        }
    } else {
        ctx.string("include", index, "all")?
    };
    let source = &ctx.items()[index];
    let mut json = match include.as_str() {
        "none" => Map::new(),
        "selected" => {
            let names = ctx.string("includeFields", index, "")?;
            let mut m = Map::new();
            for name in names.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if let Some(v) = fields::get(&source.json, name, dot) {
                    fields::set(&mut m, name, v.clone(), dot);
                }
            }
            m
        }
        "except" => {
            let names = ctx.string("excludeFields", index, "")?;
            let mut m = source.json.clone();
            for name in names.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                fields::remove(&mut m, name, dot);
            }
            m
        }
        _ => source.json.clone(),
    };
    let binary = if include == "none" && !ctx.boolean("options.includeBinary", index, false)? {
        None
    } else {
        source.binary.clone()
    };
    for (name, value) in assigned {
        fields::set(&mut json, &name, value, dot);
    }
    Ok(Item {
        json,
        binary,
        paired_item: crate::item::PairedItem::item(index),
    })
}

fn conversion_error(name: &str, ty: &str, value: &Value) -> NodeError {
    NodeError::operation(format!(
        "'{name}' expects a {ty} but we got '{}'",
        to_template_string(Some(value))
    ))
}

/// n8n's field type validation for Set v3.
fn convert(name: &str, ty: &str, value: Value, ignore_errors: bool) -> Result<Value, NodeError> {
    let converted = match (ty, &value) {
        (_, Value::Null) => Some(Value::Null),
        ("string", Value::String(_)) => Some(value.clone()),
        ("string", Value::Object(_) | Value::Array(_)) => Some(Value::String(value.to_string())),
        ("string", other) => Some(Value::String(to_template_string(Some(other)))),
        ("number", Value::Number(_)) => Some(value.clone()),
        ("number", Value::Bool(b)) => Some(Value::from(u8::from(*b))),
        ("number", Value::String(s)) => {
            let t = s.trim();
            if t.is_empty() {
                Some(Value::from(0))
            } else {
                t.parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(number_value)
            }
        }
        ("boolean", Value::Bool(_)) => Some(value.clone()),
        ("boolean", Value::Number(n)) => match n.as_f64() {
            Some(0.0) => Some(Value::Bool(false)),
            Some(1.0) => Some(Value::Bool(true)),
            _ => None,
        },
        ("boolean", Value::String(s)) => match s.trim().to_lowercase().as_str() {
            "true" | "1" | "yes" | "t" | "y" => Some(Value::Bool(true)),
            "false" | "0" | "no" | "f" | "n" => Some(Value::Bool(false)),
            _ => None,
        },
        ("array", Value::Array(_)) | ("object", Value::Object(_)) => Some(value.clone()),
        ("array", Value::String(s)) => parse_loose(s).filter(Value::is_array),
        ("object", Value::String(s)) => parse_loose(s).filter(Value::is_object),
        _ => None,
    };
    match converted {
        Some(v) => Ok(v),
        None if ignore_errors => Ok(value),
        None => Err(conversion_error(name, ty, &value)),
    }
}

fn parse_loose(s: &str) -> Option<Value> {
    serde_json::from_str(s)
        .ok()
        .or_else(|| serde_json::from_str(&s.replace('\'', "\"")).ok())
}
