//! `testCredential`: tries a credential against its service. HTTP types call a URL with the
//! authentication applied, OAuth2 fetches a token, OpenAI-compatible keys list models, Postgres
//! connects and runs `SELECT 1`, SMTP reads the greeting and answers to `EHLO`. Messages never
//! contain secrets (URLs are left out of HTTP errors because query auth puts a secret in them).

use std::time::Duration;

use serde_json::{Map, Value};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgSslMode};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const TIMEOUT: Duration = Duration::from_secs(10);

fn field<'d>(data: &'d Map<String, Value>, name: &str) -> &'d str {
    data.get(name).and_then(Value::as_str).unwrap_or_default()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .unwrap_or_default()
}

fn http_error(error: reqwest::Error) -> String {
    error.without_url().to_string()
}

/// Tests `data` of `credential_type`, calling `url` for HTTP types. Ok: what succeeded; Err: why
/// it failed.
pub async fn check(
    credential_type: &str,
    data: &Map<String, Value>,
    url: Option<&str>,
) -> Result<String, String> {
    match credential_type {
        "httpBasicAuth" | "httpBearerAuth" | "httpHeaderAuth" | "httpQueryAuth" => {
            let url = url.ok_or("give the `url` to call with this credential")?;
            let mut request = client().get(url);
            request = match credential_type {
                "httpBasicAuth" => {
                    request.basic_auth(field(data, "user"), Some(field(data, "password")))
                }
                "httpBearerAuth" => request.bearer_auth(field(data, "token")),
                "httpHeaderAuth" => request.header(field(data, "name"), field(data, "value")),
                _ => request.query(&[(field(data, "name"), field(data, "value"))]),
            };
            let status = request.send().await.map_err(http_error)?.status();
            if status.is_success() {
                Ok(format!("the server answered {status}"))
            } else {
                Err(format!("the server answered {status}"))
            }
        }
        "oAuth2Api" => {
            let mut form = vec![("grant_type", "client_credentials")];
            if !field(data, "scope").is_empty() {
                form.push(("scope", field(data, "scope")));
            }
            let mut request = client().post(field(data, "accessTokenUrl"));
            if field(data, "authentication") == "body" {
                form.push(("client_id", field(data, "clientId")));
                form.push(("client_secret", field(data, "clientSecret")));
            } else {
                request =
                    request.basic_auth(field(data, "clientId"), Some(field(data, "clientSecret")));
            }
            let response = request.form(&form).send().await.map_err(http_error)?;
            let status = response.status();
            let body: Value = response.json().await.unwrap_or_default();
            if status.is_success() && body.get("access_token").is_some_and(Value::is_string) {
                Ok("the token endpoint issued an access token".into())
            } else {
                Err(format!(
                    "the token endpoint answered {status} without an access token"
                ))
            }
        }
        "openAiApi" => {
            let base = url
                .or(Some(field(data, "url")).filter(|u| !u.is_empty()))
                .unwrap_or("https://api.openai.com/v1");
            let status = client()
                .get(format!("{}/models", base.trim_end_matches('/')))
                .bearer_auth(field(data, "apiKey"))
                .send()
                .await
                .map_err(http_error)?
                .status();
            if status.is_success() {
                Ok(format!("listing models answered {status}"))
            } else {
                Err(format!("listing models answered {status}"))
            }
        }
        "postgres" => {
            let port = data.get("port").and_then(Value::as_u64).unwrap_or(5432) as u16;
            let ssl = match field(data, "ssl") {
                "require" => PgSslMode::Require,
                "disable" => PgSslMode::Disable,
                _ => PgSslMode::Prefer,
            };
            let options = PgConnectOptions::new()
                .host(field(data, "host"))
                .port(port)
                .database(field(data, "database"))
                .username(field(data, "user"))
                .password(field(data, "password"))
                .ssl_mode(ssl);
            let mut conn = tokio::time::timeout(TIMEOUT, PgConnection::connect_with(&options))
                .await
                .map_err(|_| "connecting timed out".to_string())?
                .map_err(|e| format!("cannot connect: {e}"))?;
            sqlx::query("SELECT 1")
                .execute(&mut conn)
                .await
                .map_err(|e| format!("connected, but SELECT 1 failed: {e}"))?;
            let _ = conn.close().await;
            Ok("connected and ran SELECT 1".into())
        }
        "smtp" => smtp(data).await,
        other => Err(format!("credential type `{other}` cannot be tested")),
    }
}

async fn smtp(data: &Map<String, Value>) -> Result<String, String> {
    let secure = data.get("secure").and_then(Value::as_bool).unwrap_or(false);
    let port = data
        .get("port")
        .and_then(Value::as_u64)
        .unwrap_or(if secure { 465 } else { 587 });
    let address = format!("{}:{port}", field(data, "host"));
    let stream = tokio::time::timeout(TIMEOUT, tokio::net::TcpStream::connect(&address))
        .await
        .map_err(|_| format!("connecting to {address} timed out"))?
        .map_err(|e| format!("cannot connect to {address}: {e}"))?;
    if secure {
        return Ok(format!(
            "{address} accepts connections (implicit TLS not checked)"
        ));
    }
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut reply = async || -> Result<String, String> {
        loop {
            let line = tokio::time::timeout(TIMEOUT, lines.next_line())
                .await
                .map_err(|_| "the SMTP server did not answer".to_string())?
                .map_err(|e| e.to_string())?
                .ok_or("the SMTP server closed the connection")?;
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok(line);
            }
        }
    };
    let greeting = reply().await?;
    if !greeting.starts_with("220") {
        return Err(format!("unexpected SMTP greeting: {greeting}"));
    }
    write
        .write_all(b"EHLO weft\r\n")
        .await
        .map_err(|e| e.to_string())?;
    let hello = reply().await?;
    let _ = write.write_all(b"QUIT\r\n").await;
    if hello.starts_with("250") {
        Ok(format!("{address} greeted and accepted EHLO"))
    } else {
        Err(format!("the SMTP server refused EHLO: {hello}"))
    }
}
