//! Cancellation that also cuts short a sleeping node (a Wait, a retry pause): the service's
//! sleeper wakes when the execution is stopped.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Notify;

use crate::options::{CancelToken, Sleeper};

/// The stop switch of one execution: the engine's token plus a wake-up for sleepers.
#[derive(Clone, Default)]
pub(super) struct StopSwitch {
    pub(super) token: CancelToken,
    wake: Arc<Notify>,
}

impl StopSwitch {
    /// Requests the stop and wakes a sleeping node.
    pub(super) fn stop(&self) {
        self.token.cancel();
        self.wake.notify_waiters();
    }

    /// A sleeper that returns early when the execution is stopped.
    pub(super) fn sleeper(&self) -> Arc<dyn Sleeper> {
        Arc::new(self.clone())
    }
}

#[async_trait]
impl Sleeper for StopSwitch {
    async fn sleep(&self, duration: Duration) {
        let woken = self.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        if self.token.is_canceled() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(duration) => {}
            _ = woken => {}
        }
    }
}
