//! The run loop of one execution: the node stack, waiting multi-input nodes, retries, error
//! routing and cancellation.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use weft_domain::definition::{ExecutionOrder, OnError};

use super::ExecutionResult;
use crate::error::{ExecutorError, NodeError, NodeErrorKind};
use crate::expr::Expressions;
use crate::graph::{CompiledWorkflow, Edge, NodeIndex};
use crate::item::{Item, ItemRef, Items, PairedItem, assign_paired_items, share};
use crate::nodes::NodeContext;
use crate::observer::{ExecutionEvent, ExecutionObserver, ExecutionStatus};
use crate::options::{RunMode, RunOptions};
use crate::run_data::{NodeRun, RunData, SourceRef};
use crate::sandbox::Sandbox;

/// A node waiting to run with its inputs.
struct Task {
    node: NodeIndex,
    inputs: Vec<Option<Items>>,
    sources: Vec<Option<SourceRef>>,
}

/// How a node run ended.
enum Outcome {
    /// Outputs (per output, error output last) or `None` when the node produced no data.
    Done(Option<Vec<Items>>),
    /// The node failed and the workflow stops.
    Failed(NodeError),
    /// The run was canceled during the node's retry wait.
    Canceled,
}

pub(super) struct Execution {
    workflow: Arc<CompiledWorkflow>,
    options: RunOptions,
    expressions: Expressions,
    run_data: RunData,
    node_states: Vec<Value>,
    stack: VecDeque<Task>,
    waiting: Vec<(NodeIndex, Vec<Task>)>,
    v1: bool,
    deadline: Option<Instant>,
}

impl Execution {
    pub(super) fn new(
        workflow: Arc<CompiledWorkflow>,
        options: RunOptions,
        sandbox: Arc<Sandbox>,
        globals: Value,
    ) -> Self {
        let n = workflow.nodes().len();
        let v1 = workflow.definition.settings.execution_order == ExecutionOrder::V1;
        Self {
            workflow,
            options,
            expressions: Expressions::new(sandbox, globals),
            run_data: RunData::new(n),
            node_states: vec![Value::Object(Default::default()); n],
            stack: VecDeque::new(),
            waiting: Vec::new(),
            v1,
            deadline: None,
        }
    }

    fn seed(&mut self) -> Result<(), ExecutorError> {
        let wf = self.workflow.clone();
        if let Some(resume) = self.options.resume.clone() {
            for recorded in &resume.recorded {
                let node = wf
                    .index_of(&recorded.node_id)
                    .ok_or_else(|| ExecutorError::UnknownNode(recorded.node_id.clone()))?;
                let sources = recorded
                    .sources
                    .iter()
                    .map(|source| {
                        let s = source.as_ref()?;
                        Some(SourceRef {
                            node: wf.index_of(&s.node_id)?,
                            output: s.output,
                            run: s.run,
                        })
                    })
                    .collect();
                self.run_data.push(
                    node,
                    NodeRun {
                        outputs: recorded.outputs.clone(),
                        sources,
                        ..Default::default()
                    },
                );
            }
            let start = wf
                .index_of(&resume.start_at)
                .ok_or_else(|| ExecutorError::UnknownNode(resume.start_at.clone()))?;
            let parents = &wf.node(start).parents;
            let mut inputs = vec![None; parents.len().max(1)];
            let mut sources = vec![None; parents.len().max(1)];
            for (input, edges) in parents.iter().enumerate() {
                for edge in edges {
                    let runs = self.run_data.runs(edge.node);
                    if let Some(items) = runs.last().and_then(|r| r.outputs.get(edge.port as usize))
                    {
                        inputs[input] = Some(items.clone());
                        sources[input] = Some(SourceRef {
                            node: edge.node,
                            output: edge.port as usize,
                            run: runs.len() - 1,
                        });
                        break;
                    }
                }
            }
            if parents.is_empty() {
                inputs[0] = Some(share(self.options.trigger_items.clone()));
            }
            self.stack.push_back(Task {
                node: start,
                inputs,
                sources,
            });
            return Ok(());
        }
        let start = match &self.options.start_node {
            Some(id) => wf
                .index_of(id)
                .ok_or_else(|| ExecutorError::UnknownNode(id.clone()))?,
            None => wf.start_node().ok_or(ExecutorError::NoStartNode)?,
        };
        self.stack.push_back(Task {
            node: start,
            inputs: vec![Some(share(self.options.trigger_items.clone()))],
            sources: vec![None],
        });
        Ok(())
    }

    pub(super) async fn run(
        mut self,
        observer: &mut dyn ExecutionObserver,
    ) -> Result<ExecutionResult, ExecutorError> {
        self.seed()?;
        let timeout = self.options.timeout.or_else(|| {
            self.workflow
                .definition
                .settings
                .timeout_seconds
                .map(Duration::from_secs)
        });
        let deadline = timeout.map(|t| Instant::now() + t);
        self.deadline = deadline;
        let mut requeued = 0usize;
        loop {
            let Some(task) = self.next_task() else { break };
            let wf = self.workflow.clone();
            let node = wf.node(task.node);
            let timed_out = deadline.is_some_and(|d| Instant::now() >= d);
            if self.options.cancel.is_canceled() || timed_out {
                let run_index = self.run_data.runs(task.node).len();
                observer.on_event(ExecutionEvent::NodeCanceled {
                    node_id: &node.node.id,
                    run_index,
                });
                let error = timed_out.then(timeout_error);
                let status = if timed_out {
                    ExecutionStatus::Error
                } else {
                    ExecutionStatus::Canceled
                };
                return Ok(self.finish(observer, status, error, Some(task.node)));
            }
            if !self.v1 && self.missing_forced_input(&task) {
                requeued += 1;
                if requeued > self.stack.len() + 1 {
                    return Err(ExecutorError::EndlessLoop(node.node.name.clone()));
                }
                self.stack.push_back(task);
                continue;
            }
            requeued = 0;
            let run_index = self.run_data.runs(task.node).len();
            observer.on_event(ExecutionEvent::NodeStarted {
                node_id: &node.node.id,
                run_index,
                inputs: &task.inputs,
            });
            let started = Instant::now();
            let (outcome, pinned) = self.run_node(&task, run_index, observer).await;
            let duration = started.elapsed();
            match outcome {
                Outcome::Canceled => {
                    observer.on_event(ExecutionEvent::NodeCanceled {
                        node_id: &node.node.id,
                        run_index,
                    });
                    return Ok(self.finish(
                        observer,
                        ExecutionStatus::Canceled,
                        None,
                        Some(task.node),
                    ));
                }
                Outcome::Failed(error) => {
                    self.run_data.push(
                        task.node,
                        NodeRun {
                            sources: task.sources,
                            outputs: Vec::new(),
                            error: Some(error.clone()),
                            duration,
                        },
                    );
                    return Ok(self.finish(
                        observer,
                        ExecutionStatus::Error,
                        Some(error),
                        Some(task.node),
                    ));
                }
                Outcome::Done(outputs) => {
                    let outputs_list = outputs.clone().unwrap_or_default();
                    observer.on_event(ExecutionEvent::NodeSucceeded {
                        node_id: &node.node.id,
                        run_index,
                        outputs: &outputs_list,
                        duration,
                        pinned,
                    });
                    let run = self.run_data.push(
                        task.node,
                        NodeRun {
                            sources: task.sources,
                            outputs: outputs_list,
                            error: None,
                            duration,
                        },
                    );
                    if let Some(outputs) = outputs {
                        self.enqueue_children(task.node, &outputs, run);
                    }
                }
            }
        }
        Ok(self.finish(observer, ExecutionStatus::Success, None, None))
    }

    fn finish(
        self,
        observer: &mut dyn ExecutionObserver,
        status: ExecutionStatus,
        error: Option<NodeError>,
        node: Option<NodeIndex>,
    ) -> ExecutionResult {
        observer.on_event(ExecutionEvent::Finished {
            status,
            error: error.as_ref(),
        });
        ExecutionResult {
            status,
            error,
            failed_node: node
                .filter(|_| status != ExecutionStatus::Success)
                .map(|n| self.workflow.node(n).node.id.clone()),
            run_data: self.run_data,
        }
    }

    /// The next task; under v1, a waiting node runs with partial inputs once the stack is empty.
    fn next_task(&mut self) -> Option<Task> {
        if let Some(task) = self.stack.pop_front() {
            return Some(task);
        }
        if !self.v1 {
            return None;
        }
        while !self.waiting.is_empty() {
            let (node, mut entries) = self.waiting.remove(0);
            let implementation = &self.workflow.node(node).implementation;
            let requires_all = implementation.requires_all_inputs(&self.workflow.node(node).node);
            let mut chosen = None;
            while !entries.is_empty() {
                let mut task = entries.remove(0);
                let has_data = task
                    .inputs
                    .iter()
                    .any(|i| i.as_ref().is_some_and(|v| !v.is_empty()));
                let complete = task
                    .inputs
                    .iter()
                    .all(|i| i.as_ref().is_some_and(|v| !v.is_empty()));
                if has_data && (!requires_all || complete) {
                    for input in &mut task.inputs {
                        input.get_or_insert_with(crate::item::empty);
                    }
                    chosen = Some(task);
                    break;
                }
            }
            if !entries.is_empty() {
                self.waiting.insert(0, (node, entries));
            }
            if chosen.is_some() {
                return chosen;
            }
        }
        None
    }

    /// v0: a node whose connected input has no data yet goes back to the stack.
    fn missing_forced_input(&self, task: &Task) -> bool {
        let node = self.workflow.node(task.node);
        node.parents.iter().enumerate().any(|(i, parents)| {
            !parents.is_empty() && task.inputs.get(i).is_none_or(Option::is_none)
        })
    }

    fn main_input(&self, task: &Task) -> usize {
        if self.v1 {
            task.inputs
                .iter()
                .position(|i| i.as_ref().is_some_and(|v| !v.is_empty()))
                .unwrap_or(0)
        } else {
            0
        }
    }

    async fn run_node(
        &mut self,
        task: &Task,
        run_index: usize,
        observer: &mut dyn ExecutionObserver,
    ) -> (Outcome, bool) {
        let deadline = self.deadline;
        let wf = self.workflow.clone();
        let gnode = wf.node(task.node);
        let node = &gnode.node;
        if node.disabled {
            let first = task.inputs.first().cloned().flatten();
            return (Outcome::Done(first.map(|items| vec![items])), false);
        }
        if self.options.mode == RunMode::Manual
            && let Some(pinned) = wf.definition.pin_data.get(&node.id)
        {
            let items = pinned.iter().map(Item::from_n8n).collect();
            return (Outcome::Done(Some(vec![share(items)])), true);
        }
        let main_input = self.main_input(task);
        let main_len = task
            .inputs
            .get(main_input)
            .and_then(|i| i.as_ref())
            .map_or(0, |v| v.len());
        if main_len == 0 && !gnode.parents.is_empty() {
            return (Outcome::Done(self.always_output(task, None)), false);
        }
        let inputs: Vec<Option<Items>> = if gnode.flags.execute_once {
            task.inputs
                .iter()
                .map(|i| {
                    i.as_ref()
                        .map(|v| share(v.iter().take(1).cloned().collect()))
                })
                .collect()
        } else {
            task.inputs.clone()
        };
        let retry = &node.retry;
        let max_tries = if retry.retry_on_fail {
            retry.max_tries.max(1)
        } else {
            1
        };
        let mut wait = Duration::from_millis(retry.wait_between_tries_ms);
        let mut attempt = 1;
        let result = loop {
            let mut ctx = NodeContext::new(
                node,
                task.node,
                run_index,
                &inputs,
                main_input,
                &wf,
                &self.run_data,
                &task.sources,
                &mut self.node_states,
                &self.options,
                &mut self.expressions,
            );
            let implementation = &gnode.implementation;
            let outcome = if implementation.is_async() {
                // I/O-bound nodes are bounded by the workflow timeout while they wait.
                match deadline {
                    Some(at) => {
                        tokio::time::timeout_at(at.into(), implementation.execute_async(&mut ctx))
                            .await
                            .unwrap_or_else(|_| Err(timeout_error()))
                    }
                    None => implementation.execute_async(&mut ctx).await,
                }
            } else {
                implementation.execute(&mut ctx)
            };
            match outcome {
                Ok(out) => break Ok((out, ctx.requested_wait())),
                Err(error) => {
                    let will_retry = attempt < max_tries;
                    observer.on_event(ExecutionEvent::NodeFailed {
                        node_id: &node.id,
                        run_index,
                        error: &error,
                        attempt,
                        will_retry,
                    });
                    if !will_retry {
                        break Err(error);
                    }
                    attempt += 1;
                    observer.on_event(ExecutionEvent::NodeRetried {
                        node_id: &node.id,
                        run_index,
                        next_attempt: attempt,
                        wait,
                    });
                    self.options.sleeper.sleep(wait).await;
                    if self.options.cancel.is_canceled() {
                        return (Outcome::Canceled, false);
                    }
                    wait = wait.mul_f64(retry.backoff_factor.max(0.0));
                }
            }
        };
        let main_items = inputs
            .get(main_input)
            .cloned()
            .flatten()
            .unwrap_or_else(crate::item::empty);
        let mut outputs = match result {
            Ok((out, pause)) => {
                if let Some(pause) = pause {
                    self.options.sleeper.sleep(pause).await;
                    if self.options.cancel.is_canceled() {
                        return (Outcome::Canceled, false);
                    }
                }
                out
            }
            Err(error) => match node.on_error {
                OnError::StopWorkflow => return (Outcome::Failed(error), false),
                OnError::ContinueRegularOutput => {
                    let passed = task.inputs.first().cloned().flatten();
                    return (Outcome::Done(passed.map(|items| vec![items])), false);
                }
                OnError::ContinueErrorOutput => {
                    let mut json = main_items
                        .first()
                        .map(|i| i.json.clone())
                        .unwrap_or_default();
                    json.insert("error".into(), Value::String(error.message.clone()));
                    let mut out = vec![Vec::new(); gnode.main_outputs];
                    out.push(vec![Item::paired(json, 0)]);
                    return (
                        Outcome::Done(Some(out.into_iter().map(share).collect())),
                        false,
                    );
                }
            },
        };
        outputs.resize_with(gnode.main_outputs.max(outputs.len()), Vec::new);
        assign_paired_items(&mut outputs, main_items.len());
        if gnode.has_error_output() {
            let errors = route_errors(&mut outputs, &main_items);
            outputs.push(errors);
        }
        let outputs: Vec<Items> = outputs.into_iter().map(share).collect();
        let outputs = if outputs.first().is_none_or(|o| o.is_empty()) {
            match self.always_output(task, Some(outputs.clone())) {
                Some(o) => o,
                None => outputs,
            }
        } else {
            outputs
        };
        (Outcome::Done(Some(outputs)), false)
    }

    /// n8n's `alwaysOutputData`: one empty item paired with every input item.
    fn always_output(&self, task: &Task, outputs: Option<Vec<Items>>) -> Option<Vec<Items>> {
        if !self.workflow.node(task.node).flags.always_output_data {
            return outputs;
        }
        let mut refs = Vec::new();
        for (input, items) in task.inputs.iter().enumerate() {
            for i in 0..items.as_ref().map_or(0, |v| v.len()) {
                refs.push(ItemRef {
                    item: i as u32,
                    input: input as u32,
                });
            }
        }
        let mut outputs = outputs.unwrap_or_else(|| vec![crate::item::empty()]);
        outputs[0] = share(vec![Item {
            paired_item: PairedItem::Many(refs),
            ..Item::default()
        }]);
        Some(outputs)
    }

    fn enqueue_children(&mut self, parent: NodeIndex, outputs: &[Items], run: usize) {
        let wf = self.workflow.clone();
        let mut adds: Vec<(usize, Edge)> = Vec::new();
        for (output, edges) in wf.node(parent).children.iter().enumerate() {
            let Some(items) = outputs.get(output) else {
                continue;
            };
            for edge in edges {
                if !items.is_empty() || (edge.port > 0 && !self.v1) {
                    adds.push((output, *edge));
                }
            }
        }
        if self.v1 {
            // Bottom-most (then right-most) first, since each one goes to the front of the stack.
            adds.sort_by(|a, b| {
                let (pa, pb) = (
                    wf.node(a.1.node).node.position,
                    wf.node(b.1.node).node.position,
                );
                pb[1].total_cmp(&pa[1]).then(pb[0].total_cmp(&pa[0]))
            });
        }
        for (output, edge) in adds {
            self.add_to_be_executed(parent, output, edge, outputs, run);
        }
    }

    fn push(&mut self, task: Task) {
        if self.v1 {
            self.stack.push_front(task);
        } else {
            self.stack.push_back(task);
        }
    }

    /// n8n's `addNodeToBeExecuted`.
    fn add_to_be_executed(
        &mut self,
        parent: NodeIndex,
        output: usize,
        edge: Edge,
        outputs: &[Items],
        run: usize,
    ) {
        let wf = self.workflow.clone();
        let target = edge.node;
        let port = edge.port as usize;
        let input_count = wf.node(target).parents.len();
        let source = SourceRef {
            node: parent,
            output,
            run,
        };
        let data = outputs[output].clone();
        if input_count <= 1 {
            let mut inputs = vec![None; port + 1];
            let mut sources = vec![None; port + 1];
            inputs[port] = Some(data);
            sources[port] = Some(source);
            self.push(Task {
                node: target,
                inputs,
                sources,
            });
            return;
        }
        let position = self.waiting.iter().position(|(n, _)| *n == target);
        let was_waiting = position.is_some();
        let position = position.unwrap_or_else(|| {
            self.waiting.push((target, Vec::new()));
            self.waiting.len() - 1
        });
        let entries = &mut self.waiting[position].1;
        let slot = match entries.iter().position(|t| t.inputs[port].is_none()) {
            Some(i) => i,
            None => {
                entries.push(Task {
                    node: target,
                    inputs: vec![None; input_count],
                    sources: vec![None; input_count],
                });
                entries.len() - 1
            }
        };
        entries[slot].inputs[port] = Some(data);
        entries[slot].sources[port] = Some(source);
        if entries[slot].inputs.iter().all(Option::is_some) {
            let task = entries.remove(slot);
            if entries.is_empty() {
                self.waiting.remove(position);
            }
            self.push(task);
            return;
        }
        if !was_waiting && !self.v1 {
            self.force_input_nodes(parent, output, target, outputs, run);
        }
    }

    fn incoming_is_empty(&self, edges: &[Edge], run: usize) -> bool {
        edges.iter().all(|e| {
            self.run_data
                .runs(e.node)
                .get(run)
                .and_then(|r| r.outputs.get(e.port as usize))
                .is_none_or(|items| items.is_empty())
        })
    }

    /// v0: queue the parent chains of a multi-input node's other inputs.
    fn force_input_nodes(
        &mut self,
        parent: NodeIndex,
        output: usize,
        target: NodeIndex,
        outputs: &[Items],
        run: usize,
    ) {
        let wf = self.workflow.clone();
        let siblings: Vec<NodeIndex> = wf
            .node(parent)
            .children
            .iter()
            .flat_map(|edges| edges.iter().map(|e| e.node))
            .collect();
        let empty_edges: Vec<Edge> = Vec::new();
        for input in &wf.node(target).parents {
            for input_edge in input {
                let other = input_edge.node;
                if other == parent {
                    continue;
                }
                let first_input = |n: NodeIndex| wf.node(n).parents.first().unwrap_or(&empty_edges);
                if siblings.contains(&other) && !self.incoming_is_empty(first_input(other), run) {
                    continue;
                }
                let in_stack = |s: &Self, n: NodeIndex| s.stack.iter().any(|t| t.node == n);
                if in_stack(self, other) || self.run_data.has_run(other) {
                    continue;
                }
                let mut chain = wf.ancestors(other);
                chain.push(other);
                chain.reverse();
                let mut to_add = Some(other);
                for candidate in chain {
                    if candidate != other && siblings.contains(&candidate) {
                        to_add = None;
                        break;
                    }
                    if in_stack(self, candidate) {
                        to_add = None;
                        break;
                    }
                    if self.run_data.has_run(candidate) {
                        break;
                    }
                    to_add = Some(candidate);
                }
                let Some(add) = to_add else { continue };
                if wf.ancestors(add).contains(&parent) && outputs[output].is_empty() {
                    continue;
                }
                let parents = &wf.node(add).parents;
                if parents.is_empty() || self.incoming_is_empty(first_input(add), run) {
                    self.push(Task {
                        node: add,
                        inputs: vec![Some(share(vec![Item::default()]))],
                        sources: vec![Some(SourceRef {
                            node: parent,
                            output,
                            run,
                        })],
                    });
                }
            }
        }
    }
}

/// The error of a run stopped by the workflow timeout.
fn timeout_error() -> NodeError {
    NodeError::new(
        NodeErrorKind::Timeout,
        "The workflow ran longer than its timeout and was stopped",
    )
}

/// n8n's `handleNodeErrorOutput`: items that carry only an error move to the error output,
/// merged into the input item they came from.
fn route_errors(outputs: &mut [Vec<Item>], inputs: &[Item]) -> Vec<Item> {
    let mut errors = Vec::new();
    for output in outputs.iter_mut() {
        let mut kept = Vec::with_capacity(output.len());
        for item in output.drain(..) {
            let json = &item.json;
            let is_error = json.contains_key("error")
                && (json.len() == 1 || (json.len() == 2 && json.contains_key("message")));
            if !is_error {
                kept.push(item);
                continue;
            }
            let origin = item
                .paired_item
                .first()
                .and_then(|r| inputs.get(r.item as usize));
            let mut merged = origin.map(|o| o.json.clone()).unwrap_or_default();
            merged.extend(item.json.clone());
            errors.push(Item {
                json: merged,
                ..item
            });
        }
        *output = kept;
    }
    errors
}
