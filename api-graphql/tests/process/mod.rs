//! Test harness: real `weft serve` processes on a free port over a test database, with a
//! GraphQL client and the `weft` binary for CLI commands.

#![allow(dead_code)]

pub mod flows;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use weft_commands::testing::TestDb;

/// How long a test waits for something that should happen promptly.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A `weft serve` process on a free port, killed on drop.
pub struct Weft {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// A client for it.
    pub http: reqwest::Client,
    /// The owner's access token (set up on first start, signed in on later ones), sent by
    /// [`Weft::graphql`] and [`Weft::cli`].
    pub token: String,
}

impl Drop for Weft {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Weft {
    pub async fn start(db: &TestDb, data_dir: &std::path::Path) -> Self {
        Self::start_with(db, data_dir, &[]).await
    }

    /// Starts `weft serve` with extra environment variables.
    pub async fn start_with(db: &TestDb, data_dir: &std::path::Path, env: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_weft"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("WEFT_DATA_DIR", data_dir)
            .env("WEFT_DATABASE_URL", &db.url)
            .env("WEFT_LOG", "warn")
            .envs(env.iter().copied())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start weft serve");
        let weft = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
            token: String::new(),
        };
        let deadline = Instant::now() + PATIENCE;
        while weft
            .http
            .get(format!("{}/readyz", weft.base))
            .send()
            .await
            .map(|r| !r.status().is_success())
            .unwrap_or(true)
        {
            assert!(Instant::now() < deadline, "weft serve did not become ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut weft = weft;
        weft.token = weft.owner_token().await;
        weft
    }

    /// Sets up the owner (first process on a database) or signs in as the owner.
    async fn owner_token(&self) -> String {
        let credentials = json!({"email": "owner@example.com", "password": "owner-password-1"});
        for mutation in ["setupOwner", "login"] {
            let query = format!(
                "mutation($email: String!, $password: String!) {{ {mutation}(email: $email, password: $password) {{ accessToken }} }}"
            );
            let response: Value = self
                .http
                .post(format!("{}/graphql", self.base))
                .json(&json!({ "query": query, "variables": credentials }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if let Some(token) = response["data"][mutation]["accessToken"].as_str() {
                return token.to_string();
            }
        }
        panic!("cannot set up or sign in the owner");
    }

    /// The whole GraphQL response (`data` and `errors`) as the owner.
    pub async fn graphql_response(&self, query: &str, variables: Value) -> Value {
        self.http
            .post(format!("{}/graphql", self.base))
            .bearer_auth(&self.token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The `data` of a GraphQL request that must succeed.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let response = self.graphql_response(query, variables).await;
        assert!(response.get("errors").is_none(), "{response}");
        response["data"].clone()
    }

    /// The first error of a GraphQL request that must fail.
    pub async fn graphql_error(&self, query: &str, variables: Value) -> Value {
        self.graphql_response(query, variables).await["errors"][0].clone()
    }

    /// Imports a Weft document and returns the workflow id.
    pub async fn import(&self, document: Value) -> String {
        let data = self
            .graphql(
                "mutation($d: JSON!) { importWorkflow(document: $d) { workflowId } }",
                json!({ "d": document }),
            )
            .await;
        data["importWorkflow"]["workflowId"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Activates the workflow; returns the version that is now active.
    pub async fn activate(&self, id: &str) -> i64 {
        self.graphql(
            "mutation($id: ID!) { activateWorkflow(workflowId: $id) { version } }",
            json!({ "id": id }),
        )
        .await["activateWorkflow"]["version"]
            .as_i64()
            .expect("activateWorkflow returns the version")
    }

    pub async fn deactivate(&self, id: &str) {
        self.graphql(
            "mutation($id: ID!) { deactivateWorkflow(workflowId: $id) { version } }",
            json!({ "id": id }),
        )
        .await;
    }

    /// Sends an HTTP request as the owner; returns the status and the JSON (or text) body.
    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Retries a request until its status is not 404 (the route table follows the projection
    /// asynchronously after a mutation).
    pub async fn request_routed(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let answer = self.request(method.clone(), path, body.clone()).await;
            if answer.0 != 404 || Instant::now() > deadline {
                return answer;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A `weft worker` process, killed on drop.
pub struct Worker {
    child: Child,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Worker {
    /// Starts `weft worker` on the database (sharing `data_dir`, hence the master key, with the
    /// server) with extra environment variables.
    pub fn start(db: &TestDb, data_dir: &std::path::Path, env: &[(&str, &str)]) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_weft"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("WEFT_DATA_DIR", data_dir)
            .env("WEFT_DATABASE_URL", &db.url)
            .env("WEFT_LOG", "warn")
            .envs(env.iter().copied())
            .arg("worker")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start weft worker");
        Self { child }
    }

    /// Kills the process with SIGKILL: no shutdown, its leases just expire.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a `weft` client command printed and how it exited.
pub struct CliOutput {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Weft {
    /// Runs `weft ARGS` against this server (`WEFT_URL`) as the owner (`WEFT_TOKEN`), waiting
    /// for it to exit.
    pub fn cli(&self, args: &[&str]) -> CliOutput {
        self.cli_with(args, &[("WEFT_TOKEN", &self.token)], None)
    }

    /// Runs `weft ARGS` against this server with only `env` besides `WEFT_URL` and `PATH`, and
    /// `stdin` as its standard input.
    pub fn cli_with(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> CliOutput {
        let mut command = Command::new(env!("CARGO_BIN_EXE_weft"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("WEFT_URL", &self.base)
            .envs(env.iter().copied())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("run weft");
        let mut input = child.stdin.take().expect("stdin");
        std::io::Write::write_all(&mut input, stdin.unwrap_or_default().as_bytes())
            .expect("write stdin");
        drop(input);
        let output = child.wait_with_output().expect("weft exits");
        CliOutput {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}
