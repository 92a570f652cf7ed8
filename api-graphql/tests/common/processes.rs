//! Real `weft serve` processes for tests that need more than one server (shared Postgres, shared
//! Redis), signed in as the owner, and a graphql-ws client that connects with a given token.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::{PATIENCE, WsClient};

/// A `weft serve` child process, killed when dropped.
pub struct Process {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub address: String,
    /// The owner's access token (set up by the first process on a database, signed in on the
    /// others).
    pub token: String,
    _data: tempfile::TempDir,
}

/// The master key every test process uses, so processes on one database accept each other's
/// tokens (base64 of 32 bytes).
pub const TEST_MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `weft serve` with `env` (e.g. `WEFT_DATABASE_URL`) and waits until `/readyz` answers.
pub async fn serve(env: &[(&str, &str)]) -> Process {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_weft"));
    command
        .env_clear()
        .env("WEFT_DATA_DIR", data.path())
        .env("WEFT_ENCRYPTION_KEY", TEST_MASTER_KEY)
        .env("WEFT_LISTEN", format!("127.0.0.1:{port}"));
    for (name, value) in env {
        command.env(name, value);
    }
    let child = command
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start weft serve");
    let mut process = Process {
        child,
        address: format!("127.0.0.1:{port}"),
        token: String::new(),
        _data: data,
    };
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let ready = http
            .get(format!("http://{}/readyz", process.address))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if ready {
            process.token = process.owner_token().await;
            return process;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "weft serve on {} did not become ready",
            process.address
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Process {
    /// Sets up the owner (first process on a database) or signs in as the owner.
    async fn owner_token(&self) -> String {
        let credentials = json!({"email": super::OWNER_EMAIL, "password": super::OWNER_PASSWORD});
        for mutation in ["setupOwner", "login"] {
            let query = format!(
                "mutation($email: String!, $password: String!) {{ {mutation}(email: $email, password: $password) {{ accessToken }} }}"
            );
            let answer = self.request_as(None, &query, credentials.clone()).await;
            if let Some(token) = answer["data"][mutation]["accessToken"].as_str() {
                return token.to_string();
            }
        }
        panic!("cannot sign in as the owner on {}", self.address)
    }

    /// Creates a user with `role` (`ADMIN`, `EDITOR`, `VIEWER`) as the owner and signs them in;
    /// returns their id and access token.
    pub async fn create_user(&self, name: &str, role: &str) -> (String, String) {
        let email = format!("{name}@example.com");
        let password = format!("{name}-password");
        let created = self
            .data(
                "mutation($email: String!, $password: String!, $role: Role!) {
                    createUser(email: $email, password: $password, role: $role) { id }
                }",
                json!({"email": email, "password": password, "role": role}),
            )
            .await;
        let login = self
            .request_as(
                None,
                "mutation($email: String!, $password: String!) {
                    login(email: $email, password: $password) { accessToken }
                }",
                json!({"email": email, "password": password}),
            )
            .await;
        (
            created["createUser"]["id"].as_str().unwrap().to_string(),
            login["data"]["login"]["accessToken"]
                .as_str()
                .unwrap_or_else(|| panic!("login failed: {login:#}"))
                .to_string(),
        )
    }

    /// Runs an operation that must succeed; returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let response = self.request(query, variables).await;
        assert!(response.get("errors").is_none(), "errors: {response:#}");
        response["data"].clone()
    }

    /// Runs an operation as the owner; returns the whole response (`data` and `errors`).
    pub async fn request(&self, query: &str, variables: Value) -> Value {
        self.request_as(Some(&self.token), query, variables).await
    }

    /// Runs an operation with the access token `token` (none: unauthenticated).
    pub async fn request_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = reqwest::Client::new().post(format!("http://{}/graphql", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("JSON response")
    }

    /// Waits until this process's read models show `workflow_id` at `version` or later.
    pub async fn await_version(&self, workflow_id: &str, version: u64) {
        let started = Instant::now();
        loop {
            // NOT_FOUND until this process's projections have the workflow.
            let seen = self
                .request(
                    "query($id: ID!) { workflow(id: $id) { version } }",
                    json!({"id": workflow_id}),
                )
                .await;
            if seen["data"]["workflow"]["version"].as_u64() >= Some(version) {
                return;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "{} never saw version {version}",
                self.address
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// An acknowledged graphql-ws connection signed in with `token`.
    pub async fn ws_client(&self, token: &str) -> WsClient {
        ws_client(&format!("ws://{}/graphql", self.address), token).await
    }
}

/// An acknowledged graphql-ws connection to `ws_url`, signed in with the access token `token`.
pub async fn ws_client(ws_url: &str, token: &str) -> WsClient {
    let mut request = ws_url.into_client_request().expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (socket, _) = connect_async(request).await.expect("connect");
    let mut client = WsClient::from_socket(socket);
    let init = json!({"authorization": format!("Bearer {token}")});
    client
        .send(json!({"type": "connection_init", "payload": init}))
        .await;
    assert_eq!(client.next_message().await["type"], "connection_ack");
    client
}
