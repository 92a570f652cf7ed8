//! Executions read models: the executions list (rows written by the projection runner in the same
//! transaction as its checkpoint) and each execution's node runs in order (detail and path),
//! folded from the execution's own stream when read.

pub mod model;
pub mod node_runs;
pub mod queries;
pub(crate) mod sink;
pub mod tables;

pub use model::{ExecutionChanges, ExecutionRow};
pub use node_runs::NodeRunRow;
pub use queries::{ExecutionDetail, ExecutionFilter, ExecutionPage, ExecutionQueries, PathStep};
