//! Authentication and authorization over real HTTP and WebSocket, on SQLite and Postgres: every
//! refused request gets the right code and changes nothing; refresh tokens rotate; API keys work
//! until revoked; the actor on every event is the authenticated principal.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use common::{OWNER_EMAIL, OWNER_PASSWORD, Server, code, start};
use serde_json::{Value, json};
use weft_commands::auth::TokenKeys;
use weft_commands::secrets::MasterKey;
use weft_commands::{Backend, LogPosition, on_both_backends};

on_both_backends!(
    bad_credentials_are_unauthenticated_and_change_nothing,
    roles_are_enforced_and_refusals_change_nothing,
    setup_happens_once_and_sessions_rotate_and_end,
    api_keys_act_for_their_user_until_revoked,
    subscriptions_authenticate_in_connection_init,
);

const CREATE: &str = "mutation { createWorkflow(name: \"Nope\") { workflowId } }";
const LIST: &str = "{ workflows { items { id } } }";

/// Request headers.
type Headers = Vec<(&'static str, String)>;

async fn head(server: &Server) -> LogPosition {
    server.store.head().await.unwrap()
}

fn first_code(response: &Value) -> String {
    code(&response["errors"][0]).to_string()
}

/// A token with `{"alg":"none"}` and no signature, claiming to be `user_id`.
fn unsigned_token(valid: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let claims = valid.split('.').nth(1).unwrap();
    format!("{header}.{claims}.")
}

async fn bad_credentials_are_unauthenticated_and_change_nothing(backend: Backend) {
    let server = start(backend).await;
    let before = head(&server).await;
    let sid = "00000000-0000-0000-0000-000000000000";
    let keys = server.access.token_keys();
    let (expired, _) = keys.issue(
        &server.owner_id,
        sid,
        "owner",
        Utc::now() - Duration::hours(2),
    );
    let (forged, _) = TokenKeys::new(&MasterKey::generate(), Duration::minutes(5)).issue(
        &server.owner_id,
        sid,
        "owner",
        Utc::now(),
    );
    let cases: Vec<(&str, Headers, &str)> = vec![
        ("no token", vec![], "authentication required"),
        (
            "expired",
            vec![("authorization", format!("Bearer {expired}"))],
            "the access token expired",
        ),
        (
            "wrong signature",
            vec![("authorization", format!("Bearer {forged}"))],
            "signature is not valid",
        ),
        (
            "alg none",
            vec![(
                "authorization",
                format!("Bearer {}", unsigned_token(&server.token)),
            )],
            "access token",
        ),
        (
            "not bearer",
            vec![("authorization", format!("Basic {}", server.token))],
            "must be `Bearer <token>`",
        ),
        (
            "unknown API key",
            vec![(
                "x-api-key",
                "weft_0123456789abcdef0123456789abcdef_x".into(),
            )],
            "the API key is not valid",
        ),
    ];
    for (case, headers, message) in cases {
        for query in [CREATE, LIST, "{ me { id } }"] {
            let response = server
                .request_with_headers(&headers, query, json!({}))
                .await;
            assert_eq!(
                first_code(&response),
                "UNAUTHENTICATED",
                "{case}: {response}"
            );
            assert!(response["data"].is_null(), "{case}: {response}");
            let text = response["errors"][0]["message"].as_str().unwrap();
            assert!(text.contains(message), "{case}: {text}");
        }
    }
    assert_eq!(
        head(&server).await,
        before,
        "refused requests appended events"
    );
    // The token of the real owner works, and a client-chosen actor header is ignored.
    let response = server
        .request_with_headers(
            &[
                ("authorization", format!("Bearer {}", server.token)),
                ("x-weft-actor", "user:mallory".into()),
            ],
            "mutation { createWorkflow(name: \"Mine\") { workflowId workflow { version } } }",
            json!({}),
        )
        .await;
    let id = response["data"]["createWorkflow"]["workflowId"].clone();
    let audit = server
        .data(
            "query($id: ID!) { auditLog(workflowId: $id) { items { actor } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        audit["auditLog"]["items"][0]["actor"],
        format!("user:{}", server.owner_id)
    );
    // Public operations work without credentials, even with a bad token attached.
    let status = server
        .request_with_headers(
            &[("authorization", format!("Bearer {expired}"))],
            "{ authStatus { setupRequired user { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        status["data"],
        json!({"authStatus": {"setupRequired": false, "user": null}})
    );
}

async fn roles_are_enforced_and_refusals_change_nothing(backend: Backend) {
    let server = start(backend).await;
    let id = server.create_sample("Shared").await;
    let viewer = server.create_user("vera", "VIEWER").await;
    let editor = server.create_user("ed", "EDITOR").await;
    let admin = server.create_user("ann", "ADMIN").await;
    let before = head(&server).await;
    let rename = json!({"id": id});
    let rename_q = "mutation($id: ID!) { renameWorkflow(workflowId: $id, name: \"Viewer was here\") { version } }";
    let forbidden: Vec<(&str, &str, &str, Value)> = vec![
        ("viewer creates", &viewer.token, CREATE, json!({})),
        ("viewer renames", &viewer.token, rename_q, rename.clone()),
        (
            "editor creates a user",
            &editor.token,
            "mutation { createUser(email: \"x@example.com\", password: \"password-x\", role: VIEWER) { id } }",
            json!({}),
        ),
        (
            "editor promotes a viewer",
            &editor.token,
            "mutation($id: ID!) { changeUserRole(id: $id, role: ADMIN) { id } }",
            json!({"id": viewer.id}),
        ),
        (
            "editor disables a viewer",
            &editor.token,
            "mutation($id: ID!) { disableUser(id: $id) { id } }",
            json!({"id": viewer.id}),
        ),
        (
            "editor lists users",
            &editor.token,
            "{ users { id } }",
            json!({}),
        ),
        (
            "admin demotes the owner",
            &admin.token,
            "mutation($id: ID!) { changeUserRole(id: $id, role: VIEWER) { id } }",
            json!({"id": server.owner_id}),
        ),
        (
            "admin creates an owner",
            &admin.token,
            "mutation { createUser(email: \"o2@example.com\", password: \"password-x\", role: OWNER) { id } }",
            json!({}),
        ),
    ];
    for (case, token, query, variables) in forbidden {
        let response = server.request_as(Some(token), query, variables).await;
        assert_eq!(first_code(&response), "FORBIDDEN", "{case}: {response}");
    }
    assert_eq!(
        head(&server).await,
        before,
        "refused requests appended events"
    );
    // Viewers read; editors edit; admins manage users.
    let listed = server
        .request_as(Some(&viewer.token), LIST, json!({}))
        .await;
    assert_eq!(listed["data"]["workflows"]["items"][0]["id"], id);
    let renamed = server
        .request_as(
            Some(&editor.token),
            "mutation($id: ID!) { renameWorkflow(workflowId: $id, name: \"Edited\") { version } }",
            rename,
        )
        .await;
    assert_eq!(renamed["data"]["renameWorkflow"]["version"], 2, "{renamed}");
    let promoted = server
        .request_as(
            Some(&admin.token),
            "mutation($id: ID!) { changeUserRole(id: $id, role: EDITOR) { role } }",
            json!({"id": viewer.id}),
        )
        .await;
    assert_eq!(
        promoted["data"]["changeUserRole"]["role"], "EDITOR",
        "{promoted}"
    );
    // The new role applies to the existing token at once.
    let created = server
        .request_as(Some(&viewer.token), CREATE, json!({}))
        .await;
    assert!(created.get("errors").is_none(), "{created}");
    let users = server
        .request_as(
            Some(&admin.token),
            "{ users { email role disabled } }",
            json!({}),
        )
        .await;
    assert_eq!(
        users["data"]["users"].as_array().unwrap().len(),
        4,
        "{users}"
    );
    assert_eq!(users["data"]["users"][0]["email"], OWNER_EMAIL);
    // A disabled user's token stops working.
    let disabled = server
        .request_as(
            Some(&admin.token),
            "mutation($id: ID!) { disableUser(id: $id) { disabled } }",
            json!({"id": editor.id}),
        )
        .await;
    assert_eq!(
        disabled["data"]["disableUser"]["disabled"], true,
        "{disabled}"
    );
    let refused = server
        .request_as(Some(&editor.token), LIST, json!({}))
        .await;
    assert_eq!(first_code(&refused), "UNAUTHENTICATED");
    let login = server
        .request_as(
            None,
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
            json!({"e": editor.email, "p": editor.password}),
        )
        .await;
    assert_eq!(first_code(&login), "UNAUTHENTICATED", "{login}");
}

const LOGIN: &str = "mutation($e: String!, $p: String!) {
    login(email: $e, password: $p) { accessToken refreshToken user { email role } }
}";
const REFRESH: &str =
    "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }";

async fn setup_happens_once_and_sessions_rotate_and_end(backend: Backend) {
    let server = start(backend).await;
    let again = server
        .request_as(
            None,
            "mutation { setupOwner(email: \"second@example.com\", password: \"password-2\") { accessToken } }",
            json!({}),
        )
        .await;
    assert_eq!(first_code(&again), "CONFLICT", "{again}");
    assert_eq!(
        again["errors"][0]["message"],
        "the owner is already set up: sign in instead"
    );
    let wrong = server
        .request_as(
            None,
            LOGIN,
            json!({"e": OWNER_EMAIL, "p": "wrong-password"}),
        )
        .await;
    assert_eq!(first_code(&wrong), "UNAUTHENTICATED");
    assert_eq!(wrong["errors"][0]["message"], "wrong email or password");
    let login = server
        .request_as(None, LOGIN, json!({"e": OWNER_EMAIL, "p": OWNER_PASSWORD}))
        .await;
    let login = &login["data"]["login"];
    assert_eq!(
        login["user"],
        json!({"email": OWNER_EMAIL, "role": "OWNER"})
    );
    let first_refresh = login["refreshToken"].as_str().unwrap().to_string();
    let me = server
        .request_as(
            login["accessToken"].as_str(),
            "{ me { email role } }",
            json!({}),
        )
        .await;
    assert_eq!(
        me["data"]["me"],
        json!({"email": OWNER_EMAIL, "role": "OWNER"})
    );
    // Rotation: the refresh token works once and yields a new pair.
    let rotated = server
        .request_as(None, REFRESH, json!({"t": first_refresh}))
        .await;
    let rotated = rotated["data"]["refreshToken"].clone();
    let second_refresh = rotated["refreshToken"].as_str().unwrap().to_string();
    assert_ne!(second_refresh, first_refresh);
    let access = rotated["accessToken"].as_str().unwrap().to_string();
    let works = server.request_as(Some(&access), LIST, json!({})).await;
    assert!(works.get("errors").is_none(), "{works}");
    // Reusing the old refresh token is refused and ends the session (a stolen token is useless).
    let reused = server
        .request_as(None, REFRESH, json!({"t": first_refresh}))
        .await;
    assert_eq!(first_code(&reused), "UNAUTHENTICATED", "{reused}");
    let after_reuse = server
        .request_as(None, REFRESH, json!({"t": second_refresh}))
        .await;
    assert_eq!(first_code(&after_reuse), "UNAUTHENTICATED", "{after_reuse}");
    let ended = server.request_as(Some(&access), LIST, json!({})).await;
    assert_eq!(first_code(&ended), "UNAUTHENTICATED", "{ended}");
    // Logout ends a session: its access and refresh tokens stop working.
    let login = server
        .request_as(None, LOGIN, json!({"e": OWNER_EMAIL, "p": OWNER_PASSWORD}))
        .await;
    let access = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let refresh = login["data"]["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    let out = server
        .request_as(Some(&access), "mutation { logout }", json!({}))
        .await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    let refused = server.request_as(Some(&access), LIST, json!({})).await;
    assert_eq!(first_code(&refused), "UNAUTHENTICATED");
    let refused = server
        .request_as(None, REFRESH, json!({"t": refresh}))
        .await;
    assert_eq!(first_code(&refused), "UNAUTHENTICATED");
    // The setup's own session is untouched.
    let still = server.request(LIST, json!({})).await;
    assert!(still.get("errors").is_none(), "{still}");
}

async fn api_keys_act_for_their_user_until_revoked(backend: Backend) {
    let server = start(backend).await;
    let created = server
        .data(
            "mutation { createApiKey(name: \"ci\") { id name key } }",
            json!({}),
        )
        .await;
    let key_id = created["createApiKey"]["id"].as_str().unwrap().to_string();
    let key = created["createApiKey"]["key"].as_str().unwrap().to_string();
    assert!(key.starts_with("weft_"));
    let with_key = [("x-api-key", key.clone())];
    let response = server
        .request_with_headers(
            &with_key,
            "mutation { createWorkflow(name: \"From CI\") { workflowId workflow { version } } }",
            json!({}),
        )
        .await;
    let id = response["data"]["createWorkflow"]["workflowId"].clone();
    assert!(id.is_string(), "{response}");
    let audit = server
        .data(
            "query($id: ID!) { auditLog(workflowId: $id) { items { actor } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        audit["auditLog"]["items"][0]["actor"],
        format!("apikey:{key_id}:{}", server.owner_id)
    );
    let listed = server
        .data("{ apiKeys { id name revokedAt } }", json!({}))
        .await;
    assert_eq!(
        listed["apiKeys"],
        json!([{"id": key_id, "name": "ci", "revokedAt": null}])
    );
    assert!(!listed.to_string().contains(&key[10..]));
    // A viewer's key is a viewer.
    let viewer = server.create_user("vic", "VIEWER").await;
    let viewer_key = server
        .request_as(
            Some(&viewer.token),
            "mutation { createApiKey(name: \"reader\") { key } }",
            json!({}),
        )
        .await;
    let viewer_key = viewer_key["data"]["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = server
        .request_with_headers(&[("x-api-key", viewer_key.clone())], CREATE, json!({}))
        .await;
    assert_eq!(first_code(&refused), "FORBIDDEN");
    // Someone else's key cannot be revoked by a viewer; the owner's revocation is immediate.
    let not_theirs = server
        .request_as(
            Some(&viewer.token),
            "mutation($id: ID!) { revokeApiKey(id: $id) }",
            json!({"id": key_id}),
        )
        .await;
    assert_eq!(first_code(&not_theirs), "NOT_FOUND");
    let revoked = server
        .data(
            "mutation($id: ID!) { revokeApiKey(id: $id) }",
            json!({"id": key_id}),
        )
        .await;
    assert_eq!(revoked["revokeApiKey"], true);
    let refused = server
        .request_with_headers(&with_key, LIST, json!({}))
        .await;
    assert_eq!(first_code(&refused), "UNAUTHENTICATED");
    assert_eq!(refused["errors"][0]["message"], "the API key was revoked");
    let tampered = format!("{}x", key);
    let refused = server
        .request_with_headers(&[("x-api-key", tampered)], LIST, json!({}))
        .await;
    assert_eq!(first_code(&refused), "UNAUTHENTICATED");
}

const EVENTS: &str = "subscription($id: ID!, $after: Int) {
    workflowEvents(workflowId: $id, afterVersion: $after) { version actor }
}";

async fn subscriptions_authenticate_in_connection_init(backend: Backend) {
    let server = start(backend).await;
    let id = server.create_sample("Watched").await;
    // Without credentials the connection opens, but subscribing is refused.
    let (mut anonymous, ack) = server.connect_ws(json!({})).await;
    assert_eq!(ack["type"], "connection_ack");
    anonymous.subscribe("1", EVENTS, json!({"id": id})).await;
    let refused = anonymous.next_message().await;
    // graphql-ws reports the refusal on the subscription (`next` with errors, then `complete`).
    let error = match refused["type"].as_str() {
        Some("error") => refused["payload"][0].clone(),
        _ => refused["payload"]["errors"][0].clone(),
    };
    assert_eq!(code(&error), "UNAUTHENTICATED", "{refused}");
    assert!(refused["payload"]["data"].is_null(), "{refused}");
    // A bad token closes the connection, naming the reason.
    let (_, closed) = server
        .connect_ws(json!({"authorization": "Bearer not.a.token"}))
        .await;
    assert!(closed["close"].is_number(), "{closed}");
    assert_eq!(
        closed["reason"],
        "the access token is malformed or uses an unsupported algorithm"
    );
    // A viewer subscribes and sees an editor's edit with the editor as actor.
    let viewer = server.create_user("val", "VIEWER").await;
    let editor = server.create_user("eve", "EDITOR").await;
    let (mut client, ack) = server
        .connect_ws(json!({"authorization": format!("Bearer {}", viewer.token)}))
        .await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    client
        .subscribe("2", EVENTS, json!({"id": id, "after": 1}))
        .await;
    let rename = server
        .request_as(
            Some(&editor.token),
            "mutation($id: ID!) { renameWorkflow(workflowId: $id, name: \"Seen\") { version } }",
            json!({"id": id}),
        )
        .await;
    assert!(rename.get("errors").is_none(), "{rename}");
    let event = client.next_payload("2").await["data"]["workflowEvents"].clone();
    assert_eq!(event["version"], 2);
    assert_eq!(event["actor"], format!("user:{}", editor.id));
}
