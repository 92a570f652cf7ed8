//! Execution commands: execute (with live node progress), executions, replay.

use std::collections::HashSet;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use super::client::Client;
use super::output::{cell, json, table};

/// How often `execute` polls the execution's node runs.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// `weft execute ID [--input JSON]`: runs the workflow, prints each node run as it finishes and
/// waits for the result; exits 1 when the execution fails.
pub async fn execute(
    client: &Client,
    id: &str,
    input: Option<&str>,
    as_json: bool,
) -> anyhow::Result<()> {
    let input: Option<Value> = input
        .map(|text| serde_json::from_str(text).context("--input is not valid JSON"))
        .transpose()?;
    let data = client
        .request(
            "mutation($id: ID!, $input: JSON) { executeWorkflow(workflowId: $id, input: $input) { executionId workflowVersion } }",
            json!({ "id": id, "input": input }),
        )
        .await?;
    let execution_id = data["executeWorkflow"]["executionId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if !as_json {
        println!(
            "execution {execution_id} of workflow {id} (version {})",
            cell(&data["executeWorkflow"]["workflowVersion"])
        );
    }
    let mut shown = HashSet::new();
    let execution = loop {
        let data = client
            .request(
                "query($id: ID!) { execution(id: $id) { id status durationMs error errorNodeId nodeRuns { nodeId runIndex status attempts outputs durationMs error } } }",
                json!({ "id": execution_id }),
            )
            .await;
        let execution = match data {
            Ok(data) => data["execution"].clone(),
            // The read models may not list it yet.
            Err(error) if error.to_string().starts_with("NOT_FOUND") => {
                tokio::time::sleep(PROGRESS_EVERY).await;
                continue;
            }
            Err(error) => return Err(error),
        };
        if !as_json {
            for run in execution["nodeRuns"].as_array().into_iter().flatten() {
                let status = cell(&run["status"]);
                let key = (cell(&run["nodeId"]), cell(&run["runIndex"]));
                if status != "running" && shown.insert(key) {
                    let items: usize = run["outputs"]
                        .as_array()
                        .map(|outputs| {
                            outputs
                                .iter()
                                .filter_map(Value::as_array)
                                .map(Vec::len)
                                .sum()
                        })
                        .unwrap_or(0);
                    println!(
                        "  {:<10} {} (run {}, {} items, {} ms{})",
                        status,
                        cell(&run["nodeId"]),
                        cell(&run["runIndex"]),
                        items,
                        cell(&run["durationMs"]),
                        if run["attempts"].as_u64().unwrap_or(1) > 1 {
                            format!(", {} attempts", cell(&run["attempts"]))
                        } else {
                            String::new()
                        }
                    );
                }
            }
        }
        match execution["status"].as_str() {
            Some("QUEUED" | "RUNNING") | None => tokio::time::sleep(PROGRESS_EVERY).await,
            _ => break execution,
        }
    };
    let status = cell(&execution["status"]);
    if as_json {
        json(&execution);
    } else {
        println!(
            "{} in {} ms",
            status.to_lowercase(),
            cell(&execution["durationMs"])
        );
    }
    if status == "FAILED" || status == "CANCELED" {
        let message = execution["error"]["message"]
            .as_str()
            .unwrap_or("no error recorded");
        bail!(
            "execution {execution_id} {}: {message}",
            status.to_lowercase()
        );
    }
    Ok(())
}

/// `weft executions [WORKFLOW_ID]`: the newest executions.
pub async fn list(client: &Client, workflow: Option<&str>, as_json: bool) -> anyhow::Result<()> {
    let data = client
        .request(
            "query($id: ID) { executions(workflowId: $id, first: 50) { items { id workflowId workflowVersion status trigger mode queuedAt durationMs errorNodeId } } }",
            json!({ "id": workflow }),
        )
        .await?;
    let items = data["executions"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if as_json {
        json(&Value::Array(items));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|e| {
            vec![
                cell(&e["id"]),
                cell(&e["status"]).to_lowercase(),
                cell(&e["trigger"]),
                cell(&e["workflowId"]),
                cell(&e["workflowVersion"]),
                cell(&e["queuedAt"]),
                cell(&e["durationMs"]),
            ]
        })
        .collect();
    table(
        &[
            "ID", "STATUS", "TRIGGER", "WORKFLOW", "VERSION", "QUEUED", "MS",
        ],
        &rows,
    );
    Ok(())
}

/// `weft replay EXECUTION_ID`: the execution's events in order, with times, on the exact
/// workflow version that ran.
pub async fn replay(client: &Client, id: &str, as_json: bool) -> anyhow::Result<()> {
    let data = client
        .request(
            "query($id: ID!) { execution(id: $id) { id workflowId replay { workflowVersion events { sequence type recordedAt actor payload } } } }",
            json!({ "id": id }),
        )
        .await?;
    let execution = &data["execution"];
    if as_json {
        json(&execution["replay"]);
        return Ok(());
    }
    println!(
        "execution {} of workflow {} at version {}",
        cell(&execution["id"]),
        cell(&execution["workflowId"]),
        cell(&execution["replay"]["workflowVersion"])
    );
    let rows: Vec<Vec<String>> = execution["replay"]["events"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|event| {
            let payload = &event["payload"];
            let node = payload["nodeId"].as_str().unwrap_or_default().to_string();
            vec![
                cell(&event["sequence"]),
                cell(&event["recordedAt"]),
                cell(&event["type"]),
                node,
            ]
        })
        .collect();
    table(&["#", "WHEN", "EVENT", "NODE"], &rows);
    Ok(())
}
