//! Mutations of setup, sign-in, users and API keys.

use async_graphql::{Context, ID, Object, Result};
use weft_domain::user::UserCommand;

use super::query::principal;
use super::types::{AuthPayload, NewApiKey, Role, User};
use crate::graphql::actor::RequestContext;
use crate::graphql::api::Api;
use crate::graphql::error::ApiResult;

/// Mutations of users and sign-in.
#[derive(Default)]
pub struct AuthMutations;

#[Object]
impl AuthMutations {
    /// Creates the owner and signs them in. Only while no user exists; afterwards it fails with
    /// `CONFLICT`. Needs no credentials.
    async fn setup_owner(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> Result<AuthPayload> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        api.access
            .setup_owner(&email, &password, &caller.metadata())
            .await
            .api()?;
        let tokens = api
            .access
            .login(&email, &password, &caller.correlation_id)
            .await
            .api()?;
        Ok(tokens.into())
    }

    /// Signs in; wrong email or password fails with `UNAUTHENTICATED`.
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> Result<AuthPayload> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        let tokens = api
            .access
            .login(&email, &password, &caller.correlation_id)
            .await
            .api()?;
        Ok(tokens.into())
    }

    /// Exchanges a refresh token for new tokens. Each refresh token works once; presenting a used
    /// one again ends its session.
    async fn refresh_token(&self, ctx: &Context<'_>, refresh_token: String) -> Result<AuthPayload> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        let tokens = api
            .access
            .refresh(&refresh_token, &caller.correlation_id)
            .await
            .api()?;
        Ok(tokens.into())
    }

    /// Ends the caller's session: its refresh token and access tokens stop working.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        api.access
            .logout(principal(ctx)?, &caller.correlation_id)
            .await
            .api()?;
        Ok(true)
    }

    /// Changes the caller's password.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> Result<User> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        let user = api
            .access
            .change_password(
                principal(ctx)?,
                &current_password,
                &new_password,
                &caller.metadata(),
            )
            .await
            .api()?;
        Ok(user.into())
    }

    /// Creates a user (owner and admins only; never another owner).
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        role: Role,
    ) -> Result<User> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        let user = api
            .access
            .create_user(
                principal(ctx)?,
                &email,
                &password,
                role.into(),
                &caller.metadata(),
            )
            .await
            .api()?;
        Ok(user.into())
    }

    /// Changes a user's role (owner and admins only; the owner's role never changes).
    async fn change_user_role(&self, ctx: &Context<'_>, id: ID, role: Role) -> Result<User> {
        manage(ctx, &id, |by| UserCommand::ChangeRole {
            role: role.into(),
            by,
        })
        .await
    }

    /// Blocks a user: they cannot sign in and their tokens and API keys stop working.
    async fn disable_user(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        manage(ctx, &id, |by| UserCommand::Disable { by }).await
    }

    /// Lets a disabled user sign in again.
    async fn enable_user(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        manage(ctx, &id, |by| UserCommand::Enable { by }).await
    }

    /// Creates an API key acting with the caller's role. The key is returned once.
    async fn create_api_key(&self, ctx: &Context<'_>, name: String) -> Result<NewApiKey> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        let created = api
            .access
            .create_api_key(principal(ctx)?, &name, &caller.metadata())
            .await
            .api()?;
        Ok(NewApiKey::new(created, name.trim().to_string()))
    }

    /// Revokes one of the caller's API keys (admins and the owner: anyone's).
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        api.access
            .revoke_api_key(principal(ctx)?, &id, &caller.metadata())
            .await
            .api()?;
        Ok(true)
    }
}

async fn manage(
    ctx: &Context<'_>,
    id: &str,
    command: impl Fn(weft_domain::user::Manager) -> UserCommand,
) -> Result<User> {
    let api = ctx.data_unchecked::<Api>();
    let caller = ctx.data::<RequestContext>()?;
    let user = api
        .access
        .manage_user(principal(ctx)?, id, command, &caller.metadata())
        .await
        .api()?;
    Ok(user.into())
}
