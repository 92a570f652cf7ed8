//! HTTP Request node against a small fake server on 127.0.0.1.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use weft_domain::definition::{
    Connection, ConnectionKind, CredentialRef, ExecutionOrder, Node, WorkflowDefinition,
    WorkflowSettings,
};
use weft_executor::{
    CredentialProvider, Engine, ExecutionResult, ExecutionStatus, NodeErrorKind, NoopObserver,
    RunOptions, SandboxLimits,
};

/// Answers every request with a JSON echo of it; `/text`, `/status/500`, `/token` and `/slow`
/// behave specially.
async fn fake_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head, body) = loop {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buffer[..end]).to_string();
                        let length = head
                            .lines()
                            .find_map(|l| {
                                l.to_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        while buffer.len() < end + 4 + length {
                            let n = socket.read(&mut chunk).await.unwrap_or(0);
                            if n == 0 {
                                break;
                            }
                            buffer.extend_from_slice(&chunk[..n]);
                        }
                        break (
                            head,
                            String::from_utf8_lossy(&buffer[end + 4..]).to_string(),
                        );
                    }
                };
                let mut lines = head.lines();
                let mut request_line = lines.next().unwrap_or_default().split(' ');
                let method = request_line.next().unwrap_or_default().to_string();
                let target = request_line.next().unwrap_or_default().to_string();
                let (path, query) = target.split_once('?').unwrap_or((&target, ""));
                let headers: serde_json::Map<String, Value> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_lowercase(), Value::String(v.trim().to_string())))
                    .collect();
                let (status, content_type, payload) = match path {
                    "/text" => ("200 OK", "text/plain", "hello".to_string()),
                    "/status/500" => (
                        "500 Internal Server Error",
                        "application/json",
                        r#"{"error":"boom"}"#.to_string(),
                    ),
                    "/token" => (
                        "200 OK",
                        "application/json",
                        r#"{"access_token":"tok123","token_type":"bearer"}"#.to_string(),
                    ),
                    "/list" => (
                        "200 OK",
                        "application/json",
                        r#"[{"n":1},{"n":2}]"#.to_string(),
                    ),
                    "/slow" => {
                        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
                        ("200 OK", "application/json", "{}".to_string())
                    }
                    _ => {
                        let echo = json!({"method": method, "path": path, "query": query, "headers": headers, "body": body});
                        ("200 OK", "application/json", echo.to_string())
                    }
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{payload}",
                    payload.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    address
}

fn http_node(parameters: Value, credential: Option<(&str, &str)>) -> Node {
    Node {
        id: "HTTP".into(),
        node_type: "n8n-nodes-base.httpRequest".into(),
        type_version: 4.2,
        name: "HTTP".into(),
        position: [100.0, 0.0],
        parameters,
        credentials: credential
            .map(|(ty, id)| {
                (
                    ty.to_string(),
                    CredentialRef {
                        id: id.into(),
                        name: id.into(),
                    },
                )
            })
            .into_iter()
            .collect(),
        disabled: false,
        notes: None,
        style: Default::default(),
        retry: Default::default(),
        on_error: Default::default(),
    }
}

struct Secrets;

#[async_trait]
impl CredentialProvider for Secrets {
    async fn credential(
        &self,
        credential_type: &str,
        reference: &CredentialRef,
    ) -> Result<Value, String> {
        match (credential_type, reference.id.as_str()) {
            ("httpBasicAuth", "basic") => Ok(json!({"user": "ada", "password": "secret"})),
            ("httpHeaderAuth", "header") => Ok(json!({"name": "X-Api-Key", "value": "k-1"})),
            ("httpQueryAuth", "query") => Ok(json!({"name": "api_key", "value": "q-1"})),
            ("oAuth2Api", base) => Ok(
                json!({"accessTokenUrl": format!("{base}/token"), "clientId": "id", "clientSecret": "cs"}),
            ),
            _ => Err("unknown credential".into()),
        }
    }
}

async fn run(node: Node) -> (ExecutionResult, Vec<Value>) {
    run_with_timeout(node, None).await
}

async fn run_with_timeout(
    node: Node,
    timeout: Option<std::time::Duration>,
) -> (ExecutionResult, Vec<Value>) {
    let trigger = Node {
        id: "T".into(),
        node_type: "n8n-nodes-base.manualTrigger".into(),
        name: "T".into(),
        position: [0.0, 0.0],
        ..node.clone()
    };
    let trigger = Node {
        parameters: json!({}),
        credentials: Default::default(),
        type_version: 1.0,
        ..trigger
    };
    let def = WorkflowDefinition {
        nodes: vec![trigger, node],
        connections: vec![Connection {
            source: "T".into(),
            source_output: 0,
            target: "HTTP".into(),
            target_input: 0,
            kind: ConnectionKind::Main,
        }],
        settings: WorkflowSettings {
            execution_order: ExecutionOrder::V1,
            ..Default::default()
        },
        ..Default::default()
    };
    let engine = Engine::new(SandboxLimits::default());
    let wf = engine.compile(Arc::new(def), &HashMap::new()).unwrap();
    let options = RunOptions {
        credentials: Some(Arc::new(Secrets)),
        timeout,
        ..Default::default()
    };
    let result = engine.run(&wf, options, &mut NoopObserver).await.unwrap();
    let items = result
        .run_data
        .runs(wf.index_of("HTTP").unwrap())
        .last()
        .map(|r| {
            r.outputs
                .first()
                .map(|o| o.iter().map(|i| Value::Object(i.json.clone())).collect())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    (result, items)
}

#[tokio::test]
async fn sends_method_query_headers_and_json_body() {
    let base = fake_server().await;
    let params = json!({
        "method": "POST",
        "url": format!("{base}/echo"),
        "sendQuery": true,
        "queryParameters": {"parameters": [{"name": "q", "value": "={{ 1 + 1 }}"}]},
        "sendHeaders": true,
        "headerParameters": {"parameters": [{"name": "X-Trace", "value": "t-1"}]},
        "sendBody": true,
        "contentType": "json",
        "specifyBody": "json",
        "jsonBody": "{\"a\": 1}"
    });
    let (result, items) = run(http_node(params, None)).await;
    assert_eq!(
        result.status,
        ExecutionStatus::Success,
        "{:?}",
        result.error
    );
    let echo = &items[0];
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["query"], "q=2");
    assert_eq!(echo["headers"]["x-trace"], "t-1");
    assert_eq!(echo["headers"]["content-type"], "application/json");
    assert_eq!(
        serde_json::from_str::<Value>(echo["body"].as_str().unwrap()).unwrap(),
        json!({"a": 1})
    );
}

#[tokio::test]
async fn form_and_raw_bodies_and_text_and_list_responses() {
    let base = fake_server().await;
    let form = json!({"method": "PUT", "url": format!("{base}/f"), "sendBody": true, "contentType": "form-urlencoded",
        "bodyParameters": {"parameters": [{"name": "a", "value": "x y"}, {"name": "b", "value": "2"}]}});
    let (_, items) = run(http_node(form, None)).await;
    assert_eq!(items[0]["body"], "a=x+y&b=2");
    assert_eq!(
        items[0]["headers"]["content-type"],
        "application/x-www-form-urlencoded"
    );
    let raw = json!({"method": "POST", "url": format!("{base}/r"), "sendBody": true, "contentType": "raw", "rawContentType": "text/csv", "body": "a,b"});
    let (_, items) = run(http_node(raw, None)).await;
    assert_eq!(
        (
            items[0]["body"].as_str(),
            items[0]["headers"]["content-type"].as_str()
        ),
        (Some("a,b"), Some("text/csv"))
    );
    let (_, items) = run(http_node(json!({"url": format!("{base}/text")}), None)).await;
    assert_eq!(items, vec![json!({"data": "hello"})]);
    let (_, items) = run(http_node(json!({"url": format!("{base}/list")}), None)).await;
    assert_eq!(items, vec![json!({"n": 1}), json!({"n": 2})]);
}

#[tokio::test]
async fn authenticates_with_each_credential_type() {
    let base = fake_server().await;
    let auth = |ty: &str| json!({"url": format!("{base}/a"), "authentication": "genericCredentialType", "genericAuthType": ty});
    let (_, items) = run(http_node(
        auth("httpBasicAuth"),
        Some(("httpBasicAuth", "basic")),
    ))
    .await;
    assert_eq!(
        items[0]["headers"]["authorization"],
        "Basic YWRhOnNlY3JldA=="
    );
    let (_, items) = run(http_node(
        auth("httpHeaderAuth"),
        Some(("httpHeaderAuth", "header")),
    ))
    .await;
    assert_eq!(items[0]["headers"]["x-api-key"], "k-1");
    let (_, items) = run(http_node(
        auth("httpQueryAuth"),
        Some(("httpQueryAuth", "query")),
    ))
    .await;
    assert_eq!(items[0]["query"], "api_key=q-1");
    let (_, items) = run(http_node(
        auth("oAuth2Api"),
        Some(("oAuth2Api", base.as_str())),
    ))
    .await;
    assert_eq!(items[0]["headers"]["authorization"], "Bearer tok123");
}

#[tokio::test]
async fn errors_timeouts_and_full_responses() {
    let base = fake_server().await;
    let (result, _) = run(http_node(
        json!({"url": format!("{base}/status/500")}),
        None,
    ))
    .await;
    assert_eq!(result.status, ExecutionStatus::Error);
    assert_eq!(
        result.error.unwrap().message,
        "Request failed with status code 500"
    );
    let never = json!({"url": format!("{base}/status/500"), "options": {"response": {"response": {"neverError": true, "fullResponse": true}}}});
    let (_, items) = run(http_node(never, None)).await;
    assert_eq!(items[0]["statusCode"], 500);
    assert_eq!(items[0]["body"], json!({"error": "boom"}));
    let slow = json!({"url": format!("{base}/slow"), "options": {"timeout": 200}});
    let (result, _) = run(http_node(slow, None)).await;
    assert!(result.error.unwrap().message.contains("timed out"));

    let started = std::time::Instant::now();
    let (result, _) = run_with_timeout(
        http_node(json!({"url": format!("{base}/slow")}), None),
        Some(std::time::Duration::from_millis(300)),
    )
    .await;
    assert_eq!(result.error.unwrap().kind, NodeErrorKind::Timeout);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}
