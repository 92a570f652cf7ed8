//! Who has a workflow open.

use async_graphql::{ComplexObject, Context, ID, SimpleObject};
use weft_domain::metadata::Actor;

use crate::graphql::Api;
use crate::graphql::auth::types::User;

/// The people who have a workflow open right now.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct WorkflowPresence {
    /// The workflow.
    pub workflow_id: ID,
    /// The present actors (`user:ID`, or `apikey:KEY:USER` for programs), sorted, each once.
    pub actors: Vec<String>,
}

#[ComplexObject]
impl WorkflowPresence {
    /// The present users (by email and role, for avatars), in the order of `actors`; a person
    /// present both in person and through an API key is listed once.
    async fn users(&self, ctx: &Context<'_>) -> Vec<User> {
        let api = ctx.data_unchecked::<Api>();
        let mut ids: Vec<String> = Vec::new();
        for actor in self.actors.iter().filter_map(|a| Actor::parse(a)) {
            let id = match actor {
                Actor::User { user_id } | Actor::ApiKey { user_id, .. } => user_id,
                Actor::System { .. } | Actor::Assistant { .. } => continue,
            };
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let mut users = Vec::with_capacity(ids.len());
        for id in ids {
            if let Ok(user) = api.access.user(&id).await {
                users.push(User::from(user));
            }
        }
        users
    }
}
