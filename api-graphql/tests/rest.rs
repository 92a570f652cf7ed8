//! The REST compatibility routes on a real server: every route, the OpenAPI document that lists
//! them, and clear 4xx answers that change nothing.

mod process;

use std::time::{Duration, Instant};

use process::{PATIENCE, Weft};
use reqwest::Method;
use serde_json::{Value, json};
use weft_commands::Backend;
use weft_commands::testing::TestDb;

async fn call(weft: &Weft, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    weft.request(method, path, body).await
}

fn manual_workflow() -> Value {
    json!({
        "name": "REST flow",
        "nodes": [
            { "id": "m", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0.0, 0.0], "parameters": {} },
            { "id": "s", "name": "Double", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [200.0, 0.0],
              "parameters": { "mode": "manual", "assignments": { "assignments": [
                  { "id": "d", "name": "double", "value": "={{ ($json.n || 1) * 2 }}", "type": "number" } ] }, "options": {} } }
        ],
        "connections": [{ "source": "m", "sourceOutput": 0, "target": "s", "targetInput": 0 }]
    })
}

async fn workflow_routes(backend: Backend) {
    let db = TestDb::of(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let weft = Weft::start(&db, dir.path()).await;

    let (status, created) = call(
        &weft,
        Method::POST,
        "/api/workflows",
        Some(manual_workflow()),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["version"], 1);
    assert_eq!(created["definition"]["nodes"].as_array().unwrap().len(), 2);

    let (status, page) = call(
        &weft,
        Method::GET,
        "/api/workflows?environment=testing&limit=10",
        None,
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"][0]["id"], id.as_str());

    let (status, got) = call(&weft, Method::GET, &format!("/api/workflows/{id}"), None).await;
    assert_eq!((status, got["name"].clone()), (200, json!("REST flow")));

    // PUT with a stale expectedVersion touching the same thing conflicts; the current one applies.
    let (status, updated) = call(
        &weft,
        Method::PUT,
        &format!("/api/workflows/{id}"),
        Some(json!({ "expectedVersion": 1, "name": "Renamed", "description": "via REST" })),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        (updated["name"].clone(), updated["version"].clone()),
        (json!("Renamed"), json!(3))
    );
    let (status, conflict) = call(
        &weft,
        Method::PUT,
        &format!("/api/workflows/{id}"),
        Some(json!({ "expectedVersion": 1, "name": "Stale" })),
    )
    .await;
    assert_eq!(status, 409, "{conflict}");
    assert_eq!(conflict["code"], "CONFLICT");
    assert_eq!(conflict["currentVersion"], 3);

    // Execute and wait for the result; then the execution is listed with its logs.
    let (status, run) = call(
        &weft,
        Method::POST,
        &format!("/api/workflows/{id}/execute"),
        Some(json!({ "input": { "n": 21 }, "wait": true })),
    )
    .await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    assert_eq!(
        run["result"]["runData"]["Double"][0]["outputs"][0][0]["json"]["double"],
        42
    );
    let execution_id = run["executionId"].as_str().unwrap().to_string();
    let deadline = Instant::now() + PATIENCE;
    let listed = loop {
        let (status, page) = call(
            &weft,
            Method::GET,
            &format!("/api/executions?workflowId={id}&status=succeeded"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{page}");
        if page["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty())
        {
            break page;
        }
        assert!(Instant::now() < deadline, "execution not listed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(listed["items"][0]["id"], execution_id.as_str());
    let (status, detail) = call(
        &weft,
        Method::GET,
        &format!("/api/executions/{execution_id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["nodeRuns"].as_array().unwrap().len(), 2, "{detail}");
    assert_eq!(detail["path"]["steps"][1]["nodeId"], "s", "{detail}");
    let (status, logs) = call(
        &weft,
        Method::GET,
        &format!("/api/executions/{execution_id}/logs?level=debug"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{logs}");
    assert!(!logs["items"].as_array().unwrap().is_empty(), "{logs}");
    let (status, retried) = call(
        &weft,
        Method::POST,
        &format!("/api/executions/{execution_id}/retry"),
        Some(json!({ "from": "start" })),
    )
    .await;
    assert_eq!(status, 202, "{retried}");
    assert_ne!(retried["executionId"], execution_id.as_str());
    let (status, stopped) = call(
        &weft,
        Method::POST,
        &format!("/api/executions/{execution_id}/stop"),
        None,
    )
    .await;
    assert_eq!(status, 409, "stopping a finished execution: {stopped}");
    let path = format!("/api/executions/{execution_id}");
    let (status, body) = call(&weft, Method::DELETE, &path, None).await;
    assert_eq!(status, 204, "{body}");
    let (status, gone) = call(&weft, Method::GET, &path, None).await;
    assert_eq!((status, gone["code"].clone()), (404, json!("NOT_FOUND")));
    let (status, again) = call(&weft, Method::DELETE, &path, None).await;
    assert_eq!((status, again["code"].clone()), (404, json!("NOT_FOUND")));

    // Export, import (n8n detection), promote, archive.
    let (status, exported) = call(
        &weft,
        Method::GET,
        &format!("/api/workflows/{id}/export?version=1"),
        None,
    )
    .await;
    assert_eq!((status, exported["name"].clone()), (200, json!("Renamed")));
    let (status, imported) =
        call(&weft, Method::POST, "/api/workflows/import", Some(exported)).await;
    assert_eq!(status, 201, "{imported}");
    let n8n: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/peers/workflows/webhook-set-if-respond.n8n.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let (status, imported) = call(&weft, Method::POST, "/api/workflows/import", Some(n8n)).await;
    assert_eq!(status, 201, "{imported}");
    let hook = imported["id"].as_str().unwrap().to_string();
    let (status, active) = call(
        &weft,
        Method::POST,
        &format!("/api/workflows/{hook}/activate"),
        None,
    )
    .await;
    assert_eq!(
        (status, active["active"].clone()),
        (200, json!(true)),
        "{active}"
    );
    let (status, inactive) = call(
        &weft,
        Method::POST,
        &format!("/api/workflows/{hook}/deactivate"),
        None,
    )
    .await;
    assert_eq!(
        (status, inactive["active"].clone()),
        (200, json!(false)),
        "{inactive}"
    );
    let (status, promoted) = call(
        &weft,
        Method::POST,
        &format!("/api/workflows/{id}/promote"),
        Some(json!({ "targetEnvironment": "launched" })),
    )
    .await;
    assert_eq!(status, 200, "{promoted}");
    assert_eq!(promoted["target"]["environment"], "LAUNCHED");
    let (status, archived) =
        call(&weft, Method::DELETE, &format!("/api/workflows/{id}"), None).await;
    assert_eq!((status, archived["archived"].clone()), (200, json!(true)));
}

async fn bad_requests_get_clear_errors_and_change_nothing(backend: Backend) {
    let db = TestDb::of(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let weft = Weft::start(&db, dir.path()).await;
    let (_, created) = call(
        &weft,
        Method::POST,
        "/api/workflows",
        Some(manual_workflow()),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_string();

    let raw = |method: Method, path: String, body: &'static str| {
        let request = weft
            .http
            .request(method, format!("{}{path}", weft.base))
            .bearer_auth(&weft.token)
            .header("content-type", "application/json")
            .body(body);
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    // Without a token or with a forged one: 401, nothing created.
    for token in ["", "not-a-jwt"] {
        let mut request = weft.http.get(format!("{}/api/workflows", weft.base));
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 401);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], "UNAUTHENTICATED", "{error}");
    }
    let response = weft
        .http
        .post(format!("{}/api/workflows", weft.base))
        .json(&manual_workflow())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let (status, error) = raw(Method::POST, "/api/workflows".into(), "{ nope").await;
    assert_eq!(status, 400);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{error}"
    );
    let (status, error) = raw(Method::POST, "/api/workflows".into(), "{}").await;
    assert_eq!(
        (status, error["message"].clone()),
        (400, json!("`name` is required"))
    );
    let (status, error) = raw(Method::PUT, format!("/api/workflows/{id}"), "[1]").await;
    assert_eq!(status, 400, "{error}");
    let (status, error) = raw(
        Method::PUT,
        format!("/api/workflows/{id}"),
        r#"{"nodes": [{"id": "x"}]}"#,
    )
    .await;
    assert_eq!(
        (status, error["code"].clone()),
        (400, json!("VALIDATION")),
        "{error}"
    );
    let (status, error) = call(
        &weft,
        Method::GET,
        "/api/workflows?environment=staging",
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        error["message"].as_str().unwrap().contains("staging"),
        "{error}"
    );
    let (status, error) = call(&weft, Method::GET, "/api/workflows/unknown", None).await;
    assert_eq!((status, error["code"].clone()), (404, json!("NOT_FOUND")));
    let (status, _) = call(
        &weft,
        Method::POST,
        &format!("/api/workflows/{id}/promote"),
        Some(json!({ "targetEnvironment": "moon" })),
    )
    .await;
    assert_eq!(status, 400);
    let (status, error) = call(
        &weft,
        Method::POST,
        &format!("/api/workflows/{id}/activate"),
        None,
    )
    .await;
    assert_eq!(
        (status, error["code"].clone()),
        (400, json!("VALIDATION")),
        "{error}"
    );

    // Nothing of the above changed the workflow.
    let (_, unchanged) = call(&weft, Method::GET, &format!("/api/workflows/{id}"), None).await;
    assert_eq!(unchanged["version"], 1, "{unchanged}");
}

/// Every route in the OpenAPI document exists (no 404/405 for its method).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_every_route() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let weft = Weft::start(&db, dir.path()).await;
    let (status, spec) = call(&weft, Method::GET, "/api/openapi.json", None).await;
    assert_eq!(status, 200);
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 13, "{:?}", paths.keys());
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            let concrete = path.replace("{id}", "missing");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = weft
                .http
                .request(method.clone(), format!("{}{concrete}", weft.base))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            // A missing id answers 404 *with an API error code*, never the router's bare 404/405.
            assert_ne!(status, 405, "{method} {path}");
            if status == 404 {
                assert_eq!(body["code"], "NOT_FOUND", "{method} {path}: {body}");
            }
        }
    }
}

weft_commands::on_both_backends!(
    workflow_routes,
    bad_requests_get_clear_errors_and_change_nothing
);
