//! Credentials in the API: metadata queries (any signed-in user), create/update/delete/test
//! (editors and above; the policy's default for mutations). Nothing returns a secret value.

mod check;
pub mod types;

use async_graphql::{Context, ID, Json, Object, Result};
use serde_json::{Map, Value};

use self::types::{Credential, CredentialTestResult, CredentialTypeInfo};
use super::actor::RequestContext;
use super::api::Api;
use super::error::{ApiError, ApiResult};

fn object(data: Json<Value>) -> Result<Map<String, Value>, ApiError> {
    match data.0 {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::Invalid(
            "`data` must be a JSON object of fields".into(),
        )),
    }
}

async fn metadata(api: &Api, id: &str) -> Result<Credential> {
    api.caught_up().await;
    api.read
        .credential(id)
        .await
        .api()?
        .map(Credential::from)
        .ok_or_else(|| ApiError::NotFound(format!("credential `{id}` not found")).into_graphql())
}

/// Credential queries.
#[derive(Default)]
pub struct CredentialQueries;

#[Object]
impl CredentialQueries {
    /// Every credential's metadata, by name (never a secret value).
    async fn credentials(&self, ctx: &Context<'_>) -> Result<Vec<Credential>> {
        let api = ctx.data_unchecked::<Api>();
        api.caught_up().await;
        let rows = api.read.credentials().await.api()?;
        Ok(rows.into_iter().map(Credential::from).collect())
    }

    /// One credential's metadata.
    async fn credential(&self, ctx: &Context<'_>, id: ID) -> Result<Credential> {
        metadata(ctx.data_unchecked::<Api>(), &id).await
    }

    /// The supported credential types and their fields (which are secret).
    async fn credential_types(&self) -> Vec<CredentialTypeInfo> {
        weft_domain::credential::CREDENTIAL_TYPES
            .iter()
            .map(CredentialTypeInfo::from)
            .collect()
    }
}

/// Credential mutations.
#[derive(Default)]
pub struct CredentialMutations;

#[Object]
impl CredentialMutations {
    /// Creates a credential; `data` must match the type's fields. Secret fields are encrypted
    /// before anything is stored and are never returned.
    async fn create_credential(
        &self,
        ctx: &Context<'_>,
        name: String,
        #[graphql(name = "type")] credential_type: String,
        data: Json<Value>,
    ) -> Result<Credential> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        let id = api
            .credentials
            .create(
                &name,
                &credential_type,
                &object(data).api()?,
                &caller.metadata(),
            )
            .await
            .api()?;
        metadata(api, &id).await
    }

    /// Renames a credential and/or replaces its data. Secret fields left out of `data` keep
    /// their values; public fields left out are cleared.
    async fn update_credential(
        &self,
        ctx: &Context<'_>,
        id: ID,
        name: Option<String>,
        data: Option<Json<Value>>,
    ) -> Result<Credential> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        let data = data.map(object).transpose().api()?;
        api.credentials
            .update(&id, name.as_deref(), data.as_ref(), &caller.metadata())
            .await
            .api()?;
        metadata(api, &id).await
    }

    /// Deletes a credential and destroys its data key: its recorded secrets can never be
    /// decrypted again.
    async fn delete_credential(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let api = ctx.data_unchecked::<Api>();
        let caller = ctx.data::<RequestContext>()?;
        api.credentials
            .delete(&id, &caller.metadata())
            .await
            .api()?;
        Ok(true)
    }

    /// Tries a credential against its service (HTTP types call `url`).
    async fn test_credential(
        &self,
        ctx: &Context<'_>,
        id: ID,
        url: Option<String>,
    ) -> Result<CredentialTestResult> {
        let api = ctx.data_unchecked::<Api>();
        let decrypted = api.credentials.decrypt(&id).await.api()?;
        let outcome =
            check::check(&decrypted.credential_type, &decrypted.data, url.as_deref()).await;
        Ok(match outcome {
            Ok(message) => CredentialTestResult { ok: true, message },
            Err(message) => CredentialTestResult { ok: false, message },
        })
    }
}
