//! Runs every n8n conformance fixture and judges it as the fixtures' FORMAT.md (section 6) says.
//! Fixtures listed in `conformance_expected.txt` must pass; the others are reported only.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};

use serde_json::Value;
use weft_executor::{
    Clock, Engine, ExecutionStatus, Item, NoopObserver, RunOptions, SandboxLimits, Sleeper,
    import_n8n,
};

/// Fake timers (like the upstream tests' jest fake timers): sleeping advances the clock.
struct FakeTime(Mutex<DateTime<Utc>>);

impl Clock for FakeTime {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

#[async_trait]
impl Sleeper for FakeTime {
    async fn sleep(&self, duration: Duration) {
        let mut now = self.0.lock().unwrap();
        *now += chrono::Duration::from_std(duration).unwrap();
    }
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/n8n/fixtures")
}

/// Jest `toEqual` on JSON: numbers compare by value, key order does not matter.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn expected_item(v: &Value) -> Value {
    let item = Item::from_n8n(v);
    serde_json::json!({ "json": item.json })
}

async fn judge(engine: &Engine, path: &PathBuf) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut doc: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let pins = doc
        .as_object_mut()
        .and_then(|o| o.remove("pinData"))
        .unwrap_or(Value::Null);
    let trigger = doc.get("trigger").cloned().unwrap_or(Value::Null);
    let imported = import_n8n(&doc, engine.catalog()).map_err(|e| e.to_string())?;
    let workflow = engine
        .compile(Arc::new(imported.definition), &imported.flags)
        .map_err(|e| e.to_string())?;
    let time = Arc::new(FakeTime(Mutex::new(
        Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
    )));
    let mut options = RunOptions {
        clock: time.clone(),
        sleeper: time,
        ..Default::default()
    };
    if let Some(input) = trigger.get("input") {
        options.trigger_items = vec![Item::from_n8n(input)];
    }
    let result = engine
        .run(&workflow, options, &mut NoopObserver)
        .await
        .map_err(|e| e.to_string())?;
    if result.status != ExecutionStatus::Success {
        return Err(format!(
            "status {:?} at {:?}: {}",
            result.status,
            result
                .failed_node
                .and_then(|id| workflow.index_of(&id))
                .map(|i| workflow.node(i).node.name.clone()),
            result.error.map(|e| e.message).unwrap_or_default()
        ));
    }
    let mut failures = Vec::new();
    for (name, expected) in pins.as_object().into_iter().flatten() {
        let expected: Vec<Value> = expected
            .as_array()
            .into_iter()
            .flatten()
            .map(expected_item)
            .collect();
        let Some(index) = workflow.index_by_name(name) else {
            failures.push(format!("{name}: unknown node"));
            continue;
        };
        let runs = result.run_data.runs(index);
        let actual: Vec<Vec<Value>> = runs
            .iter()
            .map(|r| {
                r.outputs
                    .first()
                    .map(|items| {
                        items
                            .iter()
                            .map(|i| serde_json::json!({ "json": i.json }))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect();
        let ok = actual.len() == 1
            && same(
                &Value::Array(actual[0].clone()),
                &Value::Array(expected.clone()),
            );
        if !ok {
            failures.push(format!(
                "{name}: expected {}\n      got {}",
                Value::Array(expected),
                serde_json::to_string(&actual).unwrap_or_default()
            ));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n    "))
    }
}

#[tokio::test(flavor = "current_thread")]
async fn n8n_conformance_fixtures() {
    let dir = fixtures_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("conformance fixtures not found at {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let engine = Engine::new(SandboxLimits::default());
    let verbose = std::env::var("WEFT_CONFORMANCE_VERBOSE").is_ok();
    let only = std::env::var("WEFT_CONFORMANCE_ONLY").ok();
    let mut results = BTreeMap::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        let outcome = judge(&engine, path).await;
        if verbose && let Err(e) = &outcome {
            println!("FAIL {name}\n    {e}");
        }
        results.insert(name, outcome.is_ok());
    }
    let passed = results.values().filter(|ok| **ok).count();
    println!("\n| fixture | result |\n|---|---|");
    for (name, ok) in &results {
        println!("| {name} | {} |", if *ok { "pass" } else { "fail" });
    }
    println!("\nconformance: {passed} of {} fixtures pass", results.len());
    let expected_list = include_str!("conformance_expected.txt");
    let regressions: Vec<&str> = expected_list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|name| only.is_none() && results.get(*name) != Some(&true))
        .collect();
    assert!(
        regressions.is_empty(),
        "fixtures expected to pass now fail: {regressions:?}"
    );
}
