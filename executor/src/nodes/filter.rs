//! Filter: keeps the items that match; with `allowFallthrough` the others go to output 1.

use super::if_node::matches;
use super::{NodeContext, NodeOutput, NodeType};
use crate::error::NodeError;

/// The Filter node.
pub struct Filter;

impl NodeType for Filter {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let (mut kept, mut discarded) = (Vec::new(), Vec::new());
        for (index, item) in ctx.items().iter().enumerate() {
            match matches(ctx, index, ("combineConditions", "OR")) {
                Ok(true) => kept.push(item.clone()),
                Ok(false) => discarded.push(item.clone()),
                Err(_) if ctx.continue_on_fail() => discarded.push(item.clone()),
                Err(e) => return Err(e.at_item(index)),
            }
        }
        if ctx.boolean("options.allowFallthrough", 0, false)? {
            Ok(vec![kept, discarded])
        } else {
            Ok(vec![kept])
        }
    }
}
