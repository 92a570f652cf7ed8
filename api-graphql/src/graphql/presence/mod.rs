//! Presence: who has a workflow open. A `workflowPresence` subscription marks its caller present
//! for as long as it stays open and streams the sorted list of present actors whenever it changes.
//!
//! - [`memory`]: the embedded default, one process.
//! - [`redis`]: with `WEFT_REDIS_URL`, shared by every `weft serve` on one Redis (a sorted set per
//!   workflow whose scores are expiry times refreshed by a heartbeat, plus a pub/sub channel that
//!   announces changes).
//!
//! Both backends keep the local side in [`rooms::Rooms`]: one watch channel per open workflow that
//! every local subscriber of that workflow reads.

pub mod memory;
pub mod redis;
mod rooms;

use std::time::Duration;

use futures::Stream;
use tokio_stream::wrappers::WatchStream;

pub use rooms::SessionId;

/// Failures of the presence service.
#[derive(Debug, thiserror::Error)]
pub enum PresenceError {
    /// Redis could not be reached or answered with an error.
    #[error("presence is unavailable: {0}")]
    Redis(String),
}

impl From<::redis::RedisError> for PresenceError {
    fn from(error: ::redis::RedisError) -> Self {
        Self::Redis(error.to_string())
    }
}

/// Timing of the shared (Redis) presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresenceTiming {
    /// How often a process renews its sessions and rereads the lists it serves.
    pub heartbeat: Duration,
    /// How long a session stays present without a renewal (a process that died drops out
    /// after this).
    pub ttl: Duration,
}

impl Default for PresenceTiming {
    fn default() -> Self {
        Self {
            heartbeat: Duration::from_secs(5),
            ttl: Duration::from_secs(15),
        }
    }
}

/// The presence service of one process; cheap to clone.
#[derive(Clone)]
pub enum Presence {
    /// In this process only.
    Memory(memory::MemoryPresence),
    /// Shared through Redis.
    Redis(redis::RedisPresence),
}

impl Default for Presence {
    fn default() -> Self {
        Self::Memory(memory::MemoryPresence::default())
    }
}

/// An open presence: the actor stays present until this is dropped.
pub struct Joined {
    /// The present actors (`user:ada`, …), sorted, each once; first the current list, then
    /// every change.
    pub actors: WatchStream<Vec<String>>,
    /// Leaves when dropped.
    pub guard: Box<dyn Send + Sync>,
}

impl Presence {
    /// Presence through Redis at `url`, with the default timing.
    pub async fn redis(url: &str) -> Result<Self, PresenceError> {
        Ok(Self::Redis(
            redis::RedisPresence::connect(url, PresenceTiming::default()).await?,
        ))
    }

    /// Marks `actor` present on `workflow_id` until the returned guard is dropped.
    pub async fn join(&self, workflow_id: &str, actor: &str) -> Result<Joined, PresenceError> {
        match self {
            Self::Memory(presence) => Ok(presence.join(workflow_id, actor)),
            Self::Redis(presence) => presence.join(workflow_id, actor).await,
        }
    }
}

/// A stream that keeps `guard` alive as long as it is polled or held.
pub fn holding<S: Stream + Unpin>(
    stream: S,
    guard: Box<dyn Send + Sync>,
) -> impl Stream<Item = S::Item> {
    futures::stream::unfold((stream, guard), |(mut stream, guard)| async move {
        use futures::StreamExt;
        let item = stream.next().await?;
        Some((item, (stream, guard)))
    })
}
