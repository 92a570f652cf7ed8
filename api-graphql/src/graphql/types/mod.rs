//! GraphQL object, input and enum types.

pub mod catalog;
pub mod definition;
pub mod diff;
pub mod enums;
pub mod history;
pub mod inputs;
pub mod presence;
pub mod workflow;
