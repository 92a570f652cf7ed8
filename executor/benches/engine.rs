//! Engine benchmarks: `cargo bench -p weft-executor` prints a table of per-node and per-item costs.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use weft_domain::definition::{
    Connection, ConnectionKind, ExecutionOrder, Node, WorkflowDefinition, WorkflowSettings,
};
use weft_executor::{
    CompiledWorkflow, Engine, ExecutionStatus, Item, NoopObserver, RunOptions, SandboxLimits,
};

fn node(id: usize, ty: &str, version: f64, parameters: Value) -> Node {
    Node {
        id: format!("n{id}"),
        node_type: format!("n8n-nodes-base.{ty}"),
        type_version: version,
        name: format!("Node {id}"),
        position: [id as f64 * 100.0, 0.0],
        parameters,
        credentials: Default::default(),
        disabled: false,
        notes: None,
        style: Default::default(),
        retry: Default::default(),
        on_error: Default::default(),
    }
}

/// Trigger followed by `len` nodes of one kind in a chain.
fn chain(len: usize, ty: &str, version: f64, parameters: Value) -> WorkflowDefinition {
    let mut nodes = vec![node(0, "manualTrigger", 1.0, json!({}))];
    let mut connections = Vec::new();
    for i in 1..=len {
        nodes.push(node(i, ty, version, parameters.clone()));
        connections.push(Connection {
            source: format!("n{}", i - 1),
            source_output: 0,
            target: format!("n{i}"),
            target_input: 0,
            kind: ConnectionKind::Main,
        });
    }
    WorkflowDefinition {
        nodes,
        connections,
        settings: WorkflowSettings {
            execution_order: ExecutionOrder::V1,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn assign(value: &str, ty: &str) -> Value {
    json!({"assignments": {"assignments": [{"name": "out", "value": value, "type": ty}]}, "includeOtherFields": true})
}

/// Mean wall time of one execution over `iterations`, after a warm-up.
fn time_runs(
    rt: &tokio::runtime::Runtime,
    engine: &Engine,
    wf: &Arc<CompiledWorkflow>,
    items: &[Item],
    iterations: u32,
) -> Duration {
    let run = || {
        rt.block_on(async {
            let options = RunOptions {
                trigger_items: items.to_vec(),
                ..Default::default()
            };
            let result = engine
                .run(wf, options, &mut NoopObserver)
                .await
                .expect("run");
            assert_eq!(
                result.status,
                ExecutionStatus::Success,
                "{:?}",
                result.error
            );
        })
    };
    for _ in 0..(iterations / 10).max(2) {
        run();
    }
    let start = Instant::now();
    for _ in 0..iterations {
        run();
    }
    start.elapsed() / iterations
}

fn items(n: usize) -> Vec<Item> {
    (0..n)
        .map(|i| Item::from_value(json!({"a": i, "body": {"a": i}})))
        .collect()
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let engine = Engine::new(SandboxLimits::default());
    let compile = |def: WorkflowDefinition| {
        engine
            .compile(Arc::new(def), &HashMap::new())
            .expect("compile")
    };
    let mut rows: Vec<(String, String)> = Vec::new();
    let us = |d: Duration| format!("{:.2} µs", d.as_secs_f64() * 1e6);

    let noop = compile(chain(100, "noOp", 1.0, json!({})));
    let per_run = time_runs(&rt, &engine, &noop, &items(1), 2000);
    rows.push((
        "engine overhead per node, 100-node No-Op chain, 1 item".into(),
        us(per_run / 100),
    ));

    let set = compile(chain(100, "set", 3.4, assign("fixed", "string")));
    let per_run = time_runs(&rt, &engine, &set, &items(1), 2000);
    rows.push((
        "engine + Set per node, 100-node Set chain (fixed value), 1 item".into(),
        us(per_run / 100),
    ));

    let n = 1000;
    let baseline = time_runs(
        &rt,
        &engine,
        &compile(chain(1, "set", 3.4, assign("fixed", "string"))),
        &items(n),
        50,
    );
    let fast = time_runs(
        &rt,
        &engine,
        &compile(chain(
            1,
            "set",
            3.4,
            assign("={{ $json.body.a }}", "number"),
        )),
        &items(n),
        50,
    );
    let js = time_runs(
        &rt,
        &engine,
        &compile(chain(1, "set", 3.4, assign("={{ $json.a + 1 }}", "number"))),
        &items(n),
        20,
    );
    let mixed = time_runs(
        &rt,
        &engine,
        &compile(chain(
            1,
            "set",
            3.4,
            assign("=id-{{ $json.a }}-{{ $('Node 0').item.json.a }}", "string"),
        )),
        &items(n),
        20,
    );
    let per_item = |d: Duration| us(d.saturating_sub(baseline) / n as u32);
    rows.push((
        "expression per item, fast path `{{ $json.body.a }}`".into(),
        per_item(fast),
    ));
    rows.push((
        "expression per item, JS path `{{ $json.a + 1 }}`".into(),
        per_item(js),
    ));
    rows.push((
        "expression per item, mixed text with `$('Node').item`".into(),
        per_item(mixed),
    ));

    let each = json!({"mode": "runOnceForEachItem", "jsCode": "$input.item.json.x = $input.item.json.a * 2; return $input.item;"});
    let all = json!({"jsCode": "return $input.all().map(i => ({ json: { ...i.json, x: i.json.a * 2 } }));"});
    let each = time_runs(
        &rt,
        &engine,
        &compile(chain(1, "code", 2.0, each)),
        &items(n),
        20,
    );
    let all = time_runs(
        &rt,
        &engine,
        &compile(chain(1, "code", 2.0, all)),
        &items(n),
        20,
    );
    rows.push((
        "Code node per item, run once for each item".into(),
        us(each / n as u32),
    ));
    rows.push((
        "Code node per item, run once for all items".into(),
        us(all / n as u32),
    ));
    let single = time_runs(
        &rt,
        &engine,
        &compile(chain(
            1,
            "code",
            2.0,
            json!({"jsCode": "return [{ json: { ok: 1 } }];"}),
        )),
        &items(1),
        200,
    );
    rows.push((
        "Code node, one run (context setup included)".into(),
        us(single),
    ));

    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    println!("\n| {:width$} | {:>12} |", "benchmark", "time");
    println!("|{}|{}|", "-".repeat(width + 2), "-".repeat(14));
    for (k, v) in rows {
        println!("| {k:width$} | {v:>12} |");
    }
}
