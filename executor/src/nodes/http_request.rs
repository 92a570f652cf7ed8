//! HTTP Request: calls an HTTP endpoint once per item (methods, query, headers, JSON / form /
//! raw bodies, timeout, JSON or text responses) with basic, bearer, header, query or OAuth2
//! client-credentials authentication. Credentials come from the run's
//! [`CredentialProvider`](crate::CredentialProvider).

use std::sync::OnceLock;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Map, Value};

use super::{NodeContext, NodeOutput, NodeType, error_item};
use crate::error::{NodeError, NodeErrorKind};
use crate::expr::to_template_string;
use crate::item::{Item, PairedItem};

/// The HTTP Request node.
pub struct HttpRequest;

enum Body {
    None,
    Json(Value),
    Form(Vec<(String, String)>),
    Raw(String, String),
}

struct Request {
    method: reqwest::Method,
    url: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Body,
    timeout: Duration,
    format: String,
    full_response: bool,
    never_error: bool,
    output_field: String,
}

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(reqwest::Client::new)
}

fn text(v: &Value) -> String {
    match v {
        Value::Object(_) | Value::Array(_) => v.to_string(),
        other => to_template_string(Some(other)),
    }
}

/// Name/value pairs from `{parameters: [{name, value}]}` or, in JSON mode, from an object.
fn pairs(
    ctx: &mut NodeContext<'_>,
    index: usize,
    list: &str,
    json_mode: &str,
    json_param: &str,
) -> Result<Vec<(String, String)>, NodeError> {
    if ctx.string(json_mode, index, "keypair")? == "json" {
        let raw = ctx.param(json_param, index)?.unwrap_or(Value::Null);
        let obj = match raw {
            Value::String(s) => serde_json::from_str(&s)
                .map_err(|e| NodeError::parameter(format!("`{json_param}` is not JSON: {e}")))?,
            other => other,
        };
        return Ok(obj
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), text(v)))
            .collect());
    }
    let list = ctx
        .param(&format!("{list}.parameters"), index)?
        .unwrap_or(Value::Null);
    Ok(list
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| {
            Some((
                p.get("name")?.as_str()?.to_string(),
                p.get("value").map(text).unwrap_or_default(),
            ))
        })
        .filter(|(name, _)| !name.is_empty())
        .collect())
}

fn build(ctx: &mut NodeContext<'_>, index: usize) -> Result<Request, NodeError> {
    let method_name = ctx.string("method", index, "GET")?.to_uppercase();
    let method = reqwest::Method::from_bytes(method_name.as_bytes())
        .map_err(|_| NodeError::parameter(format!("invalid method `{method_name}`")))?;
    let url = ctx.string("url", index, "")?;
    if url.is_empty() {
        return Err(NodeError::parameter("`url` is required"));
    }
    let query = if ctx.boolean("sendQuery", index, false)? {
        pairs(ctx, index, "queryParameters", "specifyQuery", "jsonQuery")?
    } else {
        Vec::new()
    };
    let headers = if ctx.boolean("sendHeaders", index, false)? {
        pairs(
            ctx,
            index,
            "headerParameters",
            "specifyHeaders",
            "jsonHeaders",
        )?
    } else {
        Vec::new()
    };
    let body = if ctx.boolean("sendBody", index, false)? {
        match ctx.string("contentType", index, "json")?.as_str() {
            "json" if ctx.string("specifyBody", index, "keypair")? == "json" => {
                let raw = ctx.param("jsonBody", index)?.unwrap_or(Value::Null);
                Body::Json(match raw {
                    Value::String(s) => serde_json::from_str(&s).map_err(|e| {
                        NodeError::parameter(format!("`jsonBody` is not JSON: {e}"))
                    })?,
                    other => other,
                })
            }
            "json" => {
                let fields = pairs(ctx, index, "bodyParameters", "specifyBody", "jsonBody")?;
                Body::Json(Value::Object(
                    fields
                        .into_iter()
                        .map(|(k, v)| (k, Value::String(v)))
                        .collect(),
                ))
            }
            "form-urlencoded" => {
                Body::Form(pairs(ctx, index, "bodyParameters", "specifyBody", "body")?)
            }
            "raw" => Body::Raw(
                ctx.string("body", index, "")?,
                ctx.string("rawContentType", index, "text/plain")?,
            ),
            other => {
                return Err(NodeError::new(
                    NodeErrorKind::Unsupported,
                    format!("body content type `{other}` is not supported"),
                ));
            }
        }
    } else {
        Body::None
    };
    Ok(Request {
        method,
        url,
        query,
        headers,
        body,
        timeout: Duration::from_millis(
            ctx.number("options.timeout", index, 300_000.0)?.max(1.0) as u64
        ),
        format: ctx.string(
            "options.response.response.responseFormat",
            index,
            "autodetect",
        )?,
        full_response: ctx.boolean("options.response.response.fullResponse", index, false)?,
        never_error: ctx.boolean("options.response.response.neverError", index, false)?,
        output_field: ctx.string(
            "options.response.response.outputPropertyName",
            index,
            "data",
        )?,
    })
}

/// The credential type the node authenticates with, if any.
fn auth_type(ctx: &mut NodeContext<'_>) -> Result<Option<String>, NodeError> {
    Ok(match ctx.string("authentication", 0, "none")?.as_str() {
        "none" => None,
        "genericCredentialType" => Some(ctx.string("genericAuthType", 0, "")?),
        "predefinedCredentialType" => Some(ctx.string("nodeCredentialType", 0, "")?),
        other => Some(other.to_string()),
    })
}

fn field<'v>(data: &'v Value, name: &str) -> &'v str {
    data.get(name).and_then(Value::as_str).unwrap_or_default()
}

async fn oauth2_token(data: &Value) -> Result<String, NodeError> {
    let fail = |m: String| NodeError::operation(format!("OAuth2 token request failed: {m}"));
    let mut form = vec![("grant_type", "client_credentials".to_string())];
    if !field(data, "scope").is_empty() {
        form.push(("scope", field(data, "scope").to_string()));
    }
    let mut request = client().post(field(data, "accessTokenUrl"));
    if field(data, "authentication") == "body" {
        form.push(("client_id", field(data, "clientId").to_string()));
        form.push(("client_secret", field(data, "clientSecret").to_string()));
    } else {
        request = request.basic_auth(field(data, "clientId"), Some(field(data, "clientSecret")));
    }
    let response = request
        .form(&form)
        .send()
        .await
        .map_err(|e| fail(e.to_string()))?;
    let status = response.status();
    let body: Value = response.json().await.map_err(|e| fail(e.to_string()))?;
    if !status.is_success() {
        return Err(fail(format!("status {status}: {body}")));
    }
    body.get("access_token")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| fail("no access_token in the answer".into()))
}

async fn send(
    request: Request,
    auth: Option<(&str, &Value)>,
) -> Result<Vec<Map<String, Value>>, NodeError> {
    let mut query = request.query;
    let mut builder = client()
        .request(request.method, &request.url)
        .timeout(request.timeout);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    match auth {
        Some(("httpBasicAuth", data)) => {
            builder = builder.basic_auth(field(data, "user"), Some(field(data, "password")))
        }
        Some(("httpBearerAuth", data)) => builder = builder.bearer_auth(field(data, "token")),
        Some(("httpHeaderAuth", data)) => {
            builder = builder.header(field(data, "name"), field(data, "value"))
        }
        Some(("httpQueryAuth", data)) => query.push((
            field(data, "name").to_string(),
            field(data, "value").to_string(),
        )),
        Some(("oAuth2Api", data)) => builder = builder.bearer_auth(oauth2_token(data).await?),
        Some((other, _)) => {
            return Err(NodeError::new(
                NodeErrorKind::Unsupported,
                format!("credential type `{other}` is not supported"),
            ));
        }
        None => {}
    }
    if !query.is_empty() {
        builder = builder.query(&query);
    }
    builder = match request.body {
        Body::None => builder,
        Body::Json(v) => builder.json(&v),
        Body::Form(fields) => builder.form(&fields),
        Body::Raw(body, content_type) => builder
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body),
    };
    let response = builder.send().await.map_err(|e| {
        let message = if e.is_timeout() {
            format!("The request timed out after {:?}", request.timeout)
        } else {
            format!("The request failed: {e}")
        };
        NodeError::operation(message)
    })?;
    let status = response.status();
    let headers: Map<String, Value> = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                Value::String(v.to_str().unwrap_or_default().to_string()),
            )
        })
        .collect();
    let is_json = headers
        .get("content-type")
        .and_then(Value::as_str)
        .is_some_and(|c| c.contains("json"));
    let raw = response
        .text()
        .await
        .map_err(|e| NodeError::operation(format!("reading the response failed: {e}")))?;
    if !status.is_success() && !request.never_error {
        return Err(NodeError::operation(format!(
            "Request failed with status code {}",
            status.as_u16()
        ))
        .with_description(raw));
    }
    let parse_json = request.format == "json" || (request.format == "autodetect" && is_json);
    let body = if parse_json {
        serde_json::from_str(&raw)
            .map_err(|e| NodeError::operation(format!("the response is not JSON: {e}")))?
    } else {
        Value::String(raw)
    };
    if request.full_response {
        let mut json = Map::new();
        json.insert("body".into(), body);
        json.insert("headers".into(), Value::Object(headers));
        json.insert("statusCode".into(), Value::from(status.as_u16()));
        json.insert(
            "statusMessage".into(),
            Value::String(status.canonical_reason().unwrap_or_default().to_string()),
        );
        return Ok(vec![json]);
    }
    Ok(match body {
        Value::Object(o) => vec![o],
        Value::Array(list) => list.into_iter().map(|v| Item::from_value(v).json).collect(),
        Value::String(s) => {
            let mut json = Map::new();
            json.insert(request.output_field, Value::String(s));
            vec![json]
        }
        other => vec![Item::from_value(other).json],
    })
}

#[async_trait]
impl NodeType for HttpRequest {
    fn execute(&self, _ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        Err(NodeError::new(
            NodeErrorKind::Unsupported,
            "HTTP Request runs asynchronously",
        ))
    }

    fn is_async(&self) -> bool {
        true
    }

    async fn execute_async(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let count = ctx.items().len();
        let auth = match auth_type(ctx)? {
            None => None,
            Some(kind) => {
                let reference = ctx.node.credentials.get(&kind).cloned().ok_or_else(|| {
                    NodeError::parameter(format!("no `{kind}` credential is selected"))
                })?;
                let provider = ctx.options.credentials.clone().ok_or_else(|| {
                    NodeError::parameter("credentials are not available in this run")
                })?;
                let data = provider.credential(&kind, &reference).await.map_err(|e| {
                    NodeError::operation(format!("credential `{}`: {e}", reference.name))
                })?;
                Some((kind, data))
            }
        };
        let mut out = Vec::new();
        for index in 0..count {
            let result = match build(ctx, index) {
                Ok(request) => send(request, auth.as_ref().map(|(k, d)| (k.as_str(), d))).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(list) => out.extend(list.into_iter().map(|json| Item {
                    json,
                    binary: None,
                    paired_item: PairedItem::item(index),
                })),
                Err(e) if ctx.continue_on_fail() => out.push(error_item(&e, index)),
                Err(e) => return Err(e.at_item(index)),
            }
        }
        Ok(vec![out])
    }
}
