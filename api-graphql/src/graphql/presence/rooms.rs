//! The local side of presence: per open workflow, the sessions of this process and a watch channel
//! with the list every local subscriber of that workflow receives.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::watch;

/// One open `workflowPresence` subscription in this process.
pub type SessionId = u64;

struct Room {
    /// Actor of each local session.
    sessions: HashMap<SessionId, String>,
    /// The list local subscribers see.
    list: watch::Sender<Vec<String>>,
}

/// Every workflow with at least one local session.
#[derive(Default)]
pub(crate) struct Rooms {
    rooms: Mutex<HashMap<String, Room>>,
    next: AtomicU64,
}

impl Rooms {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Room>> {
        // A panic while holding the lock leaves consistent maps; keep serving.
        self.rooms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a session of `actor` on `workflow_id`; returns its id and the room's list.
    pub(crate) fn enter(
        &self,
        workflow_id: &str,
        actor: &str,
    ) -> (SessionId, watch::Receiver<Vec<String>>) {
        let session = self.next.fetch_add(1, Ordering::Relaxed);
        let mut rooms = self.lock();
        let room = rooms
            .entry(workflow_id.to_string())
            .or_insert_with(|| Room {
                sessions: HashMap::new(),
                list: watch::Sender::new(Vec::new()),
            });
        room.sessions.insert(session, actor.to_string());
        (session, room.list.subscribe())
    }

    /// Removes a session; the room goes when its last session does.
    pub(crate) fn leave(&self, workflow_id: &str, session: SessionId) {
        let mut rooms = self.lock();
        if let Some(room) = rooms.get_mut(workflow_id) {
            room.sessions.remove(&session);
            if room.sessions.is_empty() {
                rooms.remove(workflow_id);
            }
        }
    }

    /// The actors of the local sessions on `workflow_id`, sorted, each once.
    pub(crate) fn local_actors(&self, workflow_id: &str) -> Vec<String> {
        let rooms = self.lock();
        let mut actors: Vec<String> = rooms
            .get(workflow_id)
            .map(|room| room.sessions.values().cloned().collect())
            .unwrap_or_default();
        actors.sort();
        actors.dedup();
        actors
    }

    /// Shows `actors` to the local subscribers of `workflow_id` (only when the list changed).
    pub(crate) fn show(&self, workflow_id: &str, actors: Vec<String>) {
        if let Some(room) = self.lock().get(workflow_id) {
            room.list.send_if_modified(|list| {
                if *list == actors {
                    false
                } else {
                    *list = actors;
                    true
                }
            });
        }
    }

    /// Whether this process has a session on `workflow_id`.
    pub(crate) fn is_open(&self, workflow_id: &str) -> bool {
        self.lock().contains_key(workflow_id)
    }

    /// Every local session as (workflow, session, actor).
    pub(crate) fn sessions(&self) -> Vec<(String, SessionId, String)> {
        self.lock()
            .iter()
            .flat_map(|(workflow, room)| {
                room.sessions
                    .iter()
                    .map(|(session, actor)| (workflow.clone(), *session, actor.clone()))
            })
            .collect()
    }

    /// Every workflow with a local session.
    pub(crate) fn workflows(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_and_rooms_close_with_their_last_session() {
        let rooms = Rooms::default();
        let (bea, list) = rooms.enter("wf", "user:bea");
        let (ada, _) = rooms.enter("wf", "user:ada");
        let (ada_again, _) = rooms.enter("wf", "user:ada");
        assert_eq!(rooms.local_actors("wf"), ["user:ada", "user:bea"]);
        rooms.show("wf", rooms.local_actors("wf"));
        assert_eq!(*list.borrow(), ["user:ada", "user:bea"]);
        rooms.leave("wf", ada);
        assert_eq!(rooms.local_actors("wf"), ["user:ada", "user:bea"]);
        rooms.leave("wf", ada_again);
        rooms.leave("wf", bea);
        assert!(!rooms.is_open("wf"));
        assert!(rooms.sessions().is_empty());
    }
}
