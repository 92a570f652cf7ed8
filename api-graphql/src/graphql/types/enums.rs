//! GraphQL enums mirroring the domain's.

use async_graphql::Enum;

/// Deployment environment: Testing → Launched → Production.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "weft_domain::environment::Environment")]
pub enum Environment {
    /// Where workflows are built and edited.
    Testing,
    /// Staging, promoted from Testing.
    Launched,
    /// Live, promoted from Launched; changes only by promotion.
    Production,
}

/// What happens when a node fails.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "weft_domain::definition::OnError")]
pub enum OnError {
    /// Fail the execution.
    StopWorkflow,
    /// Emit the error as a regular item and go on.
    ContinueRegularOutput,
    /// Route failed items to the error output.
    ContinueErrorOutput,
}

/// Kind of a connection.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "weft_domain::definition::ConnectionKind")]
pub enum ConnectionKind {
    /// Items from a main output.
    Main,
    /// Failed items from the error output.
    Error,
}

/// Order in which ready nodes run.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "weft_domain::definition::ExecutionOrder")]
pub enum ExecutionOrder {
    /// n8n's legacy breadth-first order.
    V0,
    /// n8n's v1 order: depth-first, siblings by canvas position.
    V1,
}

/// Why a whole definition is replaced.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "weft_domain::workflow::ReplaceReason")]
pub enum ReplaceReason {
    /// Imported from a file.
    Import,
    /// Written by the AI assistant.
    Assistant,
    /// Replaced from the editor.
    Editor,
}

/// Format of an imported document.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// Weft JSON: a workflow definition plus `name` (and optional `description`), as exported.
    Weft,
    /// An n8n workflow document (name-keyed connections).
    #[graphql(name = "N8N")]
    N8n,
}
