//! Weft's server library: the GraphQL API the `weft` binary serves.

pub mod graphql;
pub mod metrics;
pub mod rest;
pub mod static_ui;
pub mod triggers;
