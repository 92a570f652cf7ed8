//! Weft's read models and the projection runner.
//!
//! Invariants: read models are a pure function of the event log. The runner applies events in
//! global commit order and writes rows and checkpoint in one transaction, so after a crash it
//! resumes exactly where it stopped: nothing lost, nothing applied twice. `rebuild` replays from
//! zero and must reproduce the live tables bit for bit.

pub mod access;
mod conditions;
pub mod error;
pub mod executions;
pub mod model;
pub mod queries;
pub mod rebuild;
pub mod runner;
mod sink;
mod statements;
pub mod tables;

pub use error::ProjectionError;
pub use model::{AuditRow, VersionRow, WorkflowRow};
pub use queries::{AuditFilter, ReadModels, WorkflowFilter};
pub use rebuild::{RebuildReport, rebuild};
pub use runner::{FEED_CAPACITY, ProjectionFeed, ProjectionRunner};
pub use tables::TableSet;
