//! If: routes each item to `true` (output 0) or `false` (output 1).

use serde_json::Value;

use super::conditions::{evaluate_v1, evaluate_v2};
use super::{NodeContext, NodeOutput, NodeType};
use crate::error::NodeError;

/// Evaluates the node's conditions for one item (v1 lists or the v2 filter).
pub(crate) fn matches(
    ctx: &mut NodeContext<'_>,
    index: usize,
    v1_any_param: (&str, &str),
) -> Result<bool, NodeError> {
    if ctx.node.type_version < 2.0 {
        let (param, any_value) = v1_any_param;
        let any = ctx
            .string(param, index, "")?
            .eq_ignore_ascii_case(any_value);
        return evaluate_v1(ctx, index, any);
    }
    let filter = ctx.param("conditions", index)?.unwrap_or(Value::Null);
    let ignore_case = ctx.boolean("options.ignoreCase", index, false)?;
    let loose = ctx.boolean("options.looseTypeValidation", index, false)?
        || ctx.boolean("looseTypeValidation", index, false)?;
    evaluate_v2(&filter, ignore_case, loose)
}

/// The If node.
pub struct If;

impl NodeType for If {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let (mut yes, mut no) = (Vec::new(), Vec::new());
        for (index, item) in ctx.items().iter().enumerate() {
            match matches(ctx, index, ("combineOperation", "any")) {
                Ok(true) => yes.push(item.clone()),
                Ok(false) => no.push(item.clone()),
                Err(_) if ctx.continue_on_fail() => no.push(item.clone()),
                Err(e) => return Err(e.at_item(index)),
            }
        }
        Ok(vec![yes, no])
    }
}
