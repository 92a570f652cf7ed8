//! `/webhook/{path}` (active workflows, production mode) and `/webhook-test/{path}` (drafts,
//! manual mode): any method; the response follows the Webhook node's response mode. Every
//! answer is sent only after the execution's first event is committed, so an answered request
//! is never a lost execution.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Map, Value, json};
use weft_domain::execution::{ExecutionMode, Trigger};
use weft_domain::metadata::Actor;
use weft_domain::triggers::{ResponseData, ResponseMode};
use weft_executor::service::{
    ExecutionHandle, ExecutionOutcome, ExecutionService, ServiceError, Submission, WorkflowVersion,
};
use weft_executor::{ExecutionStatus, Item, ResponseBody, WebhookResponse};

use super::routes::{RouteMatch, RouteSet, WebhookRoute, WebhookRoutes};

/// Largest accepted webhook body by default (n8n's default is 16 MiB too).
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// What the webhook endpoints need.
#[derive(Clone)]
pub struct WebhookEndpoints {
    /// The route tables.
    pub routes: Arc<WebhookRoutes>,
    /// Runs the executions.
    pub executions: ExecutionService,
    /// Largest accepted body, in bytes (413 beyond).
    pub body_limit: usize,
}

impl WebhookEndpoints {
    /// `/webhook/{*path}` and `/webhook-test/{*path}`.
    pub fn router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        let endpoints = Arc::new(self);
        Router::new()
            .route("/webhook/{*path}", any(production))
            .route("/webhook-test/{*path}", any(test))
            .with_state(endpoints)
    }
}

async fn production(
    State(endpoints): State<Arc<WebhookEndpoints>>,
    Path(path): Path<String>,
    request: Request,
) -> Response {
    handle(&endpoints, RouteSet::Production, &path, request).await
}

async fn test(
    State(endpoints): State<Arc<WebhookEndpoints>>,
    Path(path): Path<String>,
    request: Request,
) -> Response {
    handle(&endpoints, RouteSet::Test, &path, request).await
}

async fn handle(
    endpoints: &WebhookEndpoints,
    set: RouteSet,
    path: &str,
    request: Request,
) -> Response {
    let started = std::time::Instant::now();
    let response = answer(endpoints, set, path, request).await;
    metrics::histogram!("weft_webhook_seconds", "status" => response.status().as_str().to_string())
        .record(started.elapsed().as_secs_f64());
    response
}

async fn answer(
    endpoints: &WebhookEndpoints,
    set: RouteSet,
    path: &str,
    request: Request,
) -> Response {
    let method = request.method().as_str().to_ascii_uppercase();
    let (route, params) = match endpoints.routes.lookup(set, &method, path) {
        RouteMatch::Found { route, params } => (route, params),
        RouteMatch::WrongMethod { allowed } => {
            let mut response = error(
                StatusCode::METHOD_NOT_ALLOWED,
                &format!(
                    "webhook `{path}` does not accept {method}; it accepts {}",
                    allowed.join(", ")
                ),
            );
            if let Ok(value) = HeaderValue::from_str(&allowed.join(", ")) {
                response.headers_mut().insert(header::ALLOW, value);
            }
            return response;
        }
        RouteMatch::NotFound => {
            let what = match set {
                RouteSet::Production => "no active workflow listens on",
                RouteSet::Test => "no workflow draft listens on",
            };
            return error(StatusCode::NOT_FOUND, &format!("{what} {method} `{path}`"));
        }
    };
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, endpoints.body_limit).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "the request body is larger than the limit of {} bytes",
                    endpoints.body_limit
                ),
            );
        }
    };
    let body = match parse_body(&parts.headers, &bytes) {
        Ok(body) => body,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let item = trigger_item(set, &parts, path, params, body);
    let submission = Submission {
        workflow_id: route.workflow_id.clone(),
        version: WorkflowVersion::Exact(route.version),
        trigger: Trigger::Webhook {
            method: method.clone(),
            path: route.spec.path.to_string(),
        },
        input: vec![item],
        mode: match set {
            RouteSet::Production => ExecutionMode::Production,
            RouteSet::Test => ExecutionMode::Manual,
        },
        start_node: Some(route.node_id.clone()),
        destination_node: None,
        actor: Actor::system("webhook"),
    };
    match endpoints.executions.submit(submission).await {
        Ok(handle) => respond(&route, handle, parts.method == Method::HEAD).await,
        Err(e) => service_error(e),
    }
}

/// Waits as the node's response mode says and builds the HTTP response.
async fn respond(route: &WebhookRoute, mut handle: ExecutionHandle, head: bool) -> Response {
    if let Err(e) = handle.accepted().await {
        return service_error(e);
    }
    let execution_id = handle.execution_id.clone();
    let spec = &route.spec;
    let mut response = match spec.response_mode {
        ResponseMode::OnReceived => json_response(
            spec.response_code,
            json!({ "executionId": execution_id, "status": "queued" }),
        ),
        ResponseMode::ResponseNode => match handle.response().await {
            Some(response) => from_workflow(response),
            None => match handle.outcome().await {
                Ok(outcome) => {
                    unfinished(&outcome).unwrap_or_else(|| StatusCode::NO_CONTENT.into_response())
                }
                Err(e) => service_error(e),
            },
        },
        ResponseMode::LastNode => match handle.outcome().await {
            Ok(outcome) if unfinished(&outcome).is_some() => unfinished(&outcome).expect("checked"),
            Ok(outcome) => {
                let items = outcome.last_node_items();
                match spec.response_data {
                    ResponseData::FirstEntryJson => json_response(
                        spec.response_code,
                        items
                            .first()
                            .map(|item| Value::Object(item.json.clone()))
                            .unwrap_or_else(|| json!({})),
                    ),
                    ResponseData::AllEntries => json_response(
                        spec.response_code,
                        Value::Array(
                            items
                                .iter()
                                .map(|item| Value::Object(item.json.clone()))
                                .collect(),
                        ),
                    ),
                    ResponseData::NoData => status(spec.response_code).into_response(),
                }
            }
            Err(e) => service_error(e),
        },
    };
    if let Ok(value) = HeaderValue::from_str(&execution_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-weft-execution-id"), value);
    }
    if head {
        *response.body_mut() = Body::empty();
    }
    response
}

/// The item the Webhook node outputs, shaped as n8n's.
fn trigger_item(
    set: RouteSet,
    parts: &axum::http::request::Parts,
    path: &str,
    params: Vec<(String, String)>,
    body: Value,
) -> Item {
    let headers: Map<String, Value> = parts
        .headers
        .iter()
        .filter_map(|(name, value)| {
            Some((
                name.as_str().to_string(),
                Value::String(value.to_str().ok()?.to_string()),
            ))
        })
        .collect();
    let query: Map<String, Value> = parts
        .uri
        .query()
        .map(|q| {
            form_urlencoded(q)
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect()
        })
        .unwrap_or_default();
    let params: Map<String, Value> = params
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let prefix = match set {
        RouteSet::Production => "webhook",
        RouteSet::Test => "webhook-test",
    };
    let mut json = Map::new();
    json.insert("headers".into(), Value::Object(headers));
    json.insert("params".into(), Value::Object(params));
    json.insert("query".into(), Value::Object(query));
    json.insert("body".into(), body);
    json.insert(
        "webhookUrl".into(),
        Value::String(format!("http://{host}/{prefix}/{}", path.trim_matches('/'))),
    );
    json.insert(
        "executionMode".into(),
        Value::String(
            match set {
                RouteSet::Production => "production",
                RouteSet::Test => "test",
            }
            .into(),
        ),
    );
    Item::new(json)
}

/// The body as JSON: parsed JSON, a form as an object, text as a string, nothing as `{}`.
fn parse_body(headers: &HeaderMap, bytes: &Bytes) -> Result<Value, String> {
    if bytes.is_empty() {
        return Ok(json!({}));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let text = || {
        std::str::from_utf8(bytes)
            .map_err(|_| format!("the `{content_type}` body is not valid UTF-8"))
    };
    if content_type == "application/json" || content_type.ends_with("+json") {
        return serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON body: {e}"));
    }
    if content_type == "application/x-www-form-urlencoded" {
        return Ok(Value::Object(
            form_urlencoded(text()?)
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        ));
    }
    if content_type.is_empty() {
        // No content type: JSON when it parses, else text.
        let text = text()?;
        return Ok(serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.into())));
    }
    Ok(Value::String(
        text()
            .map_err(|_| format!("the `{content_type}` body is binary; send JSON, a form or text"))?
            .to_string(),
    ))
}

/// Decodes `a=1&b=x%20y` (later keys win).
fn form_urlencoded(query: &str) -> BTreeMap<String, String> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn from_workflow(response: WebhookResponse) -> Response {
    let mut built = match response.body {
        ResponseBody::Json(value) => json_response(response.status, value),
        ResponseBody::Text(text) => (status(response.status), text).into_response(),
        ResponseBody::Empty => status(response.status).into_response(),
    };
    for (name, value) in response.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            built.headers_mut().insert(name, value);
        }
    }
    built
}

/// The response for an execution that did not succeed: 500 when it failed or was canceled,
/// 202 when a long Wait suspended it; `None` when it succeeded.
fn unfinished(outcome: &ExecutionOutcome) -> Option<Response> {
    let id = &outcome.execution_id;
    match outcome.status() {
        ExecutionStatus::Success => None,
        ExecutionStatus::Waiting => Some(json_response(
            202,
            json!({ "executionId": id, "status": "waiting" }),
        )),
        ExecutionStatus::Error => Some(json_response(
            500,
            json!({
                "code": "EXECUTION_FAILED",
                "message": outcome.error().map_or("the workflow failed", |e| e.message.as_str()),
                "executionId": id,
            }),
        )),
        ExecutionStatus::Canceled => Some(json_response(
            500,
            json!({
                "code": "EXECUTION_CANCELED",
                "message": "the execution was canceled",
                "executionId": id,
            }),
        )),
    }
}

fn service_error(failure: ServiceError) -> Response {
    let code = match &failure {
        ServiceError::WorkflowNotFound(_) | ServiceError::VersionNotFound { .. } => {
            StatusCode::NOT_FOUND
        }
        ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    if code == StatusCode::SERVICE_UNAVAILABLE {
        tracing::error!(error = %failure, "webhook execution could not be recorded");
    }
    error(code, &failure.to_string())
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::OK)
}

fn json_response(code: u16, value: Value) -> Response {
    (status(code), axum::Json(value)).into_response()
}

fn error(code: StatusCode, message: &str) -> Response {
    (
        code,
        axum::Json(json!({ "code": code.as_u16(), "message": message })),
    )
        .into_response()
}
