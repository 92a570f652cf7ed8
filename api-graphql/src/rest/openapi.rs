//! `GET /api/openapi.json`: an OpenAPI 3.1 description of the REST routes.

use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A path parameter `id`.
fn id(what: &str) -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" }, "description": format!("{what} id") })
}

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "schema": schema, "description": description })
}

fn body(schema: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

fn answer(status: &str, description: &str, schema: Option<&str>) -> Value {
    let mut response = json!({ "description": description });
    if let Some(schema) = schema {
        response["content"] = json!({ "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } });
    }
    json!({ status: response })
}

/// Merges response maps and adds the error answers every route can give.
fn responses(parts: &[Value]) -> Value {
    let mut all = serde_json::Map::new();
    for part in parts {
        if let Value::Object(map) = part {
            all.extend(map.clone());
        }
    }
    for (status, text) in [
        ("400", "Invalid input (`VALIDATION`)"),
        ("401", "Missing or invalid credentials (`UNAUTHENTICATED`)"),
        ("403", "The caller's role may not do this (`FORBIDDEN`)"),
        ("404", "Not found (`NOT_FOUND`)"),
        (
            "409",
            "Conflict with the current state (`CONFLICT`, with `currentVersion` for stale edits)",
        ),
    ] {
        all.insert(
            status.into(),
            json!({ "description": text, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }),
        );
    }
    Value::Object(all)
}

fn operation(summary: &str, parameters: Vec<Value>, request: Option<Value>, ok: Value) -> Value {
    let mut op =
        json!({ "summary": summary, "parameters": parameters, "responses": responses(&[ok]) });
    if let Some(request) = request {
        op["requestBody"] = request;
    }
    op
}

/// The document.
pub(super) fn spec() -> Value {
    let workflow_id = id("Workflow");
    let execution_id = id("Execution");
    let page = |name: &str| query(name, "", json!({ "type": "string" }));
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Weft REST API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Thin wrappers over the GraphQL API at /graphql: same authentication (`Authorization: Bearer <token>` or `X-API-Key`), roles, validation and error codes."
        },
        "paths": {
            "/api/workflows": {
                "get": operation("List workflows (cursor pages)", vec![
                    query("environment", "testing, launched or production", json!({ "type": "string", "enum": ["testing", "launched", "production"] })),
                    query("active", "Only active (true) or inactive (false) workflows", json!({ "type": "boolean" })),
                    query("search", "Name contains (case-insensitive)", json!({ "type": "string" })),
                    query("archived", "List the archive instead", json!({ "type": "boolean" })),
                    query("limit", "Page size (default 50, at most 500)", json!({ "type": "integer" })),
                    page("after"),
                ], None, answer("200", "A page of workflows", Some("WorkflowPage"))),
                "post": operation("Create a workflow in Testing", vec![], Some(body("WorkflowInput")), answer("201", "The created workflow", Some("Workflow"))),
            },
            "/api/workflows/import": {
                "post": operation("Import a Weft or n8n workflow document", vec![], Some(body("ImportInput")), answer("201", "The imported workflow", Some("Workflow"))),
            },
            "/api/workflows/{id}": {
                "get": operation("Get a workflow with its current definition", vec![workflow_id.clone()], None, answer("200", "The workflow", Some("Workflow"))),
                "put": operation("Update name, description and/or definition (optional expectedVersion)", vec![workflow_id.clone()], Some(body("WorkflowUpdate")), answer("200", "The updated workflow", Some("Workflow"))),
                "delete": operation("Archive a workflow (its history stays)", vec![workflow_id.clone()], None, answer("200", "The archived workflow", Some("Workflow"))),
            },
            "/api/workflows/{id}/export": {
                "get": operation("Export as Weft JSON", vec![workflow_id.clone(), query("version", "A past version", json!({ "type": "integer" }))], None, answer("200", "Weft JSON document", Some("WeftDocument"))),
            },
            "/api/workflows/{id}/execute": {
                "post": operation("Run the workflow by hand", vec![workflow_id.clone()], Some(body("ExecuteInput")), answer("202", "Queued (or, with wait, finished)", Some("ExecutionSubmission"))),
            },
            "/api/workflows/{id}/activate": {
                "post": operation("Activate the workflow's triggers", vec![workflow_id.clone()], None, answer("200", "The workflow", Some("Workflow"))),
            },
            "/api/workflows/{id}/deactivate": {
                "post": operation("Deactivate the workflow's triggers", vec![workflow_id.clone()], None, answer("200", "The workflow", Some("Workflow"))),
            },
            "/api/workflows/{id}/promote": {
                "post": operation("Promote to the next environment", vec![workflow_id], Some(body("PromoteInput")), answer("200", "The promoted version and the target workflow", Some("Promotion"))),
            },
            "/api/executions": {
                "get": operation("List executions, newest first (cursor pages)", vec![
                    query("workflowId", "Only this workflow", json!({ "type": "string" })),
                    query("status", "queued, running, waiting, succeeded, failed or canceled", json!({ "type": "string" })),
                    query("environment", "testing, launched or production", json!({ "type": "string" })),
                    query("trigger", "manual, webhook, schedule, error, sub_workflow or retry", json!({ "type": "string" })),
                    query("from", "Queued at or after (RFC 3339)", json!({ "type": "string", "format": "date-time" })),
                    query("to", "Queued before (RFC 3339)", json!({ "type": "string", "format": "date-time" })),
                    query("limit", "Page size", json!({ "type": "integer" })),
                    page("after"),
                ], None, answer("200", "A page of executions", Some("ExecutionPage"))),
            },
            "/api/executions/{id}": {
                "get": operation("Get an execution with node runs and path", vec![execution_id.clone()], None, answer("200", "The execution", Some("Execution"))),
                "delete": operation("Delete a finished execution (409 while it runs)", vec![execution_id.clone()], None, answer("204", "Deleted", None)),
            },
            "/api/executions/{id}/logs": {
                "get": operation("Log lines of an execution", vec![execution_id.clone(), query("level", "Minimum level: debug, info, warn or error", json!({ "type": "string" }))], None, answer("200", "Log lines", Some("LogPage"))),
            },
            "/api/executions/{id}/retry": {
                "post": operation("Retry from the failed node or from the start", vec![execution_id.clone()], Some(body("RetryInput")), answer("202", "The new execution", Some("ExecutionSubmission"))),
            },
            "/api/executions/{id}/stop": {
                "post": operation("Stop a running execution", vec![execution_id], None, answer("200", "The execution", Some("Execution"))),
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" },
                "apiKey": { "type": "apiKey", "in": "header", "name": "X-API-Key" }
            },
            "schemas": {
                "Error": { "type": "object", "required": ["code", "message"], "properties": {
                    "code": { "type": "string", "enum": ["VALIDATION", "NOT_FOUND", "CONFLICT", "UNAUTHENTICATED", "FORBIDDEN", "INTERNAL"] },
                    "message": { "type": "string" },
                    "currentVersion": { "type": "integer" } } },
                "Workflow": { "type": "object", "properties": {
                    "id": { "type": "string" }, "name": { "type": "string" }, "description": { "type": "string" },
                    "environment": { "type": "string", "enum": ["TESTING", "LAUNCHED", "PRODUCTION"] },
                    "active": { "type": "boolean" }, "archived": { "type": "boolean" }, "version": { "type": "integer" },
                    "promotedFrom": { "type": ["object", "null"] },
                    "createdAt": { "type": "string" }, "createdBy": { "type": "string" },
                    "updatedAt": { "type": "string" }, "updatedBy": { "type": "string" },
                    "definition": { "$ref": "#/components/schemas/WeftDocument" } } },
                "WorkflowPage": { "type": "object", "properties": {
                    "items": { "type": "array", "items": { "$ref": "#/components/schemas/Workflow" } },
                    "nextCursor": { "type": ["string", "null"] } } },
                "WeftDocument": { "type": "object", "description": "Weft JSON: nodes, connections, settings, variables, pinData (plus name/description in exports)" },
                "WorkflowInput": { "type": "object", "required": ["name"], "properties": {
                    "name": { "type": "string" }, "description": { "type": "string" },
                    "nodes": { "type": "array" }, "connections": { "type": "array" }, "settings": { "type": "object" },
                    "variables": { "type": "object" }, "pinData": { "type": "object" } } },
                "WorkflowUpdate": { "type": "object", "properties": {
                    "expectedVersion": { "type": "integer" }, "name": { "type": "string" }, "description": { "type": "string" },
                    "nodes": { "type": "array" }, "connections": { "type": "array" }, "settings": { "type": "object" },
                    "variables": { "type": "object" }, "pinData": { "type": "object" } } },
                "ImportInput": { "type": "object", "description": "A Weft or n8n document, or {document, format: weft|n8n, name}" },
                "ExecuteInput": { "type": "object", "properties": {
                    "input": { "description": "Items for the start node (an array gives one item each)" },
                    "wait": { "type": "boolean", "description": "Answer when the execution ends, with {status, runData}" } } },
                "PromoteInput": { "type": "object", "required": ["targetEnvironment"], "properties": {
                    "targetEnvironment": { "type": "string", "enum": ["launched", "production"] },
                    "expectedVersion": { "type": "integer" } } },
                "Promotion": { "type": "object", "properties": {
                    "promotedVersion": { "type": "integer" }, "target": { "$ref": "#/components/schemas/Workflow" } } },
                "ExecutionSubmission": { "type": "object", "properties": {
                    "executionId": { "type": "string" }, "workflowVersion": { "type": "integer" },
                    "status": { "type": "string" }, "result": { "type": ["object", "null"] } } },
                "Execution": { "type": "object", "properties": {
                    "id": { "type": "string" }, "workflowId": { "type": "string" }, "workflowVersion": { "type": "integer" },
                    "status": { "type": "string" }, "trigger": { "type": "string" }, "mode": { "type": "string" },
                    "queuedAt": { "type": "string" }, "startedAt": { "type": ["string", "null"] },
                    "finishedAt": { "type": ["string", "null"] }, "durationMs": { "type": ["integer", "null"] },
                    "error": { "type": ["object", "null"] }, "nodeRuns": { "type": "array" }, "path": { "type": "object" } } },
                "ExecutionPage": { "type": "object", "properties": {
                    "items": { "type": "array", "items": { "$ref": "#/components/schemas/Execution" } },
                    "nextCursor": { "type": ["string", "null"] } } },
                "LogPage": { "type": "object", "properties": { "items": { "type": "array", "items": { "type": "object", "properties": {
                    "sequence": { "type": "integer" }, "level": { "type": "string" }, "nodeId": { "type": ["string", "null"] },
                    "message": { "type": "string" }, "recordedAt": { "type": "string" } } } } } },
                "RetryInput": { "type": "object", "properties": {
                    "from": { "type": "string", "enum": ["failedNode", "start"] },
                    "version": { "type": "string", "enum": ["original", "current"] } } }
            }
        },
        "security": [{ "bearer": [] }, { "apiKey": [] }]
    })
}

/// `GET /api/openapi.json`.
pub(super) async fn document() -> Response {
    axum::Json(spec()).into_response()
}
