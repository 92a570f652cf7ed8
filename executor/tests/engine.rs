//! Engine behaviour: scheduling order, routing, error handling, retries, cancellation, resume,
//! expressions and sandbox limits.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};
use weft_domain::definition::{
    Connection, ConnectionKind, ExecutionOrder, Node, OnError, RetrySettings, WorkflowDefinition,
    WorkflowSettings,
};
use weft_executor::{
    CancelToken, CompiledWorkflow, Engine, ExecutionEvent, ExecutionObserver, ExecutionResult,
    ExecutionStatus, Item, NodeErrorKind, PairedItem, RecordedRun, RecordedSource, ResumeFrom,
    ResumePoint, RunMode, RunOptions, SandboxLimits, Sleeper,
};

fn node(id: &str, ty: &str, version: f64, parameters: Value, position: [f64; 2]) -> Node {
    Node {
        id: id.into(),
        node_type: format!("n8n-nodes-base.{ty}"),
        type_version: version,
        name: id.into(),
        position,
        parameters,
        credentials: Default::default(),
        disabled: false,
        notes: None,
        style: Default::default(),
        retry: RetrySettings::default(),
        on_error: OnError::StopWorkflow,
    }
}

fn link(source: &str, output: u32, target: &str, input: u32) -> Connection {
    Connection {
        source: source.into(),
        source_output: output,
        target: target.into(),
        target_input: input,
        kind: ConnectionKind::Main,
    }
}

fn set_field(name: &str, value: &str) -> Value {
    json!({"assignments": {"assignments": [{"name": name, "value": value, "type": "string"}]}, "includeOtherFields": true})
}

fn workflow(
    nodes: Vec<Node>,
    connections: Vec<Connection>,
    order: ExecutionOrder,
) -> WorkflowDefinition {
    WorkflowDefinition {
        nodes,
        connections,
        settings: WorkflowSettings {
            execution_order: order,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Records the events as strings.
#[derive(Default)]
struct Recorder {
    events: Vec<String>,
    cancel_after: Option<(String, CancelToken)>,
}

impl ExecutionObserver for Recorder {
    fn on_event(&mut self, event: ExecutionEvent<'_>) {
        let line = match &event {
            ExecutionEvent::NodeStarted {
                node_id, run_index, ..
            } => format!("start {node_id}#{run_index}"),
            ExecutionEvent::NodeSucceeded {
                node_id, outputs, ..
            } => {
                format!(
                    "ok {node_id} {:?}",
                    outputs.iter().map(|o| o.len()).collect::<Vec<_>>()
                )
            }
            ExecutionEvent::NodeFailed {
                node_id,
                attempt,
                will_retry,
                ..
            } => format!("fail {node_id} attempt {attempt} retry {will_retry}"),
            ExecutionEvent::NodeRetried {
                node_id,
                next_attempt,
                wait,
                ..
            } => format!("retry {node_id} {next_attempt} {}ms", wait.as_millis()),
            ExecutionEvent::NodeCanceled { node_id, .. } => format!("canceled {node_id}"),
            ExecutionEvent::Suspended { node_id, resume_at } => {
                format!("suspended {node_id} until {resume_at}")
            }
            ExecutionEvent::Finished { status, .. } => format!("finished {status:?}"),
        };
        if let (ExecutionEvent::NodeSucceeded { node_id, .. }, Some((after, token))) =
            (&event, &self.cancel_after)
            && node_id == after
        {
            token.cancel();
        }
        self.events.push(line);
    }
}

impl Recorder {
    fn started(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| e.strip_prefix("start "))
            .map(|s| s.split('#').next().unwrap().to_string())
            .collect()
    }
}

async fn run_with(
    engine: &Engine,
    def: WorkflowDefinition,
    options: RunOptions,
) -> (ExecutionResult, Recorder, Arc<CompiledWorkflow>) {
    let wf = engine.compile(Arc::new(def), &HashMap::new()).unwrap();
    let mut rec = Recorder::default();
    let result = engine.run(&wf, options, &mut rec).await.unwrap();
    (result, rec, wf)
}

fn output_json(
    result: &ExecutionResult,
    wf: &CompiledWorkflow,
    name: &str,
    output: usize,
) -> Vec<Value> {
    let index = wf.index_by_name(name).unwrap();
    result.run_data.runs(index).last().unwrap().outputs[output]
        .iter()
        .map(|i| Value::Object(i.json.clone()))
        .collect()
}

fn branching(order: ExecutionOrder) -> WorkflowDefinition {
    workflow(
        vec![
            node("T", "manualTrigger", 1.0, json!({}), [0.0, 0.0]),
            node("Low", "noOp", 1.0, json!({}), [200.0, 300.0]),
            node("High", "noOp", 1.0, json!({}), [200.0, 0.0]),
            node("HighChild", "noOp", 1.0, json!({}), [400.0, 0.0]),
            node("LowChild", "noOp", 1.0, json!({}), [400.0, 300.0]),
        ],
        vec![
            link("T", 0, "Low", 0),
            link("T", 0, "High", 0),
            link("High", 0, "HighChild", 0),
            link("Low", 0, "LowChild", 0),
        ],
        order,
    )
}

#[tokio::test]
async fn v1_runs_depth_first_top_branch_first() {
    let engine = Engine::new(SandboxLimits::default());
    let (result, rec, _) = run_with(
        &engine,
        branching(ExecutionOrder::V1),
        RunOptions::default(),
    )
    .await;
    assert_eq!(result.status, ExecutionStatus::Success);
    assert_eq!(rec.started(), ["T", "High", "HighChild", "Low", "LowChild"]);
}

#[tokio::test]
async fn v0_runs_breadth_first_in_connection_order() {
    let engine = Engine::new(SandboxLimits::default());
    let (_, rec, _) = run_with(
        &engine,
        branching(ExecutionOrder::V0),
        RunOptions::default(),
    )
    .await;
    assert_eq!(rec.started(), ["T", "Low", "High", "LowChild", "HighChild"]);
}

#[tokio::test]
async fn if_routes_items_to_both_outputs_and_only_nonempty_branches_run() {
    let engine = Engine::new(SandboxLimits::default());
    let data = json!({"data": [{"n": 1}, {"n": 5}, {"n": 7}]});
    let conditions = json!({"conditions": {"conditions": [{"leftValue": "={{ $json.n }}", "rightValue": 4, "operator": {"type": "number", "operation": "gt"}}], "combinator": "and"}});
    let mut source = node("Data", "x", 1.0, data, [100.0, 0.0]);
    source.node_type = "n8n-nodes-testing.testData".into();
    let def = workflow(
        vec![
            node("T", "manualTrigger", 1.0, json!({}), [0.0, 0.0]),
            source,
            node("If", "if", 2.0, conditions, [200.0, 0.0]),
            node("Big", "noOp", 1.0, json!({}), [300.0, 0.0]),
            node("Small", "noOp", 1.0, json!({}), [300.0, 200.0]),
        ],
        vec![
            link("T", 0, "Data", 0),
            link("Data", 0, "If", 0),
            link("If", 0, "Big", 0),
            link("If", 1, "Small", 0),
        ],
        ExecutionOrder::V1,
    );
    let (result, rec, wf) = run_with(&engine, def, RunOptions::default()).await;
    assert_eq!(
        output_json(&result, &wf, "Big", 0),
        vec![json!({"n": 5}), json!({"n": 7})]
    );
    assert_eq!(output_json(&result, &wf, "Small", 0), vec![json!({"n": 1})]);
    assert!(rec.events.contains(&"ok If [2, 1]".to_string()));
}

#[tokio::test]
async fn failing_node_routes_to_error_output_or_stops_the_run() {
    let engine = Engine::new(SandboxLimits::default());
    let code = json!({"mode": "runOnceForEachItem", "jsCode": "if ($json.bad) throw new Error('bad item'); return $input.item;"});
    let build = |on_error: OnError| {
        let mut code_node = node("Code", "code", 2.0, code.clone(), [200.0, 0.0]);
        code_node.on_error = on_error;
        let mut data = node(
            "Data",
            "x",
            1.0,
            json!({"data": [{"bad": false, "i": 1}, {"bad": true, "i": 2}]}),
            [100.0, 0.0],
        );
        data.node_type = "n8n-nodes-testing.testData".into();
        let mut error_link = link("Code", 0, "Errors", 0);
        error_link.kind = ConnectionKind::Error;
        workflow(
            vec![
                node("T", "manualTrigger", 1.0, json!({}), [0.0, 0.0]),
                data,
                code_node,
                node("Good", "noOp", 1.0, json!({}), [300.0, 0.0]),
                node("Errors", "noOp", 1.0, json!({}), [300.0, 200.0]),
            ],
            vec![
                link("T", 0, "Data", 0),
                link("Data", 0, "Code", 0),
                link("Code", 0, "Good", 0),
                error_link,
            ],
            ExecutionOrder::V1,
        )
    };
    let (result, _, wf) = run_with(
        &engine,
        build(OnError::ContinueErrorOutput),
        RunOptions::default(),
    )
    .await;
    assert_eq!(result.status, ExecutionStatus::Success);
    assert_eq!(
        output_json(&result, &wf, "Good", 0),
        vec![json!({"bad": false, "i": 1})]
    );
    let errors = output_json(&result, &wf, "Errors", 0);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["i"], 2);
    assert!(errors[0]["error"].as_str().unwrap().contains("bad item"));

    let (result, rec, _) =
        run_with(&engine, build(OnError::StopWorkflow), RunOptions::default()).await;
    assert_eq!(result.status, ExecutionStatus::Error);
    assert_eq!(result.failed_node.as_deref(), Some("Code"));
    assert!(result.error.unwrap().message.contains("bad item"));
    assert_eq!(rec.events.last().unwrap(), "finished Error");
    assert!(!rec.started().contains(&"Good".to_string()));
}

/// A sleeper that records waits instead of sleeping.
#[derive(Default)]
struct FakeSleeper(Mutex<Vec<Duration>>);

#[async_trait]
impl Sleeper for FakeSleeper {
    async fn sleep(&self, duration: Duration) {
        self.0.lock().unwrap().push(duration);
    }
}

#[tokio::test]
async fn retries_with_backoff_then_fails() {
    let engine = Engine::new(SandboxLimits::default());
    let mut failing = node(
        "Fail",
        "stopAndError",
        1.0,
        json!({"errorMessage": "nope"}),
        [100.0, 0.0],
    );
    failing.retry = RetrySettings {
        retry_on_fail: true,
        max_tries: 3,
        wait_between_tries_ms: 100,
        backoff_factor: 2.0,
    };
    let def = workflow(
        vec![
            node("T", "manualTrigger", 1.0, json!({}), [0.0, 0.0]),
            failing,
        ],
        vec![link("T", 0, "Fail", 0)],
        ExecutionOrder::V1,
    );
    let sleeper = Arc::new(FakeSleeper::default());
    let options = RunOptions {
        sleeper: sleeper.clone(),
        ..Default::default()
    };
    let (result, rec, _) = run_with(&engine, def, options).await;
    assert_eq!(result.status, ExecutionStatus::Error);
    assert_eq!(result.error.unwrap().kind, NodeErrorKind::Stopped);
    assert_eq!(
        *sleeper.0.lock().unwrap(),
        [Duration::from_millis(100), Duration::from_millis(200)]
    );
    let failures: Vec<&String> = rec
        .events
        .iter()
        .filter(|e| e.starts_with("fail"))
        .collect();
    assert_eq!(
        failures,
        [
            "fail Fail attempt 1 retry true",
            "fail Fail attempt 2 retry true",
            "fail Fail attempt 3 retry false"
        ]
    );
    assert!(rec.events.contains(&"retry Fail 2 100ms".to_string()));
}

/// Fails the first `n` runs, then succeeds.
struct Flaky(AtomicUsize);

impl weft_executor::NodeType for Flaky {
    fn execute(
        &self,
        ctx: &mut weft_executor::NodeContext<'_>,
    ) -> Result<weft_executor::NodeOutput, weft_executor::NodeError> {
        if self.0.fetch_sub(1, Ordering::SeqCst) > 0 {
            return Err(weft_executor::NodeError::operation("temporary"));
        }
        Ok(vec![ctx.items().to_vec()])
    }
}

#[tokio::test]
async fn retry_succeeds_on_a_later_attempt() {
    let mut registry = weft_executor::NodeRegistry::builtin();
    registry.register("test.flaky", Arc::new(Flaky(AtomicUsize::new(1))));
    let engine = Engine::with_parts(Arc::new(TestCatalog), registry, SandboxLimits::default());
    let mut flaky = node("Flaky", "x", 1.0, json!({}), [100.0, 0.0]);
    flaky.node_type = "test.flaky".into();
    flaky.retry = RetrySettings {
        retry_on_fail: true,
        max_tries: 3,
        wait_between_tries_ms: 0,
        backoff_factor: 1.0,
    };
    let def = workflow(
        vec![
            node("T", "manualTrigger", 1.0, json!({}), [0.0, 0.0]),
            flaky,
        ],
        vec![link("T", 0, "Flaky", 0)],
        ExecutionOrder::V1,
    );
    let (result, rec, _) = run_with(
        &engine,
        def,
        RunOptions {
            sleeper: Arc::new(FakeSleeper::default()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(result.status, ExecutionStatus::Success);
    assert_eq!(
        rec.events.iter().filter(|e| e.starts_with("fail")).count(),
        1
    );
}

struct TestCatalog;

impl weft_domain::catalog::NodeCatalog for TestCatalog {
    fn describe(&self, t: &str) -> Option<&weft_domain::catalog::NodeTypeDescription> {
        weft_domain::catalog::BuiltinCatalog::shared().describe(t)
    }
    fn all(&self) -> Vec<&weft_domain::catalog::NodeTypeDescription> {
        weft_domain::catalog::BuiltinCatalog::shared().all()
    }
}

#[tokio::test]
async fn cancel_stops_at_the_next_node_which_records_canceled() {
    let engine = Engine::new(SandboxLimits::default());
    let def = workflow(
        vec![
            node("T", "manualTrigger", 1.0, json!({}), [0.0, 0.0]),
            node("A", "noOp", 1.0, json!({}), [100.0, 0.0]),
            node("B", "noOp", 1.0, json!({}), [200.0, 0.0]),
        ],
        vec![link("T", 0, "A", 0), link("A", 0, "B", 0)],
        ExecutionOrder::V1,
    );
    let wf = engine.compile(Arc::new(def), &HashMap::new()).unwrap();
    let token = CancelToken::new();
    let mut rec = Recorder {
        cancel_after: Some(("A".into(), token.clone())),
        ..Default::default()
    };
    let result = engine
        .run(
            &wf,
            RunOptions {
                cancel: token,
                ..Default::default()
            },
            &mut rec,
        )
        .await
        .unwrap();
    assert_eq!(result.status, ExecutionStatus::Canceled);
    assert_eq!(result.failed_node.as_deref(), Some("B"));
    assert_eq!(
        &rec.events[rec.events.len() - 2..],
        ["canceled B", "finished Canceled"]
    );
}

#[tokio::test]
async fn workflow_timeout_ends_the_run_with_an_error() {
    let engine = Engine::new(SandboxLimits::default());
    let def = workflow(
        vec![
            node("T", "manualTrigger", 1.0, json!({}), [0.0, 0.0]),
            node("A", "noOp", 1.0, json!({}), [100.0, 0.0]),
        ],
        vec![link("T", 0, "A", 0)],
        ExecutionOrder::V1,
    );
    let options = RunOptions {
        timeout: Some(Duration::ZERO),
        ..Default::default()
    };
    let (result, rec, _) = run_with(&engine, def, options).await;
    assert_eq!(result.status, ExecutionStatus::Error);
    assert_eq!(result.error.unwrap().kind, NodeErrorKind::Timeout);
    assert_eq!(rec.events[0], "canceled T");
}

#[tokio::test]
async fn multi_input_node_waits_for_all_inputs() {
    let engine = Engine::new(SandboxLimits::default());
    let def = workflow(
        vec![
            node("T", "manualTrigger", 1.0, json!({}), [0.0, 0.0]),
            node("A", "set", 3.4, set_field("from", "a"), [100.0, 0.0]),
            node("B", "set", 3.4, set_field("from", "b"), [100.0, 200.0]),
            node("Slow", "noOp", 1.0, json!({}), [200.0, 200.0]),
            node("Merge", "merge", 3.0, json!({}), [300.0, 0.0]),
        ],
        vec![
            link("T", 0, "A", 0),
            link("T", 0, "B", 0),
            link("B", 0, "Slow", 0),
            link("A", 0, "Merge", 0),
            link("Slow", 0, "Merge", 1),
        ],
        ExecutionOrder::V1,
    );
    let (result, rec, wf) = run_with(&engine, def, RunOptions::default()).await;
    assert_eq!(rec.started(), ["T", "A", "B", "Slow", "Merge"]);
    assert_eq!(
        output_json(&result, &wf, "Merge", 0),
        vec![json!({"from": "a"}), json!({"from": "b"})]
    );
}

#[tokio::test]
async fn disabled_nodes_pass_through_and_pinned_data_replaces_manual_runs() {
    let engine = Engine::new(SandboxLimits::default());
    let mut disabled = node("Off", "set", 3.4, set_field("x", "1"), [100.0, 0.0]);
    disabled.disabled = true;
    let mut def = workflow(
        vec![
            node("T", "manualTrigger", 1.0, json!({}), [0.0, 0.0]),
            disabled,
            node("Pinned", "set", 3.4, set_field("y", "2"), [200.0, 0.0]),
        ],
        vec![link("T", 0, "Off", 0), link("Off", 0, "Pinned", 0)],
        ExecutionOrder::V1,
    );
    def.pin_data
        .insert("Pinned".into(), vec![json!({"json": {"pinned": true}})]);
    let (result, _, wf) = run_with(&engine, def.clone(), RunOptions::default()).await;
    assert_eq!(output_json(&result, &wf, "Off", 0), vec![json!({})]);
    assert_eq!(
        output_json(&result, &wf, "Pinned", 0),
        vec![json!({"pinned": true})]
    );
    let production = RunOptions {
        mode: RunMode::Production,
        ..Default::default()
    };
    let (result, _, wf) = run_with(&engine, def, production).await;
    assert_eq!(
        output_json(&result, &wf, "Pinned", 0),
        vec![json!({"y": "2"})]
    );
}

#[tokio::test]
async fn resume_reuses_recorded_outputs_and_runs_from_the_given_node() {
    let engine = Engine::new(SandboxLimits::default());
    let def = workflow(
        vec![
            node("T", "manualTrigger", 1.0, json!({}), [0.0, 0.0]),
            node("A", "set", 3.4, set_field("a", "fresh"), [100.0, 0.0]),
            node(
                "B",
                "set",
                3.4,
                set_field(
                    "b",
                    "={{ $json.a }}-{{ $('A').item.json.a }}-{{ $('T').item.json.t }}",
                ),
                [200.0, 0.0],
            ),
        ],
        vec![link("T", 0, "A", 0), link("A", 0, "B", 0)],
        ExecutionOrder::V1,
    );
    let recorded = vec![
        RecordedRun {
            node_id: "T".into(),
            outputs: vec![Arc::new(vec![Item::from_value(json!({"t": 1}))])],
            sources: vec![None],
        },
        RecordedRun {
            node_id: "A".into(),
            outputs: vec![Arc::new(vec![Item {
                paired_item: PairedItem::item(0),
                ..Item::from_value(json!({"a": "recorded"}))
            }])],
            sources: vec![Some(RecordedSource {
                node_id: "T".into(),
                output: 0,
                run: 0,
            })],
        },
    ];
    let options = RunOptions {
        resume: Some(ResumeFrom {
            recorded,
            start: ResumePoint::Node("B".into()),
            node_states: HashMap::new(),
        }),
        ..Default::default()
    };
    let (result, rec, wf) = run_with(&engine, def, options).await;
    assert_eq!(result.status, ExecutionStatus::Success);
    assert_eq!(rec.started(), ["B"]);
    assert_eq!(
        output_json(&result, &wf, "B", 0),
        vec![json!({"a": "recorded", "b": "recorded-recorded-1"})]
    );
}

#[tokio::test]
async fn expressions_keep_types_and_errors_name_node_parameter_and_expression() {
    let engine = Engine::new(SandboxLimits::default());
    let params = json!({"assignments": {"assignments": [
        {"name": "fast", "value": "={{ $json.n }}", "type": "number"},
        {"name": "js", "value": "={{ $json.n * 2 }}", "type": "number"},
        {"name": "text", "value": "=n is {{ $json.n }} and {{ $json.n + 1 }}", "type": "string"},
        {"name": "obj", "value": "={{ { a: [1, 2] } }}", "type": "object"},
        {"name": "index", "value": "={{ $itemIndex }}/{{ $runIndex }}", "type": "string"},
        {"name": "upper", "value": "={{ 'abc'.toUpperCase() + $input.first().json.n }}", "type": "string"}
    ]}});
    let mut data = node(
        "Data",
        "x",
        1.0,
        json!({"data": [{"n": 3}, {"n": 4}]}),
        [100.0, 0.0],
    );
    data.node_type = "n8n-nodes-testing.testData".into();
    let def = workflow(
        vec![
            node("T", "manualTrigger", 1.0, json!({}), [0.0, 0.0]),
            data,
            node("Set", "set", 3.4, params, [200.0, 0.0]),
        ],
        vec![link("T", 0, "Data", 0), link("Data", 0, "Set", 0)],
        ExecutionOrder::V1,
    );
    let (result, _, wf) = run_with(&engine, def, RunOptions::default()).await;
    assert_eq!(
        output_json(&result, &wf, "Set", 0)[1],
        json!({"fast": 4, "js": 8, "text": "n is 4 and 5", "obj": {"a": [1, 2]}, "index": "1/0", "upper": "ABC3"})
    );

    let bad = json!({"assignments": {"assignments": [{"name": "x", "value": "={{ $json.missing.deeper }}", "type": "string"}]}});
    let def = workflow(
        vec![
            node("T", "manualTrigger", 1.0, json!({}), [0.0, 0.0]),
            node("Broken", "set", 3.4, bad, [100.0, 0.0]),
        ],
        vec![link("T", 0, "Broken", 0)],
        ExecutionOrder::V1,
    );
    let (result, _, _) = run_with(&engine, def, RunOptions::default()).await;
    let error = result.error.unwrap();
    assert_eq!(error.kind, NodeErrorKind::Expression);
    assert!(
        error
            .message
            .starts_with("Broken: parameter `assignments.assignments`"),
        "{}",
        error.message
    );
    assert_eq!(
        error.description.as_deref(),
        Some("expression: ={{ $json.missing.deeper }}")
    );
}

fn code_workflow(code: &str) -> WorkflowDefinition {
    workflow(
        vec![
            node("T", "manualTrigger", 1.0, json!({}), [0.0, 0.0]),
            node("Code", "code", 2.0, json!({"jsCode": code}), [100.0, 0.0]),
        ],
        vec![link("T", 0, "Code", 0)],
        ExecutionOrder::V1,
    )
}

#[tokio::test]
async fn code_node_infinite_loop_and_memory_bomb_fail_cleanly() {
    let limits = SandboxLimits {
        code_timeout: Duration::from_millis(200),
        memory_bytes: 32 * 1024 * 1024,
        ..Default::default()
    };
    let engine = Engine::new(limits);
    let started = std::time::Instant::now();
    let (result, _, _) = run_with(
        &engine,
        code_workflow("while (true) {}"),
        RunOptions::default(),
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(3));
    let error = result.error.unwrap();
    assert_eq!(error.kind, NodeErrorKind::Timeout, "{error:?}");
    assert!(error.message.contains("longer than"));

    let escape = "try { while (true) {} } catch (e) {} return [{ json: { escaped: true } }];";
    let (result, _, _) = run_with(&engine, code_workflow(escape), RunOptions::default()).await;
    assert_eq!(result.error.unwrap().kind, NodeErrorKind::Timeout);

    // A generous deadline here, so that only the memory limit can stop the bomb.
    let roomy = Engine::new(SandboxLimits {
        code_timeout: Duration::from_secs(20),
        ..limits
    });
    let bomb = "const a = []; while (true) { a.push('x'.repeat(1024 * 1024)); }";
    let (result, _, _) = run_with(&roomy, code_workflow(bomb), RunOptions::default()).await;
    let error = result.error.unwrap();
    assert_eq!(error.kind, NodeErrorKind::OutOfMemory, "{error:?}");

    let (result, _, wf) = run_with(
        &engine,
        code_workflow("return [{ json: { ok: 1 } }];"),
        RunOptions::default(),
    )
    .await;
    assert_eq!(output_json(&result, &wf, "Code", 0), vec![json!({"ok": 1})]);
}

#[tokio::test]
async fn code_node_has_no_host_access() {
    let engine = Engine::new(SandboxLimits::default());
    let probe = "return [{ json: { require: typeof require, process: typeof process, fetch: typeof fetch, timers: typeof setTimeout, std: typeof std } }];";
    let (result, _, wf) = run_with(&engine, code_workflow(probe), RunOptions::default()).await;
    assert_eq!(
        output_json(&result, &wf, "Code", 0),
        vec![
            json!({"require": "undefined", "process": "undefined", "fetch": "undefined", "timers": "undefined", "std": "undefined"})
        ]
    );
}

#[tokio::test]
async fn custom_data_and_the_run_data_report() {
    let engine = Engine::new(SandboxLimits::default());
    let code = "$execution.customData.set('order', 42); return [{ json: { order: $execution.customData.get('order'), mode: $execution.mode } }];";
    let (result, _, wf) = run_with(&engine, code_workflow(code), RunOptions::default()).await;
    assert_eq!(
        output_json(&result, &wf, "Code", 0),
        vec![json!({"order": "42", "mode": "test"})]
    );
    let report = weft_executor::run_data_json(&wf, &result);
    assert_eq!(report["status"], "success");
    assert_eq!(
        report["runData"]["Code"][0]["outputs"][0][0]["json"]["order"],
        "42"
    );
    assert_eq!(report["runData"]["T"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executions_run_on_spawned_tasks_concurrently() {
    let engine = Arc::new(Engine::new(SandboxLimits::default()));
    let wf = engine
        .compile(
            Arc::new(code_workflow("return [{ json: { n: $runIndex } }];")),
            &HashMap::new(),
        )
        .unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (engine, wf) = (engine.clone(), wf.clone());
            tokio::spawn(async move {
                engine
                    .run(&wf, RunOptions::default(), &mut weft_executor::NoopObserver)
                    .await
                    .unwrap()
                    .status
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), ExecutionStatus::Success);
    }
}

/// A node with a bug.
struct Panics;

impl weft_executor::NodeType for Panics {
    fn execute(
        &self,
        _ctx: &mut weft_executor::NodeContext<'_>,
    ) -> Result<weft_executor::NodeOutput, weft_executor::NodeError> {
        panic!("bug")
    }
}

#[tokio::test]
async fn a_panicking_node_fails_only_its_run() {
    let mut registry = weft_executor::NodeRegistry::builtin();
    registry.register("test.panics", Arc::new(Panics));
    let engine = Engine::with_parts(Arc::new(TestCatalog), registry, SandboxLimits::default());
    let mut bad = node("Bad", "x", 1.0, json!({}), [100.0, 0.0]);
    bad.node_type = "test.panics".into();
    let def = workflow(
        vec![node("T", "manualTrigger", 1.0, json!({}), [0.0, 0.0]), bad],
        vec![link("T", 0, "Bad", 0)],
        ExecutionOrder::V1,
    );
    let (result, _, _) = run_with(&engine, def, RunOptions::default()).await;
    assert_eq!(result.status, ExecutionStatus::Error);
    assert!(result.error.unwrap().message.contains("crashed"));
}

/// A clock that sleeping moves forward.
struct FakeTime(Mutex<chrono::DateTime<chrono::Utc>>);

impl weft_executor::Clock for FakeTime {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().unwrap()
    }
}

#[async_trait]
impl Sleeper for FakeTime {
    async fn sleep(&self, duration: Duration) {
        *self.0.lock().unwrap() += chrono::Duration::from_std(duration).unwrap();
    }
}

#[tokio::test]
async fn long_waits_suspend_and_resume_where_they_stopped() {
    let engine = Engine::new(SandboxLimits::default());
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let time = Arc::new(FakeTime(Mutex::new(start)));
    let def = workflow(
        vec![
            node("T", "manualTrigger", 1.0, json!({}), [0.0, 0.0]),
            node(
                "Short",
                "wait",
                1.1,
                json!({"amount": 30, "unit": "seconds"}),
                [100.0, 0.0],
            ),
            node(
                "Long",
                "wait",
                1.1,
                json!({"amount": 2, "unit": "hours"}),
                [200.0, 0.0],
            ),
            node(
                "After",
                "set",
                3.4,
                set_field("at", "={{ $now.toISO() }}"),
                [300.0, 0.0],
            ),
            node("Side", "noOp", 1.0, json!({}), [300.0, 200.0]),
        ],
        vec![
            link("T", 0, "Short", 0),
            link("Short", 0, "Long", 0),
            link("Long", 0, "After", 0),
            link("Long", 0, "Side", 0),
        ],
        ExecutionOrder::V1,
    );
    let options = || RunOptions {
        clock: time.clone(),
        sleeper: time.clone(),
        ..Default::default()
    };
    let (result, rec, wf) = run_with(&engine, def, options()).await;
    assert_eq!(result.status, ExecutionStatus::Waiting);
    assert_eq!(rec.started(), ["T", "Short", "Long"]);
    assert_eq!(&rec.events[rec.events.len() - 1..], ["finished Waiting"]);
    let suspension = result.suspended.unwrap();
    assert_eq!(suspension.node_id, "Long");
    assert_eq!(
        suspension.resume_at.to_rfc3339(),
        "2026-01-01T02:00:30+00:00"
    );

    *time.0.lock().unwrap() = suspension.resume_at;
    let mut rec = Recorder::default();
    let resumed = RunOptions {
        resume: Some(suspension.resume),
        ..options()
    };
    let result = engine.run(&wf, resumed, &mut rec).await.unwrap();
    assert_eq!(result.status, ExecutionStatus::Success);
    assert_eq!(rec.started(), ["After", "Side"]);
    assert_eq!(
        output_json(&result, &wf, "After", 0),
        vec![json!({"at": "2026-01-01T02:00:30.000+00:00"})]
    );
    assert_eq!(result.run_data.runs(wf.index_of("Short").unwrap()).len(), 1);
}
