//! API errors with stable codes in `extensions.code`: `NOT_FOUND`, `VALIDATION`, `CONFLICT`,
//! `INTERNAL`. Conflicts also carry `extensions.currentVersion`.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextRequest, NextSubscribe,
};
use async_graphql::{ErrorExtensions, Response, ServerError, Value};
use futures::StreamExt;
use futures::stream::BoxStream;
use weft_commands::secrets::CredentialsError;
use weft_commands::{AuthError, CommandError};
use weft_domain::workflow::WorkflowError;
use weft_executor::service::ServiceError;
use weft_projections::ProjectionError;

/// Code of an invalid request: bad input, a rejected command, a malformed or too large query.
pub const VALIDATION: &str = "VALIDATION";
/// Code of a missing workflow or version.
pub const NOT_FOUND: &str = "NOT_FOUND";
/// Code of a request that clashes with the current state (the command errors' `CONFLICT`).
pub const CONFLICT: &str = "CONFLICT";
/// Code of a failure on the server's side.
pub const INTERNAL: &str = "INTERNAL";

/// Why an API operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A workflow command failed.
    #[error(transparent)]
    Command(#[from] CommandError),
    /// An execution could not be submitted, stopped or retried.
    #[error(transparent)]
    Execution(#[from] ServiceError),
    /// No execution has this id.
    #[error("execution `{0}` not found")]
    ExecutionNotFound(String),
    /// A user, sign-in or API key command failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A credential command failed.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// Something with this id does not exist.
    #[error("{0}")]
    NotFound(String),
    /// No valid credentials.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller's role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// A read-model query failed.
    #[error(transparent)]
    ReadModel(#[from] ProjectionError),
    /// No workflow has this id.
    #[error("workflow `{0}` not found")]
    WorkflowNotFound(String),
    /// An argument is invalid.
    #[error("{0}")]
    Invalid(String),
    /// The request clashes with other state (e.g. a webhook path another workflow serves).
    #[error("{0}")]
    Clash(String),
    /// The server failed.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// The stable code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Command(error) => error.code(),
            Self::Execution(error) => error.code(),
            Self::ExecutionNotFound(_) => NOT_FOUND,
            Self::Auth(error) => error.code(),
            Self::Credentials(error) => error.code(),
            Self::NotFound(_) => NOT_FOUND,
            Self::Unauthenticated(_) => super::auth::policy::UNAUTHENTICATED,
            Self::Forbidden(_) => super::auth::policy::FORBIDDEN,
            Self::ReadModel(_) | Self::Internal(_) => INTERNAL,
            Self::WorkflowNotFound(_) => NOT_FOUND,
            Self::Invalid(_) => VALIDATION,
            Self::Clash(_) => CONFLICT,
        }
    }

    /// The GraphQL error: message plus `code` (and `currentVersion`, `overlapping` for conflicts).
    pub fn into_graphql(self) -> async_graphql::Error {
        if matches!(self.code(), INTERNAL) {
            tracing::error!(error = %self, "API request failed");
        }
        let code = self.code();
        let current = match &self {
            Self::Command(CommandError::Rejected(
                WorkflowError::Conflict { current, .. }
                | WorkflowError::ExpectedVersionAhead { current, .. }
                | WorkflowError::VersionNotFound { current, .. },
            )) => Some(*current),
            _ => None,
        };
        let overlapping = match &self {
            Self::Command(CommandError::Rejected(WorkflowError::Conflict {
                overlapping, ..
            })) => overlapping.clone(),
            _ => Vec::new(),
        };
        async_graphql::Error::new(self.to_string()).extend_with(|_, extensions| {
            extensions.set("code", code);
            if let Some(current) = current {
                extensions.set("currentVersion", current);
            }
            if !overlapping.is_empty() {
                extensions.set("overlapping", overlapping.clone());
            }
        })
    }
}

impl From<WorkflowError> for ApiError {
    fn from(error: WorkflowError) -> Self {
        Self::Command(error.into())
    }
}

/// `Result<T, ApiError>` → `async_graphql::Result<T>` with the error's code.
pub trait ApiResult<T> {
    /// Converts the error into a coded GraphQL error.
    fn api(self) -> async_graphql::Result<T>;
}

impl<T, E: Into<ApiError>> ApiResult<T> for Result<T, E> {
    fn api(self) -> async_graphql::Result<T> {
        self.map_err(|e| e.into().into_graphql())
    }
}

/// Gives every error without a code one: errors of the GraphQL layer itself (parse errors,
/// unknown fields, bad arguments, depth and complexity limits) become `VALIDATION`.
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodes)
    }
}

#[async_trait::async_trait]
impl Extension for ErrorCodes {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        response.errors.iter_mut().for_each(with_code);
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream)
            .map(|mut response| {
                response.errors.iter_mut().for_each(with_code);
                response
            })
            .boxed()
    }
}

fn with_code(error: &mut ServerError) {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", Value::from(VALIDATION));
    }
}
