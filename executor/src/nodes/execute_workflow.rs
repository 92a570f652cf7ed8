//! Execute Workflow: runs another stored workflow with this node's items and outputs the items of
//! its last node (n8n's "database" source). "Run once with all items" makes one call; "run once
//! for each item" makes one call per item and pairs each result with its item. Without waiting,
//! the sub-workflow runs in the background and the node passes its items on.

use async_trait::async_trait;
use serde_json::Value;

use super::{NodeContext, NodeOutput, NodeType};
use crate::error::{NodeError, NodeErrorKind};
use crate::item::{Item, PairedItem};
use crate::options::SubWorkflowCall;

/// The Execute Workflow node.
pub struct ExecuteWorkflow;

/// The workflow id: a plain string or n8n's resource locator `{"__rl": true, "value": …}`.
fn workflow_id(ctx: &mut NodeContext<'_>) -> Result<String, NodeError> {
    let id = match ctx.param("workflowId", 0)? {
        Some(Value::String(id)) => id,
        Some(Value::Object(locator)) => match locator.get("value") {
            Some(Value::String(id)) => id.clone(),
            Some(Value::Number(id)) => id.to_string(),
            _ => String::new(),
        },
        Some(Value::Number(id)) => id.to_string(),
        _ => String::new(),
    };
    let id = id.trim().to_string();
    if id.is_empty() {
        return Err(NodeError::parameter(
            "choose the workflow to execute (`workflowId`)",
        ));
    }
    Ok(id)
}

#[async_trait]
impl NodeType for ExecuteWorkflow {
    fn execute(&self, _ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        Err(NodeError::new(
            NodeErrorKind::Unsupported,
            "Execute Workflow runs asynchronously",
        ))
    }

    fn is_async(&self) -> bool {
        true
    }

    async fn execute_async(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let source = ctx.string("source", 0, "database")?;
        if source != "database" {
            return Err(NodeError::parameter(format!(
                "source `{source}` is not supported: store the sub-workflow and choose it by id"
            )));
        }
        let workflow_id = workflow_id(ctx)?;
        let each = ctx.string("mode", 0, "once")? == "each";
        let wait = match ctx.raw("options.waitForSubWorkflow") {
            Some(_) => ctx.boolean("options.waitForSubWorkflow", 0, true)?,
            None => true,
        };
        let runner = ctx.options.sub_workflows.clone().ok_or_else(|| {
            NodeError::operation("sub-workflows cannot run here (no execution service)")
        })?;
        let items = ctx.items().to_vec();
        let call = |items: Vec<Item>| SubWorkflowCall {
            workflow_id: workflow_id.clone(),
            items,
            parent_execution_id: ctx.options.execution_id.clone(),
            parent_node_id: ctx.node.id.clone(),
            wait,
        };
        let failed = |e: String| NodeError::operation(format!("workflow `{workflow_id}`: {e}"));
        if !each {
            let paired: Vec<PairedItem> = (0..items.len()).map(PairedItem::item).collect();
            let out = runner.run(call(items)).await.map_err(failed)?;
            // Results carry no lineage of their own: pair them with the items sent, in order.
            return Ok(vec![
                out.into_iter()
                    .enumerate()
                    .map(|(i, item)| Item {
                        paired_item: paired.get(i).cloned().unwrap_or(PairedItem::item(0)),
                        ..item
                    })
                    .collect(),
            ]);
        }
        let mut out = Vec::new();
        for (index, item) in items.into_iter().enumerate() {
            match runner.run(call(vec![item])).await {
                Ok(results) => out.extend(results.into_iter().map(|result| Item {
                    paired_item: PairedItem::item(index),
                    ..result
                })),
                Err(e) if ctx.continue_on_fail() => out.push(Item {
                    json: serde_json::from_value(serde_json::json!({ "error": e }))
                        .unwrap_or_default(),
                    binary: None,
                    paired_item: PairedItem::item(index),
                }),
                Err(e) => return Err(failed(e).at_item(index)),
            }
        }
        Ok(vec![out])
    }
}
