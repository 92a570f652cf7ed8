//! Presence shared through Redis, so every `weft serve` on one Redis sees the same people.
//!
//! Per workflow, the sorted set `weft:presence:{workflow}` holds one member per open session
//! (`{session uuid} {actor}`) scored with the time (ms) it expires. Each process renews its own
//! sessions every heartbeat and the key's TTL with them, so the sessions of a process that died
//! drop out after the TTL and an abandoned set disappears. Joins and leaves are announced on the
//! channel of the same name; every process with local subscribers on that workflow then rereads
//! the set (it also rereads on each heartbeat, which notices expired sessions).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use redis::AsyncCommands;
use redis::aio::MultiplexedConnection;
use tokio_stream::wrappers::WatchStream;
use uuid::Uuid;

use super::rooms::{Rooms, SessionId};
use super::{Joined, PresenceError, PresenceTiming};

const PREFIX: &str = "weft:presence:";

/// Presence through one Redis; cheap to clone.
#[derive(Clone)]
pub struct RedisPresence {
    inner: Arc<Inner>,
}

struct Inner {
    client: redis::Client,
    conn: MultiplexedConnection,
    rooms: Rooms,
    timing: PresenceTiming,
    /// Distinguishes this process's sessions from other processes'.
    process: Uuid,
}

fn key(workflow_id: &str) -> String {
    format!("{PREFIX}{workflow_id}")
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Inner {
    fn member(&self, session: SessionId, actor: &str) -> String {
        format!("{}:{session} {actor}", self.process)
    }

    /// Adds or renews a session and the key's TTL.
    async fn renew(
        &self,
        workflow_id: &str,
        session: SessionId,
        actor: &str,
    ) -> Result<(), PresenceError> {
        let key = key(workflow_id);
        let expires = now_ms() + self.timing.ttl.as_millis() as i64;
        let ttl = self.timing.ttl.as_secs().max(1) as i64 + 1;
        let mut conn = self.conn.clone();
        redis::pipe()
            .zadd(&key, self.member(session, actor), expires)
            .ignore()
            .expire(&key, ttl)
            .ignore()
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    /// Tells every process that `workflow_id`'s list changed.
    async fn announce(&self, workflow_id: &str) -> Result<(), PresenceError> {
        let mut conn = self.conn.clone();
        conn.publish::<_, _, ()>(key(workflow_id), "changed")
            .await?;
        Ok(())
    }

    /// Rereads `workflow_id`'s list (dropping expired sessions) and shows it locally.
    async fn refresh(&self, workflow_id: &str) -> Result<(), PresenceError> {
        let key = key(workflow_id);
        let now = now_ms();
        let mut conn = self.conn.clone();
        let (members,): (Vec<String>,) = redis::pipe()
            .zrembyscore(&key, "-inf", now)
            .ignore()
            .zrangebyscore(&key, now, "+inf")
            .query_async(&mut conn)
            .await?;
        let mut actors: Vec<String> = members
            .into_iter()
            .filter_map(|member| member.split_once(' ').map(|(_, actor)| actor.to_string()))
            .collect();
        actors.sort();
        actors.dedup();
        self.rooms.show(workflow_id, actors);
        Ok(())
    }

    async fn leave(
        &self,
        workflow_id: &str,
        session: SessionId,
        actor: &str,
    ) -> Result<(), PresenceError> {
        let mut conn = self.conn.clone();
        conn.zrem::<_, _, ()>(key(workflow_id), self.member(session, actor))
            .await?;
        self.announce(workflow_id).await
    }

    /// Renews every local session and rereads every list this process serves.
    async fn heartbeat(&self) -> Result<(), PresenceError> {
        for (workflow_id, session, actor) in self.rooms.sessions() {
            self.renew(&workflow_id, session, &actor).await?;
        }
        for workflow_id in self.rooms.workflows() {
            self.refresh(&workflow_id).await?;
        }
        Ok(())
    }
}

struct Leave {
    inner: Arc<Inner>,
    workflow_id: String,
    session: SessionId,
    actor: String,
}

impl Drop for Leave {
    fn drop(&mut self) {
        self.inner.rooms.leave(&self.workflow_id, self.session);
        let inner = self.inner.clone();
        let workflow_id = std::mem::take(&mut self.workflow_id);
        let actor = std::mem::take(&mut self.actor);
        let session = self.session;
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = inner.leave(&workflow_id, session, &actor).await {
                    // The heartbeat stops renewing the session; it expires after the TTL.
                    tracing::warn!(%error, workflow_id, "presence: leaving failed");
                }
            });
        }
    }
}

impl RedisPresence {
    /// Connects to Redis at `url` and starts listening for changes and renewing sessions.
    pub async fn connect(url: &str, timing: PresenceTiming) -> Result<Self, PresenceError> {
        let client = redis::Client::open(url)
            .map_err(|e| PresenceError::Redis(format!("invalid Redis URL: {e}")))?;
        let conn = client.get_multiplexed_async_connection().await?;
        let inner = Arc::new(Inner {
            client,
            conn,
            rooms: Rooms::default(),
            timing,
            process: Uuid::new_v4(),
        });
        let mut pubsub = inner.client.get_async_pubsub().await?;
        pubsub.psubscribe(format!("{PREFIX}*")).await?;
        tokio::spawn(listen(Arc::downgrade(&inner), pubsub));
        tokio::spawn(heartbeat(Arc::downgrade(&inner)));
        Ok(Self { inner })
    }

    /// Marks `actor` present on `workflow_id` until the guard is dropped.
    pub async fn join(&self, workflow_id: &str, actor: &str) -> Result<Joined, PresenceError> {
        let inner = &self.inner;
        let (session, list) = inner.rooms.enter(workflow_id, actor);
        let guard = Leave {
            inner: inner.clone(),
            workflow_id: workflow_id.to_string(),
            session,
            actor: actor.to_string(),
        };
        inner.renew(workflow_id, session, actor).await?;
        inner.refresh(workflow_id).await?;
        inner.announce(workflow_id).await?;
        Ok(Joined {
            actors: WatchStream::new(list),
            guard: Box::new(guard),
        })
    }
}

/// Rereads a workflow's list whenever any process announces a change to it. Reconnects after
/// losing Redis; stops when the presence service is gone.
async fn listen(inner: std::sync::Weak<Inner>, mut pubsub: redis::aio::PubSub) {
    loop {
        {
            let mut messages = pubsub.on_message();
            while let Some(message) = messages.next().await {
                let Some(inner) = inner.upgrade() else { return };
                let channel = message.get_channel_name();
                let Some(workflow_id) = channel.strip_prefix(PREFIX) else {
                    continue;
                };
                if inner.rooms.is_open(workflow_id)
                    && let Err(error) = inner.refresh(workflow_id).await
                {
                    tracing::warn!(%error, "presence: rereading a list failed");
                }
            }
        }
        tracing::warn!("presence: lost the Redis subscription; reconnecting");
        pubsub = loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let Some(strong) = inner.upgrade() else {
                return;
            };
            match strong.client.get_async_pubsub().await {
                Ok(mut fresh) => {
                    if fresh.psubscribe(format!("{PREFIX}*")).await.is_ok() {
                        let _ = strong.heartbeat().await;
                        break fresh;
                    }
                }
                Err(error) => tracing::warn!(%error, "presence: Redis is unreachable"),
            }
        };
    }
}

/// Renews this process's sessions and rereads its lists every heartbeat.
async fn heartbeat(inner: std::sync::Weak<Inner>) {
    let period = inner
        .upgrade()
        .map_or(Duration::from_secs(5), |i| i.timing.heartbeat);
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        if let Err(error) = inner.heartbeat().await {
            tracing::warn!(%error, "presence: heartbeat failed");
        }
    }
}
