//! The data bridge of one node run: answers `$input`, `$('Node')`, `$node[…]` and `$now`
//! requests from the JavaScript prelude with a snapshot of the run data.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::graph::{CompiledWorkflow, NodeIndex};
use crate::item::{Item, Items};
use crate::nodes::context::ScopeParts;
use crate::run_data::{RunData, SourceRef};
use crate::sandbox::HostBridge;

/// Snapshot of the engine data one node run can read.
pub(crate) struct NodeScope {
    workflow: Arc<CompiledWorkflow>,
    run_data: RunData,
    node_states: Vec<Arc<Value>>,
    index: NodeIndex,
    inputs: Vec<Option<Items>>,
    main_input: usize,
    sources: Vec<Option<SourceRef>>,
    now_ms: i64,
}

impl NodeScope {
    pub(crate) fn capture(parts: &ScopeParts<'_>) -> Self {
        Self {
            workflow: parts.workflow.clone(),
            run_data: parts.run_data.clone(),
            node_states: parts.node_states.to_vec(),
            index: parts.index,
            inputs: parts.inputs.to_vec(),
            main_input: parts.main_input,
            sources: parts.sources.to_vec(),
            now_ms: parts.options.clock.now().timestamp_millis(),
        }
    }

    fn main_items(&self) -> &[Item] {
        self.inputs
            .get(self.main_input)
            .and_then(|i| i.as_deref())
            .map_or(&[], Vec::as_slice)
    }

    fn node_named(&self, name: Option<&str>) -> Result<NodeIndex, String> {
        let name = name.ok_or("a node name is required")?;
        self.workflow
            .index_by_name(name)
            .ok_or_else(|| format!("Referenced node \"{name}\" does not exist"))
    }

    fn node_all(
        &self,
        node: NodeIndex,
        branch: Option<f64>,
        run: Option<f64>,
    ) -> Result<String, String> {
        let name = &self.workflow.node(node).node.name;
        let runs = self.run_data.runs(node);
        if runs.is_empty() {
            return Err(format!("Referenced node \"{name}\" is unexecuted"));
        }
        let run = run.map_or(runs.len() - 1, |r| r as usize);
        let data = runs
            .get(run)
            .ok_or_else(|| format!("Run {run} of node \"{name}\" does not exist"))?;
        let branch = branch.map_or(0, |b| b as usize);
        match data.outputs.get(branch) {
            Some(items) => text(items.as_slice()),
            None => Ok("[]".into()),
        }
    }

    /// Follows `pairedItem` links from the current item back to `target`'s output item.
    fn paired(&self, target: NodeIndex, item_index: usize) -> Result<String, String> {
        let target_name = &self.workflow.node(target).node.name;
        let missing = || {
            format!("Paired item data for item {item_index} of \"{target_name}\" is unavailable")
        };
        if target == self.index {
            return self
                .main_items()
                .get(item_index)
                .ok_or_else(missing)
                .and_then(text);
        }
        let source = self
            .sources
            .get(self.main_input)
            .copied()
            .flatten()
            .ok_or_else(missing)?;
        let mut budget = 10_000;
        self.search(target, source, item_index, &mut budget)
            .ok_or_else(missing)
            .and_then(text)
    }

    /// Depth-first search through every lineage link (items may derive from several inputs).
    fn search(
        &self,
        target: NodeIndex,
        source: SourceRef,
        index: usize,
        budget: &mut usize,
    ) -> Option<&Item> {
        *budget = budget.checked_sub(1)?;
        let run = self.run_data.runs(source.node).get(source.run)?;
        let item = run.outputs.get(source.output)?.get(index)?;
        if source.node == target {
            return Some(item);
        }
        let links: Vec<crate::item::ItemRef> = match &item.paired_item {
            crate::item::PairedItem::None => Vec::new(),
            crate::item::PairedItem::One(r) => vec![*r],
            crate::item::PairedItem::Many(v) => v.clone(),
        };
        links.into_iter().find_map(|link| {
            let next = run.sources.get(link.input as usize).copied().flatten()?;
            self.search(target, next, link.item as usize, budget)
        })
    }
}

fn text<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}

impl HostBridge for NodeScope {
    fn call(
        &self,
        op: &str,
        name: Option<&str>,
        a: Option<f64>,
        b: Option<f64>,
    ) -> Result<String, String> {
        match op {
            "item" => match self.main_items().get(a.unwrap_or(0.0) as usize) {
                Some(item) => text(item),
                None => Ok("null".into()),
            },
            "inputAll" => text(self.main_items()),
            "params" => text(&self.workflow.node(self.index).node.parameters),
            "context" => text(&*self.node_states[self.index]),
            "now" => Ok(self.now_ms.to_string()),
            "prevNode" => match self.sources.get(self.main_input).copied().flatten() {
                Some(s) => text(
                    &json!({"name": self.workflow.node(s.node).node.name, "outputIndex": s.output, "runIndex": s.run}),
                ),
                None => Ok("null".into()),
            },
            "nodeAll" => self.node_all(self.node_named(name)?, a, b),
            "pairedAt" => self.paired(self.node_named(name)?, a.unwrap_or(0.0) as usize),
            "nodeContext" => text(&*self.node_states[self.node_named(name)?]),
            "nodeParams" => text(&self.workflow.node(self.node_named(name)?).node.parameters),
            "isExecuted" => Ok(self.run_data.has_run(self.node_named(name)?).to_string()),
            "nodeRunIndex" => Ok(self
                .run_data
                .runs(self.node_named(name)?)
                .len()
                .saturating_sub(1)
                .to_string()),
            other => Err(format!("unknown data request `{other}`")),
        }
    }
}
