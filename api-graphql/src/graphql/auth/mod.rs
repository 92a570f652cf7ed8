//! Authentication and authorization in the API: the policy guard every request passes
//! ([`policy`]), and the queries and mutations of setup, sign-in, users and API keys.

pub mod mutation;
pub mod policy;
pub mod query;
pub mod types;

pub use mutation::AuthMutations;
pub use policy::AuthGuard;
pub use query::AuthQueries;
