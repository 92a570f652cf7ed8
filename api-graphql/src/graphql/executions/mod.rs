//! The executions API: queries over the executions read models (list, detail with node runs,
//! logs, path and replay), mutations through the execution service (execute, stop, retry) and
//! subscriptions fed by the projection feed.

pub mod enums;
pub mod items;
pub mod logs;
pub mod mutation;
pub mod query;
pub mod subscription;
pub mod types;

pub use mutation::ExecutionMutation;
pub use query::ExecutionQuery;
pub use subscription::ExecutionSubscription;
