//! Trigger rules that need no I/O to evaluate: when a Schedule Trigger fires and which requests a
//! Webhook node answers. The server's scheduler and webhook router build on these; the workflow
//! aggregate uses them to refuse activating a workflow whose triggers cannot work.

mod error;
mod schedule;
mod webhook;

pub use error::TriggerError;
pub use schedule::Schedule;
pub use webhook::{ResponseData, ResponseMode, WebhookPath, WebhookSpec};

use crate::definition::{Node, WorkflowDefinition};

/// Node type of the Schedule Trigger.
pub const SCHEDULE_TRIGGER: &str = "n8n-nodes-base.scheduleTrigger";
/// Node type of the Webhook trigger.
pub const WEBHOOK_TRIGGER: &str = "n8n-nodes-base.webhook";

/// Checks every enabled schedule and webhook trigger of a definition.
pub fn validate_triggers(definition: &WorkflowDefinition) -> Result<(), TriggerError> {
    for node in enabled_triggers(definition) {
        match node.node_type.as_str() {
            SCHEDULE_TRIGGER => {
                Schedule::from_node(node, definition.settings.timezone.as_deref())?;
            }
            WEBHOOK_TRIGGER => {
                WebhookSpec::from_node(node)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The enabled schedule and webhook nodes of a definition.
pub fn enabled_triggers(definition: &WorkflowDefinition) -> impl Iterator<Item = &Node> {
    definition.nodes.iter().filter(|node| {
        !node.disabled && (node.node_type == SCHEDULE_TRIGGER || node.node_type == WEBHOOK_TRIGGER)
    })
}
