//! The executions API end to end over HTTP and WebSocket, on SQLite and Postgres: run, list,
//! detail (node runs, logs, path, replay), stop, retry, subscriptions and error codes.

mod common;

use common::{PATIENCE, Server, code, start};
use serde_json::{Value, json};
use weft_commands::{Backend, on_both_backends};

const DETAIL: &str = "query($id: ID!) { execution(id: $id) {
    id workflowId workflowVersion status trigger mode queuedAt startedAt finishedAt durationMs error errorNodeId
    nodeRuns { nodeId runIndex status attempts inputs outputs error durationMs pinned }
    logs(minLevel: DEBUG) { sequence level nodeId message recordedAt }
    path { steps { nodeId runIndex status } connections { source sourceOutput target targetInput } }
    replay { workflowVersion definition events { sequence type recordedAt actor payload } }
} }";

const EXECUTE: &str = "mutation($id: ID!, $input: JSON, $version: Int, $wait: Boolean!) {
    executeWorkflow(workflowId: $id, input: $input, version: $version, wait: $wait) {
        executionId workflowVersion status result execution { id status }
    }
}";

fn failing_definition(code: &str) -> Value {
    json!({
        "nodes": [
            {"id": "t", "type": "n8n-nodes-base.manualTrigger", "name": "Start", "position": [0, 0]},
            {"id": "s", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "name": "Set", "position": [200, 0],
             "parameters": {"assignments": {"assignments": [{"name": "n", "value": "={{ $json.n * 10 }}", "type": "number"}]}}},
            {"id": "c", "type": "n8n-nodes-base.code", "typeVersion": 2, "name": "Code", "position": [400, 0],
             "parameters": {"jsCode": code}}
        ],
        "connections": [{"source": "t", "target": "s"}, {"source": "s", "target": "c"}]
    })
}

fn waiting_definition() -> Value {
    json!({
        "nodes": [
            {"id": "t", "type": "n8n-nodes-base.manualTrigger", "name": "Start", "position": [0, 0]},
            {"id": "w", "type": "n8n-nodes-base.wait", "name": "Wait", "position": [200, 0],
             "parameters": {"resume": "timeInterval", "amount": 60, "unit": "seconds"}},
            {"id": "n", "type": "n8n-nodes-base.noOp", "name": "After", "position": [400, 0]}
        ],
        "connections": [{"source": "t", "target": "w"}, {"source": "w", "target": "n"}]
    })
}

async fn status_of(server: &Server, id: &str) -> String {
    server
        .request(
            "query($id: ID!) { execution(id: $id) { status } }",
            json!({"id": id}),
        )
        .await["data"]["execution"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn wait_for_status(server: &Server, id: &str, status: &str) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while status_of(server, id).await != status {
        assert!(
            tokio::time::Instant::now() < deadline,
            "execution never became {status}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn executed_workflow_has_detail_logs_path_and_replay(backend: Backend) {
    let server = start(backend).await;
    let workflow = server.create_sample("sample").await;
    let data = server
        .data(
            EXECUTE,
            json!({"id": workflow, "input": {"a": 1}, "wait": true}),
        )
        .await;
    let submitted = &data["executeWorkflow"];
    assert_eq!(submitted["status"], "SUCCEEDED");
    assert_eq!(submitted["workflowVersion"], 1);
    assert_eq!(
        submitted["result"]["runData"]["Nothing"][0]["outputs"][0][0]["json"]["a"],
        1
    );
    assert_eq!(submitted["execution"]["status"], "SUCCEEDED");
    let id = submitted["executionId"].as_str().unwrap();

    let detail = server.data(DETAIL, json!({"id": id})).await["execution"].clone();
    assert_eq!(detail["workflowId"], workflow.as_str());
    assert_eq!(detail["trigger"], "manual");
    assert_eq!(detail["mode"], "manual");
    let runs = detail["nodeRuns"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["nodeId"], "t");
    assert_eq!(runs[1]["nodeId"], "n");
    assert_eq!(runs[1]["status"], "succeeded");
    assert_eq!(runs[1]["attempts"], 1);
    assert_eq!(runs[1]["inputs"][0][0]["json"]["a"], 1);
    assert_eq!(runs[1]["outputs"][0][0]["json"]["a"], 1);
    assert_eq!(
        detail["path"]["connections"],
        json!([{"source": "t", "sourceOutput": 0, "target": "n", "targetInput": 0}])
    );
    assert_eq!(
        detail["path"]["steps"][1],
        json!({"nodeId": "n", "runIndex": 0, "status": "succeeded"})
    );
    let logs = detail["logs"].as_array().unwrap();
    assert!(
        logs.iter()
            .any(|l| l["level"] == "DEBUG" && l["nodeId"] == "t")
    );
    assert_eq!(logs.last().unwrap()["message"], "succeeded");
    let replay = &detail["replay"];
    assert_eq!(replay["workflowVersion"], 1);
    assert_eq!(replay["definition"]["nodes"][1]["id"], "n");
    let types: Vec<&str> = replay["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types.first(), Some(&"ExecutionQueued"));
    assert_eq!(types.last(), Some(&"ExecutionSucceeded"));
    assert!(
        replay["events"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .all(|(i, e)| e["sequence"] == i as u64 + 1
                && !e["recordedAt"].as_str().unwrap().is_empty())
    );
    // Only INFO and above by default.
    let info = server
        .data(
            "query($id: ID!) { execution(id: $id) { logs { level } } }",
            json!({"id": id}),
        )
        .await;
    assert!(
        info["execution"]["logs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["level"] != "DEBUG")
    );
}

async fn executions_list_filters_and_pages(backend: Backend) {
    let server = start(backend).await;
    let first = server.create_sample("one").await;
    let second = server.create_sample("two").await;
    for workflow in [&first, &first, &second] {
        server
            .data(EXECUTE, json!({"id": workflow, "wait": true}))
            .await;
    }
    let list = "query($workflow: ID, $status: ExecutionStatus, $env: Environment, $trigger: TriggerKind, $first: Int, $after: String, $from: String) {
        executions(workflowId: $workflow, status: $status, environment: $env, trigger: $trigger, first: $first, after: $after, from: $from) {
            items { id workflowId status } nextCursor
        }
    }";
    let all = server.data(list, json!({})).await;
    assert_eq!(all["executions"]["items"].as_array().unwrap().len(), 3);
    let mine = server.data(list, json!({"workflow": first, "status": "SUCCEEDED", "env": "TESTING", "trigger": "MANUAL"})).await;
    assert_eq!(mine["executions"]["items"].as_array().unwrap().len(), 2);
    let none = server.data(list, json!({"env": "PRODUCTION"})).await;
    assert_eq!(none["executions"]["items"], json!([]));
    let none = server.data(list, json!({"status": "FAILED"})).await;
    assert_eq!(none["executions"]["items"], json!([]));
    let page = server.data(list, json!({"first": 2})).await;
    let cursor = page["executions"]["nextCursor"]
        .as_str()
        .unwrap()
        .to_string();
    let rest = server
        .data(list, json!({"first": 2, "after": cursor}))
        .await;
    assert_eq!(rest["executions"]["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["executions"]["nextCursor"], Value::Null);
    // Newest first: the last page holds the first execution.
    assert_eq!(rest["executions"]["items"][0]["workflowId"], first.as_str());
    let error = server.error(list, json!({"first": 0})).await;
    assert_eq!(code(&error), "VALIDATION");
    let error = server.error(list, json!({"from": "yesterday"})).await;
    assert_eq!(code(&error), "VALIDATION");
}

async fn retry_from_failed_node_reuses_earlier_outputs(backend: Backend) {
    let server = start(backend).await;
    let workflow = server
        .create_workflow("flaky", failing_definition("throw new Error('boom')"))
        .await;
    let data = server
        .data(
            EXECUTE,
            json!({"id": workflow, "input": {"n": 4}, "wait": true}),
        )
        .await;
    assert_eq!(data["executeWorkflow"]["status"], "FAILED");
    let failed = data["executeWorkflow"]["executionId"]
        .as_str()
        .unwrap()
        .to_string();
    let detail = server.data(DETAIL, json!({"id": failed})).await["execution"].clone();
    assert_eq!(detail["errorNodeId"], "c");
    assert!(
        detail["error"]["message"]
            .as_str()
            .unwrap()
            .contains("boom")
    );

    // Fix the Code node in a new version; retry from the failed node on it.
    server
        .data(
            "mutation($id: ID!, $definition: JSON!) { replaceDefinition(workflowId: $id, definition: $definition) { version } }",
            json!({"id": workflow, "definition": failing_definition("return $input.all().map(i => ({json: {n: i.json.n + 1}}))")}),
        )
        .await;
    let retry = "mutation($id: ID!, $from: RetryFrom!, $version: RetryVersion!) {
        retryExecution(id: $id, from: $from, version: $version, wait: true) { executionId workflowVersion status result }
    }";
    let original = server
        .data(
            retry,
            json!({"id": failed, "from": "FAILED_NODE", "version": "ORIGINAL"}),
        )
        .await;
    assert_eq!(original["retryExecution"]["status"], "FAILED");
    assert_eq!(original["retryExecution"]["workflowVersion"], 1);
    let current = server
        .data(
            retry,
            json!({"id": failed, "from": "FAILED_NODE", "version": "CURRENT"}),
        )
        .await;
    let current = &current["retryExecution"];
    assert_eq!(current["status"], "SUCCEEDED");
    assert_eq!(current["workflowVersion"], 2);
    assert_eq!(
        current["result"]["runData"]["Code"][0]["outputs"][0][0]["json"]["n"],
        41
    );
    let retried = current["executionId"].as_str().unwrap();
    wait_for_status(&server, retried, "SUCCEEDED").await;
    let detail = server.data(DETAIL, json!({"id": retried})).await["execution"].clone();
    assert_eq!(detail["trigger"], "retry");
    // Only the failed node ran again: the trigger and Set outputs were reused.
    let ran: Vec<&str> = detail["nodeRuns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["nodeId"].as_str().unwrap())
        .collect();
    assert_eq!(ran, ["c"]);
    assert_eq!(detail["nodeRuns"][0]["inputs"][0][0]["json"]["n"], 40);

    // From the start with the same input: every node runs.
    let again = server
        .data(
            retry,
            json!({"id": failed, "from": "START", "version": "CURRENT"}),
        )
        .await;
    assert_eq!(again["retryExecution"]["status"], "SUCCEEDED");
    assert_eq!(
        again["retryExecution"]["result"]["runData"]["Start"][0]["outputs"][0][0]["json"]["n"],
        4
    );

    // A succeeded execution has no failed node.
    let ok = again["retryExecution"]["executionId"].as_str().unwrap();
    let error = server
        .error(
            retry,
            json!({"id": ok, "from": "FAILED_NODE", "version": "ORIGINAL"}),
        )
        .await;
    assert_eq!(code(&error), "CONFLICT");
    let error = server
        .error(
            retry,
            json!({"id": "nope", "from": "START", "version": "ORIGINAL"}),
        )
        .await;
    assert_eq!(code(&error), "NOT_FOUND");
}

async fn stop_cancels_a_running_execution_and_retry_conflicts(backend: Backend) {
    let server = start(backend).await;
    let workflow = server.create_workflow("slow", waiting_definition()).await;
    let mut ws = server.subscribe_client().await;
    ws.subscribe(
        "changes",
        "subscription($id: ID!) { executions(workflowId: $id) { executionId status type } }",
        json!({"id": workflow}),
    )
    .await;
    // Give the subscription a moment to register before the execution starts.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let data = server
        .data(EXECUTE, json!({"id": workflow, "wait": false}))
        .await;
    assert_eq!(data["executeWorkflow"]["status"], "QUEUED");
    let id = data["executeWorkflow"]["executionId"]
        .as_str()
        .unwrap()
        .to_string();
    wait_for_status(&server, &id, "RUNNING").await;
    let error = server
        .error(
            "mutation($id: ID!) { retryExecution(id: $id) { executionId } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code(&error), "CONFLICT", "{error:#}");
    let delete = "mutation($id: ID!) { deleteExecution(id: $id) }";
    let error = server.error(delete, json!({"id": id})).await;
    assert_eq!(
        code(&error),
        "CONFLICT",
        "deleting a running execution: {error:#}"
    );
    let stopped = server
        .data(
            "mutation($id: ID!) { stopExecution(id: $id) { status nodeRuns { nodeId status } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(stopped["stopExecution"]["status"], "CANCELED");
    let runs = stopped["stopExecution"]["nodeRuns"].as_array().unwrap();
    assert_eq!(
        runs.last().unwrap(),
        &json!({"nodeId": "w", "status": "canceled"})
    );
    let error = server
        .error(
            "mutation($id: ID!) { stopExecution(id: $id) { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code(&error), "CONFLICT");
    let error = server
        .error(
            "mutation { stopExecution(id: \"nope\") { status } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&error), "NOT_FOUND");
    let mut statuses = Vec::new();
    while statuses.last() != Some(&"CANCELED".to_string()) {
        let payload = ws.next_payload("changes").await;
        let change = &payload["data"]["executions"];
        assert_eq!(change["executionId"], id.as_str(), "{payload:#}");
        statuses.push(change["status"].as_str().unwrap().to_string());
    }
    assert_eq!(statuses, ["QUEUED", "RUNNING", "CANCELED"]);

    // Deleting the ended execution: viewers may not; then it is gone from every view.
    let viewer = server.create_user("vera", "VIEWER").await;
    let refused = server
        .request_as(Some(&viewer.token), delete, json!({"id": id}))
        .await;
    assert_eq!(code(&refused["errors"][0]), "FORBIDDEN", "{refused:#}");
    assert_eq!(
        server.data(delete, json!({"id": id})).await["deleteExecution"],
        true
    );
    let gone = server
        .error(
            "query($id: ID!) { execution(id: $id) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code(&gone), "NOT_FOUND", "{gone:#}");
    let listed = server
        .data(
            "query($id: ID!) { executions(workflowId: $id) { items { id } } }",
            json!({"id": workflow}),
        )
        .await;
    assert_eq!(listed["executions"]["items"], json!([]));
    let again = server.error(delete, json!({"id": id})).await;
    assert_eq!(code(&again), "NOT_FOUND", "{again:#}");
}

async fn execution_events_stream_node_runs_with_data(backend: Backend) {
    let server = start(backend).await;
    let workflow = server.create_workflow("slow", waiting_definition()).await;
    let data = server
        .data(
            EXECUTE,
            json!({"id": workflow, "input": {"x": 7}, "wait": false}),
        )
        .await;
    let id = data["executeWorkflow"]["executionId"]
        .as_str()
        .unwrap()
        .to_string();
    let mut ws = server.subscribe_client().await;
    ws.subscribe(
        "events",
        "subscription($id: ID!) { executionEvents(executionId: $id) { sequence type nodeId runIndex payload } }",
        json!({"id": id}),
    )
    .await;
    let mut seen = Vec::new();
    loop {
        let payload = ws.next_payload("events").await;
        let event = payload["data"]["executionEvents"].clone();
        assert_eq!(
            event["sequence"],
            seen.len() as u64 + 1,
            "in order, no gaps: {event:#}"
        );
        seen.push(event.clone());
        if event["type"] == "NodeRunStarted" && event["nodeId"] == "w" {
            break;
        }
    }
    let trigger_done = seen
        .iter()
        .find(|e| e["type"] == "NodeRunSucceeded")
        .unwrap();
    assert_eq!(trigger_done["nodeId"], "t");
    assert_eq!(trigger_done["payload"]["outputs"][0][0]["json"]["x"], 7);
    let stopped = server
        .data(
            "mutation($id: ID!) { stopExecution(id: $id) { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(stopped["stopExecution"]["status"], "CANCELED");
    let mut rest = Vec::new();
    loop {
        let message = ws.next_message().await;
        if message["type"] == "complete" {
            break;
        }
        rest.push(
            message["payload"]["data"]["executionEvents"]["type"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(rest, ["NodeRunCanceled", "ExecutionCanceled"]);
    ws.subscribe(
        "unknown",
        "subscription { executionEvents(executionId: \"nope\") { sequence } }",
        json!({}),
    )
    .await;
    let message = ws.next_message().await;
    assert_eq!(message["id"], "unknown", "{message:#}");
    assert_eq!(
        message["payload"]["errors"][0]["extensions"]["code"],
        "NOT_FOUND"
    );
}

async fn execute_step_runs_only_the_way_to_the_chosen_node(backend: Backend) {
    let server = start(backend).await;
    let set = |id: &str, x: i32| {
        json!({"id": id, "type": "n8n-nodes-base.set", "typeVersion": 3.4, "name": id.to_uppercase(), "position": [x, 0],
               "parameters": {"assignments": {"assignments": [{"name": id, "value": 1, "type": "number"}]}}})
    };
    // Start → a → b → c, and a → d on the side.
    let workflow = server.create_workflow(
        "chain",
        json!({
            "nodes": [
                {"id": "t", "type": "n8n-nodes-base.manualTrigger", "name": "Start", "position": [0, 0]},
                set("a", 200), set("b", 400), set("c", 600), set("d", 400)
            ],
            "connections": [
                {"source": "t", "target": "a"}, {"source": "a", "target": "b"},
                {"source": "b", "target": "c"}, {"source": "a", "target": "d"}
            ]
        }),
    )
    .await;
    let step = "mutation($id: ID!, $to: ID) {
        executeWorkflow(workflowId: $id, destinationNodeId: $to, wait: true) {
            executionId status execution { nodeRuns { nodeId status } }
        }
    }";
    let data = server.data(step, json!({"id": workflow, "to": "b"})).await;
    let run = &data["executeWorkflow"];
    assert_eq!(run["status"], "SUCCEEDED", "{run:#}");
    let ran: Vec<&str> = run["execution"]["nodeRuns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["nodeId"].as_str().unwrap())
        .collect();
    assert_eq!(ran, ["t", "a", "b"]);
    // The partial run is recorded as such, so its replay is exact.
    let events = server
        .data(
            "query($id: ID!) { execution(id: $id) { replay { events { type payload } } } }",
            json!({"id": run["executionId"]}),
        )
        .await;
    assert_eq!(
        events["execution"]["replay"]["events"][0]["payload"]["destinationNodeId"],
        "b"
    );
    let error = server
        .error(step, json!({"id": workflow, "to": "zz"}))
        .await;
    assert_eq!(code(&error), "VALIDATION", "{error:#}");
    assert!(
        error["message"].as_str().unwrap().contains("no node `zz`"),
        "{error:#}"
    );
}

async fn bad_execution_requests_get_codes(backend: Backend) {
    let server = start(backend).await;
    let workflow = server.create_sample("sample").await;
    let head = server.store.head().await.unwrap();
    let error = server
        .error(EXECUTE, json!({"id": "nope", "wait": false}))
        .await;
    assert_eq!(code(&error), "NOT_FOUND");
    let error = server
        .error(
            EXECUTE,
            json!({"id": workflow, "version": 9, "wait": false}),
        )
        .await;
    assert_eq!(code(&error), "NOT_FOUND");
    assert!(error["message"].as_str().unwrap().contains("no version 9"));
    let error = server
        .error(EXECUTE, json!({"id": workflow, "input": 5, "wait": false}))
        .await;
    assert_eq!(code(&error), "VALIDATION");
    let error = server
        .error(
            EXECUTE,
            json!({"id": workflow, "input": [1], "wait": false}),
        )
        .await;
    assert_eq!(code(&error), "VALIDATION");
    assert_eq!(error["message"], "`input[0]` must be an object, not 1");
    let error = server.error(DETAIL, json!({"id": "nope"})).await;
    assert_eq!(code(&error), "NOT_FOUND");
    assert_eq!(server.store.head().await.unwrap(), head, "nothing recorded");
}

on_both_backends!(
    execute_step_runs_only_the_way_to_the_chosen_node,
    executed_workflow_has_detail_logs_path_and_replay,
    executions_list_filters_and_pages,
    retry_from_failed_node_reuses_earlier_outputs,
    stop_cancels_a_running_execution_and_retry_conflicts,
    execution_events_stream_node_runs_with_data,
    bad_execution_requests_get_codes,
);
