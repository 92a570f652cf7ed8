//! The node library: one implementation per node type, looked up by type id.

pub mod context;

mod code;
mod fields;
mod passthrough;
mod set;

use std::collections::HashMap;
use std::sync::Arc;

use weft_domain::definition::Node;

pub use context::NodeContext;

use crate::error::{NodeError, NodeErrorKind};
use crate::item::Item;

/// Items per main output.
pub type NodeOutput = Vec<Vec<Item>>;

/// A node type's behaviour.
pub trait NodeType: Send + Sync {
    /// Runs the node once over its inputs and returns items per main output.
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError>;

    /// Whether the node may run only when every input has data (under v1 order, nodes with
    /// several inputs otherwise run with whatever inputs arrived).
    fn requires_all_inputs(&self, _node: &Node) -> bool {
        false
    }
}

/// Fails every run: the node type (or its version) is not implemented.
struct Unsupported(String);

impl NodeType for Unsupported {
    fn execute(&self, _ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        Err(NodeError::new(
            NodeErrorKind::Unsupported,
            format!("node type `{}` is not supported", self.0),
        ))
    }
}

/// Implementations by node type id.
#[derive(Clone)]
pub struct NodeRegistry {
    types: HashMap<String, Arc<dyn NodeType>>,
}

impl NodeRegistry {
    /// The built-in node types.
    pub fn builtin() -> Self {
        let mut r = Self {
            types: HashMap::new(),
        };
        let pass = Arc::new(passthrough::PassThrough);
        for t in [
            "manualTrigger",
            "webhook",
            "scheduleTrigger",
            "errorTrigger",
            "executeWorkflowTrigger",
            "noOp",
            "start",
        ] {
            r.register(&format!("n8n-nodes-base.{t}"), pass.clone());
        }
        r.register(
            "n8n-nodes-testing.testData",
            Arc::new(passthrough::TestData),
        );
        r.register(
            "n8n-nodes-base.stopAndError",
            Arc::new(passthrough::StopAndError),
        );
        r.register("n8n-nodes-base.set", Arc::new(set::Set));
        r.register("n8n-nodes-base.code", Arc::new(code::Code));
        r.register("n8n-nodes-base.function", Arc::new(code::Code));
        r
    }

    /// Adds or replaces an implementation.
    pub fn register(&mut self, node_type: &str, implementation: Arc<dyn NodeType>) {
        self.types.insert(node_type.to_string(), implementation);
    }

    /// The implementation of a node (an always-failing one for unknown types).
    pub fn resolve(&self, node: &Node) -> Arc<dyn NodeType> {
        self.types
            .get(&node.node_type)
            .cloned()
            .unwrap_or_else(|| Arc::new(Unsupported(node.node_type.clone())))
    }
}

/// Builds an error item for a failed input item when the node continues on failure.
pub(crate) fn error_item(error: &NodeError, index: usize) -> Item {
    let mut json = serde_json::Map::new();
    json.insert(
        "error".into(),
        serde_json::Value::String(error.message.clone()),
    );
    Item::paired(json, index)
}
