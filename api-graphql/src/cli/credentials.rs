//! `weft credentials …`: list, create, update, delete and test credentials. Secret values go in
//! (`--data`, from a file or stdin so they stay out of the shell history) and never come back out.

use std::io::Read;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use super::client::Client;
use super::output::{cell, json, table};

/// What `weft credentials` does.
#[derive(Debug, clap::Subcommand)]
pub enum CredentialsAction {
    /// List credentials (metadata only).
    List,
    /// List the credential types and their fields.
    Types,
    /// Create a credential.
    Create {
        /// Display name.
        #[arg(long)]
        name: String,
        /// Type id, e.g. `httpBasicAuth` (see `weft credentials types`).
        #[arg(long = "type")]
        kind: String,
        /// The fields as JSON: inline, `@FILE`, or `-` for standard input.
        #[arg(long)]
        data: String,
    },
    /// Rename a credential and/or change fields (secret fields left out keep their values).
    Update {
        /// Credential id.
        id: String,
        /// New display name.
        #[arg(long)]
        name: Option<String>,
        /// Fields to change as JSON: inline, `@FILE`, or `-` for standard input.
        #[arg(long)]
        data: Option<String>,
    },
    /// Delete a credential; its recorded secrets can never be decrypted again.
    Delete {
        /// Credential id.
        id: String,
    },
    /// Try a credential against its service (HTTP types call `--endpoint`).
    Test {
        /// Credential id.
        id: String,
        /// URL to call with the authentication applied (HTTP types); `--url` is the server's.
        #[arg(long)]
        endpoint: Option<String>,
    },
}

const FIELDS: &str = "id name type data secretFields createdAt createdBy updatedAt updatedBy";

/// Runs a credentials command.
pub async fn run(client: &Client, action: CredentialsAction, as_json: bool) -> anyhow::Result<()> {
    match action {
        CredentialsAction::List => list(client, as_json).await,
        CredentialsAction::Types => types(client, as_json).await,
        CredentialsAction::Create { name, kind, data } => {
            let data = read_data(&data)?;
            let created = client
                .request(
                    &format!("mutation($name: String!, $type: String!, $data: JSON!) {{ createCredential(name: $name, type: $type, data: $data) {{ {FIELDS} }} }}"),
                    json!({ "name": name, "type": kind, "data": data }),
                )
                .await?;
            show(&created["createCredential"], "created", as_json);
            Ok(())
        }
        CredentialsAction::Update { id, name, data } => {
            if name.is_none() && data.is_none() {
                bail!("nothing to change: give --name and/or --data");
            }
            let data = data.as_deref().map(read_data).transpose()?;
            let updated = client
                .request(
                    &format!("mutation($id: ID!, $name: String, $data: JSON) {{ updateCredential(id: $id, name: $name, data: $data) {{ {FIELDS} }} }}"),
                    json!({ "id": id, "name": name, "data": data }),
                )
                .await?;
            show(&updated["updateCredential"], "updated", as_json);
            Ok(())
        }
        CredentialsAction::Delete { id } => {
            client
                .request(
                    "mutation($id: ID!) { deleteCredential(id: $id) }",
                    json!({ "id": id }),
                )
                .await?;
            if as_json {
                json(&json!({ "id": id, "deleted": true }));
            } else {
                println!("credential {id} deleted; its secrets can no longer be decrypted");
            }
            Ok(())
        }
        CredentialsAction::Test { id, endpoint } => {
            let tested = client
                .request(
                    "mutation($id: ID!, $url: String) { testCredential(id: $id, url: $url) { ok message } }",
                    json!({ "id": id, "url": endpoint }),
                )
                .await?;
            let result = &tested["testCredential"];
            if as_json {
                json(result);
            } else {
                println!("{}", cell(&result["message"]));
            }
            if result["ok"] != true {
                bail!("the credential test failed: {}", cell(&result["message"]));
            }
            Ok(())
        }
    }
}

async fn list(client: &Client, as_json: bool) -> anyhow::Result<()> {
    let data = client
        .request(&format!("{{ credentials {{ {FIELDS} }} }}"), json!({}))
        .await?;
    if as_json {
        json(&data["credentials"]);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = data["credentials"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            vec![
                cell(&c["id"]),
                cell(&c["name"]),
                cell(&c["type"]),
                secret_list(&c["secretFields"]),
                cell(&c["updatedAt"]),
                cell(&c["updatedBy"]),
            ]
        })
        .collect();
    table(
        &["ID", "NAME", "TYPE", "SECRETS SET", "UPDATED", "BY"],
        &rows,
    );
    Ok(())
}

async fn types(client: &Client, as_json: bool) -> anyhow::Result<()> {
    let data = client
        .request(
            "{ credentialTypes { id displayName fields { name kind secret required } } }",
            json!({}),
        )
        .await?;
    if as_json {
        json(&data["credentialTypes"]);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = data["credentialTypes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let fields: Vec<String> = t["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| {
                    let mut name = cell(&f["name"]);
                    if f["required"] == true {
                        name.push('*');
                    }
                    if f["secret"] == true {
                        name.push_str(" (secret)");
                    }
                    name
                })
                .collect();
            vec![cell(&t["id"]), cell(&t["displayName"]), fields.join(", ")]
        })
        .collect();
    table(&["TYPE", "NAME", "FIELDS (* required)"], &rows);
    Ok(())
}

fn secret_list(fields: &Value) -> String {
    let names: Vec<&str> = fields
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if names.is_empty() {
        "-".into()
    } else {
        names.join(",")
    }
}

fn show(credential: &Value, verb: &str, as_json: bool) {
    if as_json {
        json(credential);
    } else {
        println!(
            "credential {} {verb}: {} ({}), secrets set: {}",
            cell(&credential["id"]),
            cell(&credential["name"]),
            cell(&credential["type"]),
            secret_list(&credential["secretFields"])
        );
    }
}

/// `--data`: inline JSON, `@FILE`, or `-` for standard input; must be an object.
fn read_data(argument: &str) -> anyhow::Result<Value> {
    let (text, source) = if argument == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read --data from standard input")?;
        (text, "standard input".to_string())
    } else if let Some(path) = argument.strip_prefix('@') {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
        (text, path.to_string())
    } else {
        (argument.to_string(), "--data".to_string())
    };
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{source} is not valid JSON: {e}"))?;
    if !value.is_object() {
        bail!("{source} must be a JSON object of the credential's fields");
    }
    Ok(value)
}
