//! Test harness: a Weft API server started in-process on 127.0.0.1:0 over a fresh database, with
//! its owner set up; an HTTP GraphQL client that authenticates as the owner unless told
//! otherwise, and a graphql-ws (graphql-transport-ws) client.

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
use weft_commands::secrets::{Credentials, MasterKey};
use weft_commands::testing::TestDb;
use weft_commands::{Access, Backend, EventStore};
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
    /// The server's access service (to mint tokens in tests).
    pub access: Access,
    /// The server's credentials service (to inspect encryption in tests).
    pub credentials: Credentials,
    /// The master key the server uses.
    pub master: MasterKey,
    /// The owner's access token, sent by [`Server::request`] and friends.
    pub token: String,
    /// The owner's user id (events are recorded as `user:ID`).
    pub owner_id: String,
    http: reqwest::Client,
}

/// Email of the owner every test server is set up with.
pub const OWNER_EMAIL: &str = "owner@example.com";
/// The owner's password.
pub const OWNER_PASSWORD: &str = "owner-password-1";

/// A signed-in user other than the owner.
pub struct TestUser {
    /// User id.
    pub id: String,
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
    /// Access token.
    pub token: String,
    /// Refresh token.
    pub refresh_token: String,
}

/// Starts a server with the default limits on a fresh database of `backend`.
pub async fn start(backend: Backend) -> Server {
    start_with_feed_capacity(backend, weft_projections::FEED_CAPACITY).await
}

/// Like [`start`], with a projection feed that keeps only `capacity` events, so subscribers
/// fall behind it under a burst of events.
pub async fn start_with_feed_capacity(backend: Backend, capacity: usize) -> Server {
    let db = TestDb::of(backend).await;
    let store = EventStore::open(&db.url).await.expect("open store");
    let runner = ProjectionRunner::with_feed_capacity(store.clone(), TableSet::live(), capacity)
        .await
        .expect("projection runner");
    let feed = runner.feed();
    tokio::spawn(runner.run());
    let master = MasterKey::generate();
    let api = Api::new(store.clone(), feed, &master);
    let access = api.access.clone();
    let credentials = api.credentials.clone();
    let app: axum::Router = graphql::router(api, Limits::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut server = Server {
        url: format!("http://{address}/graphql"),
        ws_url: format!("ws://{address}/graphql"),
        store,
        db,
        access,
        credentials,
        master,
        token: String::new(),
        owner_id: String::new(),
        http: reqwest::Client::new(),
    };
    let setup = server
        .request_as(
            None,
            "mutation($email: String!, $password: String!) {
                setupOwner(email: $email, password: $password) { accessToken user { id } }
            }",
            json!({"email": OWNER_EMAIL, "password": OWNER_PASSWORD}),
        )
        .await;
    let payload = &setup["data"]["setupOwner"];
    server.token = payload["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("owner setup failed: {setup:#}"))
        .to_string();
    server.owner_id = payload["user"]["id"].as_str().unwrap().to_string();
    server
}

impl Server {
    /// Posts a raw body as the owner; returns the status and the body text.
    pub async fn post_raw(&self, body: impl Into<reqwest::Body>) -> (u16, String) {
        let response = self
            .http
            .post(&self.url)
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("send");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// Runs an operation with the access token `token` (none: unauthenticated); returns the
    /// whole response.
    pub async fn request_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let headers: Vec<(&str, String)> = token
            .map(|t| vec![("authorization", format!("Bearer {t}"))])
            .unwrap_or_default();
        self.request_with_headers(&headers, query, variables).await
    }

    /// Runs an operation with exactly these headers; returns the whole response.
    pub async fn request_with_headers(
        &self,
        headers: &[(&str, String)],
        query: &str,
        variables: Value,
    ) -> Value {
        let mut request = self
            .http
            .post(&self.url)
            .json(&json!({"query": query, "variables": variables}));
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.expect("send");
        assert_eq!(response.status().as_u16(), 200, "status");
        response.json().await.expect("JSON response")
    }

    /// Runs an operation as the owner; returns the whole response (`data` and `errors`).
    pub async fn request(&self, query: &str, variables: Value) -> Value {
        self.request_as(Some(&self.token), query, variables).await
    }

    /// Creates a user with `role` (`ADMIN`, `EDITOR`, `VIEWER`) as the owner and signs them in.
    pub async fn create_user(&self, name: &str, role: &str) -> TestUser {
        let email = format!("{name}@example.com");
        let password = format!("{name}-password");
        let created = self
            .data(
                "mutation($email: String!, $password: String!, $role: Role!) {
                    createUser(email: $email, password: $password, role: $role) { id role }
                }",
                json!({"email": email, "password": password, "role": role}),
            )
            .await;
        let login = self
            .request_as(
                None,
                "mutation($email: String!, $password: String!) {
                    login(email: $email, password: $password) { accessToken refreshToken }
                }",
                json!({"email": email, "password": password}),
            )
            .await;
        TestUser {
            id: created["createUser"]["id"].as_str().unwrap().to_string(),
            email,
            password,
            token: login["data"]["login"]["accessToken"]
                .as_str()
                .unwrap_or_else(|| panic!("login failed: {login:#}"))
                .to_string(),
            refresh_token: login["data"]["login"]["refreshToken"]
                .as_str()
                .unwrap()
                .to_string(),
        }
    }

    /// Runs an operation that must succeed; returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let response = self.request(query, variables).await;
        assert!(response.get("errors").is_none(), "errors: {response:#}");
        response["data"].clone()
    }

    /// Creates a workflow named `name` from a Weft definition; returns its id.
    pub async fn create_workflow(&self, name: &str, definition: Value) -> String {
        let data = self
            .data(
                "mutation($name: String!, $definition: JSON) {
                    createWorkflow(name: $name, definition: $definition) { workflowId }
                }",
                json!({"name": name, "definition": definition}),
            )
            .await;
        data["createWorkflow"]["workflowId"]
            .as_str()
            .unwrap()
            .to_string()
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

    /// Opens a graphql-ws connection authenticated as the owner (acknowledged).
    pub async fn subscribe_client(&self) -> WsClient {
        let init = json!({"authorization": format!("Bearer {}", self.token)});
        let (mut client, ack) = self.connect_ws(init).await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        client.ready = true;
        client
    }

    /// Opens a graphql-ws connection with this `connection_init` payload; returns the client
    /// and the server's answer (`connection_ack`, or a close frame as `{"close": CODE, "reason": …}`).
    pub async fn connect_ws(&self, init: Value) -> (WsClient, Value) {
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
        let mut client = WsClient {
            socket,
            ready: false,
        };
        client
            .send(json!({"type": "connection_init", "payload": init}))
            .await;
        let answer = client.next_message().await;
        (client, answer)
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
    /// Whether the server acknowledged the connection.
    pub ready: bool,
}

impl WsClient {
    /// Wraps an upgraded socket (the caller sends `connection_init`).
    pub fn from_socket(socket: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Self {
        Self {
            socket,
            ready: false,
        }
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
            if let Message::Close(frame) = &message {
                let (code, reason) = frame
                    .as_ref()
                    .map(|f| (u16::from(f.code), f.reason.to_string()))
                    .unwrap_or_default();
                return json!({"close": code, "reason": reason});
            }
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
