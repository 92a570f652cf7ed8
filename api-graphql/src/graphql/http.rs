//! The `/graphql` endpoint: queries and mutations by `POST`, GraphiQL on `GET`, subscriptions over
//! graphql-ws (`graphql-transport-ws`) by WebSocket upgrade on the same path.

use std::sync::Arc;

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, GraphiQLSource};
use async_graphql::{BatchRequest, Data, Request};
use async_graphql_axum::{GraphQLProtocol, GraphQLResponse, GraphQLWebSocket};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{DefaultBodyLimit, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use weft_commands::Access;

use super::actor::RequestContext;
use super::error::VALIDATION;
use super::{Limits, WeftSchema};

/// Path of the endpoint.
pub const PATH: &str = "/graphql";

struct Endpoint {
    schema: WeftSchema,
    limits: Limits,
    access: Access,
}

/// The `/graphql` routes over `schema`.
pub fn routes<S: Clone + Send + Sync + 'static>(
    schema: WeftSchema,
    limits: Limits,
    access: Access,
) -> Router<S> {
    let body_limit = DefaultBodyLimit::max(limits.body_bytes);
    Router::new()
        .route(PATH, get(graphiql_or_websocket).post(execute))
        .layer(body_limit)
        .with_state(Arc::new(Endpoint {
            schema,
            limits,
            access,
        }))
}

/// An HTTP error in GraphQL's response shape, with `extensions.code`.
fn rejection(status: StatusCode, message: String) -> Response {
    let body = json!({"errors": [{"message": message, "extensions": {"code": VALIDATION}}]});
    (status, Json(body)).into_response()
}

async fn execute(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return rejection(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the request body is larger than the limit of {} bytes",
                    endpoint.limits.body_bytes
                ),
            );
        }
        Err(error) => return rejection(error.status(), error.body_text()),
    };
    let batch = match parse(&body) {
        Ok(batch) => batch,
        Err(message) => return rejection(StatusCode::BAD_REQUEST, message),
    };
    let caller = RequestContext::from_headers(&headers, &endpoint.access).await;
    GraphQLResponse::from(endpoint.schema.execute_batch(batch.data(caller)).await).into_response()
}

/// Reads a GraphQL request (or a batch: a JSON array of requests) with a precise message on error.
fn parse(body: &[u8]) -> Result<BatchRequest, String> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| format!("the request body is not valid JSON: {e}"))?;
    let request = |value: Value| {
        serde_json::from_value::<Request>(value)
            .map_err(|e| format!("the request body is not a GraphQL request: {e}"))
    };
    match value {
        Value::Array(items) if !items.is_empty() => Ok(BatchRequest::Batch(
            items.into_iter().map(request).collect::<Result<_, _>>()?,
        )),
        Value::Object(_) => Ok(BatchRequest::Single(request(value)?)),
        _ => Err(
            "the request body must be a JSON object {\"query\": …} or a non-empty array of them"
                .into(),
        ),
    }
}

/// Read buffer of one WebSocket connection, in bytes.
const WEBSOCKET_READ_BUFFER: usize = 4 * 1024;

async fn graphiql_or_websocket(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    protocol: Result<GraphQLProtocol, StatusCode>,
) -> Response {
    let Ok(upgrade) = upgrade else {
        return Html(
            GraphiQLSource::build()
                .endpoint(PATH)
                .subscription_endpoint(PATH)
                .finish(),
        )
        .into_response();
    };
    let Ok(protocol) = protocol else {
        return rejection(
            StatusCode::BAD_REQUEST,
            "unsupported WebSocket subprotocol: use graphql-transport-ws".into(),
        );
    };
    let caller = RequestContext::from_headers(&headers, &endpoint.access).await;
    let schema = endpoint.schema.clone();
    let access = endpoint.access.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        // graphql-ws clients send small messages (subscribe, pong). The 128 KiB default read
        // buffer is allocated per connection and zeroed on every read, which dominated the CPU of
        // a thousand-subscriber fan-out.
        .read_buffer_size(WEBSOCKET_READ_BUFFER)
        .max_message_size(endpoint.limits.body_bytes)
        .on_upgrade(move |socket| {
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let caller = caller.with_connection_init(&payload, &access).await;
                    if let Some(reason) = &caller.auth_error {
                        return Err(async_graphql::Error::new(reason.clone()));
                    }
                    let mut data = Data::default();
                    data.insert(caller);
                    Ok(data)
                })
                .serve()
        })
}
