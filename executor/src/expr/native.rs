//! Native evaluation of small expressions: `$json` paths, literals, object and array literals,
//! arithmetic and comparisons, with JavaScript's results. Anything outside that subset (another
//! identifier, a call, a type mix whose JavaScript conversion is not trivial) is left to QuickJS:
//! parsing returns `None`, or evaluation returns [`Native::Fallback`].
//!
//! Most n8n expressions are of this kind (`{{ $json.a + $json.b }}`, `{{ { "ok": $json.x } }}`),
//! and evaluating them here spares an execution the JavaScript context altogether.

use serde_json::{Map, Number, Value};

use super::template::{PathStep, resolve_path};

/// A parsed expression of the native subset.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal (number, string, boolean, `null`).
    Literal(Value),
    /// A plain `$json` path.
    Path(Vec<PathStep>),
    /// `{ key: value, … }`.
    Object(Vec<(String, Expr)>),
    /// `[value, …]`.
    Array(Vec<Expr>),
    /// `-x` or `!x`.
    Unary(UnaryOp, Box<Expr>),
    /// `a op b`.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `!`
    Not,
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `===` (and `==` between values of one type)
    Eq,
    /// `!==` (and `!=` between values of one type)
    Ne,
    /// `==`
    LooseEq,
    /// `!=`
    LooseNe,
}

/// What a native evaluation gives.
#[derive(Debug, Clone, PartialEq)]
pub enum Native {
    /// The value (`None` is `undefined`).
    Value(Option<Value>),
    /// Only JavaScript can evaluate this for these inputs.
    Fallback,
}

/// Parses `code` when it lies wholly inside the native subset.
pub fn parse(code: &str) -> Option<Expr> {
    let mut parser = Parser {
        src: code.as_bytes(),
        at: 0,
    };
    let expr = parser.expression(0)?;
    parser.skip_space();
    (parser.at == parser.src.len()).then_some(expr)
}

/// Evaluates `expr` against the current item's JSON.
pub fn evaluate(expr: &Expr, json: &Map<String, Value>) -> Native {
    match eval(expr, json) {
        Some(value) => Native::Value(value.map(finish)),
        None => Native::Fallback,
    }
}

/// An intermediate value: JSON, or a number computed here (kept as `f64` until the end).
enum Val {
    Json(Value),
    Num(f64),
}

/// What JavaScript's `JSON.stringify` of a computed number parses back to: non-finite numbers
/// become `null`; integers below 1e21 are printed as digits, so they read back as integers when
/// they fit.
fn number(n: f64) -> Value {
    if !n.is_finite() {
        Value::Null
    } else if n.fract() == 0.0 && n.abs() < 9.2e18 {
        Value::from(n as i64)
    } else if n.fract() == 0.0 && n > 0.0 && n < 1.8e19 {
        Value::from(n as u64)
    } else {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

fn finish(value: Val) -> Value {
    match value {
        Val::Json(v) => v,
        Val::Num(n) => number(n),
    }
}

impl Val {
    fn num(&self) -> Option<f64> {
        match self {
            Val::Num(n) => Some(*n),
            Val::Json(Value::Number(n)) => n.as_f64(),
            _ => None,
        }
    }

    fn str(&self) -> Option<&str> {
        match self {
            Val::Json(Value::String(s)) => Some(s),
            _ => None,
        }
    }
}

/// `None`: fall back to JavaScript. `Some(None)`: `undefined`.
fn eval(expr: &Expr, json: &Map<String, Value>) -> Option<Option<Val>> {
    Some(match expr {
        Expr::Literal(v) => Some(Val::Json(v.clone())),
        Expr::Path(steps) => resolve_path(json, steps).ok()?.map(Val::Json),
        Expr::Object(fields) => {
            let mut out = Map::with_capacity(fields.len());
            for (key, value) in fields {
                // `JSON.stringify` leaves out keys whose value is `undefined`.
                if let Some(value) = eval(value, json)? {
                    out.insert(key.clone(), finish(value));
                }
            }
            Some(Val::Json(Value::Object(out)))
        }
        Expr::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(eval(item, json)?.map_or(Value::Null, finish));
            }
            Some(Val::Json(Value::Array(out)))
        }
        Expr::Unary(op, operand) => {
            let value = eval(operand, json)??;
            Some(match op {
                UnaryOp::Neg => Val::Num(-value.num()?),
                UnaryOp::Not => match value {
                    Val::Json(Value::Bool(b)) => Val::Json(Value::Bool(!b)),
                    _ => return None,
                },
            })
        }
        Expr::Binary(op, left, right) => Some(binary(*op, eval(left, json)?, eval(right, json)?)?),
    })
}

fn binary(op: BinaryOp, left: Option<Val>, right: Option<Val>) -> Option<Val> {
    use BinaryOp::*;
    match op {
        Eq | Ne | LooseEq | LooseNe => {
            let same = equal(op, left.as_ref(), right.as_ref())?;
            let negate = matches!(op, Ne | LooseNe);
            return Some(Val::Json(Value::Bool(same != negate)));
        }
        _ => {}
    }
    let (left, right) = (left?, right?);
    if op == Add
        && let (Some(a), Some(b)) = (left.str(), right.str())
    {
        return Some(Val::Json(Value::String(format!("{a}{b}"))));
    }
    let (a, b) = (left.num()?, right.num()?);
    Some(match op {
        Add => Val::Num(a + b),
        Sub => Val::Num(a - b),
        Mul => Val::Num(a * b),
        Div => Val::Num(a / b),
        Rem => Val::Num(a % b),
        Lt => Val::Json(Value::Bool(a < b)),
        Le => Val::Json(Value::Bool(a <= b)),
        Gt => Val::Json(Value::Bool(a > b)),
        Ge => Val::Json(Value::Bool(a >= b)),
        Eq | Ne | LooseEq | LooseNe => unreachable!("handled above"),
    })
}

/// Equality of primitives; `None` when JavaScript's answer needs more than comparing them
/// (objects compare by identity, `==` converts between types).
fn equal(op: BinaryOp, left: Option<&Val>, right: Option<&Val>) -> Option<bool> {
    let loose = matches!(op, BinaryOp::LooseEq | BinaryOp::LooseNe);
    let nullish = |v: Option<&Val>| matches!(v, None | Some(Val::Json(Value::Null)));
    if loose && (nullish(left) || nullish(right)) {
        return Some(nullish(left) && nullish(right));
    }
    let (Some(left), Some(right)) = (left, right) else {
        // `undefined === x` holds for `undefined` only.
        return Some(left.is_none() && right.is_none());
    };
    if let (Some(a), Some(b)) = (left.num(), right.num()) {
        return Some(a == b);
    }
    match (left, right) {
        (Val::Json(Value::String(a)), Val::Json(Value::String(b))) => Some(a == b),
        (Val::Json(Value::Bool(a)), Val::Json(Value::Bool(b))) => Some(a == b),
        (Val::Json(Value::Null), Val::Json(Value::Null)) => Some(true),
        (Val::Json(Value::Array(_) | Value::Object(_)), _)
        | (_, Val::Json(Value::Array(_) | Value::Object(_))) => None,
        // Primitives of different types: `===` says no, `==` converts.
        _ if loose => None,
        _ => Some(false),
    }
}

struct Parser<'a> {
    src: &'a [u8],
    at: usize,
}

/// Binding power of each binary operator (higher binds tighter) and its length in the source.
fn binary_op(rest: &[u8]) -> Option<(BinaryOp, u8, usize)> {
    use BinaryOp::*;
    let starts = |p: &str| rest.starts_with(p.as_bytes());
    Some(if starts("===") {
        (Eq, 1, 3)
    } else if starts("!==") {
        (Ne, 1, 3)
    } else if starts("==") {
        (LooseEq, 1, 2)
    } else if starts("!=") {
        (LooseNe, 1, 2)
    } else if starts("<=") {
        (Le, 2, 2)
    } else if starts(">=") {
        (Ge, 2, 2)
    } else if starts("<<") || starts(">>") || starts("**") || starts("&&") || starts("||") {
        return None;
    } else if starts("<") {
        (Lt, 2, 1)
    } else if starts(">") {
        (Gt, 2, 1)
    } else if starts("+") {
        (Add, 3, 1)
    } else if starts("-") {
        (Sub, 3, 1)
    } else if starts("*") {
        (Mul, 4, 1)
    } else if starts("/") {
        (Div, 4, 1)
    } else if starts("%") {
        (Rem, 4, 1)
    } else {
        return None;
    })
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.at < self.src.len() && self.src[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.src.get(self.at).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// Precedence climbing over left-associative binary operators.
    fn expression(&mut self, min_power: u8) -> Option<Expr> {
        let mut left = self.unary()?;
        loop {
            self.skip_space();
            let Some((op, power, len)) = binary_op(&self.src[self.at..]) else {
                break;
            };
            if power <= min_power {
                break;
            }
            self.at += len;
            let right = self.expression(power)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
        // A ternary, assignment, member access on a computed value… is JavaScript's.
        self.skip_space();
        match self.src.get(self.at) {
            None | Some(b')' | b',' | b'}' | b']' | b':') => Some(left),
            Some(_) if min_power > 0 => Some(left),
            Some(_) => None,
        }
    }

    fn unary(&mut self) -> Option<Expr> {
        match self.peek()? {
            b'-' if !self.src[self.at..].starts_with(b"--") => {
                self.at += 1;
                Some(Expr::Unary(UnaryOp::Neg, Box::new(self.unary()?)))
            }
            b'!' => {
                self.at += 1;
                Some(Expr::Unary(UnaryOp::Not, Box::new(self.unary()?)))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Option<Expr> {
        let expr = match self.peek()? {
            b'(' => {
                self.at += 1;
                let inner = self.expression(0)?;
                if !self.eat(b')') {
                    return None;
                }
                inner
            }
            b'{' => self.object()?,
            b'[' => self.array()?,
            b'"' | b'\'' => Expr::Literal(Value::String(self.string()?)),
            b'0'..=b'9' | b'.' => Expr::Literal(number(self.number()?)),
            b'$' => Expr::Path(self.path()?),
            _ => {
                let word = self.word();
                Expr::Literal(match word {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    _ => return None,
                })
            }
        };
        // A call, a member access or a template on the result is JavaScript's.
        match self.peek() {
            Some(b'(' | b'.' | b'[' | b'`' | b'?') => None,
            _ => Some(expr),
        }
    }

    fn word(&mut self) -> &str {
        let start = self.at;
        while self.at < self.src.len()
            && (self.src[self.at].is_ascii_alphanumeric()
                || matches!(self.src[self.at], b'_' | b'$'))
        {
            self.at += 1;
        }
        std::str::from_utf8(&self.src[start..self.at]).unwrap_or("")
    }

    fn number(&mut self) -> Option<f64> {
        let start = self.at;
        // Only plain decimals: `0x…`, `1_000`, `08` and `1n` are JavaScript's.
        while self.at < self.src.len()
            && (self.src[self.at].is_ascii_digit() || self.src[self.at] == b'.')
        {
            self.at += 1;
        }
        if matches!(self.src.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.src.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            while self.at < self.src.len() && self.src[self.at].is_ascii_digit() {
                self.at += 1;
            }
        }
        if self.at < self.src.len()
            && (self.src[self.at].is_ascii_alphanumeric()
                || matches!(self.src[self.at], b'_' | b'$'))
        {
            return None;
        }
        let text = std::str::from_utf8(&self.src[start..self.at]).ok()?;
        if text.len() > 1 && text.starts_with('0') && !text.starts_with("0.") {
            return None;
        }
        text.parse().ok()
    }

    /// A quoted string with the simple escapes; anything fancier is JavaScript's.
    fn string(&mut self) -> Option<String> {
        let quote = self.src[self.at];
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let c = *self.src.get(self.at)?;
            self.at += 1;
            match c {
                _ if c == quote => break,
                b'\n' | b'\r' => return None,
                b'\\' => {
                    let escaped = *self.src.get(self.at)?;
                    self.at += 1;
                    out.push(match escaped {
                        b'\\' | b'"' | b'\'' | b'/' => escaped,
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'r' => b'\r',
                        _ => return None,
                    });
                }
                _ => out.push(c),
            }
        }
        String::from_utf8(out).ok()
    }

    /// `$json` followed by `.key`, `[n]` or `["key"]` steps.
    fn path(&mut self) -> Option<Vec<PathStep>> {
        if self.word() != "$json" {
            return None;
        }
        let mut steps = Vec::new();
        loop {
            match self.src.get(self.at) {
                Some(b'.') => {
                    self.at += 1;
                    let key = self.word();
                    if key.is_empty() || key.as_bytes()[0].is_ascii_digit() {
                        return None;
                    }
                    steps.push(PathStep::Key(key.to_string()));
                }
                Some(b'[') => {
                    self.at += 1;
                    let step = match self.peek()? {
                        b'"' | b'\'' => PathStep::Key(self.string()?),
                        b'0'..=b'9' => {
                            let n = self.number()?;
                            if n.fract() != 0.0 || n < 0.0 || n > u32::MAX as f64 {
                                return None;
                            }
                            PathStep::Index(n as usize)
                        }
                        _ => return None,
                    };
                    if !self.eat(b']') {
                        return None;
                    }
                    steps.push(step);
                }
                _ => break,
            }
        }
        Some(steps)
    }

    fn object(&mut self) -> Option<Expr> {
        self.at += 1;
        let mut fields = Vec::new();
        while !self.eat(b'}') {
            let key = match self.peek()? {
                b'"' | b'\'' => self.string()?,
                c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => self.word().to_string(),
                _ => return None,
            };
            // Integer-like keys come first in JavaScript's key order, `__proto__` sets the
            // prototype and a repeated key keeps its first place: leave those to JavaScript.
            if key.is_empty()
                || key.bytes().all(|b| b.is_ascii_digit())
                || key == "__proto__"
                || fields.iter().any(|(k, _)| *k == key)
            {
                return None;
            }
            // Shorthand (`{ a }`), computed keys and methods are JavaScript's.
            if !self.eat(b':') {
                return None;
            }
            let value = self.expression(0)?;
            fields.push((key, value));
            if !self.eat(b',') {
                if !self.eat(b'}') {
                    return None;
                }
                break;
            }
        }
        Some(Expr::Object(fields))
    }

    fn array(&mut self) -> Option<Expr> {
        self.at += 1;
        let mut items = Vec::new();
        while !self.eat(b']') {
            // Holes (`[1,,2]`) and spreads are JavaScript's.
            if matches!(self.peek()?, b',' | b'.') {
                return None;
            }
            items.push(self.expression(0)?);
            if !self.eat(b',') {
                if !self.eat(b']') {
                    return None;
                }
                break;
            }
        }
        Some(Expr::Array(items))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::sandbox::{HostBridge, Sandbox, SandboxLimits};

    /// Serves the one item the expressions read.
    struct OneItem(Value);

    impl HostBridge for OneItem {
        fn call(
            &self,
            op: &str,
            _: Option<&str>,
            _: Option<f64>,
            _: Option<f64>,
        ) -> Result<String, String> {
            match op {
                "item" => Ok(json!({ "json": self.0 }).to_string()),
                other => Err(format!("unknown data request `{other}`")),
            }
        }
    }

    fn item() -> Value {
        json!({
            "body": {"a": 7, "b": 5, "f": 1.5, "s": "x", "t": "y", "ok": true, "nil": null,
                     "list": [1, 2, 3], "obj": {"k": "v"}, "big": 9007199254740993u64},
            "n": -4, "zero": 0
        })
    }

    /// QuickJS's answer, exactly as the engine would get it without the native path.
    fn javascript(code: &str, json: &Value) -> Option<Value> {
        let sandbox = Sandbox::new(SandboxLimits::default());
        let mut session = sandbox.session().expect("session");
        session
            .setup(&json!({"workflow": {}, "execution": {"customData": {}}, "vars": {}, "zoneOffset": 0}))
            .expect("setup");
        session.set_host(Some(Arc::new(OneItem(json.clone()))));
        let id = session.compile_expression(code).expect("compiles");
        session.eval_expression(id, 0, 0).expect("evaluates")
    }

    #[test]
    fn native_results_equal_javascript_results() {
        let json = item();
        let map = json.as_object().unwrap();
        let natively = [
            "$json.body.a + $json.body.b",
            "$json.body.a - $json.body.b * 2",
            "($json.body.a - $json.body.b) * 2",
            "$json.body.a / $json.body.b",
            "$json.body.a % $json.body.b",
            "-$json.n % 3",
            "$json.body.a / $json.zero",
            "-$json.body.a / $json.zero",
            "$json.zero / $json.zero",
            "$json.body.f * 2",
            "0.1 + 0.2",
            "1e21 + 1",
            "2 - 1.5",
            "$json.body.s + $json.body.t",
            "'a\\'b' + \"c\\\"d\\n\"",
            "$json.body.a > 5",
            "$json.body.a <= $json.body.b",
            "$json.body.a === 7",
            "$json.body.s === 'x'",
            "$json.body.s !== 'x'",
            "$json.body.a === '7'",
            "$json.body.nil == $json.body.missing",
            "$json.body.nil === null",
            "$json.body.missing == null",
            "$json.body.ok === true",
            "!$json.body.ok",
            "{ \"branch\": \"big\", \"total\": $json.body.a + $json.body.b }",
            "{ a: $json.body.missing, b: [$json.body.missing, 1 / 0], c: { d: $json.body.list } }",
            "[$json.body.a, 'x', null, true, -1.25,]",
            "{ 'x y': 1, z: $json.body.obj, }",
            "$json.body.big + 0",
            "$json.body.list",
            "$json.body.missing",
        ];
        for code in natively {
            let parsed = parse(code);
            let js = javascript(code, &json);
            match parsed.as_ref().map(|expr| evaluate(expr, map)) {
                Some(Native::Value(value)) => assert_eq!(value, js, "{code}"),
                other => panic!("{code} was not evaluated natively: {other:?}"),
            }
        }
    }

    #[test]
    fn anything_outside_the_subset_is_left_to_javascript() {
        for code in [
            "$json.a.toUpperCase()",
            "$json.a ? 1 : 2",
            "$json.a && $json.b",
            "$json.a || 'x'",
            "$input.first().json.a",
            "$json.list[0].x.y()",
            "2 ** 3",
            "1 << 2",
            "0x10",
            "08",
            "1n",
            "{ a }",
            "{ [k]: 1 }",
            "{ 1: 'a', b: 2 }",
            "{ a: 1, a: 2 }",
            "{ __proto__: null }",
            "[1,,2]",
            "[...$json.list]",
            "'\\u0041'",
            "`x${1}`",
            "x = 1",
            "(() => 1)()",
            "$json.a instanceof Object",
            "'a' in $json",
            "$json .a",
            "new Date()",
            "undefined",
            "1; 2",
            "/a/.test('a')",
        ] {
            assert_eq!(parse(code), None, "{code}");
        }
        let json = item();
        let map = json.as_object().unwrap();
        for code in [
            "$json.body.s + 1",
            "$json.body.s < $json.body.t",
            "-$json.body.s",
            "!$json.body.a",
            "$json.body.obj === $json.body.obj",
            "$json.body.a == '7'",
            "$json.body.nil + 1",
            "$json.body.missing.deeper",
        ] {
            let expr = parse(code).unwrap_or_else(|| panic!("{code} parses"));
            assert_eq!(evaluate(&expr, map), Native::Fallback, "{code}");
        }
    }
}
