//! Serves the editor UI: the files Vite builds into `ui/dist`.
//!
//! Hashed files under `/assets/` are cached for a year (`immutable`); everything else, `index.html`
//! above all, is `no-cache` so a new build is picked up on the next load. Paths that are not files
//! get `index.html` (the UI's router reads the URL), except API paths and missing assets, which
//! get a plain 404 so a typo in an API call or a stale asset never turns into an HTML page.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Prefixes that belong to the server, never to the UI's router.
const API_PREFIXES: &[&str] = &[
    "/graphql",
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/",
    "/webhook/",
    "/webhook-test/",
    "/webhook-waiting/",
];

/// `Cache-Control` of content-hashed assets.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else (revalidate on every load).
pub const NO_CACHE: &str = "no-cache";

/// The built UI directory.
#[derive(Debug, Clone)]
pub struct StaticUi {
    dir: PathBuf,
}

impl StaticUi {
    /// Serves the files in `dir` (normally `ui/dist`).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The directory from `WEFT_UI_DIR`, else `ui/dist` under the working directory.
    pub fn from_env() -> Self {
        Self::new(
            std::env::var_os("WEFT_UI_DIR").map_or_else(|| PathBuf::from("ui/dist"), PathBuf::from),
        )
    }

    /// The directory served.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether a built UI is there.
    pub fn is_built(&self) -> bool {
        self.dir.join("index.html").is_file()
    }

    /// A router whose fallback serves the UI; merge it after every other route.
    pub fn router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        Router::new().fallback(serve).with_state(Arc::new(self))
    }
}

fn is_api_path(path: &str) -> bool {
    API_PREFIXES
        .iter()
        .any(|prefix| path == prefix.trim_end_matches('/') || path.starts_with(prefix))
}

fn not_found(message: String) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, NO_CACHE)],
        message,
    )
        .into_response()
}

async fn serve(State(ui): State<Arc<StaticUi>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if is_api_path(&path) {
        return not_found(format!("no API route for {} {path}", request.method()));
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            format!("{} is not allowed on {path}", request.method()),
        )
            .into_response();
    }
    if !ui.is_built() {
        return (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, NO_CACHE)],
            Html(format!(
                "<!doctype html><title>Weft</title><h1>The editor UI is not built</h1>\
                 <p>No <code>index.html</code> in <code>{}</code>. Run <code>make run</code> from the \
                 repository (or <code>npm ci &amp;&amp; npm run build</code> in <code>ui/</code>), or point \
                 <code>WEFT_UI_DIR</code> at a built UI. The API is on <a href=\"/graphql\">/graphql</a>.</p>",
                html_escape(&ui.dir.display().to_string())
            )),
        )
            .into_response();
    }
    let is_asset = path.starts_with("/assets/");
    let head = request.method() == Method::HEAD;
    let served = ServeDir::new(&ui.dir)
        .oneshot(request)
        .await
        .map(IntoResponse::into_response)
        .unwrap_or_else(|never| match never {});
    let status = served.status();
    let mut response = if status == StatusCode::NOT_FOUND || (status.is_redirection() && !is_asset)
    {
        if is_asset {
            return not_found(format!("no asset {path} in this build of the UI"));
        }
        // A client-side route (or a directory): the UI's index page handles it.
        let method = if head { Method::HEAD } else { Method::GET };
        let index = Request::builder()
            .method(method)
            .uri("/index.html")
            .body(Body::empty())
            .expect("static request");
        ServeFile::new(ui.dir.join("index.html"))
            .oneshot(index)
            .await
            .map(IntoResponse::into_response)
            .unwrap_or_else(|never| match never {})
    } else {
        served
    };
    let cache = if is_asset && response.status().is_success() {
        IMMUTABLE
    } else {
        NO_CACHE
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
