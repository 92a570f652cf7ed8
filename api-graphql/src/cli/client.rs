//! The GraphQL client the CLI commands use: `WEFT_URL`, and for authentication `WEFT_API_KEY`,
//! `WEFT_TOKEN` or the sign-in `weft login` stored for that URL (refreshed when it is about to
//! expire). A GraphQL error becomes one line: `CODE: message`.

use anyhow::{Context, anyhow};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use super::session::{self, StoredSession};

/// Where the server is and how to authenticate.
#[derive(Debug, Clone, clap::Args)]
pub struct ClientArgs {
    /// Server URL.
    #[arg(
        long,
        env = "WEFT_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    pub url: String,
    /// API key (sent as `X-API-Key`).
    #[arg(long, env = "WEFT_API_KEY", hide_env_values = true, global = true)]
    pub api_key: Option<String>,
    /// Access token (sent as `Authorization: Bearer`).
    #[arg(long, env = "WEFT_TOKEN", hide_env_values = true, global = true)]
    pub token: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
}

/// A GraphQL client for one server.
pub struct Client {
    http: reqwest::Client,
    endpoint: String,
    args: ClientArgs,
    credentials: OnceCell<Credentials>,
}

/// What a request is sent with.
#[derive(Debug, Clone)]
enum Credentials {
    ApiKey(String),
    Token(String),
    None,
}

/// The `AuthPayload` fields a sign-in stores.
pub const AUTH_FIELDS: &str = "accessToken accessTokenExpiresAt refreshToken user { email }";

impl Client {
    /// A client for `args.url`.
    pub fn new(args: &ClientArgs) -> Self {
        Self {
            http: reqwest::Client::new(),
            endpoint: format!("{}/graphql", args.url.trim_end_matches('/')),
            args: args.clone(),
            credentials: OnceCell::new(),
        }
    }

    /// The server URL.
    pub fn url(&self) -> &str {
        &self.args.url
    }

    /// Runs an operation as the caller (API key, token, or the stored sign-in) and returns its
    /// `data`; errors name the server's code and message.
    pub async fn request(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let credentials = self
            .credentials
            .get_or_try_init(|| self.resolve_credentials())
            .await?
            .clone();
        self.send(&credentials, query, variables).await
    }

    /// Runs an operation without credentials (sign-in).
    pub async fn request_anonymous(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        self.send(&Credentials::None, query, variables).await
    }

    /// `WEFT_API_KEY`, else `WEFT_TOKEN`, else the stored sign-in (refreshed when needed).
    async fn resolve_credentials(&self) -> anyhow::Result<Credentials> {
        if let Some(key) = &self.args.api_key {
            return Ok(Credentials::ApiKey(key.clone()));
        }
        if let Some(token) = &self.args.token {
            return Ok(Credentials::Token(token.clone()));
        }
        let Some(stored) = session::get(self.url())? else {
            return Ok(Credentials::None);
        };
        if !stored.needs_refresh() {
            return Ok(Credentials::Token(stored.access_token));
        }
        let refreshed = self
            .request_anonymous(
                &format!("mutation($token: String!) {{ refreshToken(refreshToken: $token) {{ {AUTH_FIELDS} }} }}"),
                json!({ "token": stored.refresh_token }),
            )
            .await
            .map_err(|e| {
                anyhow!(
                    "your sign-in on {} has expired ({e}): run `weft login` again",
                    self.url()
                )
            })?;
        let fresh = stored_session(&refreshed["refreshToken"])?;
        let token = fresh.access_token.clone();
        session::put(self.url(), fresh)?;
        Ok(Credentials::Token(token))
    }

    async fn send(
        &self,
        credentials: &Credentials,
        query: &str,
        variables: Value,
    ) -> anyhow::Result<Value> {
        let mut request = self
            .http
            .post(&self.endpoint)
            .json(&json!({ "query": query, "variables": variables }));
        match credentials {
            Credentials::ApiKey(key) => request = request.header("x-api-key", key),
            Credentials::Token(token) => request = request.bearer_auth(token),
            Credentials::None => {}
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("cannot reach Weft at {}", self.args.url))?;
        let status = response.status();
        let text = response.text().await.context("cannot read the response")?;
        let body: Value = serde_json::from_str(&text).map_err(|_| {
            anyhow!(
                "unexpected answer from {} (HTTP {status}): {text}",
                self.endpoint
            )
        })?;
        if let Some(error) = body["errors"].as_array().and_then(|e| e.first()) {
            let code = error["extensions"]["code"].as_str().unwrap_or("ERROR");
            let message = error["message"].as_str().unwrap_or("unknown error");
            if code == "UNAUTHENTICATED" && matches!(credentials, Credentials::None) {
                return Err(anyhow!(
                    "{code}: {message} (sign in with `weft login`, or set WEFT_API_KEY)"
                ));
            }
            return Err(anyhow!("{code}: {message}"));
        }
        Ok(body["data"].clone())
    }
}

/// The sign-in to store from an `AuthPayload` (selected with [`AUTH_FIELDS`]).
pub fn stored_session(payload: &Value) -> anyhow::Result<StoredSession> {
    let text = |field: &str| {
        payload[field]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("the server's answer has no `{field}`"))
    };
    let expires: DateTime<Utc> = text("accessTokenExpiresAt")?
        .parse()
        .context("the server sent an unreadable expiry time")?;
    Ok(StoredSession {
        email: payload["user"]["email"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        access_token: text("accessToken")?,
        access_token_expires_at: expires,
        refresh_token: text("refreshToken")?,
    })
}
