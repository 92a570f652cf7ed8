//! n8n's scheduling: the node stack (front for v1, back for v0), waiting multi-input nodes,
//! v1's partial-input rule when the stack runs dry, and v0's forced execution of input chains.

use super::run::{Execution, Task};
use crate::graph::{Edge, NodeIndex};
use crate::item::{Item, Items, share};
use crate::run_data::SourceRef;

impl Execution {
    /// The next task; under v1, a waiting node runs with partial inputs once the stack is empty.
    pub(super) fn next_task(&mut self) -> Option<Task> {
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
    pub(super) fn missing_forced_input(&self, task: &Task) -> bool {
        let node = self.workflow.node(task.node);
        node.parents.iter().enumerate().any(|(i, parents)| {
            !parents.is_empty() && task.inputs.get(i).is_none_or(Option::is_none)
        })
    }

    pub(super) fn enqueue_children(&mut self, parent: NodeIndex, outputs: &[Items], run: usize) {
        let wf = self.workflow.clone();
        let mut adds: Vec<(usize, Edge)> = Vec::new();
        for (output, edges) in wf.node(parent).children.iter().enumerate() {
            let Some(items) = outputs.get(output) else {
                continue;
            };
            for edge in edges.iter().filter(|edge| self.may_run(edge.node)) {
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

    pub(super) fn push(&mut self, task: Task) {
        if self.v1 {
            self.stack.push_front(task);
        } else {
            self.stack.push_back(task);
        }
    }

    /// n8n's `addNodeToBeExecuted`.
    pub(super) fn add_to_be_executed(
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

    pub(super) fn incoming_is_empty(&self, edges: &[Edge], run: usize) -> bool {
        edges.iter().all(|e| {
            self.run_data
                .runs(e.node)
                .get(run)
                .and_then(|r| r.outputs.get(e.port as usize))
                .is_none_or(|items| items.is_empty())
        })
    }

    /// v0: queue the parent chains of a multi-input node's other inputs.
    pub(super) fn force_input_nodes(
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
