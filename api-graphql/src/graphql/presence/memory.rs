//! In-process presence (the embedded default): the local rooms are the whole truth.

use std::sync::Arc;

use tokio_stream::wrappers::WatchStream;

use super::Joined;
use super::rooms::{Rooms, SessionId};

/// Presence within this process; cheap to clone.
#[derive(Clone, Default)]
pub struct MemoryPresence {
    rooms: Arc<Rooms>,
}

struct Leave {
    rooms: Arc<Rooms>,
    workflow_id: String,
    session: SessionId,
}

impl Drop for Leave {
    fn drop(&mut self) {
        self.rooms.leave(&self.workflow_id, self.session);
        let actors = self.rooms.local_actors(&self.workflow_id);
        self.rooms.show(&self.workflow_id, actors);
    }
}

impl MemoryPresence {
    /// Marks `actor` present on `workflow_id` until the guard is dropped.
    pub fn join(&self, workflow_id: &str, actor: &str) -> Joined {
        let (session, list) = self.rooms.enter(workflow_id, actor);
        self.rooms
            .show(workflow_id, self.rooms.local_actors(workflow_id));
        Joined {
            actors: WatchStream::new(list),
            guard: Box::new(Leave {
                rooms: self.rooms.clone(),
                workflow_id: workflow_id.to_string(),
                session,
            }),
        }
    }
}
