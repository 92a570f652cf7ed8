//! The node types shipped with Weft. Type ids follow n8n's so n8n workflows import unchanged.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use super::schema::{NodeCategory, NodeTypeDescription, PortFn, PortNames, TriggerKind};
use super::{NodeCatalog, Ports};
use crate::definition::Node;

/// The catalog of built-in node types.
#[derive(Debug, Clone)]
pub struct BuiltinCatalog {
    types: HashMap<String, NodeTypeDescription>,
}

impl BuiltinCatalog {
    /// The shared built-in catalog.
    pub fn shared() -> &'static BuiltinCatalog {
        static CATALOG: OnceLock<BuiltinCatalog> = OnceLock::new();
        CATALOG.get_or_init(|| BuiltinCatalog {
            types: descriptions()
                .into_iter()
                .map(|d| (d.name.clone(), d))
                .collect(),
        })
    }
}

impl NodeCatalog for BuiltinCatalog {
    fn describe(&self, node_type: &str) -> Option<&NodeTypeDescription> {
        self.types.get(node_type)
    }

    fn all(&self) -> Vec<&NodeTypeDescription> {
        let mut all: Vec<_> = self.types.values().collect();
        all.sort_by(|a, b| {
            (a.trigger.is_none(), &a.display_name).cmp(&(b.trigger.is_none(), &b.display_name))
        });
        all
    }
}

struct Spec {
    name: &'static str,
    display: &'static str,
    description: &'static str,
    category: NodeCategory,
    versions: &'static [f64],
    trigger: Option<TriggerKind>,
    inputs: &'static [&'static str],
    outputs: &'static [&'static str],
    dynamic_ports: Option<PortFn>,
}

fn describe(spec: Spec) -> NodeTypeDescription {
    let names = |ports: &[&str]| ports.iter().map(|p| p.to_string()).collect();
    NodeTypeDescription {
        name: spec.name.to_string(),
        display_name: spec.display.to_string(),
        description: spec.description.to_string(),
        category: spec.category,
        versions: spec.versions.to_vec(),
        trigger: spec.trigger,
        ports: PortNames {
            inputs: names(spec.inputs),
            outputs: names(spec.outputs),
        },
        parameters: super::builtin_parameters::parameters_for(spec.name),
        credentials: super::builtin_parameters::credentials_for(spec.name),
        dynamic_ports: spec.dynamic_ports,
    }
}

const MAIN: &[&str] = &["main"];
const NONE: &[&str] = &[];

fn simple(
    name: &'static str,
    display: &'static str,
    description: &'static str,
    category: NodeCategory,
    versions: &'static [f64],
) -> Spec {
    Spec {
        name,
        display,
        description,
        category,
        versions,
        trigger: None,
        inputs: MAIN,
        outputs: MAIN,
        dynamic_ports: None,
    }
}

fn trigger(
    name: &'static str,
    display: &'static str,
    description: &'static str,
    versions: &'static [f64],
    kind: TriggerKind,
) -> Spec {
    Spec {
        trigger: Some(kind),
        inputs: NONE,
        ..simple(name, display, description, NodeCategory::Trigger, versions)
    }
}

fn descriptions() -> Vec<NodeTypeDescription> {
    use NodeCategory::*;
    let specs = vec![
        trigger(
            "n8n-nodes-base.manualTrigger",
            "Manual Trigger",
            "Runs the workflow when you start it by hand.",
            &[1.0],
            TriggerKind::Manual,
        ),
        trigger(
            "n8n-nodes-base.webhook",
            "Webhook",
            "Runs the workflow when an HTTP request reaches its path.",
            &[1.0, 1.1, 2.0, 2.1],
            TriggerKind::Webhook,
        ),
        trigger(
            "n8n-nodes-base.scheduleTrigger",
            "Schedule Trigger",
            "Runs the workflow on a cron schedule or at an interval.",
            &[1.0, 1.1, 1.2],
            TriggerKind::Schedule,
        ),
        trigger(
            "n8n-nodes-base.errorTrigger",
            "Error Trigger",
            "Runs when another workflow that names this one as its error workflow fails.",
            &[1.0],
            TriggerKind::Error,
        ),
        trigger(
            "n8n-nodes-base.executeWorkflowTrigger",
            "Execute Workflow Trigger",
            "Runs when another workflow calls this one.",
            &[1.0, 1.1],
            TriggerKind::SubWorkflow,
        ),
        simple(
            "n8n-nodes-base.respondToWebhook",
            "Respond to Webhook",
            "Sends the HTTP response for the webhook that started the run.",
            Flow,
            &[1.0, 1.1, 1.2, 1.3, 1.4, 1.5],
        ),
        simple(
            "n8n-nodes-base.set",
            "Edit Fields (Set)",
            "Adds, changes or removes item fields.",
            Transform,
            &[1.0, 2.0, 3.0, 3.1, 3.2, 3.3, 3.4],
        ),
        Spec {
            outputs: &["true", "false"],
            ..simple(
                "n8n-nodes-base.if",
                "If",
                "Routes items to true or false by conditions.",
                Flow,
                &[1.0, 2.0, 2.1, 2.2, 2.3],
            )
        },
        Spec {
            dynamic_ports: Some(switch_ports),
            outputs: &["0", "1", "2", "3"],
            ..simple(
                "n8n-nodes-base.switch",
                "Switch",
                "Routes items to outputs by rules or an expression.",
                Flow,
                &[1.0, 2.0, 3.0, 3.1, 3.2],
            )
        },
        Spec {
            dynamic_ports: Some(merge_ports),
            inputs: &["input1", "input2"],
            ..simple(
                "n8n-nodes-base.merge",
                "Merge",
                "Combines the items of several inputs.",
                Flow,
                &[1.0, 2.0, 2.1, 3.0, 3.1, 3.2],
            )
        },
        Spec {
            outputs: &["kept", "discarded"],
            dynamic_ports: Some(filter_ports),
            ..simple(
                "n8n-nodes-base.filter",
                "Filter",
                "Keeps only the items that match conditions.",
                Flow,
                &[1.0, 2.0, 2.1, 2.2],
            )
        },
        simple(
            "n8n-nodes-base.sort",
            "Sort",
            "Sorts items by fields, randomly or by code.",
            Transform,
            &[1.0],
        ),
        simple(
            "n8n-nodes-base.limit",
            "Limit",
            "Keeps the first or last N items.",
            Transform,
            &[1.0],
        ),
        simple(
            "n8n-nodes-base.aggregate",
            "Aggregate",
            "Combines many items into one.",
            Transform,
            &[1.0],
        ),
        simple(
            "n8n-nodes-base.splitOut",
            "Split Out",
            "Turns a list inside an item into separate items.",
            Transform,
            &[1.0],
        ),
        simple(
            "n8n-nodes-base.removeDuplicates",
            "Remove Duplicates",
            "Drops items that repeat.",
            Transform,
            &[1.0, 1.1, 2.0],
        ),
        simple(
            "n8n-nodes-base.renameKeys",
            "Rename Keys",
            "Renames item fields.",
            Transform,
            &[1.0],
        ),
        simple(
            "n8n-nodes-base.dateTime",
            "Date & Time",
            "Formats, shifts and compares dates.",
            Transform,
            &[1.0, 2.0],
        ),
        simple(
            "n8n-nodes-base.code",
            "Code",
            "Runs JavaScript over the items in a sandbox.",
            Code,
            &[1.0, 2.0],
        ),
        simple(
            "n8n-nodes-base.httpRequest",
            "HTTP Request",
            "Calls an HTTP endpoint.",
            Action,
            &[1.0, 2.0, 3.0, 4.0, 4.1, 4.2],
        ),
        simple(
            "n8n-nodes-base.wait",
            "Wait",
            "Pauses the run for a while or until a time; survives restarts.",
            Flow,
            &[1.0, 1.1],
        ),
        simple(
            "n8n-nodes-base.executeWorkflow",
            "Execute Workflow",
            "Runs another workflow and waits for its result.",
            Flow,
            &[1.0, 1.1, 1.2],
        ),
        simple(
            "n8n-nodes-base.noOp",
            "No Operation",
            "Passes items through unchanged.",
            Flow,
            &[1.0],
        ),
        Spec {
            outputs: NONE,
            ..simple(
                "n8n-nodes-base.stopAndError",
                "Stop and Error",
                "Fails the run with a message.",
                Flow,
                &[1.0],
            )
        },
        Spec {
            inputs: NONE,
            outputs: NONE,
            ..simple(
                "n8n-nodes-base.stickyNote",
                "Sticky Note",
                "A note on the canvas.",
                Annotation,
                &[1.0],
            )
        },
        simple(
            "n8n-nodes-base.summarize",
            "Summarize",
            "Counts, sums and lists field values per group.",
            Transform,
            &[1.0, 1.1],
        ),
        simple(
            "n8n-nodes-base.itemLists",
            "Item Lists",
            "Older all-in-one list node: aggregate, split out, limit, sort, summarize.",
            Transform,
            &[1.0, 2.0, 2.1, 2.2, 3.0, 3.1],
        ),
        Spec {
            outputs: &["loop", "done"],
            dynamic_ports: Some(split_in_batches_ports),
            ..simple(
                "n8n-nodes-base.splitInBatches",
                "Loop Over Items",
                "Hands items on in batches, one batch per run.",
                Flow,
                &[1.0, 2.0, 3.0],
            )
        },
        Spec {
            inputs: &["A", "B"],
            outputs: &["In A only", "Same", "Different", "In B only"],
            ..simple(
                "n8n-nodes-base.compareDatasets",
                "Compare Datasets",
                "Compares two inputs by key fields.",
                Transform,
                &[1.0, 2.0, 2.1, 2.2, 2.3],
            )
        },
        simple(
            "n8n-nodes-base.executionData",
            "Execution Data",
            "Saves key/value pairs on the execution for filtering.",
            Flow,
            &[1.0],
        ),
        simple(
            "n8n-nodes-base.n8nTrainingCustomerDatastore",
            "Customer Datastore (n8n training)",
            "Mock customer records for tutorials and tests.",
            Action,
            &[1.0],
        ),
        simple(
            "n8n-nodes-base.debugHelper",
            "Debug Helper",
            "Throws an error or does nothing, for testing error handling.",
            Flow,
            &[1.0],
        ),
        simple(
            "n8n-nodes-base.function",
            "Function (legacy)",
            "Runs JavaScript over all items (legacy Code node).",
            Code,
            &[1.0],
        ),
        simple(
            "n8n-nodes-testing.testData",
            "Test Data",
            "Emits fixed items (used by conformance tests).",
            Transform,
            &[1.0],
        ),
    ];
    specs.into_iter().map(describe).collect()
}

fn param<'a>(node: &'a Node, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(&node.parameters, |v, key| v.get(key))
}

fn switch_ports(node: &Node) -> Ports {
    let outputs = if node.type_version < 3.0 {
        // v1/v2: fixed outputs 0..3, or `outputsAmount` in v2 expression mode.
        param(node, &["outputsAmount"])
            .and_then(Value::as_u64)
            .unwrap_or(4) as u32
    } else if param(node, &["mode"]).and_then(Value::as_str) == Some("expression") {
        param(node, &["numberOutputs"])
            .and_then(Value::as_u64)
            .unwrap_or(4) as u32
    } else {
        let rules = param(node, &["rules", "values"])
            .and_then(Value::as_array)
            .map_or(0, Vec::len) as u32;
        let extra =
            param(node, &["options", "fallbackOutput"]).and_then(Value::as_str) == Some("extra");
        rules + u32::from(extra)
    };
    Ports { inputs: 1, outputs }
}

fn merge_ports(node: &Node) -> Ports {
    let inputs = if node.type_version >= 3.0 {
        param(node, &["numberInputs"])
            .and_then(Value::as_u64)
            .unwrap_or(2) as u32
    } else {
        2
    };
    Ports { inputs, outputs: 1 }
}

fn split_in_batches_ports(node: &Node) -> Ports {
    Ports {
        inputs: 1,
        outputs: if node.type_version < 2.0 { 1 } else { 2 },
    }
}

fn filter_ports(node: &Node) -> Ports {
    let discarded =
        param(node, &["options", "allowFallthrough"]).and_then(Value::as_bool) == Some(true);
    Ports {
        inputs: 1,
        outputs: 1 + u32::from(discarded),
    }
}
