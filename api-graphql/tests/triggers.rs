//! Webhooks and schedules end to end on real `weft serve` processes, on SQLite and Postgres:
//! response modes, the draft (`/webhook-test`) versus the active version, clear 4xx answers,
//! a schedule firing and firing once per due time when two processes share one Postgres.

mod process;

use std::time::{Duration, Instant};

use process::{PATIENCE, Weft};
use serde_json::{Value, json};
use weft_commands::Backend;
use weft_commands::testing::TestDb;

fn node(id: &str, node_type: &str, x: f64, parameters: Value) -> Value {
    json!({
        "id": id, "name": id, "type": format!("n8n-nodes-base.{node_type}"), "typeVersion": 1,
        "position": [x, 0.0], "parameters": parameters
    })
}

fn link(source: &str, output: u32, target: &str) -> Value {
    json!({ "source": source, "sourceOutput": output, "target": target, "targetInput": 0, "kind": "main" })
}

/// Webhook → Set (total = a + b) → If total > 10 → Respond big / Respond small.
fn respond_workflow(path: &str) -> Value {
    let set = json!({
        "mode": "manual",
        "assignments": { "assignments": [
            { "id": "t", "name": "total", "value": "={{ $json.body.a + $json.body.b }}", "type": "number" }
        ] },
        "options": {}
    });
    let condition = json!({
        "conditions": {
            "options": { "caseSensitive": true, "leftValue": "", "typeValidation": "strict" },
            "conditions": [{ "id": "c", "leftValue": "={{ $json.total }}", "rightValue": 10,
                             "operator": { "type": "number", "operation": "gt" } }],
            "combinator": "and"
        },
        "options": {}
    });
    let respond = |branch: &str| {
        json!({ "respondWith": "json",
                "responseBody": format!("={{{{ {{ \"branch\": \"{branch}\", \"total\": $json.total }} }}}}"),
                "options": {} })
    };
    let mut set_node = node("Total", "set", 200.0, set);
    set_node["typeVersion"] = json!(3.4);
    let mut if_node = node("Big", "if", 400.0, condition);
    if_node["typeVersion"] = json!(2);
    json!({
        "name": format!("respond {path}"),
        "nodes": [
                node("Hook", "webhook", 0.0, json!({ "httpMethod": "POST", "path": path, "responseMode": "responseNode" })),
                set_node,
                if_node,
                node("Respond big", "respondToWebhook", 600.0, respond("big")),
                node("Respond small", "respondToWebhook", 600.0, respond("small")),
            ],
            "connections": [
                link("Hook", 0, "Total"), link("Total", 0, "Big"),
                link("Big", 0, "Respond big"), link("Big", 1, "Respond small"),
            ]
    })
}

/// Webhook (mode from the caller) → Set `greeting`.
fn last_node_workflow(path: &str, mode: &str) -> Value {
    let set = json!({
        "mode": "manual",
        "assignments": { "assignments": [
            { "id": "g", "name": "greeting", "value": "=hello {{ $json.query.name }}", "type": "string" }
        ] },
        "options": {}
    });
    let mut set_node = node("Greet", "set", 200.0, set);
    set_node["typeVersion"] = json!(3.4);
    json!({
        "name": format!("greet {path}"),
        "nodes": [
                node("Hook", "webhook", 0.0, json!({ "httpMethod": "GET", "path": path, "responseMode": mode })),
                set_node,
            ],
            "connections": [link("Hook", 0, "Greet")]
    })
}

async fn webhooks_answer_by_response_mode(backend: Backend) {
    let db = TestDb::of(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let weft = Weft::start(&db, dir.path()).await;
    use reqwest::Method;

    let respond = weft.import(respond_workflow("orders/:shop")).await;
    // Not active yet: production answers 404 with the reason, the draft answers on /webhook-test.
    let (status, body) = weft
        .request(
            Method::POST,
            "/webhook/orders/s1",
            Some(json!({"a": 7, "b": 5})),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("no active workflow"),
        "{body}"
    );
    let (status, body) = weft
        .request_routed(
            Method::POST,
            "/webhook-test/orders/s1",
            Some(json!({"a": 7, "b": 5})),
        )
        .await;
    assert_eq!((status, body), (200, json!({"branch": "big", "total": 12})));

    weft.activate(&respond).await;
    let (status, body) = weft
        .request_routed(
            Method::POST,
            "/webhook/orders/s1",
            Some(json!({"a": 1, "b": 2})),
        )
        .await;
    assert_eq!(
        (status, body),
        (200, json!({"branch": "small", "total": 3}))
    );

    // Wrong method and bad bodies: clear 4xx, nothing runs.
    let (status, body) = weft.request(Method::GET, "/webhook/orders/s1", None).await;
    assert_eq!(status, 405, "{body}");
    assert!(body["message"].as_str().unwrap().contains("POST"), "{body}");
    let bad = weft
        .http
        .post(format!("{}/webhook/orders/s1", weft.base))
        .header("content-type", "application/json")
        .body("{\"a\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    assert!(bad.text().await.unwrap().contains("invalid JSON body"));
    // A client of its own: the server closes the connection after refusing the body.
    let huge = reqwest::Client::new()
        .post(format!("{}/webhook/orders/s1", weft.base))
        .header("content-type", "text/plain")
        .body(vec![b'x'; 17 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status().as_u16(), 413);

    // "When last node finishes" answers with the last node's first item; "immediately" with 202
    // and the execution id.
    let greet = weft.import(last_node_workflow("greet", "lastNode")).await;
    weft.activate(&greet).await;
    let (status, body) = weft
        .request_routed(Method::GET, "/webhook/greet?name=ada", None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["greeting"], "hello ada");
    let later = weft.import(last_node_workflow("later", "onReceived")).await;
    weft.activate(&later).await;
    let (status, body) = weft
        .request_routed(Method::GET, "/webhook/later?name=bo", None)
        .await;
    assert_eq!(status, 202, "{body}");
    let execution_id = body["executionId"].as_str().unwrap().to_string();
    assert!(!execution_id.is_empty());

    // The run shows in /metrics (executions by status come from the read model).
    let deadline = Instant::now() + PATIENCE;
    loop {
        let text = weft
            .http
            .get(format!("{}/metrics", weft.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let succeeded = text
            .lines()
            .find(|l| l.starts_with("weft_executions{status=\"succeeded\"}"))
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .unwrap_or(0.0);
        if succeeded >= 3.0 {
            assert!(text.contains("weft_webhook_seconds_bucket"), "{text}");
            assert!(text.contains("weft_node_run_seconds_bucket"), "{text}");
            assert!(
                text.contains("weft_executions_finished_total{status=\"succeeded\"}"),
                "{text}"
            );
            assert!(text.contains("weft_projection_lag_events"), "{text}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "executions missing from /metrics: {text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A second active workflow may not take a path that is already served.
    let clash = weft.import(last_node_workflow("greet", "lastNode")).await;
    let error = weft
        .graphql_error(
            "mutation($id: ID!) { activateWorkflow(workflowId: $id) { version } }",
            json!({ "id": clash }),
        )
        .await;
    assert_eq!(error["extensions"]["code"], "CONFLICT", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("/webhook/greet"),
        "{error}"
    );
}

/// A Schedule Trigger with this interval rule → Set `second` from the trigger item's `Second`.
fn stamped_schedule(name: &str, interval: Value) -> Value {
    let set = json!({
        "mode": "manual",
        "assignments": { "assignments": [
            { "id": "s", "name": "second", "value": "={{ $json.Second }}", "type": "string" }
        ] },
        "options": {}
    });
    let mut set_node = node("Stamp", "set", 200.0, set);
    set_node["typeVersion"] = json!(3.4);
    json!({
        "name": name,
        "nodes": [
            node("Tick", "scheduleTrigger", 0.0, json!({ "rule": { "interval": [interval] } })),
            set_node,
        ],
        "connections": [link("Tick", 0, "Stamp")]
    })
}

/// A Schedule Trigger every second → Set; returns the workflow id.
async fn every_second(weft: &Weft) -> String {
    let id = weft
        .import(stamped_schedule(
            "every second",
            json!({ "field": "seconds", "secondsInterval": 1 }),
        ))
        .await;
    weft.activate(&id).await;
    id
}

async fn scheduled_executions(db: &TestDb) -> Vec<(String, String)> {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let rows = sqlx::query("SELECT id, status FROM executions WHERE trigger_kind = 'schedule'")
        .fetch_all(&pool)
        .await
        .unwrap();
    rows.iter()
        .map(|r| (r.try_get("id").unwrap(), r.try_get("status").unwrap()))
        .collect()
}

async fn a_schedule_fires_and_its_runs_succeed(backend: Backend) {
    let db = TestDb::of(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let weft = Weft::start(&db, dir.path()).await;
    every_second(&weft).await;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let runs = scheduled_executions(&db).await;
        let done = runs
            .iter()
            .filter(|(_, status)| status == "succeeded")
            .count();
        if done >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "schedule did not fire: {runs:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A process that claimed a due time and died before the execution was queued left a claim
/// without its execution: the next process submits it under the id the claim names, once;
/// a claim whose execution is already in the log is only marked accepted.
async fn a_claim_left_without_its_execution_runs_after_a_restart(backend: Backend) {
    use sqlx::Row;
    let db = TestDb::of(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let weft = Weft::start(&db, dir.path()).await;
    // Due once a year: it never fires (nor catches up) by itself during the test.
    let id = weft
        .import(stamped_schedule(
            "yearly",
            json!({ "field": "cronExpression", "expression": "0 0 0 1 1 *" }),
        ))
        .await;
    let version = weft.activate(&id).await;
    drop(weft);

    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let orphan = uuid::Uuid::now_v7().to_string();
    // Claimed 90 s ago (older than `ORPHAN_AFTER`), never accepted.
    sqlx::query(&format!(
        "INSERT INTO schedule_fires (workflow_id, node_id, due_at, fired_at, execution_id, \
         workflow_version, item) VALUES ('{id}', 'Tick', {}, {}, '{orphan}', {version}, \
         '{{\"Second\": \"42\"}}')",
        now - 120_000,
        now - 90_000
    ))
    .execute(&pool)
    .await
    .unwrap();
    // Claimed just now by a process that may still be queueing it: left alone.
    let fresh = uuid::Uuid::now_v7().to_string();
    sqlx::query(&format!(
        "INSERT INTO schedule_fires (workflow_id, node_id, due_at, fired_at, execution_id, \
         workflow_version, item) VALUES ('{id}', 'Tick', {}, {now}, '{fresh}', {version}, '{{}}')",
        now - 60_000
    ))
    .execute(&pool)
    .await
    .unwrap();

    let weft = Weft::start(&db, dir.path()).await;
    let deadline = Instant::now() + PATIENCE;
    let runs = loop {
        let runs = scheduled_executions(&db).await;
        if runs.iter().any(|(_, status)| status == "succeeded") {
            break runs;
        }
        assert!(
            Instant::now() < deadline,
            "the orphaned claim did not run: {runs:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(runs, vec![(orphan.clone(), "succeeded".to_string())]);
    let detail = weft
        .graphql(
            "query($id: ID!) { execution(id: $id) { nodeRuns { nodeId outputs } } }",
            json!({ "id": orphan }),
        )
        .await;
    let stamp = detail["execution"]["nodeRuns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|run| run["nodeId"] == "Stamp")
        .unwrap_or_else(|| panic!("no Stamp run: {detail}"));
    assert_eq!(stamp["outputs"][0][0]["json"]["second"], "42", "{detail}");
    let accepted = |execution: String| {
        let pool = pool.clone();
        async move {
            sqlx::query(&format!(
                "SELECT COUNT(*) FROM schedule_fires \
                 WHERE execution_id = '{execution}' AND accepted_at IS NOT NULL"
            ))
            .fetch_one(&pool)
            .await
            .unwrap()
            .try_get::<i64, _>(0)
            .unwrap()
                == 1
        }
    };
    assert!(
        accepted(orphan).await,
        "the resubmitted claim is marked accepted"
    );
    assert!(
        !accepted(fresh).await,
        "a fresh claim is left to its process"
    );
}

weft_commands::on_both_backends!(
    webhooks_answer_by_response_mode,
    a_schedule_fires_and_its_runs_succeed,
    a_claim_left_without_its_execution_runs_after_a_restart
);

/// Two processes on one Postgres both schedule the workflow; each due time runs once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_fire_each_due_time_once() {
    let db = TestDb::postgres().await;
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Weft::start(&db, dir_a.path()).await;
    let b = Weft::start(&db, dir_b.path()).await;
    let id = every_second(&a).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    // Stop the schedule while both processes live, so a due time claimed just now is still
    // submitted (a process stopped between claim and submit leaves a claim that the other one
    // submits again only a minute later).
    a.deactivate(&id).await;
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let deadline = Instant::now() + PATIENCE;
    let mut counts = fires_and_runs(&pool).await;
    let (fired, queued) = loop {
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        // Settled: nothing fired or queued for longer than a schedule period.
        let now = fires_and_runs(&pool).await;
        if now == counts {
            break now;
        }
        assert!(
            Instant::now() < deadline,
            "the schedule kept firing: {now:?}"
        );
        counts = now;
    };
    drop(a);
    drop(b);
    assert!(fired >= 2, "the schedule fired {fired} times in 4 s");
    assert_eq!(queued, fired, "every claimed due time ran exactly once");
}

/// Claimed due times and queued executions.
async fn fires_and_runs(pool: &sqlx::AnyPool) -> (i64, i64) {
    use sqlx::Row;
    let count = |sql: &'static str| async move {
        sqlx::query(sql)
            .fetch_one(pool)
            .await
            .unwrap()
            .try_get::<i64, _>(0)
            .unwrap()
    };
    let fired = count("SELECT COUNT(*) FROM schedule_fires").await;
    let queued = count(
        "SELECT COUNT(*) FROM events WHERE aggregate_type = 'execution' AND event_type = 'ExecutionQueued'",
    )
    .await;
    (fired, queued)
}
