//! Presence: a `workflowPresence` subscription marks its caller present while it is open and
//! streams the list of present actors. In-process by default; through Redis, two `weft serve`
//! processes see each other's users.

mod common;

use serde_json::{Value, json};
use weft_commands::Backend;
use weft_commands::testing::TestDb;

use common::processes::{serve, ws_client};
use common::{WsClient, code, sample_definition};

const PRESENCE: &str = "subscription($id: ID!) { workflowPresence(workflowId: $id) { workflowId actors users { id email role } } }";

async fn open(client: &mut WsClient, workflow_id: &str) {
    client
        .subscribe("presence", PRESENCE, json!({"id": workflow_id}))
        .await;
}

async fn next_actors(client: &mut WsClient) -> Value {
    client.next_payload("presence").await["data"]["workflowPresence"]["actors"].clone()
}

/// `user:ID` of each user, sorted as presence lists them.
fn actors(ids: &[&str]) -> Value {
    let mut actors: Vec<String> = ids.iter().map(|id| format!("user:{id}")).collect();
    actors.sort();
    json!(actors)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_process_presence_follows_who_has_the_workflow_open() {
    let server = common::start(Backend::Sqlite).await;
    let workflow_id = server.create_sample("shared").await;
    let ada_user = server.create_user("ada", "EDITOR").await;
    let bea_user = server.create_user("bea", "VIEWER").await;
    let cy_user = server.create_user("cy", "EDITOR").await;

    let mut ada = ws_client(&server.ws_url, &ada_user.token).await;
    open(&mut ada, &workflow_id).await;
    let first = ada.next_payload("presence").await;
    assert_eq!(first["data"]["workflowPresence"]["workflowId"], workflow_id);
    assert_eq!(
        first["data"]["workflowPresence"]["actors"],
        actors(&[&ada_user.id])
    );
    assert_eq!(
        first["data"]["workflowPresence"]["users"],
        json!([{"id": ada_user.id, "email": "ada@example.com", "role": "EDITOR"}])
    );

    let mut bea = ws_client(&server.ws_url, &bea_user.token).await;
    open(&mut bea, &workflow_id).await;
    let both = actors(&[&ada_user.id, &bea_user.id]);
    assert_eq!(next_actors(&mut bea).await, both);
    assert_eq!(next_actors(&mut ada).await, both);

    // A second tab of the same person lists them once, and closing it keeps them present.
    let mut ada_tab = ws_client(&server.ws_url, &ada_user.token).await;
    open(&mut ada_tab, &workflow_id).await;
    assert_eq!(next_actors(&mut ada_tab).await, both);
    ada_tab.close().await;

    bea.close().await;
    assert_eq!(next_actors(&mut ada).await, actors(&[&ada_user.id]));

    // Another workflow has its own list.
    let other = server.create_sample("other").await;
    let mut cy = ws_client(&server.ws_url, &cy_user.token).await;
    open(&mut cy, &other).await;
    assert_eq!(next_actors(&mut cy).await, actors(&[&cy_user.id]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_on_an_unknown_workflow_is_not_found() {
    let server = common::start(Backend::Sqlite).await;
    let mut owner = ws_client(&server.ws_url, &server.token).await;
    open(&mut owner, "no-such-workflow").await;
    let payload = owner.next_payload("presence").await;
    assert_eq!(code(&payload["errors"][0]), "NOT_FOUND", "{payload:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_redis_url_stops_serve_with_a_clear_reason() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_weft"))
        .env_clear()
        .env("WEFT_DATA_DIR", dir.path())
        .env("WEFT_REDIS_URL", "localhost:6379")
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("invalid Redis URL `localhost:6379`"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_redis_see_each_others_users() {
    let redis = std::env::var("WEFT_TEST_REDIS_URL").expect(
        "WEFT_TEST_REDIS_URL is not set: run the tests with `make test`, which starts Redis",
    );
    let db = TestDb::postgres().await;
    let env = [
        ("WEFT_DATABASE_URL", db.url.as_str()),
        ("WEFT_REDIS_URL", redis.as_str()),
    ];
    let a = serve(&env).await;
    let b = serve(&env).await;
    let created = a
        .data(
            "mutation($definition: JSON) {
                createWorkflow(name: \"shared\", definition: $definition) { workflowId }
            }",
            json!({"definition": sample_definition()}),
        )
        .await;
    let workflow_id = created["createWorkflow"]["workflowId"]
        .as_str()
        .unwrap()
        .to_string();
    a.await_version(&workflow_id, 1).await;
    b.await_version(&workflow_id, 1).await;

    let (ada_id, ada_token) = a.create_user("ada", "EDITOR").await;
    let (bea_id, bea_token) = a.create_user("bea", "EDITOR").await;

    let mut ada = a.ws_client(&ada_token).await;
    open(&mut ada, &workflow_id).await;
    assert_eq!(next_actors(&mut ada).await, actors(&[&ada_id]));

    // Process B accepts the tokens process A issued (same master key) and lists both users.
    let mut bea = b.ws_client(&bea_token).await;
    open(&mut bea, &workflow_id).await;
    let both = actors(&[&ada_id, &bea_id]);
    assert_eq!(next_actors(&mut bea).await, both);
    assert_eq!(next_actors(&mut ada).await, both);

    bea.close().await;
    assert_eq!(next_actors(&mut ada).await, actors(&[&ada_id]));
}
