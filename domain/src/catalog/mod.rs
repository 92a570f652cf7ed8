//! The node catalog: which node types exist, their ports and parameter schemas.
//!
//! The catalog is pure data. The workflow aggregate uses it to reject unknown node types and
//! connections to ports that do not exist; the executor implements every type listed here;
//! the editor renders parameter forms from the schemas.

mod builtin;
mod builtin_parameters;
mod schema;

pub use builtin::BuiltinCatalog;
pub use schema::{
    CredentialSpec, NodeCategory, NodeTypeDescription, ParameterOption, ParameterSpec,
    ParameterType, PortNames, TriggerKind,
};

use crate::definition::Node;

/// Number of main inputs and outputs a concrete node has (error output not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// Main inputs.
    pub inputs: u32,
    /// Main outputs.
    pub outputs: u32,
}

/// Read access to the node types known to this installation.
pub trait NodeCatalog: Send + Sync {
    /// The description of a node type, if it is known.
    fn describe(&self, node_type: &str) -> Option<&NodeTypeDescription>;

    /// All known node types.
    fn all(&self) -> Vec<&NodeTypeDescription>;

    /// The ports a concrete node has; `None` when its type (or type version) is unknown.
    /// Some types derive their port count from their parameters (Switch rules, Merge inputs).
    fn ports(&self, node: &Node) -> Option<Ports> {
        let description = self.describe(&node.node_type)?;
        if !description.supports_version(node.type_version) {
            return None;
        }
        Some(description.ports_for(node))
    }
}
