//! The node library: one implementation per node type, looked up by type id.

pub mod context;

mod aggregate;
mod code;
mod compare;
mod conditions;
mod date_time;
mod dates;
mod execute_workflow;
mod fields;
mod filter;
mod http_request;
mod if_node;
mod item_lists;
mod limit;
mod merge;
mod passthrough;
mod remove_duplicates;
mod rename_keys;
mod respond_to_webhook;
mod set;
mod sort;
mod split_in_batches;
mod split_out;
mod summarize;
mod switch;
mod training;
mod wait;

use std::collections::HashMap;

use async_trait::async_trait;
use std::sync::Arc;

use weft_domain::definition::Node;

pub use context::NodeContext;

use crate::error::{NodeError, NodeErrorKind};
use crate::item::Item;

/// Items per main output.
pub type NodeOutput = Vec<Vec<Item>>;

/// A node type's behaviour. Most nodes are CPU-only and implement [`execute`](Self::execute);
/// nodes that wait for I/O set [`is_async`](Self::is_async) and implement
/// [`execute_async`](Self::execute_async), which the engine awaits on the execution's task.
#[async_trait]
pub trait NodeType: Send + Sync {
    /// Runs the node once over its inputs and returns items per main output.
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError>;

    /// Whether the engine must call [`execute_async`](Self::execute_async) instead.
    fn is_async(&self) -> bool {
        false
    }

    /// The asynchronous form of [`execute`](Self::execute).
    async fn execute_async(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        self.execute(ctx)
    }

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
        r.register(
            "n8n-nodes-base.debugHelper",
            Arc::new(passthrough::DebugHelper),
        );
        r.register("n8n-nodes-base.set", Arc::new(set::Set));
        r.register("n8n-nodes-base.if", Arc::new(if_node::If));
        r.register("n8n-nodes-base.filter", Arc::new(filter::Filter));
        r.register("n8n-nodes-base.switch", Arc::new(switch::Switch));
        r.register("n8n-nodes-base.merge", Arc::new(merge::Merge));
        r.register(
            "n8n-nodes-base.httpRequest",
            Arc::new(http_request::HttpRequest),
        );
        r.register("n8n-nodes-base.wait", Arc::new(wait::Wait));
        r.register(
            "n8n-nodes-base.executeWorkflow",
            Arc::new(execute_workflow::ExecuteWorkflow),
        );
        r.register(
            "n8n-nodes-base.respondToWebhook",
            Arc::new(respond_to_webhook::RespondToWebhook),
        );
        r.register(
            "n8n-nodes-base.executionData",
            Arc::new(passthrough::ExecutionData),
        );
        r.register(
            "n8n-nodes-base.n8nTrainingCustomerDatastore",
            Arc::new(training::CustomerDatastore),
        );
        r.register(
            "n8n-nodes-base.compareDatasets",
            Arc::new(compare::CompareDatasets),
        );
        r.register("n8n-nodes-base.dateTime", Arc::new(date_time::DateTimeNode));
        r.register(
            "n8n-nodes-base.splitInBatches",
            Arc::new(split_in_batches::SplitInBatches),
        );
        r.register("n8n-nodes-base.sort", Arc::new(sort::Sort));
        r.register("n8n-nodes-base.limit", Arc::new(limit::Limit));
        r.register("n8n-nodes-base.aggregate", Arc::new(aggregate::Aggregate));
        r.register("n8n-nodes-base.splitOut", Arc::new(split_out::SplitOut));
        r.register(
            "n8n-nodes-base.removeDuplicates",
            Arc::new(remove_duplicates::RemoveDuplicates),
        );
        r.register(
            "n8n-nodes-base.renameKeys",
            Arc::new(rename_keys::RenameKeys),
        );
        r.register("n8n-nodes-base.summarize", Arc::new(summarize::Summarize));
        r.register("n8n-nodes-base.itemLists", Arc::new(item_lists::ItemLists));
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
