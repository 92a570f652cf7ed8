//! Credentials over real HTTP on SQLite and Postgres: typed and validated, metadata only in the
//! API, tested against fake services on 127.0.0.1 and the real test Postgres, never in
//! plaintext in the database file, the event table, the read models, exports or the logs; and
//! crypto-shredded on deletion.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use common::{Server, code, start};
use serde_json::json;
use sqlx::Row;
use weft_commands::{Backend, on_both_backends};

on_both_backends!(
    credentials_are_typed_and_only_metadata_is_returned,
    secrets_never_appear_in_plaintext,
    deleting_a_credential_shreds_its_secrets,
    postgres_credentials_connect_for_real,
    http_request_nodes_authenticate_with_a_stored_credential,
);

/// A secret that must never be found anywhere in plaintext.
const SECRET: &str = "Plaintext-Secret-4711-zebra";

/// Every log line of this test process, at debug level.
fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_writer(move || Capture(writer.clone()))
            .try_init();
        buffer
    })
    .clone()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A fake API on 127.0.0.1 that answers 200 only to `Authorization: Basic ada:SECRET`.
async fn fake_api() -> String {
    let expected = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("ada:{SECRET}")
        )
    );
    let app = axum::Router::new().route(
        "/check",
        get(move |headers: HeaderMap| {
            let expected = expected.clone();
            async move {
                match headers.get("authorization").and_then(|v| v.to_str().ok()) {
                    Some(value) if value == expected => StatusCode::OK,
                    _ => StatusCode::UNAUTHORIZED,
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}/check")
}

const CREATE: &str = "mutation($name: String!, $type: String!, $data: JSON!) {
    createCredential(name: $name, type: $type, data: $data) { id name type data secretFields createdBy }
}";
const TEST: &str =
    "mutation($id: ID!, $url: String) { testCredential(id: $id, url: $url) { ok message } }";

async fn create_basic(server: &Server) -> String {
    let data = server
        .data(
            CREATE,
            json!({"name": "Billing", "type": "httpBasicAuth", "data": {"user": "ada", "password": SECRET}}),
        )
        .await;
    data["createCredential"]["id"].as_str().unwrap().to_string()
}

async fn credentials_are_typed_and_only_metadata_is_returned(backend: Backend) {
    let server = start(backend).await;
    let created = server
        .data(
            CREATE,
            json!({"name": "Billing", "type": "httpBasicAuth", "data": {"user": "ada", "password": SECRET}}),
        )
        .await["createCredential"]
        .clone();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["data"], json!({"user": "ada"}));
    assert_eq!(created["secretFields"], json!(["password"]));
    assert_eq!(created["createdBy"], format!("user:{}", server.owner_id));
    // Bad input is named and stores nothing.
    let before = server.store.head().await.unwrap();
    for (data, message) in [
        (
            json!({"user": "ada"}),
            "credential type `httpBasicAuth` needs the field `password`",
        ),
        (
            json!({"user": "ada", "password": "x", "pin": "1"}),
            "credential type `httpBasicAuth` has no field `pin` (fields: user, password)",
        ),
    ] {
        let error = server
            .error(
                CREATE,
                json!({"name": "Bad", "type": "httpBasicAuth", "data": data}),
            )
            .await;
        assert_eq!(code(&error), "VALIDATION");
        assert_eq!(error["message"], message);
    }
    let error = server
        .error(CREATE, json!({"name": "Bad", "type": "ftp", "data": {}}))
        .await;
    assert_eq!(code(&error), "VALIDATION");
    assert_eq!(server.store.head().await.unwrap(), before);
    // Testing against a fake service on 127.0.0.1.
    let url = fake_api().await;
    let tested = server.data(TEST, json!({"id": id, "url": url})).await;
    assert_eq!(tested["testCredential"]["ok"], true, "{tested}");
    // Updating without the secret keeps it; renaming keeps everything.
    let updated = server
        .data(
            "mutation($id: ID!) { updateCredential(id: $id, name: \"Billing v2\", data: {user: \"ada\"}) { name data secretFields } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        updated["updateCredential"],
        json!({"name": "Billing v2", "data": {"user": "ada"}, "secretFields": ["password"]})
    );
    let tested = server.data(TEST, json!({"id": id, "url": url})).await;
    assert_eq!(tested["testCredential"]["ok"], true, "{tested}");
    let changed = server
        .data(
            "mutation($id: ID!) { updateCredential(id: $id, data: {user: \"ada\", password: \"other\"}) { name } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(changed["updateCredential"]["name"], "Billing v2");
    let tested = server.data(TEST, json!({"id": id, "url": url})).await;
    assert_eq!(
        tested["testCredential"],
        json!({"ok": false, "message": "the server answered 401 Unauthorized"})
    );
    // Viewers list metadata but cannot create, change, test or delete.
    let viewer = server.create_user("vi", "VIEWER").await;
    let listed = server
        .request_as(
            Some(&viewer.token),
            "{ credentials { id name type data } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["data"]["credentials"],
        json!([{"id": id, "name": "Billing v2", "type": "httpBasicAuth", "data": {"user": "ada"}}])
    );
    for (query, variables) in [
        (
            CREATE,
            json!({"name": "V", "type": "httpBearerAuth", "data": {"token": "t"}}),
        ),
        (TEST, json!({"id": id, "url": url})),
        (
            "mutation($id: ID!) { deleteCredential(id: $id) }",
            json!({"id": id}),
        ),
    ] {
        let refused = server
            .request_as(Some(&viewer.token), query, variables)
            .await;
        assert_eq!(code(&refused["errors"][0]), "FORBIDDEN", "{refused}");
    }
    // An editor may create and use credentials.
    let editor = server.create_user("ed", "EDITOR").await;
    let made = server
        .request_as(
            Some(&editor.token),
            CREATE,
            json!({"name": "Token", "type": "httpBearerAuth", "data": {"token": "t"}}),
        )
        .await;
    assert!(made.get("errors").is_none(), "{made}");
    let types = server
        .data(
            "{ credentialTypes { id fields { name secret } } }",
            json!({}),
        )
        .await;
    assert_eq!(types["credentialTypes"].as_array().unwrap().len(), 8);
}

/// Every byte of the SQLite database (main file and write-ahead log) as text.
fn sqlite_bytes(url: &str) -> String {
    let path = url.trim_start_matches("sqlite://");
    let path = path.split('?').next().unwrap();
    let mut all = Vec::new();
    for file in [path.to_string(), format!("{path}-wal")] {
        if let Ok(bytes) = std::fs::read(&file) {
            all.extend(bytes);
        }
    }
    String::from_utf8_lossy(&all).into_owned()
}

async fn secrets_never_appear_in_plaintext(backend: Backend) {
    let logs = logs();
    let server = start(backend).await;
    let id = create_basic(&server).await;
    let url = fake_api().await;
    let tested = server.data(TEST, json!({"id": id, "url": url})).await;
    assert_eq!(tested["testCredential"]["ok"], true);
    // A workflow whose HTTP Request node uses the credential, exported.
    let definition = json!({
        "nodes": [
            {"id": "t", "type": "n8n-nodes-base.manualTrigger", "name": "Start", "position": [0, 0]},
            {"id": "h", "type": "n8n-nodes-base.httpRequest", "name": "Call", "position": [200, 0],
             "typeVersion": 4.2,
             "parameters": {"url": url, "authentication": "genericCredentialType", "genericAuthType": "httpBasicAuth"},
             "credentials": {"httpBasicAuth": {"id": id, "name": "Billing"}}}
        ],
        "connections": [{"source": "t", "target": "h"}]
    });
    let created = server
        .data(
            "mutation($d: JSON) { createWorkflow(name: \"Uses secret\", definition: $d) { workflowId } }",
            json!({"d": definition}),
        )
        .await;
    let workflow_id = created["createWorkflow"]["workflowId"].clone();
    let exported = server
        .data(
            "mutation($id: ID!) { exportWorkflow(workflowId: $id) }",
            json!({"id": workflow_id}),
        )
        .await
        .to_string();
    assert!(!exported.contains(SECRET), "the export leaks the secret");
    assert!(
        exported.contains(&id),
        "the export lost the credential reference: {exported}"
    );
    let everything = server
        .data(
            "{ credentials { id name type data secretFields } auditLog { items { summary } } }",
            json!({}),
        )
        .await;
    assert!(!everything.to_string().contains(SECRET));
    // The stored bytes.
    match backend {
        Backend::Sqlite => {
            let bytes = sqlite_bytes(&server.db.url);
            assert!(
                bytes.contains("CredentialCreated"),
                "the grep looks at the right file"
            );
            assert!(
                !bytes.contains(SECRET),
                "the SQLite file holds the plaintext secret"
            );
        }
        Backend::Postgres => {
            let pool = server.store.db().pool();
            let mut dump = String::new();
            for table in [
                "events",
                "credentials",
                "audit_log",
                "credential_keys",
                "workflows",
                "workflow_versions",
            ] {
                let sql = format!("SELECT CAST(t.* AS TEXT) FROM {table} t");
                for row in sqlx::query(&sql).fetch_all(pool).await.unwrap() {
                    dump.push_str(&row.try_get::<String, _>(0).unwrap());
                }
            }
            assert!(
                dump.contains("CredentialCreated"),
                "the grep looks at the right tables"
            );
            assert!(
                !dump.contains(SECRET),
                "Postgres holds the plaintext secret"
            );
        }
    }
    let logged = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(!logged.is_empty(), "logs are captured");
    assert!(
        !logged.contains(SECRET),
        "the logs hold the plaintext secret"
    );
}

async fn deleting_a_credential_shreds_its_secrets(backend: Backend) {
    let server = start(backend).await;
    let id = create_basic(&server).await;
    let events = server.store.stream("credential", &id).await.unwrap();
    let sealed = events[0].payload["sealed"].as_str().unwrap().to_string();
    let opened = server.credentials.open_sealed(&id, &sealed).await.unwrap();
    assert_eq!(opened["password"], SECRET);
    let deleted = server
        .data(
            "mutation($id: ID!) { deleteCredential(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(deleted["deleteCredential"], true);
    // The event is still in the log, but nothing can open it any more.
    let events = server.store.stream("credential", &id).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].payload["sealed"], sealed);
    let error = server
        .credentials
        .open_sealed(&id, &sealed)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("data key was destroyed"),
        "{error}"
    );
    let keys: i64 = sqlx::query(
        &server
            .store
            .db()
            .sql("SELECT COUNT(*) FROM credential_keys WHERE credential_id = $1"),
    )
    .bind(&id)
    .fetch_one(server.store.db().pool())
    .await
    .unwrap()
    .try_get(0)
    .unwrap();
    assert_eq!(keys, 0);
    let listed = server.data("{ credentials { id } }", json!({})).await;
    assert_eq!(listed["credentials"], json!([]));
    let gone = server
        .error(TEST, json!({"id": id, "url": "http://127.0.0.1:9/"}))
        .await;
    assert_eq!(code(&gone), "NOT_FOUND");
    let again = server
        .error(
            "mutation($id: ID!) { deleteCredential(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code(&again), "NOT_FOUND");
}

async fn postgres_credentials_connect_for_real(backend: Backend) {
    let server = start(backend).await;
    let admin_url = std::env::var("WEFT_TEST_POSTGRES_URL").expect("WEFT_TEST_POSTGRES_URL");
    let parsed = reqwest::Url::parse(&admin_url).unwrap();
    let data = |password: &str| {
        json!({
            "host": parsed.host_str().unwrap(),
            "port": parsed.port().unwrap_or(5432),
            "database": parsed.path().trim_start_matches('/'),
            "user": parsed.username(),
            "password": password,
            "ssl": "disable"
        })
    };
    let password = parsed.password().unwrap_or("unused").to_string();
    let created = server
        .data(
            CREATE,
            json!({"name": "DB", "type": "postgres", "data": data(&password)}),
        )
        .await;
    let id = created["createCredential"]["id"].clone();
    let tested = server.data(TEST, json!({"id": id})).await;
    assert_eq!(
        tested["testCredential"],
        json!({"ok": true, "message": "connected and ran SELECT 1"})
    );
    let wrong = server
        .data(
            CREATE,
            json!({"name": "Wrong DB", "type": "postgres", "data": {"host": "127.0.0.1", "port": 1, "database": "x", "user": "x", "password": "x"}}),
        )
        .await;
    let tested = server
        .data(TEST, json!({"id": wrong["createCredential"]["id"]}))
        .await;
    assert_eq!(tested["testCredential"]["ok"], false);
    assert!(
        tested["testCredential"]["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot connect"),
        "{tested}"
    );
}

/// Manual trigger → HTTP Request calling `url` with the `httpBasicAuth` credential `id`.
fn calling_workflow(url: &str, credential_id: &str) -> serde_json::Value {
    json!({
        "nodes": [
            {"id": "t", "type": "n8n-nodes-base.manualTrigger", "name": "Start", "position": [0, 0]},
            {"id": "h", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "name": "Call", "position": [200, 0],
             "parameters": {"method": "GET", "url": url, "authentication": "genericCredentialType",
                            "genericAuthType": "httpBasicAuth", "options": {"response": {"response": {"responseFormat": "text"}}}},
             "credentials": {"httpBasicAuth": {"id": credential_id, "name": "Billing"}}}
        ],
        "connections": [{"source": "t", "target": "h"}]
    })
}

async fn http_request_nodes_authenticate_with_a_stored_credential(backend: Backend) {
    let server = start(backend).await;
    let url = fake_api().await;
    let credential = create_basic(&server).await;
    let created = server
        .data(
            "mutation($definition: JSON) { createWorkflow(name: \"Calls billing\", definition: $definition) { workflowId } }",
            json!({"definition": calling_workflow(&url, &credential)}),
        )
        .await;
    let workflow_id = created["createWorkflow"]["workflowId"].clone();
    const EXECUTE: &str = "mutation($id: ID!) {
        executeWorkflow(workflowId: $id, wait: true) { executionId status execution { error } }
    }";

    // The fake API answers 200 only with the stored user and password.
    let ran = server.data(EXECUTE, json!({"id": workflow_id})).await;
    assert_eq!(ran["executeWorkflow"]["status"], "SUCCEEDED", "{ran:#}");
    let events = server
        .data(
            "query($id: ID!) { execution(id: $id) { replay { events { payload } } } }",
            json!({"id": ran["executeWorkflow"]["executionId"]}),
        )
        .await;
    assert!(
        !events.to_string().contains(SECRET),
        "the run recorded the secret"
    );

    // Once the credential is deleted the node fails, naming it.
    server
        .data(
            "mutation($id: ID!) { deleteCredential(id: $id) }",
            json!({"id": credential}),
        )
        .await;
    let ran = server.data(EXECUTE, json!({"id": workflow_id})).await;
    assert_eq!(ran["executeWorkflow"]["status"], "FAILED", "{ran:#}");
    let error = ran["executeWorkflow"]["execution"]["error"].to_string();
    assert!(error.contains("credential `Billing`"), "{error}");
}
