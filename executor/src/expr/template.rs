//! Parsing of `=` templates into text and `{{ js }}` blocks, and the native fast path for blocks
//! that are plain `$json` paths.

use serde_json::Value;

/// One step of a plain path.
#[derive(Debug, Clone, PartialEq)]
pub enum PathStep {
    /// `.key` or `["key"]`.
    Key(String),
    /// `[3]`.
    Index(usize),
}

/// A `{{ … }}` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The JavaScript source inside the braces, trimmed.
    pub code: String,
    /// Set when the block is a plain `$json` path that needs no JavaScript.
    pub path: Option<Vec<PathStep>>,
    /// Set when the block lies in the subset evaluated natively (see [`super::native`]).
    pub native: Option<super::native::Expr>,
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// Literal text.
    Text(String),
    /// A JavaScript block.
    Block(Block),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// Pieces in order.
    pub segments: Vec<Segment>,
}

impl Template {
    /// Parses the text after the leading `=`.
    pub fn parse(source: &str) -> Self {
        let mut segments = Vec::new();
        let mut rest = source;
        while let Some(start) = rest.find("{{") {
            let Some(len) = block_end(&rest[start + 2..]) else {
                break;
            };
            if start > 0 {
                segments.push(Segment::Text(rest[..start].to_string()));
            }
            let code = rest[start + 2..start + 2 + len]
                .trim()
                .trim_end_matches(';')
                .trim()
                .to_string();
            let path = parse_path(&code);
            let native = if path.is_none() {
                super::native::parse(&code)
            } else {
                None
            };
            segments.push(Segment::Block(Block { code, path, native }));
            rest = &rest[start + 2 + len + 2..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Text(rest.to_string()));
        }
        Self { segments }
    }

    /// The block when the template is exactly one block (its value keeps its type).
    pub fn single_block(&self) -> Option<&Block> {
        match self.segments.as_slice() {
            [Segment::Block(b)] => Some(b),
            _ => None,
        }
    }
}

/// Length of the block body up to the closing `}}`, skipping string literals and nested braces.
fn block_end(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == q {
                quote = None;
            }
        } else {
            match c {
                b'\'' | b'"' | b'`' => quote = Some(c),
                b'{' => depth += 1,
                b'}' if depth > 0 => depth -= 1,
                b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i),
                _ => {}
            }
        }
        i += 1;
    }
    None
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '$'
}

/// Parses `$json.a.b`, `$json["a"]`, `$json.a[0]`; anything else is `None`.
fn parse_path(code: &str) -> Option<Vec<PathStep>> {
    let rest = code.strip_prefix("$json")?;
    let chars: Vec<char> = rest.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                let start = i + 1;
                let mut end = start;
                if end >= chars.len() || !is_ident_start(chars[end]) {
                    return None;
                }
                while end < chars.len()
                    && (is_ident_start(chars[end]) || chars[end].is_ascii_digit())
                {
                    end += 1;
                }
                steps.push(PathStep::Key(chars[start..end].iter().collect()));
                i = end;
            }
            '[' => {
                let close = chars[i..].iter().position(|c| *c == ']')? + i;
                let inner: String = chars[i + 1..close].iter().collect();
                let inner = inner.trim();
                if let Ok(n) = inner.parse::<usize>() {
                    steps.push(PathStep::Index(n));
                } else {
                    let q = inner.chars().next()?;
                    if !(q == '"' || q == '\'') || !inner.ends_with(q) || inner.len() < 2 {
                        return None;
                    }
                    let key = &inner[1..inner.len() - 1];
                    if key.contains(['\\', '"', '\'']) {
                        return None;
                    }
                    steps.push(PathStep::Key(key.to_string()));
                }
                i = close + 1;
            }
            _ => return None,
        }
    }
    Some(steps)
}

/// Follows a plain path through a JSON object. `Ok(None)` is JavaScript's `undefined`; `Err`
/// means the path reads a property of `undefined` or `null`, which only JavaScript can report.
pub fn resolve_path(
    root: &serde_json::Map<String, Value>,
    steps: &[PathStep],
) -> Result<Option<Value>, ()> {
    let mut current: Option<&Value> = None;
    for (n, step) in steps.iter().enumerate() {
        let next = match (current, step) {
            (None, PathStep::Key(k)) if n == 0 => root.get(k),
            (None, PathStep::Index(i)) if n == 0 => root.get(&i.to_string()),
            (None | Some(Value::Null), _) => return Err(()),
            (Some(Value::Object(o)), PathStep::Key(k)) => o.get(k),
            (Some(Value::Object(o)), PathStep::Index(i)) => o.get(&i.to_string()),
            (Some(Value::Array(a)), PathStep::Index(i)) => a.get(*i),
            (Some(Value::Array(a)), PathStep::Key(k)) if k == "length" => {
                return Ok(Some(Value::from(a.len())));
            }
            (Some(Value::String(s)), PathStep::Key(k)) if k == "length" => {
                return Ok(Some(Value::from(s.encode_utf16().count())));
            }
            _ => None,
        };
        match next {
            Some(v) => current = Some(v),
            None if n + 1 == steps.len() => return Ok(None),
            None => return Err(()),
        }
    }
    Ok(Some(
        current.map_or_else(|| Value::Object(root.clone()), Value::clone),
    ))
}

/// Formats a number the way JavaScript's `String(n)` does for common values.
pub fn js_number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{}", f as i128)
    } else {
        format!("{f}")
    }
}

/// Renders a block value inside mixed text.
pub fn to_template_string(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => js_number(n),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::Null => String::new(),
                Value::Object(_) => "[object Object]".to_string(),
                other => to_template_string(Some(other)),
            })
            .collect::<Vec<_>>()
            .join(","),
        Some(obj @ Value::Object(_)) => {
            let text = obj
                .to_string()
                .replace(",\"", ", \"")
                .replace("\":", "\": ");
            format!("[Object: {text}]")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn splits_text_and_blocks() {
        let t = Template::parse("Hi {{ $json.name }}! {{ 1 + '}}' }}");
        assert_eq!(t.segments.len(), 4);
        assert!(matches!(&t.segments[3], Segment::Block(b) if b.code == "1 + '}}'"));
        assert!(Template::parse("{{ $json.a }}").single_block().is_some());
    }

    #[test]
    fn recognises_plain_paths() {
        let t = Template::parse("{{ $json.body[\"a b\"][1].c }}");
        let b = t.single_block().unwrap();
        assert_eq!(
            b.path.as_deref(),
            Some(
                &[
                    PathStep::Key("body".into()),
                    PathStep::Key("a b".into()),
                    PathStep::Index(1),
                    PathStep::Key("c".into())
                ][..]
            )
        );
        assert!(
            Template::parse("{{ $json.a + 1 }}")
                .single_block()
                .unwrap()
                .path
                .is_none()
        );
        assert!(
            Template::parse("{{ $json.a.toUpperCase() }}")
                .single_block()
                .unwrap()
                .path
                .is_none()
        );
    }

    #[test]
    fn resolves_paths_like_javascript() {
        let root = json!({"a": {"b": [1, 2]}, "s": "héllo"});
        let root = root.as_object().unwrap();
        let path = |c: &str| parse_path(c).unwrap();
        assert_eq!(
            resolve_path(root, &path("$json.a.b[1]")),
            Ok(Some(json!(2)))
        );
        assert_eq!(resolve_path(root, &path("$json.a.x")), Ok(None));
        assert_eq!(resolve_path(root, &path("$json.a.x.y")), Err(()));
        assert_eq!(
            resolve_path(root, &path("$json.s.length")),
            Ok(Some(json!(5)))
        );
        assert_eq!(to_template_string(Some(&json!(2.0))), "2");
        assert_eq!(
            to_template_string(Some(&json!({"a":1,"b":2}))),
            "[Object: {\"a\": 1, \"b\": 2}]"
        );
    }
}
