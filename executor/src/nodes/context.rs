//! What a node implementation sees while it runs: its definition, inputs, parameters (with
//! expressions evaluated per item), persistent node state and the JavaScript sandbox.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use weft_domain::definition::{Node, OnError};

use crate::engine::scope::NodeScope;
use crate::error::{NodeError, NodeErrorKind};
use crate::expr::{Expressions, to_template_string};
use crate::graph::{CompiledWorkflow, NodeIndex};
use crate::item::{Item, Items};
use crate::options::RunOptions;
use crate::run_data::{RunData, SourceRef};
use crate::sandbox::{HostBridge, JsError, JsSession};

/// The run-time environment of one node run.
pub struct NodeContext<'a> {
    /// The node being run.
    pub node: &'a Node,
    /// This node's run index.
    pub run_index: usize,
    inputs: &'a [Option<Items>],
    main_input: usize,
    pub(crate) index: NodeIndex,
    pub(crate) workflow: &'a Arc<CompiledWorkflow>,
    pub(crate) run_data: &'a RunData,
    pub(crate) sources: &'a [Option<SourceRef>],
    pub(crate) node_states: &'a mut Vec<Arc<Value>>,
    pub(crate) options: &'a RunOptions,
    expressions: &'a mut Expressions,
    host: Option<Arc<dyn HostBridge>>,
    wait: Option<Duration>,
}

fn expression_error(node: &str, parameter: &str, source: &str, e: JsError) -> NodeError {
    let kind = match e {
        JsError::Timeout(_) => NodeErrorKind::Timeout,
        JsError::OutOfMemory(_) => NodeErrorKind::OutOfMemory,
        _ => NodeErrorKind::Expression,
    };
    NodeError::new(kind, format!("{node}: parameter `{parameter}`: {e}"))
        .with_description(format!("expression: ={source}"))
}

/// Reads a dotted parameter path (`options.fromFormat`) from a parameters object.
pub fn raw_param<'v>(parameters: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(parameters, |v, key| v.get(key))
}

impl<'a> NodeContext<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        node: &'a Node,
        index: NodeIndex,
        run_index: usize,
        inputs: &'a [Option<Items>],
        main_input: usize,
        workflow: &'a Arc<CompiledWorkflow>,
        run_data: &'a RunData,
        sources: &'a [Option<SourceRef>],
        node_states: &'a mut Vec<Arc<Value>>,
        options: &'a RunOptions,
        expressions: &'a mut Expressions,
    ) -> Self {
        Self {
            node,
            run_index,
            inputs,
            main_input,
            index,
            workflow,
            run_data,
            sources,
            node_states,
            options,
            expressions,
            host: None,
            wait: None,
        }
    }

    /// The items the node processes: input 0 (or, under v1 order, the first input with data).
    pub fn items(&self) -> &'a [Item] {
        self.input(self.main_input)
    }

    /// The items of one input (empty when it has no data).
    pub fn input(&self, index: usize) -> &'a [Item] {
        self.inputs
            .get(index)
            .and_then(|i| i.as_deref())
            .map_or(&[], Vec::as_slice)
    }

    /// Whether an input received data at all (even an empty list).
    pub fn has_input(&self, index: usize) -> bool {
        self.inputs.get(index).is_some_and(Option::is_some)
    }

    /// Number of inputs the node was given.
    pub fn input_count(&self) -> usize {
        self.inputs.len()
    }

    /// Whether failures should become items instead of stopping the workflow.
    pub fn continue_on_fail(&self) -> bool {
        self.node.on_error != OnError::StopWorkflow
    }

    /// This node's persistent state across its runs in this execution (`$node[…].context`).
    pub fn state(&mut self) -> &mut Value {
        Arc::make_mut(&mut self.node_states[self.index])
    }

    /// Asks the engine to pause the run for `duration` after this node (Wait node).
    pub fn request_wait(&mut self, duration: Duration) {
        self.wait = Some(duration);
    }

    /// The pause requested by the node, if any.
    pub(crate) fn requested_wait(&self) -> Option<Duration> {
        self.wait
    }

    /// The raw (unevaluated) parameter at a dotted path.
    pub fn raw(&self, path: &str) -> Option<&'a Value> {
        raw_param(&self.node.parameters, path)
    }

    fn parts(&self) -> ScopeParts<'_> {
        ScopeParts {
            workflow: self.workflow,
            run_data: self.run_data,
            sources: self.sources,
            node_states: self.node_states,
            options: self.options,
            index: self.index,
            inputs: self.inputs,
            main_input: self.main_input,
        }
    }

    /// Evaluates a value for one item: expression strings are evaluated, objects and arrays
    /// recursively, other values are returned as they are.
    pub fn evaluate(
        &mut self,
        value: &Value,
        item: usize,
        parameter: &str,
    ) -> Result<Value, NodeError> {
        match value {
            Value::String(s) if s.starts_with('=') => Ok(self
                .evaluate_expression(&s[1..], item, parameter)?
                .unwrap_or(Value::Null)),
            Value::Array(list) if needs_evaluation(value) => list
                .iter()
                .map(|v| self.evaluate(v, item, parameter))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Value::Object(map) if needs_evaluation(value) => {
                let mut out = serde_json::Map::with_capacity(map.len());
                for (k, v) in map {
                    out.insert(k.clone(), self.evaluate(v, item, parameter)?);
                }
                Ok(Value::Object(out))
            }
            other => Ok(other.clone()),
        }
    }

    /// Evaluates an expression source (without the `=`); `None` is `undefined`.
    pub fn evaluate_expression(
        &mut self,
        source: &str,
        item: usize,
        parameter: &str,
    ) -> Result<Option<Value>, NodeError> {
        let inputs = self.inputs;
        let json = inputs
            .get(self.main_input)
            .and_then(|i| i.as_deref())
            .and_then(|items| items.get(item))
            .map(|i| &i.json);
        let run_index = self.run_index;
        let parts = ScopeParts {
            workflow: self.workflow,
            run_data: self.run_data,
            sources: self.sources,
            node_states: self.node_states,
            options: self.options,
            index: self.index,
            inputs: self.inputs,
            main_input: self.main_input,
        };
        let host_slot = &mut self.host;
        let mut factory = || {
            host_slot
                .get_or_insert_with(|| Arc::new(NodeScope::capture(&parts)) as Arc<dyn HostBridge>)
                .clone()
        };
        self.expressions
            .evaluate(source, json, &mut factory, item, run_index)
            .map_err(|e| expression_error(&self.node.name, parameter, source, e).at_item(item))
    }

    /// Parameter at a dotted path, evaluated for one item; `None` when absent.
    pub fn param(&mut self, path: &str, item: usize) -> Result<Option<Value>, NodeError> {
        match self.raw(path) {
            None => Ok(None),
            Some(v) => self.evaluate(v, item, path).map(Some),
        }
    }

    /// String parameter (numbers and booleans are converted), or the default.
    pub fn string(&mut self, path: &str, item: usize, default: &str) -> Result<String, NodeError> {
        Ok(match self.param(path, item)? {
            None | Some(Value::Null) => default.to_string(),
            Some(Value::String(s)) => s,
            Some(other) => to_template_string(Some(&other)),
        })
    }

    /// Boolean parameter, or the default.
    pub fn boolean(&mut self, path: &str, item: usize, default: bool) -> Result<bool, NodeError> {
        Ok(match self.param(path, item)? {
            Some(Value::Bool(b)) => b,
            Some(Value::String(s)) => s == "true",
            Some(Value::Number(n)) => n.as_f64() != Some(0.0),
            _ => default,
        })
    }

    /// Numeric parameter, or the default.
    pub fn number(&mut self, path: &str, item: usize, default: f64) -> Result<f64, NodeError> {
        Ok(match self.param(path, item)? {
            Some(Value::Number(n)) => n.as_f64().unwrap_or(default),
            Some(Value::String(s)) => s.trim().parse().unwrap_or(default),
            _ => default,
        })
    }

    /// The JavaScript session with the data bridge of this node run installed.
    pub fn js(&mut self) -> Result<&mut JsSession, NodeError> {
        let bridge = match &self.host {
            Some(h) => h.clone(),
            None => {
                let h: Arc<dyn HostBridge> = Arc::new(NodeScope::capture(&self.parts()));
                self.host = Some(h.clone());
                h
            }
        };
        let session = self
            .expressions
            .session()
            .map_err(|e| NodeError::new(NodeErrorKind::Code, e.to_string()))?;
        session.set_host(Some(bridge));
        Ok(session)
    }
}

/// Borrowed engine data from which a node run's data bridge is built.
pub(crate) struct ScopeParts<'s> {
    pub(crate) workflow: &'s Arc<CompiledWorkflow>,
    pub(crate) run_data: &'s RunData,
    pub(crate) sources: &'s [Option<SourceRef>],
    pub(crate) node_states: &'s [Arc<Value>],
    pub(crate) options: &'s RunOptions,
    pub(crate) index: NodeIndex,
    pub(crate) inputs: &'s [Option<Items>],
    pub(crate) main_input: usize,
}

fn needs_evaluation(value: &Value) -> bool {
    match value {
        Value::String(s) => s.starts_with('='),
        Value::Array(a) => a.iter().any(needs_evaluation),
        Value::Object(o) => o.values().any(needs_evaluation),
        _ => false,
    }
}
