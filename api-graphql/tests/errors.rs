//! Error codes and limits over real HTTP: conflicts with the current version, rebased concurrent
//! edits, validation, unknown ids, malformed and oversized bodies, too-deep queries. Runs on
//! SQLite and Postgres.

mod common;

use common::{code, start};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use weft_commands::{Backend, on_both_backends};

on_both_backends!(
    stale_overlapping_edit_is_a_conflict_with_the_current_version,
    stale_edit_of_another_node_is_rebased,
    invalid_commands_are_validation_errors,
    unknown_ids_are_not_found,
    malformed_bodies_are_rejected_with_a_message,
    oversized_bodies_are_rejected_and_change_nothing,
    too_deep_and_invalid_queries_are_rejected,
);

const MOVE: &str = "mutation($id: ID!, $node: ID!, $x: Float!, $expected: Int) {
    moveNode(workflowId: $id, nodeId: $node, position: {x: $x, y: 0}, expectedVersion: $expected) { version workflow { version } }
}";

async fn stale_overlapping_edit_is_a_conflict_with_the_current_version(backend: Backend) {
    let server = start(backend).await;
    let id = server.create_sample("Conflicts").await;
    let first = server
        .data(MOVE, json!({"id": id, "node": "n", "x": 10, "expected": 1}))
        .await;
    assert_eq!(first["moveNode"]["version"], 2);
    let response = server
        .request(MOVE, json!({"id": id, "node": "n", "x": 20, "expected": 1}))
        .await;
    assert_eq!(response["data"], Value::Null);
    let error = &response["errors"][0];
    assert_eq!(code(error), "CONFLICT", "{error:#}");
    assert_eq!(error["extensions"]["currentVersion"], 2);
    assert_eq!(
        error["extensions"]["overlapping"],
        json!(["position of node n"])
    );
    assert_eq!(error["path"], json!(["moveNode"]));
    let position = server
        .data(
            "query($id: ID!) { workflow(id: $id) { version definition { nodes { position { x } } } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(position["workflow"]["version"], 2, "nothing was appended");
    assert_eq!(
        position["workflow"]["definition"]["nodes"][1]["position"]["x"],
        10.0
    );
    let ahead = server
        .error(MOVE, json!({"id": id, "node": "n", "x": 5, "expected": 7}))
        .await;
    assert_eq!(code(&ahead), "VALIDATION");
    assert_eq!(ahead["extensions"]["currentVersion"], 2);
}

async fn stale_edit_of_another_node_is_rebased(backend: Backend) {
    let server = start(backend).await;
    let id = server.create_sample("Rebase").await;
    // Two editors both saw version 1 and move different nodes concurrently.
    let (a, b) = tokio::join!(
        server.data(MOVE, json!({"id": id, "node": "t", "x": 11, "expected": 1})),
        server.data(MOVE, json!({"id": id, "node": "n", "x": 22, "expected": 1})),
    );
    let mut versions = [
        a["moveNode"]["version"].as_u64().unwrap(),
        b["moveNode"]["version"].as_u64().unwrap(),
    ];
    versions.sort();
    assert_eq!(versions, [2, 3]);
    let data = server
        .data(
            "query($id: ID!) { workflow(id: $id) { version definition { nodes { id position { x } } } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data["workflow"]["version"], 3);
    assert_eq!(
        data["workflow"]["definition"]["nodes"],
        json!([{"id": "t", "position": {"x": 11.0}}, {"id": "n", "position": {"x": 22.0}}])
    );
}

async fn invalid_commands_are_validation_errors(backend: Backend) {
    let server = start(backend).await;
    let id = server.create_sample("Validation").await;
    let cases = [
        (
            "mutation($id: ID!) { addNode(workflowId: $id, node: {id: \"n\", type: \"n8n-nodes-base.noOp\", name: \"Other\"}) { version } }",
            "a node with id `n` already exists",
        ),
        (
            "mutation($id: ID!) { addNode(workflowId: $id, node: {id: \"x\", type: \"acme.unknown\", name: \"X\"}) { version } }",
            "unknown node type `acme.unknown` version 1 (node `X`)",
        ),
        (
            "mutation($id: ID!) { addConnection(workflowId: $id, connection: {source: \"t\", sourceOutput: 3, target: \"n\"}) { version } }",
            "node `t` has no output 3",
        ),
        (
            "mutation($id: ID!) { renameWorkflow(workflowId: $id, name: \"\") { version } }",
            "invalid name",
        ),
        (
            "mutation($id: ID!) { setVariables(workflowId: $id, variables: [1, 2]) { version } }",
            "invalid variables (expected an object)",
        ),
        (
            "mutation($id: ID!) { updateNode(workflowId: $id, nodeId: \"n\", changes: {retry: {maxTries: \"many\"}}) { version } }",
            "invalid retry",
        ),
        (
            "mutation($id: ID!) { revertWorkflow(workflowId: $id, version: -1) { version } }",
            "`version` must not be negative",
        ),
    ];
    for (mutation, message) in cases {
        let error = server.error(mutation, json!({"id": id})).await;
        assert_eq!(code(&error), "VALIDATION", "{mutation}: {error:#}");
        assert!(
            error["message"].as_str().unwrap().contains(message),
            "{mutation}: {error:#}"
        );
    }
    let version = server
        .data(
            "query($id: ID!) { workflow(id: $id) { version } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(version["workflow"]["version"], 1, "nothing was appended");
}

async fn unknown_ids_are_not_found(backend: Backend) {
    let server = start(backend).await;
    let missing = json!({"id": "no-such-workflow"});
    for operation in [
        "query($id: ID!) { workflow(id: $id) { name } }",
        "mutation($id: ID!) { renameWorkflow(workflowId: $id, name: \"X\") { version } }",
        "mutation($id: ID!) { exportWorkflow(workflowId: $id) }",
        "mutation($id: ID!) { revertWorkflow(workflowId: $id, version: 1) { version } }",
        "mutation($id: ID!) { promoteWorkflow(workflowId: $id, targetEnvironment: LAUNCHED) { version } }",
    ] {
        let error = server.error(operation, missing.clone()).await;
        assert_eq!(code(&error), "NOT_FOUND", "{operation}: {error:#}");
    }
}

async fn malformed_bodies_are_rejected_with_a_message(backend: Backend) {
    let server = start(backend).await;
    let (status, body) = server.post_raw("{\"query\": ").await;
    assert_eq!(status, 400);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("the request body is not valid JSON: EOF while parsing"),
        "{body}"
    );
    assert_eq!(code(&body["errors"][0]), "VALIDATION");
    let (status, body) = server.post_raw("{\"query\": 5}").await;
    assert_eq!(status, 400);
    assert!(
        body.contains("not a GraphQL request: invalid type: integer `5`, expected a string"),
        "{body}"
    );
    let (status, body) = server.post_raw("42").await;
    assert_eq!(status, 400);
    assert!(body.contains("must be a JSON object"), "{body}");
    let response = server
        .request("{ workflows { items { id } ", json!({}))
        .await;
    assert_eq!(code(&response["errors"][0]), "VALIDATION");
}

async fn oversized_bodies_are_rejected_and_change_nothing(backend: Backend) {
    let server = start(backend).await;
    let huge = "x".repeat(5 * 1024 * 1024);
    let body = json!({
        "query": "mutation($name: String!) { createWorkflow(name: $name) { version } }",
        "variables": {"name": huge}
    })
    .to_string();
    // The server answers once the body passes the limit and stops reading: write on one half of
    // a raw socket and read the answer on the other, without waiting for the whole body.
    let address = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches("/graphql");
    let socket = TcpStream::connect(address).await.unwrap();
    let (mut reader, mut writer) = socket.into_split();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    tokio::spawn(async move {
        // The server may close before taking the rest of the body; that is expected.
        let _ = writer.write_all(head.as_bytes()).await;
        let _ = writer.write_all(body.as_bytes()).await;
    });
    let response = read_response(&mut reader).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    let (_, json_body) = response.split_once("\r\n\r\n").unwrap();
    let json_body: Value = serde_json::from_str(json_body).unwrap();
    assert_eq!(
        json_body["errors"][0]["message"],
        "the request body is larger than the limit of 4194304 bytes"
    );
    let listed = server
        .data("{ workflows { items { id } } }", json!({}))
        .await;
    assert_eq!(listed["workflows"]["items"], json!([]));
}

/// Reads one HTTP response (head and `content-length` body) without waiting for the connection
/// to close.
async fn read_response(socket: &mut (impl AsyncRead + Unpin)) -> String {
    let mut response = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&response).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|line| {
                    line.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(str::to_string)
                })
                .and_then(|value| value.trim().parse::<usize>().ok())
                .expect("content-length");
            if body.len() >= length {
                return text;
            }
        }
        let read = tokio::time::timeout(common::PATIENCE, socket.read(&mut chunk))
            .await
            .expect("a response within the patience window")
            .expect("read");
        assert!(read > 0, "connection closed early: {text}");
        response.extend_from_slice(&chunk[..read]);
    }
}

async fn too_deep_and_invalid_queries_are_rejected(backend: Backend) {
    let server = start(backend).await;
    let mut selection = "name".to_string();
    for _ in 0..20 {
        selection = format!("ofType {{ {selection} }}");
    }
    let deep = format!("{{ __type(name: \"Query\") {{ fields {{ type {{ {selection} }} }} }} }}");
    let response = server.request(&deep, json!({})).await;
    let error = &response["errors"][0];
    assert_eq!(error["message"], "Query is nested too deep.");
    assert_eq!(code(error), "VALIDATION");
    let response = server.request("{ workflows { nope } }", json!({})).await;
    assert_eq!(code(&response["errors"][0]), "VALIDATION");
    // GraphiQL's introspection query (graphql-js 16) stays within the limits.
    let introspection = server.request(INTROSPECTION, json!({})).await;
    assert!(introspection.get("errors").is_none(), "{introspection}");
}

const INTROSPECTION: &str = "query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}";
