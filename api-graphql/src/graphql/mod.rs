//! Weft's GraphQL API (async-graphql on axum): queries over the read models, one mutation per
//! workflow command, subscriptions fed by the projection feed.
//!
//! - [`http`]: the `/graphql` endpoint (POST, GraphiQL, graphql-ws) with its body limit.
//! - [`actor`]: who is calling (the authenticated principal) and the request's correlation id.
//! - [`auth`]: the policy guard every request passes; setup, sign-in, users and API keys.
//! - [`error`]: stable error codes in `extensions.code`.
//! - [`query`], [`mutation`], [`subscription`]: the root types; [`types`]: everything they return.
//! - [`presence`]: who has a workflow open (in-process, or shared through Redis).

pub mod actor;
pub mod api;
pub mod auth;
pub mod credentials;
pub mod documents;
pub mod error;
pub mod executions;
pub mod feed;
pub mod http;
pub mod mutation;
pub mod presence;
pub mod query;
pub mod subscription;
pub mod types;

use async_graphql::{MergedObject, MergedSubscription, Schema};
use axum::Router;

pub use api::Api;

/// Every query: workflows, audit, catalog, executions, users and credentials.
#[derive(MergedObject, Default)]
pub struct Query(
    query::Query,
    executions::ExecutionQuery,
    auth::AuthQueries,
    credentials::CredentialQueries,
);

/// Every mutation: workflow commands, executions, sign-in and users, credentials.
#[derive(MergedObject, Default)]
pub struct Mutation(
    mutation::WorkflowMutations,
    executions::ExecutionMutation,
    auth::AuthMutations,
    credentials::CredentialMutations,
);

/// Every subscription: workflow edits and executions.
#[derive(MergedSubscription, Default)]
pub struct Subscription(
    subscription::Subscription,
    executions::ExecutionSubscription,
);

/// The schema type.
pub type WeftSchema = Schema<Query, Mutation, Subscription>;

/// Limits that protect the server from oversized or expensive requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted request body, in bytes (413 beyond).
    pub body_bytes: usize,
    /// Deepest accepted selection nesting.
    pub depth: usize,
    /// Largest accepted query complexity (one per field).
    pub complexity: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 4 * 1024 * 1024,
            depth: 16,
            complexity: 2_000,
        }
    }
}

/// The schema with its limits and error codes, serving `api`.
pub fn schema(api: Api, limits: Limits) -> WeftSchema {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_depth(limits.depth)
    .limit_complexity(limits.complexity)
    .extension(auth::AuthGuard)
    .extension(error::ErrorCodes)
    .extension(crate::metrics::SubscriptionGauge)
    .data(api)
    .finish()
}

/// The schema in SDL, as committed in `api-graphql/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .finish()
    .sdl()
}

/// The `/graphql` routes serving `api`, and the REST routes over the same schema.
pub fn router<S: Clone + Send + Sync + 'static>(api: Api, limits: Limits) -> Router<S> {
    let access = api.access.clone();
    let schema = schema(api, limits);
    http::routes(schema.clone(), limits, access.clone()).merge(crate::rest::routes(schema, access))
}
