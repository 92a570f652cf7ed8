//! Condition evaluation shared by If, Filter and Switch: the v1 typed lists
//! (`conditions.{boolean,number,string,dateTime}`) and the v2 filter format
//! (`conditions.conditions[]` with typed operators).

use regex::RegexBuilder;
use serde_json::Value;

use super::NodeContext;
use super::dates::{utc, value_to_date};
use super::set::truthy;
use crate::error::NodeError;
use crate::expr::to_template_string;

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if !s.trim().is_empty() => s.trim().parse().ok(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Null => Some(0.0),
        _ => None,
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::Object(_) => "[object Object]".into(),
        other => to_template_string(Some(other)),
    }
}

/// JavaScript-style regex given as `/pattern/flags` or a bare pattern.
pub fn js_regex_match(pattern: &str, subject: &str) -> Result<bool, NodeError> {
    let (body, flags) = match pattern
        .strip_prefix('/')
        .and_then(|p| p.rfind('/').map(|i| (&p[..i], &p[i + 1..])))
    {
        Some((body, flags)) if flags.chars().all(|c| "gimsuy".contains(c)) => (body, flags),
        _ => (pattern, ""),
    };
    let re = RegexBuilder::new(body)
        .case_insensitive(flags.contains('i'))
        .multi_line(flags.contains('m'))
        .dot_matches_new_line(flags.contains('s'))
        .build()
        .map_err(|e| {
            NodeError::parameter(format!("invalid regular expression `{pattern}`: {e}"))
        })?;
    Ok(re.is_match(subject))
}

fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Number(n) => n.as_f64().is_none_or(f64::is_nan),
        Value::Bool(_) => false,
    }
}

/// One v1 comparison (`If` v1, `Filter` v1, `Switch` v1/v2 rules).
pub fn compare_v1(
    data_type: &str,
    operation: &str,
    v1: &Value,
    v2: &Value,
) -> Result<bool, NodeError> {
    let (a, b) = if data_type == "dateTime" {
        let tz = utc();
        let ms =
            |v: &Value| value_to_date(v, &tz).map_or(f64::NAN, |d| d.timestamp_millis() as f64);
        (Value::from(ms(v1)), Value::from(ms(v2)))
    } else {
        (v1.clone(), v2.clone())
    };
    let num = |v: &Value| as_f64(v).unwrap_or(f64::NAN);
    Ok(match operation {
        "after" | "larger" => num(&a) > num(&b),
        "before" | "smaller" => num(&a) < num(&b),
        "largerEqual" => num(&a) >= num(&b),
        "smallerEqual" => num(&a) <= num(&b),
        "equal" => loose_equal(&a, &b, data_type),
        "notEqual" => !loose_equal(&a, &b, data_type),
        "contains" => text(&a).contains(&text(&b)),
        "notContains" => !text(&a).contains(&text(&b)),
        "startsWith" => text(&a).starts_with(&text(&b)),
        "notStartsWith" => !text(&a).starts_with(&text(&b)),
        "endsWith" => text(&a).ends_with(&text(&b)),
        "notEndsWith" => !text(&a).ends_with(&text(&b)),
        "isEmpty" => is_empty_value(&a),
        "isNotEmpty" => !is_empty_value(&a),
        "regex" => js_regex_match(&text(&b), &text(&a))?,
        "notRegex" => !js_regex_match(&text(&b), &text(&a))?,
        other => return Err(NodeError::parameter(format!("unknown operation `{other}`"))),
    })
}

fn loose_equal(a: &Value, b: &Value, data_type: &str) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ if data_type == "number" => {
            as_f64(a).zip(as_f64(b)).is_some_and(|(x, y)| x == y) && a.is_number() == b.is_number()
        }
        _ => a == b,
    }
}

/// Evaluates the v1 condition lists for one item; `any` combines with OR.
pub fn evaluate_v1(ctx: &mut NodeContext<'_>, item: usize, any: bool) -> Result<bool, NodeError> {
    let defaults = [
        ("boolean", "equal"),
        ("dateTime", "after"),
        ("number", "smaller"),
        ("string", "equal"),
    ];
    let mut results = Vec::new();
    for (data_type, default_op) in defaults {
        let list = ctx
            .param(&format!("conditions.{data_type}"), item)?
            .unwrap_or(Value::Null);
        for c in list.as_array().map(Vec::as_slice).unwrap_or_default() {
            let op = c
                .get("operation")
                .and_then(Value::as_str)
                .unwrap_or(default_op);
            let default_v2 = match data_type {
                "boolean" => Value::Bool(false),
                "number" => Value::from(0),
                _ => Value::String(String::new()),
            };
            let v1 = c
                .get("value1")
                .cloned()
                .unwrap_or_else(|| default_v2.clone());
            let v2 = c.get("value2").cloned().unwrap_or(default_v2);
            let v1 = if data_type == "boolean" && !v1.is_boolean() {
                Value::Bool(truthy(&v1))
            } else {
                v1
            };
            results.push(compare_v1(data_type, op, &v1, &v2)?);
        }
    }
    Ok(if any {
        results.iter().any(|r| *r)
    } else {
        results.iter().all(|r| *r)
    })
}

/// Evaluates a v2 filter (`{options, conditions[], combinator}`) already evaluated for one item.
pub fn evaluate_v2(filter: &Value, ignore_case: bool, loose: bool) -> Result<bool, NodeError> {
    let options = filter.get("options").cloned().unwrap_or(Value::Null);
    let case_sensitive = options
        .get("caseSensitive")
        .and_then(Value::as_bool)
        .unwrap_or(true)
        && !ignore_case;
    let loose = loose || options.get("typeValidation").and_then(Value::as_str) == Some("loose");
    let any = filter.get("combinator").and_then(Value::as_str) == Some("or");
    let mut results = Vec::new();
    for c in filter
        .get("conditions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let op = c.get("operator").cloned().unwrap_or(Value::Null);
        let ty = op.get("type").and_then(Value::as_str).unwrap_or("string");
        let operation = op
            .get("operation")
            .and_then(Value::as_str)
            .unwrap_or("equals");
        let left = c.get("leftValue").cloned().unwrap_or(Value::Null);
        let right = c.get("rightValue").cloned().unwrap_or(Value::Null);
        results.push(operator_v2(
            ty,
            operation,
            &left,
            &right,
            case_sensitive,
            loose,
        )?);
    }
    Ok(if any {
        results.iter().any(|r| *r)
    } else {
        results.iter().all(|r| *r)
    })
}

fn type_error(value: &Value, ty: &str) -> NodeError {
    let actual = match value {
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
    };
    NodeError::operation(format!(
        "Wrong type: '{}' is a {actual} but was expecting a {ty}",
        text(value)
    ))
}

fn coerce(value: &Value, ty: &str, loose: bool) -> Result<Value, NodeError> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let ok = matches!(
        (ty, value),
        ("string", Value::String(_))
            | ("number", Value::Number(_))
            | ("boolean", Value::Bool(_))
            | ("array", Value::Array(_))
            | ("object", Value::Object(_))
            | ("any", _)
            | ("dateTime", Value::String(_) | Value::Number(_))
    );
    if ok {
        return Ok(value.clone());
    }
    if !loose {
        return Err(type_error(value, ty));
    }
    let converted = match ty {
        "string" => Some(Value::String(match value {
            Value::Object(_) | Value::Array(_) => value.to_string(),
            other => text(other),
        })),
        "number" => as_f64(value)
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        "boolean" => match value {
            Value::String(s) => match s.trim().to_lowercase().as_str() {
                "true" | "1" | "yes" => Some(Value::Bool(true)),
                "false" | "0" | "no" => Some(Value::Bool(false)),
                _ => None,
            },
            Value::Number(n) => Some(Value::Bool(n.as_f64() != Some(0.0))),
            _ => None,
        },
        "array" | "object" => value.as_str().and_then(|s| serde_json::from_str(s).ok()),
        _ => None,
    };
    converted.ok_or_else(|| type_error(value, ty))
}

fn operator_v2(
    ty: &str,
    operation: &str,
    left: &Value,
    right: &Value,
    case_sensitive: bool,
    loose: bool,
) -> Result<bool, NodeError> {
    let exists = !left.is_null();
    match operation {
        "exists" => return Ok(exists),
        "notExists" => return Ok(!exists),
        "empty" => return Ok(is_empty_value(left)),
        "notEmpty" => return Ok(!is_empty_value(left)),
        _ => {}
    }
    let l = coerce(left, ty, loose)?;
    let fold = |s: String| if case_sensitive { s } else { s.to_lowercase() };
    Ok(match ty {
        "string" => {
            let a = fold(text(&l));
            let b = fold(text(right));
            match operation {
                "equals" => a == b,
                "notEquals" => a != b,
                "contains" => a.contains(&b),
                "notContains" => !a.contains(&b),
                "startsWith" => a.starts_with(&b),
                "notStartsWith" => !a.starts_with(&b),
                "endsWith" => a.ends_with(&b),
                "notEndsWith" => !a.ends_with(&b),
                "regex" => js_regex_match(&text(right), &text(&l))?,
                "notRegex" => !js_regex_match(&text(right), &text(&l))?,
                other => {
                    return Err(NodeError::parameter(format!(
                        "unknown string operation `{other}`"
                    )));
                }
            }
        }
        "number" => {
            let (a, b) = (
                as_f64(&l).unwrap_or(f64::NAN),
                as_f64(right).unwrap_or(f64::NAN),
            );
            match operation {
                "equals" => a == b,
                "notEquals" => a != b,
                "gt" => a > b,
                "lt" => a < b,
                "gte" => a >= b,
                "lte" => a <= b,
                other => {
                    return Err(NodeError::parameter(format!(
                        "unknown number operation `{other}`"
                    )));
                }
            }
        }
        "dateTime" => {
            let tz = utc();
            let ms =
                |v: &Value| value_to_date(v, &tz).map_or(f64::NAN, |d| d.timestamp_millis() as f64);
            let (a, b) = (ms(&l), ms(right));
            match operation {
                "equals" => a == b,
                "notEquals" => a != b,
                "after" => a > b,
                "before" => a < b,
                "afterOrEquals" => a >= b,
                "beforeOrEquals" => a <= b,
                other => {
                    return Err(NodeError::parameter(format!(
                        "unknown date operation `{other}`"
                    )));
                }
            }
        }
        "boolean" => {
            let a = l.as_bool().unwrap_or(false);
            match operation {
                "true" => a,
                "false" => !a,
                "equals" => Some(a) == coerce(right, "boolean", true)?.as_bool(),
                "notEquals" => Some(a) != coerce(right, "boolean", true)?.as_bool(),
                other => {
                    return Err(NodeError::parameter(format!(
                        "unknown boolean operation `{other}`"
                    )));
                }
            }
        }
        "array" => {
            let list = l.as_array().cloned().unwrap_or_default();
            let len = list.len() as f64;
            let n = as_f64(right).unwrap_or(f64::NAN);
            let contains = || {
                list.iter().any(|v| {
                    v == right
                        || (!case_sensitive
                            && v.as_str()
                                .zip(right.as_str())
                                .is_some_and(|(a, b)| a.to_lowercase() == b.to_lowercase()))
                })
            };
            match operation {
                "contains" => contains(),
                "notContains" => !contains(),
                "lengthEquals" => len == n,
                "lengthNotEquals" => len != n,
                "lengthGt" => len > n,
                "lengthLt" => len < n,
                "lengthGte" => len >= n,
                "lengthLte" => len <= n,
                other => {
                    return Err(NodeError::parameter(format!(
                        "unknown array operation `{other}`"
                    )));
                }
            }
        }
        "object" | "any" => match operation {
            "equals" => l == *right,
            "notEquals" => l != *right,
            other => return Err(NodeError::parameter(format!("unknown operation `{other}`"))),
        },
        other => {
            return Err(NodeError::parameter(format!(
                "unknown condition type `{other}`"
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn v1_operations() {
        assert!(compare_v1("number", "smallerEqual", &json!(2), &json!(2)).unwrap());
        assert!(compare_v1("string", "regex", &json!("abc"), &json!("/^A/i")).unwrap());
        assert!(
            compare_v1(
                "dateTime",
                "before",
                &json!("2023-01-01T00:00:00Z"),
                &json!("2023-01-02")
            )
            .unwrap()
        );
        assert!(compare_v1("number", "isEmpty", &json!(null), &json!(0)).unwrap());
    }

    #[test]
    fn v2_filters() {
        let f = json!({"options": {"caseSensitive": false}, "combinator": "and", "conditions": [
            {"leftValue": "Sam", "rightValue": "s", "operator": {"type": "string", "operation": "startsWith"}},
            {"leftValue": ["a", "b"], "rightValue": 2, "operator": {"type": "array", "operation": "lengthEquals"}}
        ]});
        assert!(evaluate_v2(&f, false, false).unwrap());
        let strict = json!({"conditions": [{"leftValue": "5", "rightValue": 3, "operator": {"type": "number", "operation": "gt"}}]});
        assert!(evaluate_v2(&strict, false, false).is_err());
        assert!(evaluate_v2(&strict, false, true).unwrap());
    }
}
