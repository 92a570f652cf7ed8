//! The runs of every node in one execution (n8n's `runData`).

use std::sync::Arc;
use std::time::Duration;

use crate::error::NodeError;
use crate::graph::{CompiledWorkflow, NodeIndex};
use crate::item::Items;

/// Where one input of a node run came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceRef {
    /// Parent node.
    pub node: NodeIndex,
    /// Parent output index.
    pub output: usize,
    /// Parent run index.
    pub run: usize,
}

/// One run of one node.
#[derive(Debug, Clone, Default)]
pub struct NodeRun {
    /// Source of each input (`None` for inputs without a parent, e.g. the trigger's).
    pub sources: Vec<Option<SourceRef>>,
    /// Items per output; empty when the node did not produce data.
    pub outputs: Vec<Items>,
    /// The error that ended the run, if it failed.
    pub error: Option<NodeError>,
    /// Wall-clock time.
    pub duration: Duration,
}

/// All runs by node.
#[derive(Debug, Clone, Default)]
pub struct RunData {
    runs: Vec<Vec<Arc<NodeRun>>>,
    order: Vec<(NodeIndex, usize)>,
}

impl RunData {
    /// Empty run data for a workflow with `nodes` nodes.
    pub fn new(nodes: usize) -> Self {
        Self {
            runs: vec![Vec::new(); nodes],
            order: Vec::new(),
        }
    }

    /// Appends a run and returns its run index.
    pub fn push(&mut self, node: NodeIndex, run: NodeRun) -> usize {
        let list = &mut self.runs[node];
        list.push(Arc::new(run));
        self.order.push((node, list.len() - 1));
        list.len() - 1
    }

    /// The runs of a node.
    pub fn runs(&self, node: NodeIndex) -> &[Arc<NodeRun>] {
        &self.runs[node]
    }

    /// Whether a node ran at least once.
    pub fn has_run(&self, node: NodeIndex) -> bool {
        !self.runs[node].is_empty()
    }

    /// `(node, run index)` in execution order.
    pub fn order(&self) -> &[(NodeIndex, usize)] {
        &self.order
    }

    /// Runs keyed by node name, for reports and tests.
    pub fn by_name<'a>(
        &'a self,
        workflow: &'a CompiledWorkflow,
    ) -> impl Iterator<Item = (&'a str, &'a [Arc<NodeRun>])> {
        self.runs
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.is_empty())
            .map(|(i, r)| (workflow.node(i).node.name.as_str(), r.as_slice()))
    }
}
