//! One execution's JavaScript context: compiled expression and code functions, the data bridge
//! to the engine, and the limits around every call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use rquickjs::context::intrinsic::{
    Date, Eval, Json, MapSet, Promise, Proxy, RegExp, RegExpCompiler,
};
use rquickjs::{
    CatchResultExt, CaughtError, Context, Ctx, Function, Module, Runtime, Value as JsValue,
    WriteOptions,
};
use serde_json::Value;

use super::{PooledRuntime, Sandbox};

const PRELUDE: &str = include_str!("prelude.js");

type Intrinsics = (
    Date,
    Eval,
    RegExpCompiler,
    RegExp,
    Json,
    MapSet,
    Promise,
    Proxy,
);

/// The prelude compiled once per process: loading bytecode is several times cheaper than
/// parsing the source for every new context.
fn prelude_bytecode() -> Result<&'static [u8], JsError> {
    static BYTECODE: OnceLock<Result<Vec<u8>, JsError>> = OnceLock::new();
    let compiled = BYTECODE.get_or_init(|| {
        let runtime = Runtime::new().map_err(|e| JsError::Engine(e.to_string()))?;
        let context =
            Context::custom::<Intrinsics>(&runtime).map_err(|e| JsError::Engine(e.to_string()))?;
        context.with(|ctx| {
            let options = WriteOptions {
                strip_source: true,
                ..Default::default()
            };
            Module::declare(ctx.clone(), "weft-prelude", PRELUDE)
                .and_then(|m| m.write(options))
                .map_err(|e| JsError::Engine(format!("prelude does not compile: {e}")))
        })
    });
    compiled.as_deref().map_err(Clone::clone)
}

/// Failure of a JavaScript evaluation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsError {
    /// The engine itself failed (runtime creation, bad result encoding).
    #[error("JavaScript engine error: {0}")]
    Engine(String),
    /// The script threw (or did not compile).
    #[error("{0}")]
    Thrown(String),
    /// The wall-clock limit was reached.
    #[error("the script ran longer than {0:?} and was stopped")]
    Timeout(Duration),
    /// The memory limit was reached.
    #[error("the script used more memory than the limit of {0} bytes and was stopped")]
    OutOfMemory(usize),
}

/// Read access to engine data from inside scripts (`$input`, `$('Node')`, …).
pub trait HostBridge: Send + Sync {
    /// Answers one request from the prelude (an operation name and up to three arguments)
    /// with JSON text.
    fn call(
        &self,
        op: &str,
        name: Option<&str>,
        a: Option<f64>,
        b: Option<f64>,
    ) -> Result<String, String>;
}

type SharedHost = Arc<Mutex<Option<Arc<dyn HostBridge>>>>;

/// A context on a pooled runtime; returns the runtime to the pool when dropped, unless a limit
/// was hit (then the runtime is discarded).
pub struct JsSession {
    context: Option<Context>,
    runtime: Option<PooledRuntime>,
    sandbox: Arc<Sandbox>,
    host: SharedHost,
    expressions: HashMap<String, u32>,
    code: HashMap<String, u32>,
    poisoned: bool,
}

impl JsSession {
    pub(super) fn open(sandbox: Arc<Sandbox>, runtime: PooledRuntime) -> Result<Self, JsError> {
        let context = Context::custom::<Intrinsics>(&runtime.runtime)
            .map_err(|e| JsError::Engine(e.to_string()))?;
        let host: SharedHost = Arc::new(Mutex::new(None));
        let bridge = host.clone();
        context
            .with(|ctx| -> Result<(), JsError> {
                let f = Function::new(
                    ctx.clone(),
                    move |op: String,
                          name: Option<String>,
                          a: Option<f64>,
                          b: Option<f64>|
                          -> String {
                        let current = bridge.lock().expect("host bridge poisoned").clone();
                        let reply = match current {
                            Some(h) => h.call(&op, name.as_deref(), a, b),
                            None => Err("no data is available here".to_string()),
                        };
                        match reply {
                            Ok(text) => format!("{{\"ok\":{text}}}"),
                            Err(e) => serde_json::json!({ "err": e }).to_string(),
                        }
                    },
                )
                .map_err(|e| JsError::Engine(e.to_string()))?;
                ctx.globals()
                    .set("__weft_host", f)
                    .map_err(|e| JsError::Engine(e.to_string()))?;
                let bytecode = prelude_bytecode()?;
                // SAFETY: the bytes were written by `Module::write` of this same QuickJS build in
                // this process (see `prelude_bytecode`), so they are valid bytecode.
                let module = unsafe { Module::load(ctx.clone(), bytecode) }
                    .catch(&ctx)
                    .map_err(|e| caught(&ctx, e))?;
                let (_, done) = module.eval().catch(&ctx).map_err(|e| caught(&ctx, e))?;
                done.finish::<()>().catch(&ctx).map_err(|e| caught(&ctx, e))
            })
            .map_err(|e| JsError::Engine(format!("prelude failed: {e}")))?;
        Ok(Self {
            context: Some(context),
            runtime: Some(runtime),
            sandbox,
            host,
            expressions: HashMap::new(),
            code: HashMap::new(),
            poisoned: false,
        })
    }

    /// Installs (or removes) the data bridge used by the next calls.
    pub fn set_host(&self, host: Option<Arc<dyn HostBridge>>) {
        *self.host.lock().expect("host bridge poisoned") = host;
    }

    /// Sets the execution-wide globals (`$workflow`, `$execution`, `$vars`, time zone, clock).
    pub fn setup(&mut self, globals: &Value) -> Result<(), JsError> {
        let text = globals.to_string();
        self.call_string("__weft_setup", &[CallArg::Str(&text)], None)
            .map(|_| ())
    }

    /// Compiles an expression block once; returns its id.
    pub fn compile_expression(&mut self, code: &str) -> Result<u32, JsError> {
        self.compile("__weft_compile_expr", code)
    }

    /// Compiles Code node source once; returns its id.
    pub fn compile_code(&mut self, code: &str) -> Result<u32, JsError> {
        self.compile("__weft_compile_code", code)
    }

    fn compile(&mut self, compiler: &'static str, code: &str) -> Result<u32, JsError> {
        let cache = if compiler == "__weft_compile_expr" {
            &self.expressions
        } else {
            &self.code
        };
        if let Some(id) = cache.get(code) {
            return Ok(*id);
        }
        let id = self.call_string(compiler, &[CallArg::Str(code)], None)?;
        let id: u32 = id
            .parse()
            .map_err(|_| JsError::Engine(format!("bad function id {id}")))?;
        let cache = if compiler == "__weft_compile_expr" {
            &mut self.expressions
        } else {
            &mut self.code
        };
        cache.insert(code.to_string(), id);
        Ok(id)
    }

    /// Evaluates a compiled expression for one item; `None` means `undefined`.
    pub fn eval_expression(
        &mut self,
        id: u32,
        item_index: usize,
        run_index: usize,
    ) -> Result<Option<Value>, JsError> {
        let timeout = self.sandbox.limits().expression_timeout;
        let out = self.call_string(
            "__weft_eval",
            &[
                CallArg::Num(id as f64),
                CallArg::Num(item_index as f64),
                CallArg::Num(run_index as f64),
            ],
            Some(timeout),
        )?;
        decode(&out)
    }

    /// Runs compiled Code node source (for one item when `item_index` is set, else for all
    /// items); returns what the code returned, normalised to a list of items.
    pub fn run_code(
        &mut self,
        id: u32,
        item_index: Option<usize>,
        run_index: usize,
    ) -> Result<Option<Value>, JsError> {
        let timeout = self.sandbox.limits().code_timeout;
        let index = item_index.map_or(-1.0, |i| i as f64);
        let out = self.call_string(
            "__weft_run_code",
            &[
                CallArg::Num(id as f64),
                CallArg::Num(index),
                CallArg::Num(run_index as f64),
            ],
            Some(timeout),
        )?;
        decode(&out)
    }

    fn call_string(
        &mut self,
        name: &str,
        args: &[CallArg<'_>],
        timeout: Option<Duration>,
    ) -> Result<String, JsError> {
        if self.poisoned {
            return Err(JsError::Engine(
                "the sandbox was stopped after a limit was hit".into(),
            ));
        }
        let runtime = self.runtime.as_ref().expect("runtime present until drop");
        let context = self.context.as_ref().expect("context present until drop");
        let deadline = runtime.deadline.clone();
        if let Some(t) = timeout {
            deadline.set(t);
        }
        let result = context.with(|ctx| -> Result<String, JsError> {
            let f: Function = ctx
                .globals()
                .get(name)
                .map_err(|e| JsError::Engine(e.to_string()))?;
            let mut call_args = rquickjs::function::Args::new(ctx.clone(), args.len());
            for arg in args {
                match arg {
                    CallArg::Str(s) => call_args.push_arg(*s),
                    CallArg::Num(n) => call_args.push_arg(*n),
                }
                .map_err(|e| JsError::Engine(e.to_string()))?;
            }
            let value: JsValue = f
                .call_arg(call_args)
                .catch(&ctx)
                .map_err(|e| caught(&ctx, e))?;
            let value = settle(&ctx, value)?;
            value
                .as_string()
                .and_then(|s| s.to_string().ok())
                .ok_or_else(|| JsError::Engine("the script returned no result".into()))
        });
        let timed_out = deadline.expired();
        deadline.clear();
        match result {
            Err(_) if timed_out => {
                self.poisoned = true;
                Err(JsError::Timeout(timeout.unwrap_or_default()))
            }
            Err(JsError::Thrown(m)) if m.contains("out of memory") => {
                self.poisoned = true;
                Err(JsError::OutOfMemory(self.sandbox.limits().memory_bytes))
            }
            Err(JsError::Engine(m)) if m.contains("Allocation") || m.contains("out of memory") => {
                self.poisoned = true;
                Err(JsError::OutOfMemory(self.sandbox.limits().memory_bytes))
            }
            other => other,
        }
    }
}

enum CallArg<'a> {
    Str(&'a str),
    Num(f64),
}

fn caught(ctx: &Ctx<'_>, e: CaughtError<'_>) -> JsError {
    let _ = ctx;
    match e {
        CaughtError::Error(rquickjs::Error::Allocation) => JsError::OutOfMemory(0),
        CaughtError::Error(other) => JsError::Engine(other.to_string()),
        CaughtError::Exception(ex) => {
            let message = ex.message().unwrap_or_default();
            let name: Option<String> = ex.get("name").ok();
            match name.as_deref() {
                Some("Error") | None => JsError::Thrown(message),
                Some(n) if message.is_empty() => JsError::Thrown(n.to_string()),
                Some(n) => JsError::Thrown(format!("{n}: {message}")),
            }
        }
        CaughtError::Value(v) => {
            let text = v
                .as_string()
                .and_then(|s| s.to_string().ok())
                .unwrap_or_else(|| format!("{:?}", v.type_of()));
            if text.contains("out of memory") {
                JsError::Thrown("out of memory".into())
            } else {
                JsError::Thrown(text)
            }
        }
    }
}

/// Drives a returned promise to completion (async Code nodes); other values pass through.
fn settle<'js>(ctx: &Ctx<'js>, value: JsValue<'js>) -> Result<JsValue<'js>, JsError> {
    let Some(promise) = value.as_promise().cloned() else {
        return Ok(value);
    };
    promise.finish::<JsValue>().catch(ctx).map_err(|e| match e {
        CaughtError::Error(rquickjs::Error::WouldBlock) => JsError::Thrown(
            "the script waits for something that never happens (timers and I/O are not available)"
                .into(),
        ),
        other => caught(ctx, other),
    })
}

fn decode(out: &str) -> Result<Option<Value>, JsError> {
    if out == "u" {
        return Ok(None);
    }
    serde_json::from_str(out)
        .map(Some)
        .map_err(|e| JsError::Engine(format!("bad result encoding: {e}")))
}

impl Drop for JsSession {
    fn drop(&mut self) {
        self.set_host(None);
        self.context.take();
        if let Some(runtime) = self.runtime.take()
            && !self.poisoned
        {
            self.sandbox.give_back(runtime);
        }
    }
}
