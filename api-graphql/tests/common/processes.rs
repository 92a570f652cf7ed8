//! Real `weft serve` processes for tests that need more than one server (shared Postgres, shared
//! Redis), and a graphql-ws client that connects as a given actor.

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
    _data: tempfile::TempDir,
}

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
    let process = Process {
        child,
        address: format!("127.0.0.1:{port}"),
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
    /// Runs an operation that must succeed; returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let response = self.request(query, variables).await;
        assert!(response.get("errors").is_none(), "errors: {response:#}");
        response["data"].clone()
    }

    /// Runs an operation; returns the whole response (`data` and `errors`).
    pub async fn request(&self, query: &str, variables: Value) -> Value {
        reqwest::Client::new()
            .post(format!("http://{}/graphql", self.address))
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

    /// An acknowledged graphql-ws connection, as `actor` when given.
    pub async fn ws_client(&self, actor: Option<&str>) -> WsClient {
        ws_client(&format!("ws://{}/graphql", self.address), actor).await
    }
}

/// An acknowledged graphql-ws connection to `ws_url`, as `actor` when given.
pub async fn ws_client(ws_url: &str, actor: Option<&str>) -> WsClient {
    let mut request = ws_url.into_client_request().expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    if let Some(actor) = actor {
        request
            .headers_mut()
            .insert("x-weft-actor", actor.parse().unwrap());
    }
    let (socket, _) = connect_async(request).await.expect("connect");
    let mut client = WsClient::from_socket(socket);
    client.send(json!({"type": "connection_init"})).await;
    assert_eq!(client.next_message().await["type"], "connection_ack");
    client
}
