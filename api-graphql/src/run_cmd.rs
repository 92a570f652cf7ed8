//! `weft run FILE [--input JSON] [--json]`: runs a workflow file (Weft or n8n JSON) in-process
//! on a temporary SQLite store, with every step recorded as an event, and prints each node's
//! runs and items. Manual mode: pinned data replaces the pinned nodes' runs, as in n8n.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use serde_json::Value;
use weft_commands::{EventStore, WorkflowCommands};
use weft_domain::definition::{NodeId, WorkflowDefinition};
use weft_domain::execution::Trigger;
use weft_domain::metadata::{Actor, EventMetadata};
use weft_domain::workflow::WorkflowServices;
use weft_executor::record::{RecordRequest, run_recorded};
use weft_executor::{
    CompiledWorkflow, Engine, ExecutionResult, ExecutionStatus, Item, NodeFlags, RunOptions,
    SandboxLimits, import_n8n, run_data_json,
};

/// A workflow read from a file.
struct WorkflowFile {
    name: String,
    definition: WorkflowDefinition,
    flags: HashMap<NodeId, NodeFlags>,
}

/// Reads Weft JSON (`connections` is a list) or n8n JSON (`connections` keyed by node name).
fn read_workflow(path: &Path, engine: &Engine) -> anyhow::Result<WorkflowFile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let doc: Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let name = doc
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("workflow")
        .to_string();
    let file = if doc.get("connections").is_some_and(Value::is_object) {
        let imported = import_n8n(&doc, engine.catalog())
            .with_context(|| format!("{} is not a valid n8n workflow", path.display()))?;
        WorkflowFile {
            name: imported.name,
            definition: imported.definition,
            flags: imported.flags,
        }
    } else {
        let definition = serde_json::from_value(doc)
            .with_context(|| format!("{} is not a valid Weft workflow", path.display()))?;
        WorkflowFile {
            name,
            definition,
            flags: HashMap::new(),
        }
    };
    let unknown: Vec<String> = file
        .definition
        .nodes
        .iter()
        .filter(|node| {
            engine
                .catalog()
                .describe(&node.node_type)
                .is_none_or(|d| !d.supports_version(node.type_version))
        })
        .map(|node| {
            format!(
                "{} v{} (node \"{}\")",
                node.node_type, node.type_version, node.name
            )
        })
        .collect();
    if !unknown.is_empty() {
        bail!("unknown node types: {}", unknown.join(", "));
    }
    Ok(file)
}

/// Items for the start node: an array gives one item per element, anything else one item.
fn input_items(input: &str) -> anyhow::Result<Vec<Item>> {
    let value: Value = serde_json::from_str(input).context("--input is not JSON")?;
    Ok(match value {
        Value::Array(values) => values.into_iter().map(Item::from_value).collect(),
        other => vec![Item::from_value(other)],
    })
}

/// Each node run in execution order with its items, then the outcome.
fn print_runs(workflow: &CompiledWorkflow, result: &ExecutionResult) {
    for (node, run_index) in result.run_data.order() {
        let run = &result.run_data.runs(*node)[*run_index];
        println!("{} (run {run_index})", workflow.node(*node).node.name);
        for (output, items) in run.outputs.iter().enumerate() {
            let count = items.len();
            println!(
                "  output {output}: {count} item{}",
                if count == 1 { "" } else { "s" }
            );
            for item in items.iter() {
                println!("    {}", item.to_n8n());
            }
        }
        if let Some(error) = &run.error {
            println!("  error: {}", error.message);
        }
    }
}

/// Runs the file; fails (exit code 1) on a bad file or input, or when the execution failed.
pub async fn run(file: &Path, input: Option<&str>, json: bool) -> anyhow::Result<()> {
    let engine = Engine::new(SandboxLimits::default());
    let WorkflowFile {
        name,
        definition,
        flags,
    } = read_workflow(file, &engine)?;
    let trigger_items = match input {
        Some(input) => input_items(input)?,
        None => vec![Item::default()],
    };
    let workflow = engine
        .compile(Arc::new(definition.clone()), &flags)
        .context("the workflow cannot run")?;
    let directory = tempfile::tempdir().context("cannot create a temporary directory")?;
    let store = EventStore::open(&format!(
        "sqlite://{}",
        directory.path().join("weft.db").display()
    ))
    .await?;
    let store = crate::worker_cmd::recording_store(&store)?;
    let actor = Actor::system("cli");
    let metadata = EventMetadata {
        actor: actor.clone(),
        timestamp: chrono::Utc::now(),
        correlation_id: uuid::Uuid::now_v7().to_string(),
        causation_id: None,
    };
    let (workflow_id, created) = WorkflowCommands::new(store.clone(), WorkflowServices::default())
        .create(&name, "", definition, &metadata)
        .await
        .context("invalid workflow")?;
    let request = RecordRequest {
        execution_id: uuid::Uuid::now_v7().to_string(),
        workflow_id,
        workflow_version: created.version,
        trigger: Trigger::Manual,
        actor,
    };
    let options = RunOptions {
        trigger_items,
        ..Default::default()
    };
    let recorded = run_recorded(&engine, &store, &workflow, request, options).await?;
    let result = &recorded.result;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&run_data_json(&workflow, result))?
        );
    } else {
        print_runs(&workflow, result);
        println!(
            "status: {} ({} events recorded)",
            serde_json::to_value(result.status)?
                .as_str()
                .unwrap_or_default(),
            recorded.state.version
        );
    }
    if result.status == ExecutionStatus::Error {
        let node = result
            .failed_node
            .as_deref()
            .and_then(|id| workflow.index_of(id))
            .map(|index| format!(" at node \"{}\"", workflow.node(index).node.name))
            .unwrap_or_default();
        let message = result.error.as_ref().map_or("", |e| e.message.as_str());
        bail!("the execution failed{node}: {message}");
    }
    Ok(())
}
