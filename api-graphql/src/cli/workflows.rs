//! Workflow commands: list, get, import, export, activate, deactivate, promote, history, diff.

use std::path::Path;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use super::client::Client;
use super::output::{cell, json, table};

/// Environments as the CLI spells them.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Env {
    /// Testing.
    Testing,
    /// Launched.
    Launched,
    /// Production.
    Production,
}

impl Env {
    fn graphql(self) -> &'static str {
        match self {
            Self::Testing => "TESTING",
            Self::Launched => "LAUNCHED",
            Self::Production => "PRODUCTION",
        }
    }
}

const SUMMARY: &str = "id name environment active archived version updatedAt updatedBy";

/// `weft list [--env E]`: every workflow of an environment (all pages).
pub async fn list(client: &Client, env: Option<Env>, as_json: bool) -> anyhow::Result<()> {
    let query = format!(
        "query($env: Environment, $after: String) {{ workflows(environment: $env, first: 500, after: $after) {{ items {{ {SUMMARY} }} nextCursor }} }}"
    );
    let mut items = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = client
            .request(
                &query,
                json!({ "env": env.map(Env::graphql), "after": after }),
            )
            .await?;
        let page = &data["workflows"];
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        match &page["nextCursor"] {
            Value::String(cursor) => after = Value::String(cursor.clone()),
            _ => break,
        }
    }
    if as_json {
        json(&Value::Array(items));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|w| {
            vec![
                cell(&w["id"]),
                cell(&w["name"]),
                cell(&w["environment"]).to_lowercase(),
                if w["active"] == true { "yes" } else { "no" }.into(),
                cell(&w["version"]),
                cell(&w["updatedAt"]),
            ]
        })
        .collect();
    table(
        &["ID", "NAME", "ENV", "ACTIVE", "VERSION", "UPDATED"],
        &rows,
    );
    Ok(())
}

/// `weft get ID`: a workflow with its nodes.
pub async fn get(client: &Client, id: &str, as_json: bool) -> anyhow::Result<()> {
    let query = format!(
        "query($id: ID!) {{ workflow(id: $id) {{ {SUMMARY} description definition {{ nodes {{ id name type disabled }} connections {{ source sourceOutput target targetInput kind }} }} }} }}"
    );
    let data = client.request(&query, json!({ "id": id })).await?;
    let workflow = &data["workflow"];
    if as_json {
        json(workflow);
        return Ok(());
    }
    println!("{} ({})", cell(&workflow["name"]), cell(&workflow["id"]));
    println!(
        "environment {}, version {}, {}{}",
        cell(&workflow["environment"]).to_lowercase(),
        cell(&workflow["version"]),
        if workflow["active"] == true {
            "active"
        } else {
            "inactive"
        },
        if workflow["archived"] == true {
            ", archived"
        } else {
            ""
        }
    );
    println!(
        "updated {} by {}",
        cell(&workflow["updatedAt"]),
        cell(&workflow["updatedBy"])
    );
    let nodes = workflow["definition"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let rows: Vec<Vec<String>> = nodes
        .iter()
        .map(|n| {
            vec![
                cell(&n["id"]),
                cell(&n["name"]),
                cell(&n["type"]),
                if n["disabled"] == true {
                    "disabled"
                } else {
                    ""
                }
                .into(),
            ]
        })
        .collect();
    println!();
    table(&["NODE", "NAME", "TYPE", ""], &rows);
    let connections = workflow["definition"]["connections"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    println!("{} connections", connections.len());
    Ok(())
}

/// `weft import FILE`: a Weft or n8n JSON file (n8n when it has n8n's `connections` object).
pub async fn import(client: &Client, file: &Path, as_json: bool) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let document: Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?;
    let format = if document["connections"].is_object() {
        "N8N"
    } else {
        "WEFT"
    };
    let data = client
        .request(
            "mutation($d: JSON!, $f: ImportFormat!) { importWorkflow(document: $d, format: $f) { workflowId version workflow { id } } }",
            json!({ "d": document, "f": format }),
        )
        .await?;
    let imported = &data["importWorkflow"];
    if as_json {
        json(imported);
    } else {
        println!(
            "imported {} as workflow {} (version {})",
            file.display(),
            cell(&imported["workflowId"]),
            cell(&imported["version"])
        );
    }
    Ok(())
}

/// `weft export ID FILE`: Weft JSON of the current (or given) version.
pub async fn export(
    client: &Client,
    id: &str,
    file: &Path,
    version: Option<u64>,
) -> anyhow::Result<()> {
    let data = client
        .request(
            "mutation($id: ID!, $v: Int) { exportWorkflow(workflowId: $id, version: $v) }",
            json!({ "id": id, "v": version }),
        )
        .await?;
    let text = serde_json::to_string_pretty(&data["exportWorkflow"])?;
    std::fs::write(file, text + "\n")
        .with_context(|| format!("cannot write {}", file.display()))?;
    println!("exported workflow {id} to {}", file.display());
    Ok(())
}

/// `weft activate ID` / `weft deactivate ID`.
pub async fn set_active(
    client: &Client,
    id: &str,
    active: bool,
    as_json: bool,
) -> anyhow::Result<()> {
    let field = if active {
        "activateWorkflow"
    } else {
        "deactivateWorkflow"
    };
    let query = format!(
        "mutation($id: ID!) {{ {field}(workflowId: $id) {{ version workflow {{ active }} }} }}"
    );
    let data = client.request(&query, json!({ "id": id })).await?;
    if as_json {
        json(&data[field]);
    } else {
        println!(
            "workflow {id} is {} (version {})",
            if active { "active" } else { "inactive" },
            cell(&data[field]["version"])
        );
    }
    Ok(())
}

/// `weft promote ID ENV`.
pub async fn promote(client: &Client, id: &str, target: Env, as_json: bool) -> anyhow::Result<()> {
    let data = client
        .request(
            "mutation($id: ID!, $env: Environment!) { promoteWorkflow(workflowId: $id, targetEnvironment: $env) { promotedVersion targetWorkflowId targetVersion target { id } } }",
            json!({ "id": id, "env": target.graphql() }),
        )
        .await?;
    let promoted = &data["promoteWorkflow"];
    if as_json {
        json(promoted);
    } else {
        println!(
            "promoted version {} of {id} to {} as workflow {} (version {})",
            cell(&promoted["promotedVersion"]),
            target.graphql().to_lowercase(),
            cell(&promoted["targetWorkflowId"]),
            cell(&promoted["targetVersion"])
        );
    }
    Ok(())
}

/// `weft history ID`: every version with who and when.
pub async fn history(client: &Client, id: &str, as_json: bool) -> anyhow::Result<()> {
    let data = client
        .request(
            "query($id: ID!) { workflow(id: $id) { versions { version eventType summary actor recordedAt } } }",
            json!({ "id": id }),
        )
        .await?;
    let versions = data["workflow"]["versions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if as_json {
        json(&Value::Array(versions));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = versions
        .iter()
        .map(|v| {
            vec![
                cell(&v["version"]),
                cell(&v["recordedAt"]),
                cell(&v["actor"]),
                cell(&v["summary"]),
            ]
        })
        .collect();
    table(&["VERSION", "WHEN", "WHO", "WHAT"], &rows);
    Ok(())
}

/// `weft diff ID V1 V2`.
pub async fn diff(
    client: &Client,
    id: &str,
    from: u64,
    to: u64,
    as_json: bool,
) -> anyhow::Result<()> {
    if from == 0 || to == 0 {
        bail!("versions start at 1");
    }
    let data = client
        .request(
            "query($id: ID!, $from: Int!, $to: Int!) { workflow(id: $id) { diff(from: $from, to: $to) { isEmpty addedNodes { id name type } removedNodes { id name type } changedNodes { nodeId name changes { path before after } } addedConnections { source sourceOutput target targetInput kind } removedConnections { source sourceOutput target targetInput kind } settings { path before after } variables { path before after } pinData } } }",
            json!({ "id": id, "from": from, "to": to }),
        )
        .await?;
    let diff = data["workflow"]["diff"].clone();
    if as_json {
        json(&diff);
        return Ok(());
    }
    if diff["isEmpty"] == true {
        println!("no differences between version {from} and {to}");
        return Ok(());
    }
    let list = |key: &str| diff[key].as_array().cloned().unwrap_or_default();
    for node in list("addedNodes") {
        println!(
            "+ node {} ({}, {})",
            cell(&node["name"]),
            cell(&node["id"]),
            cell(&node["type"])
        );
    }
    for node in list("removedNodes") {
        println!(
            "- node {} ({}, {})",
            cell(&node["name"]),
            cell(&node["id"]),
            cell(&node["type"])
        );
    }
    for node in list("changedNodes") {
        println!("~ node {} ({})", cell(&node["name"]), cell(&node["nodeId"]));
        for change in node["changes"].as_array().into_iter().flatten() {
            println!(
                "    {}: {} -> {}",
                cell(&change["path"]),
                change["before"],
                change["after"]
            );
        }
    }
    let connection = |c: &Value| {
        format!(
            "{}[{}] -> {}[{}]{}",
            cell(&c["source"]),
            cell(&c["sourceOutput"]),
            cell(&c["target"]),
            cell(&c["targetInput"]),
            if c["kind"] == "ERROR" { " (error)" } else { "" }
        )
    };
    for c in list("addedConnections") {
        println!("+ connection {}", connection(&c));
    }
    for c in list("removedConnections") {
        println!("- connection {}", connection(&c));
    }
    for (label, key) in [("setting", "settings"), ("variable", "variables")] {
        for change in list(key) {
            println!(
                "~ {label} {}: {} -> {}",
                cell(&change["path"]),
                change["before"],
                change["after"]
            );
        }
    }
    for node in list("pinData") {
        println!("~ pinned data of {}", cell(&node));
    }
    Ok(())
}
