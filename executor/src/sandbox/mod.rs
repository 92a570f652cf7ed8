//! The JavaScript sandbox: pooled QuickJS runtimes with a memory limit and an interrupt deadline.
//! A context has no host access besides the engine's read-only data bridge: no file system,
//! network, process, timers or module loading.

mod session;

pub use session::{HostBridge, JsError, JsSession};

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rquickjs::Runtime;

/// Limits applied to every JavaScript evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxLimits {
    /// Heap limit of a runtime in bytes.
    pub memory_bytes: usize,
    /// Wall-clock limit of one Code node run.
    pub code_timeout: Duration,
    /// Wall-clock limit of one expression evaluation.
    pub expression_timeout: Duration,
    /// Native stack limit in bytes.
    pub stack_bytes: usize,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        Self {
            memory_bytes: 64 * 1024 * 1024,
            code_timeout: Duration::from_secs(5),
            expression_timeout: Duration::from_secs(1),
            stack_bytes: 512 * 1024,
        }
    }
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// A deadline shared with a runtime's interrupt handler (nanoseconds since the pool epoch; 0 = none).
#[derive(Debug, Default)]
pub(crate) struct Deadline(AtomicU64);

impl Deadline {
    pub(crate) fn set(&self, after: Duration) {
        let at = epoch().elapsed() + after;
        self.0.store(at.as_nanos().max(1) as u64, Ordering::SeqCst);
    }

    pub(crate) fn clear(&self) {
        self.0.store(0, Ordering::SeqCst);
    }

    pub(crate) fn expired(&self) -> bool {
        let at = self.0.load(Ordering::Relaxed);
        at != 0 && epoch().elapsed().as_nanos() as u64 >= at
    }
}

pub(crate) struct PooledRuntime {
    pub(crate) runtime: Runtime,
    pub(crate) deadline: Arc<Deadline>,
}

/// A pool of QuickJS runtimes. Runtimes are reused across executions; each session gets a fresh
/// context, so no state leaks from one execution to the next.
pub struct Sandbox {
    limits: SandboxLimits,
    idle: Mutex<Vec<PooledRuntime>>,
}

impl Sandbox {
    /// A pool with these limits.
    pub fn new(limits: SandboxLimits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// The limits.
    pub fn limits(&self) -> SandboxLimits {
        self.limits
    }

    fn take(&self) -> Result<PooledRuntime, JsError> {
        if let Some(rt) = self.idle.lock().expect("sandbox pool poisoned").pop() {
            return Ok(rt);
        }
        let runtime = Runtime::new().map_err(|e| JsError::Engine(e.to_string()))?;
        runtime.set_memory_limit(self.limits.memory_bytes);
        runtime.set_max_stack_size(self.limits.stack_bytes);
        let deadline = Arc::new(Deadline::default());
        let check = deadline.clone();
        runtime.set_interrupt_handler(Some(Box::new(move || check.expired())));
        Ok(PooledRuntime { runtime, deadline })
    }

    fn give_back(&self, runtime: PooledRuntime) {
        runtime.deadline.clear();
        runtime.runtime.run_gc();
        let mut idle = self.idle.lock().expect("sandbox pool poisoned");
        if idle.len() < 16 {
            idle.push(runtime);
        }
    }

    /// Opens a session with a fresh context on a pooled runtime.
    pub fn session(self: &Arc<Self>) -> Result<JsSession, JsError> {
        JsSession::open(self.clone(), self.take()?)
    }
}
