//! Limit: keeps the first or last N items.

use super::{NodeContext, NodeOutput, NodeType};
use crate::error::NodeError;

/// Runs the limit over the node's items.
pub(crate) fn limit(ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
    let max = ctx.number("maxItems", 0, 1.0)?.max(0.0) as usize;
    let items = ctx.items();
    let kept = if ctx.string("keep", 0, "firstItems")? == "lastItems" {
        items[items.len().saturating_sub(max)..].to_vec()
    } else {
        items.iter().take(max).cloned().collect()
    };
    Ok(vec![kept])
}

/// The Limit node.
pub struct Limit;

impl NodeType for Limit {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        limit(ctx)
    }
}
