//! Field access by dotted paths (`a.b[0].c`), as n8n's nodes do with dot notation enabled.

use serde_json::{Map, Value};

/// One step of a field path.
enum Key<'a> {
    Name(&'a str),
    Index(usize),
}

fn keys(path: &str) -> Vec<Key<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(open) = rest.find('[') {
            if open > 0 {
                out.push(Key::Name(&rest[..open]));
            }
            rest = &rest[open..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let Some(close) = stripped.find(']') else {
                    break;
                };
                let inner = &stripped[..close];
                match inner.parse() {
                    Ok(i) => out.push(Key::Index(i)),
                    Err(_) => out.push(Key::Name(inner.trim_matches(['"', '\'']))),
                }
                rest = &stripped[close + 1..];
            }
            if !rest.is_empty() {
                out.push(Key::Name(rest));
            }
        } else {
            out.push(Key::Name(rest));
        }
    }
    out
}

/// Reads a field; with `dot` off the path is a plain key.
pub fn get<'v>(obj: &'v Map<String, Value>, path: &str, dot: bool) -> Option<&'v Value> {
    // Like lodash, a key that exists literally wins over the dotted reading.
    if !dot || obj.contains_key(path) {
        return obj.get(path);
    }
    let keys = keys(path);
    let (first, rest) = keys.split_first()?;
    let mut current = match first {
        Key::Name(n) => obj.get(*n)?,
        Key::Index(i) => obj.get(&i.to_string())?,
    };
    for key in rest {
        current = match (key, current) {
            (Key::Name(n), Value::Object(o)) => o.get(*n)?,
            (Key::Index(i), Value::Array(a)) => a.get(*i)?,
            (Key::Index(i), Value::Object(o)) => o.get(&i.to_string())?,
            (Key::Name(n), Value::Array(a)) => a.get(n.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Writes a field, creating objects and arrays on the way (lodash `set`).
pub fn set(obj: &mut Map<String, Value>, path: &str, value: Value, dot: bool) {
    if !dot || obj.contains_key(path) {
        obj.insert(path.to_string(), value);
        return;
    }
    let keys = keys(path);
    let mut root = Value::Object(std::mem::take(obj));
    set_in(&mut root, &keys, value);
    if let Value::Object(m) = root {
        *obj = m;
    }
}

fn set_in(target: &mut Value, keys: &[Key<'_>], value: Value) {
    let Some((key, rest)) = keys.split_first() else {
        *target = value;
        return;
    };
    let fresh = || match rest.first() {
        Some(Key::Index(_)) => Value::Array(Vec::new()),
        _ => Value::Object(Map::new()),
    };
    match (key, &mut *target) {
        (Key::Index(i), Value::Array(a)) => {
            if a.len() <= *i {
                a.resize(*i + 1, Value::Null);
            }
            if rest.is_empty() {
                a[*i] = value;
            } else {
                if !(a[*i].is_object() || a[*i].is_array()) {
                    a[*i] = fresh();
                }
                set_in(&mut a[*i], rest, value);
            }
        }
        (key, Value::Object(o)) => {
            let name = match key {
                Key::Name(n) => n.to_string(),
                Key::Index(i) => i.to_string(),
            };
            if rest.is_empty() {
                o.insert(name, value);
            } else {
                let slot = o.entry(name).or_insert_with(fresh);
                if !(slot.is_object() || slot.is_array()) {
                    *slot = fresh();
                }
                set_in(slot, rest, value);
            }
        }
        (_, other) => {
            *other = Value::Object(Map::new());
            set_in(other, keys, value);
        }
    }
}

/// Removes a field.
pub fn remove(obj: &mut Map<String, Value>, path: &str, dot: bool) {
    if !dot || !path.contains(['.', '[']) || obj.contains_key(path) {
        obj.remove(path);
        return;
    }
    let keys = keys(path);
    let Some((last, parents)) = keys.split_last() else {
        return;
    };
    let mut current: Option<&mut Value> = None;
    let mut root_map = Some(&mut *obj);
    for key in parents {
        let next = match (key, current.take(), root_map.take()) {
            (Key::Name(n), None, Some(m)) => m.get_mut(*n),
            (Key::Name(n), Some(Value::Object(o)), _) => o.get_mut(*n),
            (Key::Index(i), Some(Value::Array(a)), _) => a.get_mut(*i),
            _ => None,
        };
        match next {
            Some(v) => current = Some(v),
            None => return,
        }
    }
    match (last, current) {
        (Key::Name(n), Some(Value::Object(o))) => {
            o.remove(*n);
        }
        (Key::Index(i), Some(Value::Array(a))) if *i < a.len() => {
            a.remove(*i);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_paths_read_write_remove() {
        let mut m = Map::new();
        set(&mut m, "a.b[1].c", json!(5), true);
        assert_eq!(
            Value::Object(m.clone()),
            json!({"a": {"b": [null, {"c": 5}]}})
        );
        assert_eq!(get(&m, "a.b[1].c", true), Some(&json!(5)));
        set(&mut m, "x.y", json!(1), false);
        assert_eq!(m["x.y"], json!(1));
        remove(&mut m, "a.b", true);
        assert_eq!(m["a"], json!({}));
    }
}
