//! The CLI's access commands against a real server: `weft user create-owner` offline on the data
//! directory, `weft login` / `logout` with stored (and refreshed) tokens, and `weft credentials`,
//! whose secrets go in and never come back out.

mod process;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use process::{CliOutput, Weft};
use serde_json::Value;
use weft_commands::testing::TestDb;

const SECRET: &str = "Cli-Secret-0815-otter";

fn ok(output: CliOutput) -> String {
    assert_eq!(
        output.code, 0,
        "stdout: {}\nstderr: {}",
        output.stdout, output.stderr
    );
    output.stdout
}

fn failed(output: CliOutput) -> String {
    assert_eq!(
        output.code, 1,
        "stdout: {}\nstderr: {}",
        output.stdout, output.stderr
    );
    assert_eq!(output.stderr.trim().lines().count(), 1, "{}", output.stderr);
    output.stderr
}

/// `weft user create-owner` on `data_dir` and the test database.
fn create_owner(db: &TestDb, data_dir: &std::path::Path) -> CliOutput {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_weft"))
        .env_clear()
        .env("WEFT_DATA_DIR", data_dir)
        .env("WEFT_DATABASE_URL", &db.url)
        .args(["user", "create-owner", "--email", "owner@example.com"])
        .args(["--password", "owner-password-1"])
        .output()
        .unwrap();
    CliOutput {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A fake service that answers 200 only to `Authorization: Basic ada:SECRET`.
async fn fake_service() -> String {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_setup_sign_in_and_credentials_from_the_command_line() {
    let db = TestDb::sqlite();
    let data = tempfile::tempdir().unwrap();
    let cli_home = tempfile::tempdir().unwrap();
    let home = cli_home.path().to_str().unwrap();

    // Offline owner setup, once.
    let created = ok(create_owner(&db, data.path()));
    assert!(
        created.starts_with("owner owner@example.com created"),
        "{created}"
    );
    assert!(failed(create_owner(&db, data.path())).contains("owner"));

    // The server signs in with that owner (the harness logs in as owner@example.com).
    let weft = Weft::start(&db, data.path()).await;
    let as_cli =
        |args: &[&str], stdin: Option<&str>| weft.cli_with(args, &[("WEFT_CLI_HOME", home)], stdin);

    // Not signed in: the reason says how to sign in.
    let refused = failed(as_cli(&["list"], None));
    assert!(
        refused.contains("UNAUTHENTICATED") && refused.contains("weft login"),
        "{refused}"
    );
    let wrong = failed(as_cli(
        &["login", "--email", "owner@example.com", "--password-stdin"],
        Some("not-the-password\n"),
    ));
    assert!(wrong.contains("UNAUTHENTICATED"), "{wrong}");
    let no_terminal = failed(as_cli(&["login", "--email", "owner@example.com"], None));
    assert!(no_terminal.contains("--password-stdin"), "{no_terminal}");

    let signed_in = ok(as_cli(
        &["login", "--email", "owner@example.com", "--password-stdin"],
        Some("owner-password-1\n"),
    ));
    assert!(
        signed_in.contains("as owner@example.com (OWNER)"),
        "{signed_in}"
    );
    let sessions = cli_home.path().join("sessions.json");
    let stored = std::fs::read_to_string(&sessions).unwrap();
    assert!(!stored.contains("owner-password-1"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&sessions).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let listed: Value = serde_json::from_str(&ok(as_cli(&["list", "--json"], None))).unwrap();
    assert!(listed.is_array(), "{listed}");

    // An expired access token is refreshed with the stored refresh token.
    let mut file: Value = serde_json::from_str(&stored).unwrap();
    let key = weft.base.clone();
    let old_refresh = file["servers"][&key]["refreshToken"].clone();
    file["servers"][&key]["accessTokenExpiresAt"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(&sessions, file.to_string()).unwrap();
    ok(as_cli(&["list"], None));
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&sessions).unwrap()).unwrap();
    // The refresh token rotated and the new expiry lies ahead.
    assert_ne!(file["servers"][&key]["refreshToken"], old_refresh);
    assert_ne!(
        file["servers"][&key]["accessTokenExpiresAt"],
        "2020-01-01T00:00:00Z"
    );

    // Credentials: the secret goes in on stdin and never comes back out.
    let url = fake_service().await;
    let created = ok(as_cli(
        &[
            "credentials",
            "create",
            "--name",
            "Billing",
            "--type",
            "httpBasicAuth",
            "--data",
            "-",
        ],
        Some(&format!(r#"{{"user": "ada", "password": "{SECRET}"}}"#)),
    ));
    assert!(created.contains("secrets set: password"), "{created}");
    assert!(!created.contains(SECRET));
    let id = created
        .split_whitespace()
        .nth(1)
        .expect("credential ID created: …")
        .to_string();
    let table = ok(as_cli(&["credentials", "list"], None));
    assert!(
        table.contains("Billing") && table.contains("httpBasicAuth"),
        "{table}"
    );
    let listed: Value =
        serde_json::from_str(&ok(as_cli(&["credentials", "list", "--json"], None))).unwrap();
    assert_eq!(listed[0]["secretFields"], serde_json::json!(["password"]));
    assert!(!listed.to_string().contains(SECRET));
    assert!(ok(as_cli(&["credentials", "types"], None)).contains("password* (secret)"));

    ok(as_cli(
        &["credentials", "test", &id, "--endpoint", &url],
        None,
    ));
    let refused = failed(as_cli(
        &[
            "credentials",
            "test",
            &id,
            "--endpoint",
            &format!("{url}-elsewhere"),
        ],
        None,
    ));
    assert!(refused.contains("the credential test failed"), "{refused}");

    // Bad input: clear reasons, nothing stored.
    let bad_type = failed(as_cli(
        &[
            "credentials",
            "create",
            "--name",
            "X",
            "--type",
            "nope",
            "--data",
            "{}",
        ],
        None,
    ));
    assert!(
        bad_type.contains("VALIDATION") && bad_type.contains("nope"),
        "{bad_type}"
    );
    let not_object = failed(as_cli(
        &[
            "credentials",
            "create",
            "--name",
            "X",
            "--type",
            "httpBasicAuth",
            "--data",
            "[1]",
        ],
        None,
    ));
    assert!(not_object.contains("must be a JSON object"), "{not_object}");
    assert!(failed(as_cli(&["credentials", "update", &id], None)).contains("nothing to change"));
    let listed: Value =
        serde_json::from_str(&ok(as_cli(&["credentials", "list", "--json"], None))).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    assert!(
        ok(as_cli(
            &["credentials", "update", &id, "--name", "Billing API"],
            None
        ))
        .contains("Billing API")
    );
    ok(as_cli(&["credentials", "delete", &id], None));
    assert!(!ok(as_cli(&["credentials", "list"], None)).contains("Billing"));

    // Sign out: the stored tokens are gone and the session ended on the server.
    assert!(ok(as_cli(&["logout"], None)).contains("signed out"));
    assert!(failed(as_cli(&["list"], None)).contains("UNAUTHENTICATED"));
    assert!(failed(as_cli(&["logout"], None)).contains("not signed in"));
}
