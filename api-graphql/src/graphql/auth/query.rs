//! Queries about the caller, users and API keys.

use async_graphql::{Context, Object, Result};
use weft_commands::Principal;

use super::types::{ApiKey, AuthStatus, User};
use crate::graphql::actor::RequestContext;
use crate::graphql::api::Api;
use crate::graphql::error::{ApiError, ApiResult};

/// The authenticated caller (the policy guarantees one for non-public fields).
pub(crate) fn principal<'c>(ctx: &'c Context<'_>) -> Result<&'c Principal> {
    ctx.data::<RequestContext>()?
        .principal
        .as_ref()
        .ok_or_else(|| ApiError::Unauthenticated("authentication required".into()).into_graphql())
}

/// Queries of users and sign-in.
#[derive(Default)]
pub struct AuthQueries;

#[Object]
impl AuthQueries {
    /// Whether the owner still needs to be set up, and the caller if signed in. Needs no
    /// credentials.
    async fn auth_status(&self, ctx: &Context<'_>) -> Result<AuthStatus> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        Ok(AuthStatus {
            setup_required: api.access.setup_required().await.api()?,
            user: match &caller.principal {
                Some(p) => Some(api.access.user(&p.user_id).await.api()?.into()),
                None => None,
            },
        })
    }

    /// The caller.
    async fn me(&self, ctx: &Context<'_>) -> Result<User> {
        let api = ctx.data_unchecked::<Api>();
        let principal = principal(ctx)?;
        Ok(api.access.user(&principal.user_id).await.api()?.into())
    }

    /// Every user, in creation order (owner and admins only).
    async fn users(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        let api = ctx.data_unchecked::<Api>();
        api.caught_up().await;
        let rows = api.read.users().await.api()?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    /// The caller's API keys (revoked ones included), in creation order.
    async fn api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        let api = ctx.data_unchecked::<Api>();
        let principal = principal(ctx)?;
        api.caught_up().await;
        let rows = api.read.api_keys(&principal.user_id).await.api()?;
        Ok(rows.into_iter().map(ApiKey::from).collect())
    }
}
