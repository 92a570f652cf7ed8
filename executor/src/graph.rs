//! A workflow definition compiled for execution: nodes by index, children per output, parents per
//! input, and each node's implementation resolved once.

use std::collections::HashMap;
use std::sync::Arc;

use weft_domain::catalog::NodeCatalog;
use weft_domain::definition::{ConnectionKind, Node, NodeId, OnError, WorkflowDefinition};

use crate::error::ExecutorError;
use crate::nodes::{NodeRegistry, NodeType};

/// Index of a node inside a [`CompiledWorkflow`].
pub type NodeIndex = usize;

/// Per-node flags from n8n documents that Weft's definition does not carry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NodeFlags {
    /// Emit one empty item when the node returns none.
    pub always_output_data: bool,
    /// Give the node only the first item of each input.
    pub execute_once: bool,
}

/// A link from an output to a child input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// The other end.
    pub node: NodeIndex,
    /// Input index on the child (for children) or output index on the parent (for parents).
    pub port: u32,
}

/// One node ready to run.
pub struct GraphNode {
    /// The definition.
    pub node: Node,
    /// Flags.
    pub flags: NodeFlags,
    /// Main outputs (error output excluded).
    pub main_outputs: usize,
    /// Children per output index; the error output, when present, is the last entry.
    pub children: Vec<Vec<Edge>>,
    /// Parents per input index (the number of entries is the number of connected inputs).
    pub parents: Vec<Vec<Edge>>,
    /// Whether this node starts runs.
    pub is_trigger: bool,
    /// Implementation.
    pub implementation: Arc<dyn NodeType>,
}

impl GraphNode {
    /// Whether failed items go to an extra error output.
    pub fn has_error_output(&self) -> bool {
        self.node.on_error == OnError::ContinueErrorOutput
    }

    /// Outputs including the error output.
    pub fn total_outputs(&self) -> usize {
        self.main_outputs + usize::from(self.has_error_output())
    }
}

/// An executable workflow; compile once per workflow version and share it between executions.
pub struct CompiledWorkflow {
    /// The definition it was compiled from.
    pub definition: Arc<WorkflowDefinition>,
    nodes: Vec<GraphNode>,
    by_id: HashMap<NodeId, NodeIndex>,
    by_name: HashMap<String, NodeIndex>,
}

impl CompiledWorkflow {
    /// Compiles a definition. Nodes of unknown types compile to an implementation that fails
    /// when it runs, so a workflow with a node nobody reaches still executes.
    pub fn compile(
        definition: Arc<WorkflowDefinition>,
        catalog: &dyn NodeCatalog,
        registry: &NodeRegistry,
        flags: &HashMap<NodeId, NodeFlags>,
    ) -> Result<Self, ExecutorError> {
        let by_id: HashMap<NodeId, NodeIndex> = definition
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.clone(), i))
            .collect();
        let by_name = definition
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.clone(), i))
            .collect();
        let mut nodes: Vec<GraphNode> = definition
            .nodes
            .iter()
            .map(|node| {
                let description = catalog.describe(&node.node_type);
                let declared = catalog.ports(node).map(|p| p.outputs as usize);
                GraphNode {
                    node: node.clone(),
                    flags: flags.get(&node.id).copied().unwrap_or_default(),
                    main_outputs: declared.unwrap_or(1),
                    children: Vec::new(),
                    parents: Vec::new(),
                    is_trigger: description.is_some_and(|d| d.trigger.is_some()),
                    implementation: registry.resolve(node),
                }
            })
            .collect();
        for c in &definition.connections {
            let source = *by_id
                .get(&c.source)
                .ok_or_else(|| ExecutorError::UnknownNode(c.source.clone()))?;
            let target = *by_id
                .get(&c.target)
                .ok_or_else(|| ExecutorError::UnknownNode(c.target.clone()))?;
            if c.kind == ConnectionKind::Main {
                let n = &mut nodes[source];
                n.main_outputs = n.main_outputs.max(c.source_output as usize + 1);
            }
            let input = c.target_input as usize;
            let t = &mut nodes[target];
            if t.parents.len() <= input {
                t.parents.resize(input + 1, Vec::new());
            }
            t.parents[input].push(Edge {
                node: source,
                port: c.source_output,
            });
        }
        for node in &mut nodes {
            node.children = vec![Vec::new(); node.total_outputs()];
        }
        for c in &definition.connections {
            let (source, target) = (by_id[&c.source], by_id[&c.target]);
            let n = &mut nodes[source];
            let output = match c.kind {
                ConnectionKind::Main => c.source_output as usize,
                ConnectionKind::Error if n.has_error_output() => n.main_outputs,
                ConnectionKind::Error => continue,
            };
            n.children[output].push(Edge {
                node: target,
                port: c.target_input,
            });
        }
        Ok(Self {
            definition,
            nodes,
            by_id,
            by_name,
        })
    }

    /// All nodes.
    pub fn nodes(&self) -> &[GraphNode] {
        &self.nodes
    }

    /// The node at an index.
    pub fn node(&self, index: NodeIndex) -> &GraphNode {
        &self.nodes[index]
    }

    /// Index of a node id.
    pub fn index_of(&self, id: &str) -> Option<NodeIndex> {
        self.by_id.get(id).copied()
    }

    /// Index of a node name.
    pub fn index_by_name(&self, name: &str) -> Option<NodeIndex> {
        self.by_name.get(name).copied()
    }

    /// The id of the first enabled node of type `node_type` (a sub-workflow's Execute Workflow
    /// Trigger, an error workflow's Error Trigger).
    pub fn first_enabled_of_type(&self, node_type: &str) -> Option<&str> {
        self.nodes
            .iter()
            .find(|n| n.node.node_type == node_type && !n.node.disabled)
            .map(|n| n.node.id.as_str())
    }

    /// n8n's `getStartNode`: the first enabled trigger, else the only node.
    pub fn start_node(&self) -> Option<NodeIndex> {
        if self.nodes.len() == 1 && !self.nodes[0].node.disabled {
            return Some(0);
        }
        self.nodes
            .iter()
            .position(|n| n.is_trigger && !n.node.disabled)
    }

    /// All ancestors of a node in n8n's `getParentNodes` order (farthest first).
    pub fn ancestors(&self, index: NodeIndex) -> Vec<NodeIndex> {
        self.ancestors_inner(index, &[index])
    }

    fn ancestors_inner(&self, index: NodeIndex, checked: &[NodeIndex]) -> Vec<NodeIndex> {
        let mut result: Vec<NodeIndex> = Vec::new();
        for input in &self.nodes[index].parents {
            for edge in input {
                if checked.contains(&edge.node) {
                    continue;
                }
                result.insert(0, edge.node);
                let mut nested = checked.to_vec();
                nested.push(edge.node);
                let further = self.ancestors_inner(edge.node, &nested);
                for parent in further.into_iter().rev() {
                    if let Some(pos) = result.iter().position(|n| *n == parent) {
                        result.remove(pos);
                    }
                    result.insert(0, parent);
                }
            }
        }
        result
    }
}
