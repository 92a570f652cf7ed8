//! The n8n-style JSON report of an execution, as `weft run --json` prints it:
//! `{"status", "runData": {"<node name>": [{"outputs": [[item, …], …], "error"}]}}`.

use serde_json::{Map, Value, json};

use crate::engine::ExecutionResult;
use crate::graph::CompiledWorkflow;
use crate::item::Item;

/// Every node run of an execution keyed by node name, with outputs by index.
pub fn run_data_json(workflow: &CompiledWorkflow, result: &ExecutionResult) -> Value {
    let mut nodes = Map::new();
    for (name, runs) in result.run_data.by_name(workflow) {
        let runs: Vec<Value> = runs
            .iter()
            .map(|run| {
                let outputs: Vec<Value> = run
                    .outputs
                    .iter()
                    .map(|items| Value::Array(items.iter().map(Item::to_n8n).collect()))
                    .collect();
                json!({ "outputs": outputs, "error": run.error })
            })
            .collect();
        nodes.insert(name.to_string(), Value::Array(runs));
    }
    json!({ "status": result.status, "runData": nodes })
}
