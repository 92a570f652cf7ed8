//! Executions read models: the executions list, each execution's node runs in order (detail and
//! path). Rows are written by the projection runner in the same transaction as its checkpoint.

pub mod model;
pub mod queries;
pub(crate) mod sink;
pub mod tables;

pub use model::{ExecutionChanges, ExecutionRow, NodeRunRow};
pub use queries::{ExecutionDetail, ExecutionFilter, ExecutionPage, ExecutionQueries, PathStep};
