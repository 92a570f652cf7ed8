//! Weft's domain model: workflow definitions, the node catalog, aggregates, commands, events and
//! their invariants.
//!
//! Invariant of this crate: it does no I/O. Time, ids and randomness come in through commands and
//! metadata; persistence and transport live in `weft-commands` and above.

pub mod catalog;
pub mod credential;
pub mod definition;
pub mod diff;
pub mod environment;
pub mod execution;
pub mod metadata;
pub mod triggers;
pub mod user;
pub mod workflow;
