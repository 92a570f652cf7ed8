//! Subscription fan-out: N graphql-ws clients subscribed to `workflowEvents` on one workflow of a
//! running `weft serve`; latency from a mutation's HTTP response to the LAST client receiving its
//! event, p50/p99 over many mutations. Prints a table.
//!
//! Run with `cargo bench -p weft-api-graphql --bench fanout` (or `ops/bench/fanout.sh`). Arguments:
//! `clients=N` (default 1000), `mutations=N` (default 200); `WEFT_DATABASE_URL` picks the
//! database of the server (default: SQLite in a temporary directory).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const TARGET_P99_MS: f64 = 50.0;

struct Server {
    child: Child,
    address: String,
    /// The owner's access token (the API needs authentication).
    token: String,
    _data: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_server() -> Server {
    let data = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_weft"));
    command
        .env_clear()
        .env("WEFT_DATA_DIR", data.path())
        .env("WEFT_LISTEN", format!("127.0.0.1:{port}"));
    if let Ok(url) = std::env::var("WEFT_DATABASE_URL") {
        command.env("WEFT_DATABASE_URL", url);
    }
    let child = command
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start weft serve");
    let mut server = Server {
        child,
        address: format!("127.0.0.1:{port}"),
        token: String::new(),
        _data: data,
    };
    let started = Instant::now();
    while !reqwest::get(format!("http://{}/readyz", server.address))
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "server not ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let setup = graphql(
        &reqwest::Client::new(),
        &server,
        "mutation { setupOwner(email: \"bench@example.com\", password: \"bench-password-1\") { accessToken } }",
        json!({}),
    )
    .await;
    server.token = setup["setupOwner"]["accessToken"]
        .as_str()
        .expect("an access token")
        .to_string();
    server
}

async fn graphql(http: &reqwest::Client, server: &Server, query: &str, variables: Value) -> Value {
    let mut request = http.post(format!("http://{}/graphql", server.address));
    if !server.token.is_empty() {
        request = request.bearer_auth(&server.token);
    }
    let response: Value = request
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("JSON");
    assert!(response.get("errors").is_none(), "{response:#}");
    response["data"].clone()
}

/// The `version` of a `workflowEvents` message, found without parsing the whole message (the
/// clients share the machine's two cores with the server).
fn version_of(text: &str) -> Option<u64> {
    let start = text.find("\"version\":")? + "\"version\":".len();
    let digits: String = text[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// One subscribed client: reports (version, arrival) of every event it receives.
async fn client(
    ws_url: String,
    token: String,
    workflow_id: String,
    arrivals: mpsc::UnboundedSender<(u64, Instant)>,
) {
    let mut request = ws_url.into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = connect_async(request).await.expect("connect");
    let send = |v: Value| Message::text(v.to_string());
    socket
        .send(send(json!({
            "type": "connection_init",
            "payload": {"authorization": format!("Bearer {token}")}
        })))
        .await
        .unwrap();
    socket
        .send(send(json!({
            "id": "1",
            "type": "subscribe",
            "payload": {
                "query": "subscription($id: ID!) { workflowEvents(workflowId: $id) { version eventType actor summary payload } }",
                "variables": {"id": workflow_id}
            }
        })))
        .await
        .unwrap();
    while let Some(Ok(message)) = socket.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        if text.contains("\"ping\"") {
            let _ = socket.send(send(json!({"type": "pong"}))).await;
            continue;
        }
        if let Some(version) = version_of(&text)
            && arrivals.send((version, Instant::now())).is_err()
        {
            return;
        }
    }
}

fn arg(name: &str, default: usize) -> usize {
    std::env::args()
        .filter_map(|a| {
            a.strip_prefix(&format!("{name}="))
                .and_then(|v| v.parse().ok())
        })
        .next()
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let clients = arg("clients", 1000);
    let mutations = arg("mutations", 200);
    let server = start_server().await;
    let http = reqwest::Client::new();
    let created = graphql(
        &http,
        &server,
        "mutation($d: JSON) { createWorkflow(name: \"fan-out\", definition: $d) { workflowId } }",
        json!({"d": {"nodes": [{"id": "n", "type": "n8n-nodes-base.noOp", "name": "N", "position": [0, 0]}], "connections": []}}),
    )
    .await;
    let workflow_id = created["createWorkflow"]["workflowId"]
        .as_str()
        .unwrap()
        .to_string();

    let (arrivals, mut arrived) = mpsc::unbounded_channel();
    let ws_url = format!("ws://{}/graphql", server.address);
    for _ in 0..clients {
        tokio::spawn(client(
            ws_url.clone(),
            server.token.clone(),
            workflow_id.clone(),
            arrivals.clone(),
        ));
    }
    drop(arrivals);

    let mut version = 1;
    let move_node = async |x: u64| {
        let data = graphql(
            &http,
            &server,
            "mutation($id: ID!, $x: Float!) { moveNode(workflowId: $id, nodeId: \"n\", position: {x: $x, y: 0}) { version } }",
            json!({"id": workflow_id, "x": x}),
        )
        .await;
        (
            Instant::now(),
            data["moveNode"]["version"].as_u64().unwrap(),
        )
    };
    // Warm-up: repeat edits until every client has one (all subscriptions are live).
    loop {
        let (_, v) = move_node(version).await;
        version = v;
        let mut got = 0;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        while got < clients {
            match tokio::time::timeout_at(deadline, arrived.recv()).await {
                Ok(Some((seen, _))) if seen == v => got += 1,
                Ok(Some(_)) => {}
                Ok(None) => panic!("every client stopped"),
                Err(_) => break,
            }
        }
        if got == clients {
            break;
        }
    }

    let mut latencies = Vec::with_capacity(mutations);
    for _ in 0..mutations {
        let (responded, v) = move_node(version).await;
        version = v;
        let mut got = 0;
        let mut last = responded;
        while got < clients {
            let (seen, at) = tokio::time::timeout(Duration::from_secs(30), arrived.recv())
                .await
                .expect("every client receives the event")
                .expect("clients alive");
            if seen == v {
                got += 1;
                last = last.max(at);
            }
        }
        latencies.push(last.duration_since(responded).as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    latencies.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let p99 = pct(0.99);
    println!("| clients | mutations | p50 ms | p99 ms | max ms | target p99 | met |");
    println!("|---------|-----------|--------|--------|--------|------------|-----|");
    println!(
        "| {clients:>7} | {mutations:>9} | {:>6.1} | {p99:>6.1} | {:>6.1} | <= {TARGET_P99_MS:<7} | {:<3} |",
        pct(0.50),
        latencies[latencies.len() - 1],
        if p99 <= TARGET_P99_MS { "yes" } else { "no" }
    );
}
