//! The `/graphql` endpoint itself: GraphiQL on GET, batches, request ids as correlation ids.

mod common;

use common::start;
use serde_json::{Value, json};
use weft_commands::{Backend, on_both_backends};

on_both_backends!(
    graphiql_is_served_on_get,
    batches_run_every_operation,
    request_ids_become_correlation_ids,
);

async fn graphiql_is_served_on_get(backend: Backend) {
    let server = start(backend).await;
    let response = reqwest::get(&server.url).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = response.text().await.unwrap();
    assert!(page.contains("graphiql"), "{page}");
}

async fn batches_run_every_operation(backend: Backend) {
    let server = start(backend).await;
    let batch = json!([
        {"query": "mutation { createWorkflow(name: \"One\") { version } }"},
        {"query": "{ nodeTypes { name } }"}
    ]);
    let (status, body) = server.post_raw(batch.to_string()).await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body[0]["data"]["createWorkflow"]["version"], 1);
    assert!(!body[1]["data"]["nodeTypes"].as_array().unwrap().is_empty());
}

async fn request_ids_become_correlation_ids(backend: Backend) {
    let server = start(backend).await;
    let response: Value = reqwest::Client::new()
        .post(&server.url)
        .header("x-request-id", "req-42")
        .bearer_auth(&server.token)
        .json(&json!({"query": "mutation { createWorkflow(name: \"Traced\") { workflowId workflow { version } } }"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = response["data"]["createWorkflow"]["workflowId"].clone();
    let audit = server
        .data(
            "query($id: ID!) { auditLog(workflowId: $id) { items { correlationId actor } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        audit["auditLog"]["items"],
        json!([{"correlationId": "req-42", "actor": format!("user:{}", server.owner_id)}])
    );
}
