//! The `weft` client commands against a real server: tables and `--json`, every workflow
//! command, and failures that exit 1 with one line naming the reason.

mod process;

use process::{CliOutput, Weft};
use serde_json::{Value, json};
use weft_commands::Backend;
use weft_commands::testing::TestDb;

fn ok(output: CliOutput) -> String {
    assert_eq!(
        output.code, 0,
        "stdout: {}\nstderr: {}",
        output.stdout, output.stderr
    );
    output.stdout
}

fn failed(output: CliOutput) -> String {
    assert_eq!(
        output.code, 1,
        "stdout: {}\nstderr: {}",
        output.stdout, output.stderr
    );
    assert_eq!(output.stderr.trim().lines().count(), 1, "{}", output.stderr);
    output.stderr
}

async fn workflow_commands(backend: Backend) {
    let db = TestDb::of(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let weft = Weft::start(&db, dir.path()).await;
    let file = dir.path().join("hook.json");
    std::fs::write(
        &file,
        json!({
            "name": "CLI hook",
            "nodes": [{ "id": "h", "name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2,
                        "position": [0.0, 0.0], "parameters": { "path": "cli" } }],
            "connections": []
        })
        .to_string(),
    )
    .unwrap();

    let imported = ok(weft.cli(&["import", file.to_str().unwrap(), "--json"]));
    let imported: Value = serde_json::from_str(&imported).unwrap();
    let id = imported["workflowId"].as_str().unwrap().to_string();

    let table = ok(weft.cli(&["list"]));
    assert!(table.starts_with("ID"), "{table}");
    assert!(
        table.contains("CLI hook") && table.contains("testing"),
        "{table}"
    );
    let listed: Value = serde_json::from_str(&ok(weft.cli(&["list", "--json"]))).unwrap();
    assert_eq!(listed[0]["id"], id.as_str());

    assert!(ok(weft.cli(&["activate", &id])).contains("is active"));
    weft.graphql(
        "mutation($id: ID!) { addNode(workflowId: $id, node: {id: \"n\", type: \"n8n-nodes-base.noOp\", typeVersion: 1, name: \"Nothing\"}) { version workflow { version } } }",
        json!({ "id": id }),
    )
    .await;
    let got = ok(weft.cli(&["get", &id]));
    assert!(
        got.contains("version 3, active") && got.contains("Nothing"),
        "{got}"
    );

    let history = ok(weft.cli(&["history", &id]));
    assert_eq!(history.lines().count(), 4, "{history}");
    assert!(history.contains("activated"), "{history}");
    let diff = ok(weft.cli(&["diff", &id, "1", "3"]));
    assert!(
        diff.contains("+ node Nothing (n, n8n-nodes-base.noOp)"),
        "{diff}"
    );

    let exported = dir.path().join("exported.json");
    ok(weft.cli(&["export", &id, exported.to_str().unwrap(), "--version", "1"]));
    let document: Value =
        serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    assert_eq!(document["nodes"].as_array().unwrap().len(), 1, "{document}");

    let promoted = ok(weft.cli(&["promote", &id, "launched"]));
    assert!(promoted.contains("to launched"), "{promoted}");
    let launched: Value =
        serde_json::from_str(&ok(weft.cli(&["list", "--env", "launched", "--json"]))).unwrap();
    assert_eq!(launched.as_array().unwrap().len(), 1, "{launched}");

    // Execute a manual workflow: live node lines, then the result; list and replay it.
    let manual = dir.path().join("manual.json");
    std::fs::write(
        &manual,
        json!({
            "name": "CLI manual",
            "nodes": [
                { "id": "m", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0.0, 0.0] },
                { "id": "c", "name": "Check", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200.0, 0.0],
                  "parameters": { "jsCode": "if ($input.first().json.fail) { throw new Error('asked to fail'); } return [{ json: { ok: true } }];" } }
            ],
            "connections": [{ "source": "m", "target": "c" }]
        })
        .to_string(),
    )
    .unwrap();
    let imported: Value = serde_json::from_str(&ok(weft.cli(&[
        "import",
        manual.to_str().unwrap(),
        "--json",
    ])))
    .unwrap();
    let manual_id = imported["workflowId"].as_str().unwrap().to_string();
    let run = ok(weft.cli(&["execute", &manual_id, "--input", "{\"fail\": false}"]));
    assert!(run.contains("succeeded  c (run 0, 1 items"), "{run}");
    assert!(
        run.trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("succeeded in"),
        "{run}"
    );
    let failing = failed(weft.cli(&["execute", &manual_id, "--input", "{\"fail\": true}"]));
    assert!(
        failing.contains("failed: Check: asked to fail"),
        "{failing}"
    );
    let executions = ok(weft.cli(&["executions", &manual_id]));
    assert_eq!(executions.lines().count(), 3, "{executions}");
    let newest = executions
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let replay = ok(weft.cli(&["replay", &newest]));
    assert!(
        replay.contains("ExecutionQueued") && replay.contains("NodeRunFailed"),
        "{replay}"
    );

    // Failures: one line, exit 1, the server's code or the local reason.
    assert!(failed(weft.cli(&["get", "nope"])).contains("NOT_FOUND"));
    let not_json = dir.path().join("broken.json");
    std::fs::write(&not_json, "{ nope").unwrap();
    assert!(failed(weft.cli(&["import", not_json.to_str().unwrap()])).contains("is not JSON"));
    assert!(failed(weft.cli(&["diff", &id, "0", "2"])).contains("versions start at 1"));
    let unreachable = weft.cli(&["--url", "http://127.0.0.1:9", "list"]);
    assert!(failed(unreachable).contains("cannot reach Weft"));
}

weft_commands::on_both_backends!(workflow_commands);
