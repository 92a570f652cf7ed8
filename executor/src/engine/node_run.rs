//! Running one node: disabled and pinned nodes, empty inputs, `executeOnce`, retries with
//! backoff, `onError` handling with the error output, `alwaysOutputData` and Wait pauses.

use std::time::Duration;

use serde_json::Value;
use weft_domain::definition::OnError;

use super::run::{Execution, Outcome, Task};
use crate::error::{NodeError, NodeErrorKind};
use crate::item::{Item, ItemRef, Items, PairedItem, assign_paired_items, share};
use crate::nodes::NodeContext;
use crate::observer::{ExecutionEvent, ExecutionObserver};
use crate::options::RunMode;

impl Execution {
    pub(super) fn main_input(&self, task: &Task) -> usize {
        if self.v1 {
            task.inputs
                .iter()
                .position(|i| i.as_ref().is_some_and(|v| !v.is_empty()))
                .unwrap_or(0)
        } else {
            0
        }
    }

    pub(super) async fn run_node(
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
                // A bug in one node must fail that node, not the worker.
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    implementation.execute(&mut ctx)
                }))
                .unwrap_or_else(|_| Err(NodeError::operation("the node crashed (internal error)")))
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
                if let Some(pause) = pause.filter(|p| *p > self.options.inline_wait_limit) {
                    let resume_at = self.options.clock.now()
                        + chrono::Duration::from_std(pause).unwrap_or(chrono::Duration::MAX);
                    self.suspend = Some((task.node, resume_at));
                } else if let Some(pause) = pause {
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
    pub(super) fn always_output(
        &self,
        task: &Task,
        outputs: Option<Vec<Items>>,
    ) -> Option<Vec<Items>> {
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
}

/// The error of a run stopped by the workflow timeout.
pub(super) fn timeout_error() -> NodeError {
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
