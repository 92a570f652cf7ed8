//! `/api/workflows…`: list, create, get, update, archive, import, export, execute, activate,
//! deactivate, promote.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};

use super::{Rest, RestError, RestResult, created, json_body, number_param, ok};

/// The fields of a workflow in REST answers (`definition` is Weft JSON).
pub(super) const WORKFLOW: &str = "id name description environment active archived version createdAt createdBy updatedAt updatedBy promotedFrom { workflowId version } definition { json }";

/// Moves `definition.json` up to `definition`.
fn workflow(mut value: Value) -> Value {
    let json = value["definition"]["json"].take();
    value["definition"] = json;
    value
}

/// The body's `expectedVersion`, if any.
fn expected_version(body: &Map<String, Value>) -> Result<Value, RestError> {
    match body.get("expectedVersion") {
        None | Some(Value::Null) => Ok(Value::Null),
        Some(Value::Number(n)) if n.as_u64().is_some() => Ok(Value::Number(n.clone())),
        Some(other) => Err(RestError::invalid(format!(
            "`expectedVersion` must be a version number, got {other}"
        ))),
    }
}

fn text(body: &Map<String, Value>, key: &str) -> Result<Option<String>, RestError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(RestError::invalid(format!(
            "`{key}` must be a string, got {other}"
        ))),
    }
}

/// The definition fields of a body (`nodes`, `connections`, `settings`, `variables`, `pinData`).
fn definition_of(body: &Map<String, Value>) -> Option<Value> {
    let fields: Map<String, Value> = ["nodes", "connections", "settings", "variables", "pinData"]
        .iter()
        .filter_map(|key| Some((key.to_string(), body.get(*key)?.clone())))
        .collect();
    (!fields.is_empty()).then_some(Value::Object(fields))
}

/// `GET /api/workflows?environment=&active=&search=&archived=&limit=&after=`.
pub(super) async fn list(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> RestResult {
    let environment = match query.get("environment").map(String::as_str) {
        None => Value::Null,
        Some(env @ ("testing" | "launched" | "production")) => json!(env.to_uppercase()),
        Some(other) => {
            return Err(RestError::invalid(format!(
                "`environment` must be testing, launched or production, got `{other}`"
            )));
        }
    };
    let flag = |key: &str| match query.get(key).map(String::as_str) {
        None => Ok(Value::Null),
        Some("true") => Ok(json!(true)),
        Some("false") => Ok(json!(false)),
        Some(other) => Err(RestError::invalid(format!(
            "`{key}` must be true or false, got `{other}`"
        ))),
    };
    let limit = number_param(&query, "limit", "a positive number")?;
    let data = rest
        .run(
            &headers,
            &format!(
                "query($env: Environment, $active: Boolean, $search: String, $archived: Boolean, $first: Int, $after: String) {{ workflows(environment: $env, active: $active, search: $search, archived: $archived, first: $first, after: $after) {{ items {{ {WORKFLOW} }} nextCursor }} }}"
            ),
            json!({
                "env": environment,
                "active": flag("active")?,
                "search": query.get("search"),
                "archived": flag("archived")?,
                "first": limit,
                "after": query.get("after"),
            }),
        )
        .await?;
    let page = &data["workflows"];
    let items: Vec<Value> = page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .cloned()
        .map(workflow)
        .collect();
    Ok(ok(
        json!({ "items": items, "nextCursor": page["nextCursor"] }),
    ))
}

/// `POST /api/workflows` with `{name, description?, nodes?, connections?, settings?, …}`.
pub(super) async fn create(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    body: Bytes,
) -> RestResult {
    let body = json_body(&body)?;
    let name = text(&body, "name")?.ok_or_else(|| RestError::invalid("`name` is required"))?;
    let data = rest
        .run(
            &headers,
            &format!(
                "mutation($name: String!, $description: String!, $definition: JSON) {{ createWorkflow(name: $name, description: $description, definition: $definition) {{ workflow {{ {WORKFLOW} }} }} }}"
            ),
            json!({
                "name": name,
                "description": text(&body, "description")?.unwrap_or_default(),
                "definition": definition_of(&body),
            }),
        )
        .await?;
    Ok(created(workflow(
        data["createWorkflow"]["workflow"].clone(),
    )))
}

/// `GET /api/workflows/{id}`.
pub(super) async fn get(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> RestResult {
    let data = rest
        .run(
            &headers,
            &format!("query($id: ID!) {{ workflow(id: $id) {{ {WORKFLOW} }} }}"),
            json!({ "id": id }),
        )
        .await?;
    Ok(ok(workflow(data["workflow"].clone())))
}

/// `PUT /api/workflows/{id}` with any of `name`, `description` and the definition fields, and
/// an optional `expectedVersion` (each part is one command; a stale version is `409`).
pub(super) async fn update(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> RestResult {
    let body = json_body(&body)?;
    let mut expected = expected_version(&body)?;
    let name = text(&body, "name")?;
    let description = text(&body, "description")?;
    let definition = definition_of(&body);
    if name.is_none() && description.is_none() && definition.is_none() {
        return Err(RestError::invalid(
            "nothing to update: send `name`, `description` or definition fields (`nodes`, `connections`, …)",
        ));
    }
    // Each command is checked against the version the caller saw, then the next one against the
    // version the previous command produced.
    let mut latest = Value::Null;
    let mut run = async |field: &str, arguments: &str, variables: Value| -> Result<(), RestError> {
        let mut variables = variables;
        variables["id"] = json!(id);
        variables["expected"] = expected.clone();
        let mutation = format!(
            "mutation($id: ID!, $expected: Int, {arguments}) {{ {field}(workflowId: $id, expectedVersion: $expected, {}) {{ version workflow {{ {WORKFLOW} }} }} }}",
            arguments
                .split(", ")
                .map(|a| {
                    let name = a
                        .split(':')
                        .next()
                        .unwrap_or_default()
                        .trim_start_matches('$');
                    format!("{name}: ${name}")
                })
                .collect::<Vec<_>>()
                .join(", ")
        );
        let data = rest.run(&headers, &mutation, variables).await?;
        if !expected.is_null() {
            expected = data[field]["version"].clone();
        }
        latest = data[field]["workflow"].clone();
        Ok(())
    };
    if let Some(definition) = definition {
        run(
            "replaceDefinition",
            "$definition: JSON!",
            json!({ "definition": definition }),
        )
        .await?;
    }
    if let Some(name) = name {
        run("renameWorkflow", "$name: String!", json!({ "name": name })).await?;
    }
    if let Some(description) = description {
        run(
            "describeWorkflow",
            "$description: String!",
            json!({ "description": description }),
        )
        .await?;
    }
    Ok(ok(workflow(latest)))
}

/// `DELETE /api/workflows/{id}`: archives it (its history stays; restore brings it back).
pub(super) async fn archive(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> RestResult {
    lifecycle(&rest, &headers, &id, "archiveWorkflow").await
}

/// `POST /api/workflows/{id}/activate`.
pub(super) async fn activate(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> RestResult {
    lifecycle(&rest, &headers, &id, "activateWorkflow").await
}

/// `POST /api/workflows/{id}/deactivate`.
pub(super) async fn deactivate(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> RestResult {
    lifecycle(&rest, &headers, &id, "deactivateWorkflow").await
}

async fn lifecycle(rest: &Rest, headers: &HeaderMap, id: &str, mutation: &str) -> RestResult {
    let data = rest
        .run(
            headers,
            &format!(
                "mutation($id: ID!) {{ {mutation}(workflowId: $id) {{ workflow {{ {WORKFLOW} }} }} }}"
            ),
            json!({ "id": id }),
        )
        .await?;
    Ok(ok(workflow(data[mutation]["workflow"].clone())))
}

/// `POST /api/workflows/{id}/promote` with `{"targetEnvironment": "launched"|"production"}`.
pub(super) async fn promote(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> RestResult {
    let body = json_body(&body)?;
    let target = match text(&body, "targetEnvironment")?.as_deref() {
        Some(env @ ("launched" | "production")) => env.to_uppercase(),
        Some(other) => {
            return Err(RestError::invalid(format!(
                "`targetEnvironment` must be launched or production, got `{other}`"
            )));
        }
        None => return Err(RestError::invalid("`targetEnvironment` is required")),
    };
    let data = rest
        .run(
            &headers,
            &format!(
                "mutation($id: ID!, $env: Environment!, $expected: Int) {{ promoteWorkflow(workflowId: $id, targetEnvironment: $env, expectedVersion: $expected) {{ promotedVersion target {{ {WORKFLOW} }} }} }}"
            ),
            json!({ "id": id, "env": target, "expected": expected_version(&body)? }),
        )
        .await?;
    let promoted = &data["promoteWorkflow"];
    Ok(ok(json!({
        "promotedVersion": promoted["promotedVersion"],
        "target": workflow(promoted["target"].clone()),
    })))
}

/// `POST /api/workflows/import`: a Weft or n8n document (n8n when `connections` is an object),
/// optionally wrapped as `{"document": …, "format": "weft"|"n8n", "name": …}`.
pub(super) async fn import(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    body: Bytes,
) -> RestResult {
    let body = json_body(&body)?;
    let (document, format, name) = match body.get("document") {
        Some(document) => (
            document.clone(),
            text(&body, "format")?,
            text(&body, "name")?,
        ),
        None => (Value::Object(body), None, None),
    };
    let format = match format.as_deref() {
        Some("weft") => "WEFT",
        Some("n8n") => "N8N",
        Some(other) => {
            return Err(RestError::invalid(format!(
                "`format` must be weft or n8n, got `{other}`"
            )));
        }
        None if document["connections"].is_object() => "N8N",
        None => "WEFT",
    };
    let data = rest
        .run(
            &headers,
            &format!(
                "mutation($d: JSON!, $f: ImportFormat!, $name: String) {{ importWorkflow(document: $d, format: $f, name: $name) {{ workflow {{ {WORKFLOW} }} }} }}"
            ),
            json!({ "d": document, "f": format, "name": name }),
        )
        .await?;
    Ok(created(workflow(
        data["importWorkflow"]["workflow"].clone(),
    )))
}

/// `GET /api/workflows/{id}/export?version=N`: Weft JSON.
pub(super) async fn export(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> RestResult {
    let version = number_param(&query, "version", "a version number")?;
    let data = rest
        .run(
            &headers,
            "mutation($id: ID!, $v: Int) { exportWorkflow(workflowId: $id, version: $v) }",
            json!({ "id": id, "v": version }),
        )
        .await?;
    Ok(ok(data["exportWorkflow"].clone()))
}

/// `POST /api/workflows/{id}/execute` with optional `{"input": …, "wait": true}`: `202` with
/// the execution id, or with `wait` the finished execution's `{status, runData}`.
pub(super) async fn execute(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> RestResult {
    let body = json_body(&body)?;
    let wait = match body.get("wait") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(RestError::invalid(format!(
                "`wait` must be true or false, got {other}"
            )));
        }
    };
    let data = rest
        .run(
            &headers,
            "mutation($id: ID!, $input: JSON, $wait: Boolean!) { executeWorkflow(workflowId: $id, input: $input, wait: $wait) { executionId workflowVersion status result } }",
            json!({ "id": id, "input": body.get("input"), "wait": wait }),
        )
        .await?;
    let submission = data["executeWorkflow"].clone();
    Ok(if wait {
        ok(submission)
    } else {
        (axum::http::StatusCode::ACCEPTED, axum::Json(submission)).into_response()
    })
}
