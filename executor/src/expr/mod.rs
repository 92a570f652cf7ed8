//! Expressions: `=` templates with `{{ js }}` blocks, parsed once per execution, with a native
//! fast path for plain `$json` paths and small expressions over them (`native`), and QuickJS for
//! everything else.

mod native;
mod template;

pub use template::{Block, Segment, Template, resolve_path, to_template_string};

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::item::JsonObject;
use crate::sandbox::{HostBridge, JsError, JsSession, Sandbox};

/// Per-execution expression state: the template cache and the lazily opened JS session.
pub struct Expressions {
    sandbox: Arc<Sandbox>,
    globals: Value,
    session: Option<JsSession>,
    templates: HashMap<String, Arc<Template>>,
}

/// Builds the data bridge on first use within a node run.
pub type HostFactory<'a> = dyn FnMut() -> Arc<dyn HostBridge> + 'a;

impl Expressions {
    /// New state; `globals` becomes `$workflow`, `$execution`, `$vars` and the time zone offset.
    pub fn new(sandbox: Arc<Sandbox>, globals: Value) -> Self {
        Self {
            sandbox,
            globals,
            session: None,
            templates: HashMap::new(),
        }
    }

    /// The parsed template of an expression source (text after `=`), cached.
    pub fn template(&mut self, source: &str) -> Arc<Template> {
        if let Some(t) = self.templates.get(source) {
            return t.clone();
        }
        let t = Arc::new(Template::parse(source));
        self.templates.insert(source.to_string(), t.clone());
        t
    }

    /// The JS session of this execution, opened on first use.
    pub fn session(&mut self) -> Result<&mut JsSession, JsError> {
        if self.session.is_none() {
            let mut session = self.sandbox.session()?;
            session.setup(&self.globals)?;
            self.session = Some(session);
        }
        Ok(self.session.as_mut().expect("session just opened"))
    }

    /// Evaluates an expression source for one item. `json` is the current item's JSON (for the
    /// fast path). A single block keeps its type; mixed text gives a string. `None` is `undefined`.
    pub fn evaluate(
        &mut self,
        source: &str,
        json: Option<&JsonObject>,
        host: &mut HostFactory<'_>,
        item_index: usize,
        run_index: usize,
    ) -> Result<Option<Value>, JsError> {
        let template = self.template(source);
        if let Some(block) = template.single_block() {
            return self.block(block, json, host, item_index, run_index);
        }
        let mut out = String::new();
        for segment in &template.segments {
            match segment {
                Segment::Text(t) => out.push_str(t),
                Segment::Block(b) => {
                    let v = self.block(b, json, host, item_index, run_index)?;
                    out.push_str(&to_template_string(v.as_ref()));
                }
            }
        }
        Ok(Some(Value::String(out)))
    }

    fn block(
        &mut self,
        block: &Block,
        json: Option<&JsonObject>,
        host: &mut HostFactory<'_>,
        item_index: usize,
        run_index: usize,
    ) -> Result<Option<Value>, JsError> {
        if let (Some(path), Some(json)) = (&block.path, json)
            && let Ok(value) = resolve_path(json, path)
        {
            return Ok(value);
        }
        if let (Some(expr), Some(json)) = (&block.native, json)
            && let native::Native::Value(value) = native::evaluate(expr, json)
        {
            return Ok(value);
        }
        if block.code.is_empty() {
            return Ok(None);
        }
        let bridge = host();
        let session = self.session()?;
        let id = session.compile_expression(&block.code)?;
        session.set_host(Some(bridge));
        session.eval_expression(id, item_index, run_index)
    }
}
