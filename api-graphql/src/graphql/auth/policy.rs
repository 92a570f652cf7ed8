//! Who may run which root field. Checked once per request on the parsed document, before
//! anything executes: a refused request changes nothing. Root fields not listed here need an
//! authenticated caller (queries, subscriptions) or an editor (mutations), so new operations are
//! guarded by default.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{ErrorExtensions, Pos, ServerError, ServerResult, Variables};

use crate::graphql::actor::RequestContext;

/// Code of a request without valid credentials.
pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
/// Code of a request whose caller's role does not allow it.
pub const FORBIDDEN: &str = "FORBIDDEN";

/// What a root field needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Requirement {
    /// Anyone (sign-in, setup, status, introspection).
    Public,
    /// Any signed-in user or API key.
    Authenticated,
    /// An editor, admin or the owner.
    Editor,
    /// An admin or the owner.
    UserManager,
}

/// The requirement of one root field.
pub fn requirement(operation: OperationType, field: &str) -> Requirement {
    if field.starts_with("__") {
        return Requirement::Public;
    }
    match (operation, field) {
        (OperationType::Query, "authStatus") => Requirement::Public,
        (OperationType::Query, "users") => Requirement::UserManager,
        (OperationType::Query, _) | (OperationType::Subscription, _) => Requirement::Authenticated,
        (OperationType::Mutation, "setupOwner" | "login" | "refreshToken") => Requirement::Public,
        (
            OperationType::Mutation,
            "logout" | "changePassword" | "createApiKey" | "revokeApiKey",
        ) => Requirement::Authenticated,
        (
            OperationType::Mutation,
            "createUser" | "changeUserRole" | "disableUser" | "enableUser",
        ) => Requirement::UserManager,
        (OperationType::Mutation, _) => Requirement::Editor,
    }
}

fn root_fields<'d>(
    document: &'d ExecutableDocument,
    set: &'d SelectionSet,
    out: &mut Vec<&'d str>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => out.push(field.node.name.node.as_str()),
            Selection::InlineFragment(fragment) => {
                root_fields(document, &fragment.node.selection_set.node, out, depth + 1)
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    root_fields(document, &fragment.node.selection_set.node, out, depth + 1);
                }
            }
        }
    }
}

/// The strongest requirement of every root field of every operation in the document.
pub fn document_requirement(document: &ExecutableDocument) -> (Requirement, String) {
    let mut strongest = (Requirement::Public, String::new());
    for (_, operation) in document.operations.iter() {
        let mut fields = Vec::new();
        root_fields(document, &operation.node.selection_set.node, &mut fields, 0);
        for field in fields {
            let needed = requirement(operation.node.ty, field);
            if needed > strongest.0 {
                strongest = (needed, field.to_string());
            }
        }
    }
    strongest
}

fn refused(code: &'static str, message: String) -> ServerError {
    async_graphql::Error::new(message)
        .extend_with(|_, extensions| extensions.set("code", code))
        .into_server_error(Pos::default())
}

/// Checks `caller` against what the document needs.
pub fn check(document: &ExecutableDocument, caller: Option<&RequestContext>) -> ServerResult<()> {
    let (needed, field) = document_requirement(document);
    if needed == Requirement::Public {
        return Ok(());
    }
    let Some(principal) = caller.and_then(|c| c.principal.as_ref()) else {
        let message = caller
            .and_then(|c| c.auth_error.clone())
            .unwrap_or_else(|| {
                "authentication required: send `Authorization: Bearer <token>` or `X-API-Key`"
                    .into()
            });
        return Err(refused(UNAUTHENTICATED, message));
    };
    let allowed = match needed {
        Requirement::Public | Requirement::Authenticated => true,
        Requirement::Editor => principal.role.can_edit(),
        Requirement::UserManager => principal.role.can_manage_users(),
    };
    if allowed {
        Ok(())
    } else {
        let what = match needed {
            Requirement::UserManager => "only the owner and admins can",
            _ => "only editors, admins and the owner can",
        };
        Err(refused(
            FORBIDDEN,
            format!("`{field}` is not allowed for a {}: {what}", principal.role),
        ))
    }
}

/// The extension enforcing the policy on every request and subscription.
pub struct AuthGuard;

impl ExtensionFactory for AuthGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AuthGuard)
    }
}

#[async_trait::async_trait]
impl Extension for AuthGuard {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        check(&document, ctx.data_opt::<RequestContext>())?;
        Ok(document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needed(query: &str) -> Requirement {
        document_requirement(&async_graphql::parser::parse_query(query).unwrap()).0
    }

    #[test]
    fn root_fields_are_found_through_fragments() {
        assert_eq!(
            needed("{ authStatus { setupRequired } }"),
            Requirement::Public
        );
        assert_eq!(
            needed("{ __schema { types { name } } }"),
            Requirement::Public
        );
        assert_eq!(
            needed("{ authStatus { setupRequired } workflows { nextCursor } }"),
            Requirement::Authenticated
        );
        assert_eq!(
            needed("mutation { login(email: \"a\", password: \"b\") { accessToken } }"),
            Requirement::Public
        );
        assert_eq!(
            needed(
                "mutation { ...F } fragment F on Mutation { archiveWorkflow(id: \"x\") { version } }"
            ),
            Requirement::Editor
        );
        assert_eq!(
            needed("query { ... on Query { users { id } } }"),
            Requirement::UserManager
        );
        assert_eq!(
            needed("subscription { workflowEvents(workflowId: \"x\") { version } }"),
            Requirement::Authenticated
        );
    }
}
