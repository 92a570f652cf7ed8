//! The editor UI's static serving: caching headers, SPA fallback, and API paths never answered
//! with the UI's page.

use axum::Router;
use weft_api_graphql::static_ui::{IMMUTABLE, NO_CACHE, StaticUi};

/// Serves `ui` on 127.0.0.1:0 behind a stand-in API route; returns the base URL.
async fn start(ui: StaticUi) -> String {
    let app: Router = Router::new()
        .route("/graphql", axum::routing::post(|| async { "api" }))
        .merge(ui.router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

/// A temporary directory with a built UI in `dist/` and a file beside it that must never be served.
fn built_ui() -> (tempfile::TempDir, StaticUi) {
    let root = tempfile::tempdir().unwrap();
    let dist = root.path().join("dist");
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><div id=root></div>",
    )
    .unwrap();
    std::fs::write(dist.join("assets/index-3f2a.js"), "console.log(1)").unwrap();
    std::fs::write(dist.join("favicon.svg"), "<svg/>").unwrap();
    std::fs::write(root.path().join("secret.txt"), "top secret").unwrap();
    (root, StaticUi::new(dist))
}

async fn get(url: &str) -> (u16, String, String, String) {
    let response = reqwest::get(url).await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let (cache, kind) = (header("cache-control"), header("content-type"));
    (
        response.status().as_u16(),
        cache,
        kind,
        response.text().await.unwrap(),
    )
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_pages_revalidate() {
    let (_dir, ui) = built_ui();
    let base = start(ui).await;

    let (status, cache, kind, body) = get(&format!("{base}/assets/index-3f2a.js")).await;
    assert_eq!(
        (status, cache.as_str(), body.as_str()),
        (200, IMMUTABLE, "console.log(1)")
    );
    assert!(kind.contains("javascript"), "{kind}");

    let (status, cache, kind, body) = get(&format!("{base}/")).await;
    assert_eq!((status, cache.as_str()), (200, NO_CACHE));
    assert!(
        kind.starts_with("text/html") && body.contains("id=root"),
        "{kind} {body}"
    );

    let (status, cache, _, _) = get(&format!("{base}/favicon.svg")).await;
    assert_eq!((status, cache.as_str()), (200, NO_CACHE));
}

#[tokio::test]
async fn client_routes_get_the_index_page() {
    let (_dir, ui) = built_ui();
    let base = start(ui).await;
    for path in [
        "/workflows",
        "/workflows/abc/versions",
        "/executions/1?step=3",
    ] {
        let (status, cache, _, body) = get(&format!("{base}{path}")).await;
        assert_eq!((status, cache.as_str()), (200, NO_CACHE), "{path}");
        assert!(body.contains("id=root"), "{path}: {body}");
    }
}

#[tokio::test]
async fn api_paths_missing_assets_and_escapes_are_404_not_the_page() {
    let (_dir, ui) = built_ui();
    let base = start(ui).await;
    for path in [
        "/graphql/extra",
        "/webhook/unknown",
        "/healthz/x",
        "/assets/gone-1234.js",
    ] {
        let (status, _, _, body) = get(&format!("{base}{path}")).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(
            !body.contains("id=root"),
            "{path} answered with the UI page"
        );
    }
    // Nothing outside the UI directory is ever served (other paths get the page or a 404).
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/assets/..%2f..%2fsecret.txt",
    ] {
        let (_, _, _, body) = get(&format!("{base}{path}")).await;
        assert!(
            !body.contains("top secret"),
            "{path} escaped the UI directory"
        );
    }
    // The real API route still wins over the UI.
    let response = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "api");
    // Other methods on UI paths are refused, not served the page.
    let response = reqwest::Client::new()
        .post(format!("{base}/workflows"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
}

#[tokio::test]
async fn an_unbuilt_ui_says_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let base = start(StaticUi::new(dir.path().join("dist"))).await;
    let (status, _, _, body) = get(&format!("{base}/")).await;
    assert_eq!(status, 404);
    assert!(
        body.contains("not built") && body.contains("make run"),
        "{body}"
    );
}
