//! The seed's REST routes (`/api/workflows…`, `/api/executions…`) as thin wrappers: each route runs
//! one GraphQL operation on the same schema with the caller's context, so authentication, roles,
//! validation, actors and error codes are exactly the GraphQL API's. Errors answer with an HTTP
//! status from the code (`NOT_FOUND` 404, `VALIDATION` 400, `CONFLICT` 409, `UNAUTHENTICATED`
//! 401, `FORBIDDEN` 403) and `{"code", "message"}`. `/api/openapi.json` describes every route.

mod executions;
mod openapi;
mod workflows;

use std::sync::Arc;

use async_graphql::{Request, Variables};
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use weft_commands::Access;

use crate::graphql::WeftSchema;
use crate::graphql::actor::RequestContext;

/// What every route needs: the GraphQL schema it delegates to and who may call it.
pub(crate) struct Rest {
    schema: WeftSchema,
    access: Access,
}

/// The REST routes over `schema`; callers authenticate through `access`.
pub fn routes<S: Clone + Send + Sync + 'static>(schema: WeftSchema, access: Access) -> Router<S> {
    Router::new()
        .route("/api/openapi.json", get(openapi::document))
        .route(
            "/api/workflows",
            get(workflows::list).post(workflows::create),
        )
        .route("/api/workflows/import", post(workflows::import))
        .route(
            "/api/workflows/{id}",
            get(workflows::get)
                .put(workflows::update)
                .delete(workflows::archive),
        )
        .route("/api/workflows/{id}/export", get(workflows::export))
        .route("/api/workflows/{id}/execute", post(workflows::execute))
        .route("/api/workflows/{id}/activate", post(workflows::activate))
        .route(
            "/api/workflows/{id}/deactivate",
            post(workflows::deactivate),
        )
        .route("/api/workflows/{id}/promote", post(workflows::promote))
        .route("/api/executions", get(executions::list))
        .route(
            "/api/executions/{id}",
            get(executions::get).delete(executions::delete),
        )
        .route("/api/executions/{id}/logs", get(executions::logs))
        .route("/api/executions/{id}/retry", post(executions::retry))
        .route("/api/executions/{id}/stop", post(executions::stop))
        .with_state(Arc::new(Rest { schema, access }))
}

/// A REST error: status plus `{"code", "message"}` (and the GraphQL error's other extensions).
pub(crate) struct RestError {
    status: StatusCode,
    body: Value,
}

impl RestError {
    /// A `400 VALIDATION` error.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            body: json!({ "code": "VALIDATION", "message": message.into() }),
        }
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

/// The result of a route.
pub(crate) type RestResult = Result<Response, RestError>;

impl Rest {
    /// Runs one GraphQL operation as the caller; `data` on success.
    pub(crate) async fn run(
        &self,
        headers: &HeaderMap,
        query: &str,
        variables: Value,
    ) -> Result<Value, RestError> {
        let caller = RequestContext::from_headers(headers, &self.access).await;
        let request = Request::new(query)
            .variables(Variables::from_json(variables))
            .data(caller);
        let response = self.schema.execute(request).await;
        if let Some(error) = response.errors.first() {
            let mut body = Map::new();
            let extensions = error
                .extensions
                .as_ref()
                .and_then(|e| serde_json::to_value(e).ok())
                .unwrap_or_else(|| json!({}));
            let code = extensions["code"]
                .as_str()
                .unwrap_or("INTERNAL")
                .to_string();
            body.insert("code".into(), Value::String(code.clone()));
            body.insert("message".into(), Value::String(error.message.clone()));
            if let Value::Object(extra) = extensions {
                for (key, value) in extra {
                    body.entry(key).or_insert(value);
                }
            }
            return Err(RestError {
                status: status_of(&code),
                body: Value::Object(body),
            });
        }
        response
            .data
            .into_json()
            .map_err(|e| RestError::invalid(e.to_string()))
    }
}

/// The HTTP status of an API error code.
fn status_of(code: &str) -> StatusCode {
    match code {
        "NOT_FOUND" => StatusCode::NOT_FOUND,
        "VALIDATION" => StatusCode::BAD_REQUEST,
        "CONFLICT" => StatusCode::CONFLICT,
        "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
        "FORBIDDEN" => StatusCode::FORBIDDEN,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Reads an optional JSON body: empty means `{}`; anything else must be a JSON object.
pub(crate) fn json_body(body: &Bytes) -> Result<Map<String, Value>, RestError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(RestError::invalid("the request body must be a JSON object")),
        Err(e) => Err(RestError::invalid(format!(
            "the request body is not valid JSON: {e}"
        ))),
    }
}

/// An optional whole-number query parameter; `what` names the expected value in the error
/// ("a positive number", "a version number").
pub(crate) fn number_param(
    query: &std::collections::HashMap<String, String>,
    key: &str,
    what: &str,
) -> Result<Value, RestError> {
    match query.get(key) {
        None => Ok(Value::Null),
        Some(text) => text
            .parse::<u32>()
            .map(|n| json!(n))
            .map_err(|_| RestError::invalid(format!("`{key}` must be {what}, got `{text}`"))),
    }
}

/// `200` with a JSON body.
pub(crate) fn ok(value: Value) -> Response {
    axum::Json(value).into_response()
}

/// `201` with a JSON body.
pub(crate) fn created(value: Value) -> Response {
    (StatusCode::CREATED, axum::Json(value)).into_response()
}
