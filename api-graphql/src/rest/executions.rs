//! `/api/executions…`: list, get, logs, retry, stop.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::{Rest, RestError, RestResult, json_body, number_param, ok};

/// The fields of an execution in lists.
const SUMMARY: &str = "id workflowId workflowVersion status trigger triggerDetail mode queuedAt startedAt finishedAt durationMs error errorNodeId";

/// Upper-cases an enum value from the query string after checking it against `allowed`.
fn enum_param(
    query: &HashMap<String, String>,
    key: &str,
    allowed: &[&str],
) -> Result<Value, RestError> {
    match query.get(key) {
        None => Ok(Value::Null),
        Some(value) => {
            let upper = value.to_ascii_uppercase();
            if allowed.contains(&upper.as_str()) {
                Ok(Value::String(upper))
            } else {
                Err(RestError::invalid(format!(
                    "`{key}` must be one of {}, got `{value}`",
                    allowed.join(", ").to_lowercase()
                )))
            }
        }
    }
}

/// `GET /api/executions?workflowId=&status=&environment=&trigger=&from=&to=&limit=&after=`.
pub(super) async fn list(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> RestResult {
    let limit = number_param(&query, "limit", "a positive number")?;
    let variables = json!({
        "workflowId": query.get("workflowId"),
        "status": enum_param(&query, "status", &["QUEUED", "RUNNING", "WAITING", "SUCCEEDED", "FAILED", "CANCELED"])?,
        "environment": enum_param(&query, "environment", &["TESTING", "LAUNCHED", "PRODUCTION"])?,
        "trigger": enum_param(&query, "trigger", &["MANUAL", "WEBHOOK", "SCHEDULE", "ERROR", "SUB_WORKFLOW", "RETRY"])?,
        "from": query.get("from"),
        "to": query.get("to"),
        "first": limit,
        "after": query.get("after"),
    });
    let data = rest
        .run(
            &headers,
            &format!(
                "query($workflowId: ID, $status: ExecutionStatus, $environment: Environment, $trigger: TriggerKind, $from: String, $to: String, $first: Int, $after: String) {{ executions(workflowId: $workflowId, status: $status, environment: $environment, trigger: $trigger, from: $from, to: $to, first: $first, after: $after) {{ items {{ {SUMMARY} }} nextCursor }} }}"
            ),
            variables,
        )
        .await?;
    Ok(ok(data["executions"].clone()))
}

/// `GET /api/executions/{id}`: the execution with its node runs (items, attempts, durations)
/// and path.
pub(super) async fn get(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> RestResult {
    let data = rest
        .run(
            &headers,
            &format!(
                "query($id: ID!) {{ execution(id: $id) {{ {SUMMARY} nodeRuns {{ nodeId runIndex status attempts inputs outputs error startedAt finishedAt durationMs pinned }} path {{ steps {{ nodeId runIndex status }} connections {{ source sourceOutput target targetInput }} }} }} }}"
            ),
            json!({ "id": id }),
        )
        .await?;
    Ok(ok(data["execution"].clone()))
}

/// `GET /api/executions/{id}/logs?level=debug|info|warn|error`.
pub(super) async fn logs(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> RestResult {
    let level = enum_param(&query, "level", &["DEBUG", "INFO", "WARN", "ERROR"])?;
    let data = rest
        .run(
            &headers,
            "query($id: ID!, $level: LogLevel) { execution(id: $id) { logs(minLevel: $level) { sequence level nodeId message recordedAt } } }",
            json!({ "id": id, "level": level }),
        )
        .await?;
    Ok(ok(json!({ "items": data["execution"]["logs"] })))
}

/// `POST /api/executions/{id}/retry` with optional `{"from": "failedNode"|"start",
/// "version": "original"|"current"}`: `202` with the new execution's id.
pub(super) async fn retry(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> RestResult {
    let body = json_body(&body)?;
    let choice =
        |key: &str, options: &[(&str, &str)], default: &str| -> Result<String, RestError> {
            match body.get(key) {
                None | Some(Value::Null) => Ok(default.to_string()),
                Some(Value::String(value)) => options
                    .iter()
                    .find(|(name, _)| name == value)
                    .map(|(_, graphql)| graphql.to_string())
                    .ok_or_else(|| {
                        RestError::invalid(format!(
                            "`{key}` must be {}, got `{value}`",
                            options
                                .iter()
                                .map(|(n, _)| *n)
                                .collect::<Vec<_>>()
                                .join(" or ")
                        ))
                    }),
                Some(other) => Err(RestError::invalid(format!(
                    "`{key}` must be a string, got {other}"
                ))),
            }
        };
    let from = choice(
        "from",
        &[("failedNode", "FAILED_NODE"), ("start", "START")],
        "FAILED_NODE",
    )?;
    let version = choice(
        "version",
        &[("original", "ORIGINAL"), ("current", "CURRENT")],
        "ORIGINAL",
    )?;
    let data = rest
        .run(
            &headers,
            "mutation($id: ID!, $from: RetryFrom!, $version: RetryVersion!) { retryExecution(id: $id, from: $from, version: $version) { executionId workflowVersion status } }",
            json!({ "id": id, "from": from, "version": version }),
        )
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(data["retryExecution"].clone()),
    )
        .into_response())
}

/// `POST /api/executions/{id}/stop`.
pub(super) async fn stop(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> RestResult {
    let data = rest
        .run(
            &headers,
            &format!("mutation($id: ID!) {{ stopExecution(id: $id) {{ {SUMMARY} }} }}"),
            json!({ "id": id }),
        )
        .await?;
    Ok(ok(data["stopExecution"].clone()))
}

/// `DELETE /api/executions/{id}`: deletes a finished execution; 204 without a body.
pub(super) async fn delete(
    State(rest): State<Arc<Rest>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> RestResult {
    rest.run(
        &headers,
        "mutation($id: ID!) { deleteExecution(id: $id) }",
        json!({ "id": id }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
