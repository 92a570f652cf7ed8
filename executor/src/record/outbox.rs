//! The events an execution recorded but did not append yet, and when they go out.
//!
//! An execution that runs through without waiting (the common webhook case) is appended in one
//! group-commit request when it finishes: one row batch, one commit shared with every other
//! execution in flight. Events go out earlier when the execution waits for something (its task
//! would sleep: [`FlushPoint::around`]), or when the oldest pending event is older than
//! [`MAX_HOLD`], so a long-running execution is recorded as it goes.
//!
//! Early batches go through one flusher task per execution, started on the first early flush:
//! batches of one stream are appended in order, and after a failed append nothing more is.
//!
//! Blobs the pending events refer to travel with them and are stored (in their own
//! transaction) before the events are appended: a blob is durable before any reference to it.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use weft_commands::{Blob, EventStore, NewEvent, StoreError};

/// The longest an event waits in the outbox while the execution keeps running.
pub(super) const MAX_HOLD: Duration = Duration::from_millis(2);

/// Pending events of one execution and the way to append them.
pub(super) struct Outbox {
    store: EventStore,
    state: Mutex<State>,
    /// The last committed sequence of the stream.
    committed: watch::Sender<u64>,
    /// The last sequence recorded (committed or not).
    recorded: AtomicU64,
}

#[derive(Default)]
struct State {
    pending: Vec<NewEvent>,
    /// Blobs the pending events refer to.
    blobs: Vec<Blob>,
    /// When the oldest pending event was recorded.
    since: Option<Instant>,
    flusher: Option<Flusher>,
}

/// Events to append in order, with the blobs they refer to.
struct Batch {
    blobs: Vec<Blob>,
    events: Vec<NewEvent>,
}

impl Batch {
    /// Stores the blobs, then appends the events.
    async fn append(self, store: &EventStore) -> Result<(), StoreError> {
        store.put_blobs(&self.blobs).await?;
        store.append_new(self.events).await
    }
}

struct Flusher {
    batches: mpsc::UnboundedSender<Batch>,
    task: JoinHandle<Result<(), StoreError>>,
}

impl Outbox {
    pub(super) fn new(store: EventStore, committed: u64) -> Arc<Self> {
        Arc::new(Self {
            store,
            state: Mutex::new(State::default()),
            committed: watch::channel(committed).0,
            recorded: AtomicU64::new(committed),
        })
    }

    pub(super) fn committed(&self) -> watch::Receiver<u64> {
        self.committed.subscribe()
    }

    /// Queues an event (with the blobs it refers to); sends the pending ones on when the oldest
    /// has waited too long.
    pub(super) fn push(self: &Arc<Self>, event: NewEvent, blobs: Vec<Blob>) {
        self.recorded
            .store(event.sequence() as u64, Ordering::Release);
        let mut state = self.state.lock().expect("outbox lock");
        let now = Instant::now();
        let since = *state.since.get_or_insert(now);
        state.pending.push(event);
        if !blobs.is_empty() {
            state.blobs.extend(blobs);
        }
        if now.duration_since(since) >= MAX_HOLD {
            self.send(&mut state);
        }
    }

    /// Sends whatever is pending to the flusher task (started on first use).
    pub(super) fn flush(self: &Arc<Self>) {
        let mut state = self.state.lock().expect("outbox lock");
        self.send(&mut state);
    }

    fn send(self: &Arc<Self>, state: &mut State) {
        if state.pending.is_empty() {
            return;
        }
        state.since = None;
        let batch = Batch {
            blobs: std::mem::take(&mut state.blobs),
            events: std::mem::take(&mut state.pending),
        };
        let flusher = state.flusher.get_or_insert_with(|| {
            let (batches, receiver) = mpsc::unbounded_channel();
            Flusher {
                batches,
                task: tokio::spawn(append_in_order(self.clone(), receiver)),
            }
        });
        // A closed channel means an append failed; `finish` reports it.
        let _ = flusher.batches.send(batch);
    }

    /// Appends everything still pending and waits until all of it is committed.
    pub(super) async fn finish(self: &Arc<Self>) -> Result<(), FinishError> {
        let (pending, flusher) = {
            let mut state = self.state.lock().expect("outbox lock");
            state.since = None;
            let pending = Batch {
                blobs: std::mem::take(&mut state.blobs),
                events: std::mem::take(&mut state.pending),
            };
            (pending, state.flusher.take())
        };
        match flusher {
            // Nothing went out early: one append, no task.
            None => {
                let last = pending.events.last().map(NewEvent::sequence);
                pending.append(&self.store).await?;
                if let Some(last) = last {
                    self.committed.send_replace(last as u64);
                }
                Ok(())
            }
            Some(Flusher { batches, task }) => {
                if !pending.events.is_empty() {
                    let _ = batches.send(pending);
                }
                drop(batches);
                task.await.map_err(|_| FinishError::Stopped)??;
                Ok(())
            }
        }
    }
}

/// Why [`Outbox::finish`] failed.
pub(super) enum FinishError {
    Store(StoreError),
    Stopped,
}

impl From<StoreError> for FinishError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

async fn append_in_order(
    outbox: Arc<Outbox>,
    mut batches: mpsc::UnboundedReceiver<Batch>,
) -> Result<(), StoreError> {
    while let Some(mut batch) = batches.recv().await {
        while let Ok(more) = batches.try_recv() {
            batch.blobs.extend(more.blobs);
            batch.events.extend(more.events);
        }
        let last = batch.events.last().map_or(0, |e| e.sequence() as u64);
        batch.append(&outbox.store).await?;
        outbox.committed.send_replace(last);
    }
    Ok(())
}

/// Sends an execution's pending events whenever the future driving it waits, so whatever the
/// execution recorded before waiting (for a slot, a timer, a remote call) is committed meanwhile.
#[derive(Clone)]
pub struct FlushPoint(pub(super) Arc<Outbox>);

impl FlushPoint {
    /// The last sequence the execution recorded so far (committed or not).
    pub fn recorded(&self) -> u64 {
        self.0.recorded.load(Ordering::Acquire)
    }

    /// Drives `future`, flushing the outbox each time it returns `Pending`. The future is boxed:
    /// executions nest (sub-workflows run inline), and a large future kept inline in every
    /// level's state would grow the stack with each level.
    pub fn around<F: Future>(&self, future: F) -> Flushing<F> {
        Flushing {
            future: Box::pin(future),
            outbox: self.0.clone(),
        }
    }
}

/// The future of [`FlushPoint::around`].
pub struct Flushing<F> {
    future: Pin<Box<F>>,
    outbox: Arc<Outbox>,
}

impl<F: Future> Future for Flushing<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let polled = self.future.as_mut().poll(cx);
        if polled.is_pending() {
            self.outbox.flush();
        }
        polled
    }
}
