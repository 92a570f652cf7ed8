//! The GraphQL client the CLI commands use: `WEFT_URL`, and `WEFT_API_KEY` or `WEFT_TOKEN` for
//! authentication. A GraphQL error becomes one line: `CODE: message`.

use anyhow::{Context, anyhow};
use serde_json::{Value, json};

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
}

impl Client {
    /// A client for `args.url`.
    pub fn new(args: &ClientArgs) -> Self {
        Self {
            http: reqwest::Client::new(),
            endpoint: format!("{}/graphql", args.url.trim_end_matches('/')),
            args: args.clone(),
        }
    }

    /// Runs an operation and returns its `data`; errors name the server's code and message.
    pub async fn request(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let mut request = self
            .http
            .post(&self.endpoint)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(key) = &self.args.api_key {
            request = request.header("x-api-key", key);
        }
        if let Some(token) = &self.args.token {
            request = request.bearer_auth(token);
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
            return Err(anyhow!("{code}: {message}"));
        }
        Ok(body["data"].clone())
    }
}
