//! Test harness: a Weft API server started in-process on 127.0.0.1:0 over a fresh database, an
//! HTTP GraphQL client and a graphql-ws (graphql-transport-ws) client.

#![allow(dead_code)]

pub mod processes;

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};
use weft_api_graphql::graphql::{self, Api, Limits};
use weft_commands::testing::TestDb;
use weft_commands::{Backend, EventStore};
use weft_projections::{ProjectionRunner, TableSet};

/// How long a test waits for something that should happen promptly.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// A running server and a client for it.
pub struct Server {
    /// `http://127.0.0.1:PORT/graphql`.
    pub url: String,
    /// `ws://127.0.0.1:PORT/graphql`.
    pub ws_url: String,
    /// The server's event store (for appends that bypass the API).
    pub store: EventStore,
    /// The database, kept alive for the test.
    pub db: TestDb,
    http: reqwest::Client,
}

/// Starts a server with the default limits on a fresh database of `backend`.
pub async fn start(backend: Backend) -> Server {
    let db = TestDb::of(backend).await;
    let store = EventStore::open(&db.url).await.expect("open store");
    let runner = ProjectionRunner::new(store.clone(), TableSet::live())
        .await
        .expect("projection runner");
    let feed = runner.feed();
    tokio::spawn(runner.run());
    let app: axum::Router = graphql::router(Api::new(store.clone(), feed), Limits::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    Server {
        url: format!("http://{address}/graphql"),
        ws_url: format!("ws://{address}/graphql"),
        store,
        db,
        http: reqwest::Client::new(),
    }
}

impl Server {
    /// Posts a raw body; returns the status and the body text.
    pub async fn post_raw(&self, body: impl Into<reqwest::Body>) -> (u16, String) {
        let response = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("send");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// Runs an operation as `actor` (none: the API's default actor); returns the whole response.
    pub async fn request_as(&self, actor: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .http
            .post(&self.url)
            .json(&json!({"query": query, "variables": variables}));
        if let Some(actor) = actor {
            request = request.header("x-weft-actor", actor);
        }
        let response = request.send().await.expect("send");
        assert_eq!(response.status().as_u16(), 200, "status");
        response.json().await.expect("JSON response")
    }

    /// Runs an operation; returns the whole response (`data` and `errors`).
    pub async fn request(&self, query: &str, variables: Value) -> Value {
        self.request_as(None, query, variables).await
    }

    /// Runs an operation that must succeed; returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let response = self.request(query, variables).await;
        assert!(response.get("errors").is_none(), "errors: {response:#}");
        response["data"].clone()
    }

    /// Runs an operation that must fail; returns its first error.
    pub async fn error(&self, query: &str, variables: Value) -> Value {
        let response = self.request(query, variables).await;
        response["errors"][0].clone()
    }

    /// Creates a workflow with a manual trigger `t` and a No-Op node `n` connected to it;
    /// returns its id (the workflow is at version 1).
    pub async fn create_sample(&self, name: &str) -> String {
        let data = self
            .data(
                "mutation($name: String!, $definition: JSON) {
                    createWorkflow(name: $name, definition: $definition) { workflowId version workflow { version } }
                }",
                json!({"name": name, "definition": sample_definition()}),
            )
            .await;
        assert_eq!(data["createWorkflow"]["version"], 1);
        data["createWorkflow"]["workflowId"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Opens a graphql-ws connection (acknowledged).
    pub async fn subscribe_client(&self) -> WsClient {
        let mut request = self.ws_url.as_str().into_client_request().expect("request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (socket, response) = connect_async(request).await.expect("connect");
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "graphql-transport-ws"
        );
        let mut client = WsClient { socket };
        client.send(json!({"type": "connection_init"})).await;
        assert_eq!(client.next_message().await["type"], "connection_ack");
        client
    }
}

/// A manual trigger `t` connected to a No-Op node `n`.
pub fn sample_definition() -> Value {
    json!({
        "nodes": [
            {"id": "t", "type": "n8n-nodes-base.manualTrigger", "name": "Start", "position": [0, 0]},
            {"id": "n", "type": "n8n-nodes-base.noOp", "name": "Nothing", "position": [200, 0]}
        ],
        "connections": [{"source": "t", "target": "n"}]
    })
}

/// The `code` extension of an error.
pub fn code(error: &Value) -> &str {
    error["extensions"]["code"].as_str().unwrap_or("<none>")
}

/// A graphql-transport-ws client.
pub struct WsClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl WsClient {
    /// Wraps an upgraded socket (the caller sends `connection_init`).
    pub fn from_socket(socket: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Self {
        Self { socket }
    }

    /// Closes the connection (the server ends its subscriptions).
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }

    /// Sends one protocol message.
    pub async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .expect("send");
    }

    /// The next protocol message (pings are answered and skipped).
    pub async fn next_message(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.socket.next())
                .await
                .expect("a message within the patience window")
                .expect("the socket is open")
                .expect("a message");
            let Message::Text(text) = message else {
                continue;
            };
            let value: Value = serde_json::from_str(&text).expect("JSON message");
            if value["type"] == "ping" {
                self.send(json!({"type": "pong"})).await;
                continue;
            }
            return value;
        }
    }

    /// Starts subscription `id`.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({
            "id": id,
            "type": "subscribe",
            "payload": {"query": query, "variables": variables}
        }))
        .await;
    }

    /// The payload of the next `next` message of subscription `id`.
    pub async fn next_payload(&mut self, id: &str) -> Value {
        let message = self.next_message().await;
        assert_eq!(message["id"], id, "{message:#}");
        assert_eq!(message["type"], "next", "{message:#}");
        message["payload"].clone()
    }
}
