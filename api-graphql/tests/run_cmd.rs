//! `weft run` end to end: the built binary runs workflow files and prints their run data.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::{Value, json};

fn weft_run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weft"))
        .arg("run")
        .args(args)
        .env("WEFT_LOG", "warn")
        .output()
        .expect("run the weft binary")
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/n8n/fixtures")
        .join(name)
}

#[test]
fn n8n_fixture_runs_with_pinned_data_as_json() {
    let path = fixture("Limit__workflow.limit.json");
    let output = weft_run(&[path.to_str().unwrap(), "--json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(report["status"], "success");
    let run_data = report["runData"].as_object().unwrap();
    assert_eq!(run_data.len(), 4, "every node ran once: {run_data:?}");
    let code = &run_data["Code"][0];
    assert_eq!(code["error"], Value::Null);
    let entries: Vec<&Value> = code["outputs"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| &item["json"]["entry"])
        .collect();
    assert_eq!(entries, [1, 2, 3, 4, 5]);
    // Pinned nodes give their pinned items in a manual run, as in n8n.
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for pinned in ["Item Lists limit first", "Item Lists limit last"] {
        let items: Vec<&Value> = run_data[pinned][0]["outputs"][0]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| &item["json"])
            .collect();
        let expected: Vec<&Value> = doc["pinData"][pinned]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| &item["json"])
            .collect();
        assert_eq!(items, expected, "{pinned}");
    }
}

#[test]
fn weft_file_with_input_prints_runs_and_recorded_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flow.json");
    let workflow = json!({
        "name": "greet",
        "nodes": [
            {"id": "t", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
             "position": [0, 0], "parameters": {}},
            {"id": "s", "name": "Greet", "type": "n8n-nodes-base.set", "typeVersion": 3.4,
             "position": [200, 0],
             "parameters": {"assignments": {"assignments": [
                 {"name": "greeting", "value": "={{ 'hi ' + $json.who }}", "type": "string"}]},
                 "includeOtherFields": true}}
        ],
        "connections": [{"source": "t", "target": "s"}]
    });
    std::fs::write(&path, workflow.to_string()).unwrap();
    let output = weft_run(&[
        path.to_str().unwrap(),
        "--input",
        r#"[{"who": "ada"}, {"who": "bob"}]"#,
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "Start (run 0)");
    assert_eq!(lines[1], "  output 0: 2 items");
    let greet = lines.iter().position(|l| *l == "Greet (run 0)").unwrap();
    assert_eq!(lines[greet + 1], "  output 0: 2 items");
    assert!(
        lines[greet + 2].contains(r#""greeting":"hi ada""#),
        "{stdout}"
    );
    assert!(
        lines[greet + 3].contains(r#""greeting":"hi bob""#),
        "{stdout}"
    );
    // Queued, started, two node runs of two events each, succeeded.
    assert_eq!(
        *lines.last().unwrap(),
        "status: success (7 events recorded)"
    );
}

#[test]
fn bad_files_exit_with_one_line_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let unknown = dir.path().join("unknown.json");
    std::fs::write(
        &unknown,
        json!({"nodes": [{"id": "a", "name": "Sheet", "type": "n8n-nodes-base.googleSheets",
            "typeVersion": 4, "parameters": {}}], "connections": {}})
        .to_string(),
    )
    .unwrap();
    let not_json = dir.path().join("broken.json");
    std::fs::write(&not_json, "{nodes").unwrap();
    for (path, reason) in [
        (
            unknown,
            "unknown node types: n8n-nodes-base.googleSheets v4 (node \"Sheet\")",
        ),
        (not_json, "is not JSON"),
        (dir.path().join("missing.json"), "cannot read"),
    ] {
        let output = weft_run(&[path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(reason), "{stderr}");
    }
}

#[test]
fn a_failed_execution_prints_its_run_data_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fail.json");
    let workflow = json!({
        "name": "fail",
        "nodes": [
            {"id": "t", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
             "position": [0, 0], "parameters": {}},
            {"id": "x", "name": "Stop", "type": "n8n-nodes-base.stopAndError", "typeVersion": 1,
             "position": [200, 0], "parameters": {"errorMessage": "no way"}}
        ],
        "connections": [{"source": "t", "target": "x"}]
    });
    std::fs::write(&path, workflow.to_string()).unwrap();
    let output = weft_run(&[path.to_str().unwrap(), "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["status"], "error");
    assert_eq!(report["runData"]["Stop"][0]["error"]["message"], "no way");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("the execution failed at node \"Stop\": no way"),
        "{stderr}"
    );
}

#[test]
fn large_items_stored_as_blobs_print_in_full_and_a_bad_threshold_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    let workflow = json!({
        "name": "big",
        "nodes": [
            {"id": "t", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
             "position": [0, 0], "parameters": {}},
            {"id": "c", "name": "Many", "type": "n8n-nodes-base.code", "typeVersion": 2,
             "position": [200, 0],
             "parameters": {"jsCode": "return Array.from({length: 300}, (_, i) => ({json: {i}}));"}}
        ],
        "connections": [{"source": "t", "target": "c"}]
    });
    std::fs::write(&path, workflow.to_string()).unwrap();
    let run = |threshold: &str| {
        Command::new(env!("CARGO_BIN_EXE_weft"))
            .args(["run", path.to_str().unwrap(), "--json"])
            .env("WEFT_LOG", "warn")
            .env("WEFT_BLOB_THRESHOLD_BYTES", threshold)
            .output()
            .expect("run the weft binary")
    };
    // 300 items are several KiB of JSON: over a 100-byte threshold they are stored as a blob.
    let output = run("100");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    let items = report["runData"]["Many"][0]["outputs"][0]
        .as_array()
        .unwrap();
    assert_eq!(items.len(), 300);
    assert_eq!(items[299]["json"]["i"], 299);

    let output = run("lots");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("WEFT_BLOB_THRESHOLD_BYTES must be a positive integer, not `lots`"),
        "{stderr}"
    );
}
