//! The run loop of one execution: seeding (trigger or recorded state), the loop over the node
//! stack, cancellation and the workflow timeout. Scheduling lives in `schedule`, running one node
//! (retries, `onError`, error output) in `node_run`.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use weft_domain::definition::ExecutionOrder;

use super::ExecutionResult;
use super::node_run::timeout_error;
use crate::error::{ExecutorError, NodeError};
use crate::expr::Expressions;
use crate::graph::{CompiledWorkflow, NodeIndex};
use crate::item::{Items, share};
use crate::observer::{ExecutionEvent, ExecutionObserver, ExecutionStatus};
use crate::options::{ResumePoint, RunOptions};
use crate::run_data::{NodeRun, RunData, SourceRef};
use crate::sandbox::Sandbox;

/// A node waiting to run with its inputs.
pub(super) struct Task {
    pub(super) node: NodeIndex,
    pub(super) inputs: Vec<Option<Items>>,
    pub(super) sources: Vec<Option<SourceRef>>,
}

/// How a node run ended.
pub(super) enum Outcome {
    /// Outputs (per output, error output last) or `None` when the node produced no data.
    Done(Option<Vec<Items>>),
    /// The node failed and the workflow stops.
    Failed(NodeError),
    /// The run was canceled during the node's retry wait.
    Canceled,
}

/// The state of one execution while it runs.
pub(super) struct Execution {
    pub(super) workflow: Arc<CompiledWorkflow>,
    pub(super) options: RunOptions,
    pub(super) expressions: Expressions,
    pub(super) run_data: RunData,
    pub(super) node_states: Vec<Arc<Value>>,
    pub(super) stack: VecDeque<Task>,
    pub(super) waiting: Vec<(NodeIndex, Vec<Task>)>,
    pub(super) v1: bool,
    pub(super) deadline: Option<Instant>,
    pub(super) suspend: Option<(NodeIndex, chrono::DateTime<chrono::Utc>)>,
    /// Recorded node runs taken as they are instead of running (`ResumePoint::Replay`).
    replay: HashMap<(NodeIndex, usize), Vec<Items>>,
    /// With a destination node: the nodes that may run (the destination and its ancestors).
    pub(super) allowed: Option<Vec<bool>>,
}

/// `destination` and every node with a path to it.
fn ancestors(workflow: &CompiledWorkflow, destination: NodeIndex) -> Vec<bool> {
    let mut allowed = vec![false; workflow.nodes().len()];
    let mut pending = vec![destination];
    while let Some(node) = pending.pop() {
        if std::mem::replace(&mut allowed[node], true) {
            continue;
        }
        for edges in &workflow.node(node).parents {
            pending.extend(edges.iter().map(|edge| edge.node));
        }
    }
    allowed
}

impl Execution {
    pub(super) fn new(
        workflow: Arc<CompiledWorkflow>,
        options: RunOptions,
        sandbox: Arc<Sandbox>,
        globals: Value,
    ) -> Self {
        let n = workflow.nodes().len();
        let v1 = workflow.definition.settings.execution_order == ExecutionOrder::V1;
        Self {
            workflow,
            options,
            expressions: Expressions::new(sandbox, globals),
            run_data: RunData::new(n),
            node_states: (0..n)
                .map(|_| Arc::new(Value::Object(Default::default())))
                .collect(),
            stack: VecDeque::new(),
            waiting: Vec::new(),
            v1,
            deadline: None,
            suspend: None,
            replay: HashMap::new(),
            allowed: None,
        }
    }

    /// Whether `node` may run in this (possibly partial) run.
    pub(super) fn may_run(&self, node: NodeIndex) -> bool {
        self.allowed.as_ref().is_none_or(|allowed| allowed[node])
    }

    fn seed(&mut self) -> Result<(), ExecutorError> {
        let wf = self.workflow.clone();
        if let Some(id) = &self.options.destination_node {
            let destination = wf
                .index_of(id)
                .ok_or_else(|| ExecutorError::UnknownNode(id.clone()))?;
            self.allowed = Some(ancestors(&wf, destination));
        }
        if let Some(resume) = self.options.resume.clone() {
            for recorded in &resume.recorded {
                let node = wf
                    .index_of(&recorded.node_id)
                    .ok_or_else(|| ExecutorError::UnknownNode(recorded.node_id.clone()))?;
                let sources = recorded
                    .sources
                    .iter()
                    .map(|source| {
                        let s = source.as_ref()?;
                        Some(SourceRef {
                            node: wf.index_of(&s.node_id)?,
                            output: s.output,
                            run: s.run,
                        })
                    })
                    .collect();
                self.run_data.push(
                    node,
                    NodeRun {
                        outputs: recorded.outputs.clone(),
                        sources,
                        ..Default::default()
                    },
                );
            }
            for (id, state) in &resume.node_states {
                let node = wf
                    .index_of(id)
                    .ok_or_else(|| ExecutorError::UnknownNode(id.clone()))?;
                self.node_states[node] = Arc::new(state.clone());
            }
            let start_at = match resume.start {
                ResumePoint::Node(ref id) => id,
                ResumePoint::Pending {
                    ref stack,
                    ref waiting,
                } => {
                    return self.seed_pending(stack, waiting);
                }
                ResumePoint::Replay { runs, ref from } => {
                    for ((id, run), outputs) in runs {
                        let node = wf
                            .index_of(&id)
                            .ok_or_else(|| ExecutorError::UnknownNode(id.clone()))?;
                        self.replay.insert((node, run), outputs);
                    }
                    match from {
                        Some(id) => id,
                        None => return self.seed_start(),
                    }
                }
            };
            let start = wf
                .index_of(start_at)
                .ok_or_else(|| ExecutorError::UnknownNode(start_at.clone()))?;
            let parents = &wf.node(start).parents;
            let mut inputs = vec![None; parents.len().max(1)];
            let mut sources = vec![None; parents.len().max(1)];
            for (input, edges) in parents.iter().enumerate() {
                for edge in edges {
                    let runs = self.run_data.runs(edge.node);
                    if let Some(items) = runs.last().and_then(|r| r.outputs.get(edge.port as usize))
                    {
                        inputs[input] = Some(items.clone());
                        sources[input] = Some(SourceRef {
                            node: edge.node,
                            output: edge.port as usize,
                            run: runs.len() - 1,
                        });
                        break;
                    }
                }
            }
            if parents.is_empty() {
                inputs[0] = Some(share(self.options.trigger_items.clone()));
            }
            self.stack.push_back(Task {
                node: start,
                inputs,
                sources,
            });
            return Ok(());
        }
        self.seed_start()
    }

    /// Puts the start node on the stack with the trigger items.
    fn seed_start(&mut self) -> Result<(), ExecutorError> {
        let wf = self.workflow.clone();
        let start = match &self.options.start_node {
            Some(id) => wf
                .index_of(id)
                .ok_or_else(|| ExecutorError::UnknownNode(id.clone()))?,
            None => wf.start_node().ok_or(ExecutorError::NoStartNode)?,
        };
        if !self.may_run(start) {
            let destination = self.options.destination_node.clone().unwrap_or_default();
            return Err(ExecutorError::Unreachable(destination));
        }
        self.stack.push_back(Task {
            node: start,
            inputs: vec![Some(share(self.options.trigger_items.clone()))],
            sources: vec![None],
        });
        Ok(())
    }

    pub(super) async fn run(
        mut self,
        observer: &mut dyn ExecutionObserver,
    ) -> Result<ExecutionResult, ExecutorError> {
        self.seed()?;
        let timeout = self.options.timeout.or_else(|| {
            self.workflow
                .definition
                .settings
                .timeout_seconds
                .map(Duration::from_secs)
        });
        let deadline = timeout.map(|t| Instant::now() + t);
        self.deadline = deadline;
        let mut requeued = 0usize;
        loop {
            let Some(task) = self.next_task() else { break };
            let wf = self.workflow.clone();
            let node = wf.node(task.node);
            let timed_out = deadline.is_some_and(|d| Instant::now() >= d);
            if self.options.cancel.is_canceled() || timed_out {
                let run_index = self.run_data.runs(task.node).len();
                observer.on_event(ExecutionEvent::NodeCanceled {
                    node_id: &node.node.id,
                    run_index,
                });
                let error = timed_out.then(timeout_error);
                let status = if timed_out {
                    ExecutionStatus::Error
                } else {
                    ExecutionStatus::Canceled
                };
                return Ok(self.finish(observer, status, error, Some(task.node)));
            }
            if !self.v1 && self.missing_forced_input(&task) {
                requeued += 1;
                if requeued > self.stack.len() + 1 {
                    return Err(ExecutorError::EndlessLoop(node.node.name.clone()));
                }
                self.stack.push_back(task);
                continue;
            }
            requeued = 0;
            let run_index = self.run_data.runs(task.node).len();
            if let Some(outputs) = self.replay.remove(&(task.node, run_index)) {
                let run = self.run_data.push(
                    task.node,
                    NodeRun {
                        sources: task.sources,
                        outputs: outputs.clone(),
                        error: None,
                        duration: Duration::ZERO,
                    },
                );
                self.enqueue_children(task.node, &outputs, run);
                continue;
            }
            observer.on_event(ExecutionEvent::NodeStarted {
                node_id: &node.node.id,
                run_index,
                inputs: &task.inputs,
            });
            let started = Instant::now();
            let (outcome, pinned) = self.run_node(&task, run_index, observer).await;
            let duration = started.elapsed();
            match outcome {
                Outcome::Canceled => {
                    observer.on_event(ExecutionEvent::NodeCanceled {
                        node_id: &node.node.id,
                        run_index,
                    });
                    return Ok(self.finish(
                        observer,
                        ExecutionStatus::Canceled,
                        None,
                        Some(task.node),
                    ));
                }
                Outcome::Failed(error) => {
                    self.run_data.push(
                        task.node,
                        NodeRun {
                            sources: task.sources,
                            outputs: Vec::new(),
                            error: Some(error.clone()),
                            duration,
                        },
                    );
                    return Ok(self.finish(
                        observer,
                        ExecutionStatus::Error,
                        Some(error),
                        Some(task.node),
                    ));
                }
                Outcome::Done(outputs) => {
                    let outputs_list = outputs.clone().unwrap_or_default();
                    observer.on_event(ExecutionEvent::NodeSucceeded {
                        node_id: &node.node.id,
                        run_index,
                        outputs: &outputs_list,
                        duration,
                        pinned,
                    });
                    let run = self.run_data.push(
                        task.node,
                        NodeRun {
                            sources: task.sources,
                            outputs: outputs_list,
                            error: None,
                            duration,
                        },
                    );
                    if let Some(outputs) = outputs {
                        self.enqueue_children(task.node, &outputs, run);
                    }
                    if let Some((node, resume_at)) = self.suspend.take() {
                        return Ok(self.suspend_run(observer, node, resume_at));
                    }
                }
            }
        }
        Ok(self.finish(observer, ExecutionStatus::Success, None, None))
    }

    fn finish(
        self,
        observer: &mut dyn ExecutionObserver,
        status: ExecutionStatus,
        error: Option<NodeError>,
        node: Option<NodeIndex>,
    ) -> ExecutionResult {
        observer.on_event(ExecutionEvent::Finished {
            status,
            error: error.as_ref(),
        });
        ExecutionResult {
            status,
            error,
            failed_node: node
                .filter(|_| status != ExecutionStatus::Success)
                .map(|n| self.workflow.node(n).node.id.clone()),
            run_data: self.run_data,
            suspended: None,
        }
    }
}
