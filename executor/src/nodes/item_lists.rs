//! Item Lists (v1–v3): the older node that bundled aggregate, split out, limit, remove
//! duplicates, sort and summarize behind an `operation` parameter.

use super::{
    NodeContext, NodeOutput, NodeType, aggregate, limit, remove_duplicates, sort, split_out,
    summarize,
};
use crate::error::NodeError;

/// The Item Lists node.
pub struct ItemLists;

impl NodeType for ItemLists {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        match ctx.string("operation", 0, "splitOutItems")?.as_str() {
            "aggregateItems" | "concatenateItems" => aggregate::aggregate(ctx),
            "limit" => limit::limit(ctx),
            "removeDuplicates" => remove_duplicates::remove_duplicates(ctx),
            "sort" => sort::sort(ctx),
            "summarize" => summarize::summarize(ctx),
            "splitOutItems" => split_out::split_out(ctx),
            other => Err(NodeError::parameter(format!(
                "unknown Item Lists operation `{other}`"
            ))),
        }
    }
}
