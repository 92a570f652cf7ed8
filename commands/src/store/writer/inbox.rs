//! The queue in front of the SQLite writer thread.
//!
//! A std channel wakes its receiver on every send: with 64 commands coming back after a commit the
//! writer thread was woken 64 times per batch, each a context switch on a busy machine. Here the
//! writer says how many requests it waits for and is woken once, when that many are queued (or
//! the batch is full, or the store is closed).

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::Request;

/// Requests queued for the writer thread.
pub(super) struct Inbox {
    state: Mutex<State>,
    ready: Condvar,
    max_events: usize,
}

struct State {
    requests: Vec<Request>,
    events: usize,
    /// The writer sleeps until this many requests are queued; 0 when it is not sleeping.
    wake_at: usize,
    closed: bool,
}

impl Inbox {
    pub(super) fn new(max_events: usize) -> Self {
        Self {
            state: Mutex::new(State {
                requests: Vec::new(),
                events: 0,
                wake_at: 0,
                closed: false,
            }),
            ready: Condvar::new(),
            max_events: max_events.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock leaves plain data behind; carry on with it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues a request; gives it back when the writer is gone.
    pub(super) fn push(&self, request: Request) -> Result<(), Request> {
        let mut state = self.lock();
        if state.closed {
            return Err(request);
        }
        state.events += request.events.len();
        state.requests.push(request);
        let wake = state.wake_at != 0
            && (state.requests.len() >= state.wake_at || state.events >= self.max_events);
        if wake {
            state.wake_at = 0;
            drop(state);
            self.ready.notify_one();
        }
        Ok(())
    }

    /// Tells the writer thread no more requests will come.
    pub(super) fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_one();
    }

    /// How many requests are queued now.
    pub(super) fn queued(&self) -> usize {
        self.lock().requests.len()
    }

    /// Waits for at least one request, then until `expected` are queued (at most `linger` after
    /// the first one, or until the batch is full), and takes up to a full batch, saying whether
    /// a wait of `linger` ran out before `expected` were queued. `None` once the inbox is closed
    /// and empty.
    pub(super) fn take(&self, expected: usize, linger: Duration) -> Option<(Vec<Request>, bool)> {
        let mut state = self.lock();
        let mut deadline: Option<Instant> = None;
        let mut ran_out = false;
        loop {
            let queued = state.requests.len();
            if queued == 0 {
                if state.closed {
                    return None;
                }
                state.wake_at = 1;
                state = self
                    .ready
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                continue;
            }
            if queued >= expected || state.events >= self.max_events || state.closed {
                break;
            }
            let deadline = *deadline.get_or_insert_with(|| Instant::now() + linger);
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                ran_out = !linger.is_zero();
                break;
            };
            state.wake_at = expected;
            state = self
                .ready
                .wait_timeout(state, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
        state.wake_at = 0;
        Some((self.take_batch(&mut state), ran_out))
    }

    /// Takes requests from the front until the batch holds `max_events` events (at least one
    /// request, whatever its size).
    fn take_batch(&self, state: &mut State) -> Vec<Request> {
        if state.events <= self.max_events {
            state.events = 0;
            return std::mem::take(&mut state.requests);
        }
        let mut events = 0;
        let mut count = 0;
        for request in &state.requests {
            if count > 0 && events + request.events.len() > self.max_events {
                break;
            }
            events += request.events.len();
            count += 1;
        }
        state.events -= events;
        state.requests.drain(..count).collect()
    }
}
