//! Inputs of one execution: mode, trigger data, resume state, cancellation, clock and sleeping.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use weft_domain::definition::{CredentialRef, NodeId};

use crate::item::{Item, Items};
use crate::respond::Responder;

/// How the execution was started; decides whether pinned data is used and `$execution.mode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RunMode {
    /// Started by hand (editor, CLI): pinned data replaces node runs.
    #[default]
    Manual,
    /// Started by an active trigger: pinned data is ignored.
    Production,
}

impl From<RunMode> for weft_domain::execution::ExecutionMode {
    /// The mode an execution is recorded with.
    fn from(mode: RunMode) -> Self {
        match mode {
            RunMode::Manual => Self::Manual,
            RunMode::Production => Self::Production,
        }
    }
}

/// Cooperative cancellation, checked between nodes and during retry waits.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that is not canceled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests cancellation.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether cancellation was requested.
    pub fn is_canceled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Waits between retries; inject a fake in tests so they do not sleep.
#[async_trait]
pub trait Sleeper: Send + Sync {
    /// Waits for `duration`.
    async fn sleep(&self, duration: Duration);
}

/// Sleeps on the tokio timer.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSleeper;

#[async_trait]
impl Sleeper for TokioSleeper {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// Source of the current time for `$now` and `$today`.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Hands decrypted credentials to nodes that need them (HTTP Request). The caller owns storage
/// and decryption; the engine never persists what it receives.
#[async_trait]
pub trait CredentialProvider: Send + Sync {
    /// The decrypted data of the credential a node references, e.g. `{"user": …, "password": …}`
    /// for `httpBasicAuth`.
    async fn credential(
        &self,
        credential_type: &str,
        reference: &CredentialRef,
    ) -> Result<serde_json::Value, String>;
}

/// One call of another workflow by an Execute Workflow node.
#[derive(Debug, Clone)]
pub struct SubWorkflowCall {
    /// The workflow to run (its current version).
    pub workflow_id: String,
    /// Items for its start node.
    pub items: Vec<Item>,
    /// The calling execution.
    pub parent_execution_id: String,
    /// The calling node.
    pub parent_node_id: NodeId,
    /// Whether the caller waits for the result; otherwise the run goes on in the background.
    pub wait: bool,
}

/// Runs sub-workflows for Execute Workflow nodes. The caller owns recording: each call is an
/// execution of its own, triggered by the calling execution and node.
#[async_trait]
pub trait SubWorkflowRunner: Send + Sync {
    /// Runs the call; with `wait`, returns the items of the sub-workflow's last node, else the
    /// call's own items once the sub-execution is accepted.
    async fn run(&self, call: SubWorkflowCall) -> Result<Vec<Item>, String>;
}

/// Where an input of a recorded node run came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedSource {
    /// Parent node.
    pub node_id: NodeId,
    /// Parent output index.
    pub output: usize,
    /// Parent run index.
    pub run: usize,
}

/// Outputs of one earlier node run, as recorded by a previous execution.
#[derive(Debug, Clone)]
pub struct RecordedRun {
    /// The node.
    pub node_id: NodeId,
    /// Items per output.
    pub outputs: Vec<Items>,
    /// Source of each input, so `$('Node').item` can follow lineage through recorded runs
    /// (empty when unknown).
    pub sources: Vec<Option<RecordedSource>>,
}

/// A node scheduled to run, with its inputs (a suspended execution's continuation).
#[derive(Debug, Clone)]
pub struct PendingTask {
    /// The node.
    pub node_id: NodeId,
    /// Items per input (`None` where the input has no data yet).
    pub inputs: Vec<Option<Items>>,
    /// Source of each input.
    pub sources: Vec<Option<RecordedSource>>,
}

/// Where a resumed execution continues.
#[derive(Debug, Clone)]
pub enum ResumePoint {
    /// Run this node first, with the recorded outputs of its parents as inputs ("retry from
    /// the failed node").
    Node(NodeId),
    /// Continue exactly where a suspended execution stopped (after a long Wait).
    Pending {
        /// Nodes ready to run, in stack order.
        stack: Vec<PendingTask>,
        /// Multi-input nodes that still wait for some inputs.
        waiting: Vec<PendingTask>,
    },
    /// Start at the trigger again, but a node run recorded here (by node and run index) is not
    /// run: its recorded outputs are taken as they are and the scheduling continues from them,
    /// without reporting a step. The first run that is not recorded runs for real. Taking over
    /// an execution whose worker died, or resuming a waiting one in another process, uses this:
    /// the schedule is deterministic, so replaying the recorded outputs rebuilds the exact stack.
    Replay {
        /// Outputs of the recorded successful node runs, by node and run index.
        runs: HashMap<(NodeId, usize), Vec<Items>>,
        /// Start at this node as [`ResumePoint::Node`] does (a retry from a failed node)
        /// instead of at the trigger.
        from: Option<NodeId>,
    },
}

/// Start from recorded state: seed the run data and continue from a resume point.
#[derive(Debug, Clone)]
pub struct ResumeFrom {
    /// Runs recorded before, in execution order; they become the run data of this execution.
    pub recorded: Vec<RecordedRun>,
    /// Where to continue.
    pub start: ResumePoint,
    /// Node state to restore (`$node[…].context`, e.g. Split In Batches progress).
    pub node_states: HashMap<NodeId, serde_json::Value>,
}

/// Workflow identity exposed to expressions as `$workflow`.
#[derive(Debug, Clone, Default)]
pub struct WorkflowInfo {
    /// Workflow id.
    pub id: String,
    /// Workflow name.
    pub name: String,
    /// Whether the workflow is active.
    pub active: bool,
}

/// Everything one execution needs besides the workflow.
#[derive(Clone)]
pub struct RunOptions {
    /// Execution id (`$execution.id`).
    pub execution_id: String,
    /// Manual or production.
    pub mode: RunMode,
    /// Workflow identity.
    pub workflow: WorkflowInfo,
    /// The trigger node to start at; default: n8n's start-node rule.
    pub start_node: Option<NodeId>,
    /// Run only the nodes on the way to this node, then the node itself, and nothing after it
    /// (the editor's "Execute step"); default: the whole workflow.
    pub destination_node: Option<NodeId>,
    /// Items fed to the start node (default: one empty item).
    pub trigger_items: Vec<Item>,
    /// Resume from recorded state instead of starting at the trigger.
    pub resume: Option<ResumeFrom>,
    /// Cancellation.
    pub cancel: CancelToken,
    /// Overall time limit; default: the workflow's `timeoutSeconds` setting.
    pub timeout: Option<Duration>,
    /// Clock for `$now`.
    pub clock: Arc<dyn Clock>,
    /// Retry waits and Wait nodes.
    pub sleeper: Arc<dyn Sleeper>,
    /// Credentials for nodes that call external services; `None` when none are available.
    pub credentials: Option<Arc<dyn CredentialProvider>>,
    /// Wait nodes pausing longer than this suspend the execution (status `Waiting`) instead of
    /// sleeping on the task; n8n uses 65 seconds.
    pub inline_wait_limit: Duration,
    /// Where a Respond to Webhook node sends its response; `None` when nobody waits for one.
    pub responder: Option<Arc<dyn Responder>>,
    /// Runs the workflows Execute Workflow nodes call; `None`: those nodes fail.
    pub sub_workflows: Option<Arc<dyn SubWorkflowRunner>>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            execution_id: String::new(),
            mode: RunMode::Manual,
            workflow: WorkflowInfo::default(),
            start_node: None,
            destination_node: None,
            trigger_items: vec![Item::default()],
            resume: None,
            cancel: CancelToken::new(),
            timeout: None,
            clock: Arc::new(SystemClock),
            sleeper: Arc::new(TokioSleeper),
            credentials: None,
            inline_wait_limit: Duration::from_secs(65),
            responder: None,
            sub_workflows: None,
        }
    }
}
