//! Test support: fresh SQLite files and fresh Postgres databases for the store and projection
//! suites (enabled by the `test-support` feature).

use std::path::PathBuf;
use std::time::Duration;

use sqlx::{Connection, Executor};
use uuid::Uuid;

use crate::store::Backend;

/// A fresh, empty database that lives as long as this value.
pub struct TestDb {
    /// Connection URL.
    pub url: String,
    /// Which backend.
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A new SQLite file in a temporary directory.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path: PathBuf = dir.path().join("weft.db");
        Self {
            url: format!("sqlite://{}", path.display()),
            backend: Backend::Sqlite,
            _dir: Some(dir),
        }
    }

    /// A new database on the test Postgres server named by `WEFT_TEST_POSTGRES_URL`
    /// (`make test` starts one).
    pub async fn postgres() -> Self {
        let admin_url = std::env::var("WEFT_TEST_POSTGRES_URL").expect(
            "WEFT_TEST_POSTGRES_URL is not set: run the tests with `make test`, which starts Postgres",
        );
        sqlx::any::install_default_drivers();
        let name = format!("weft_test_{}", Uuid::new_v4().simple());
        let mut admin = sqlx::AnyConnection::connect(&admin_url)
            .await
            .expect("connect to test Postgres");
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test database");
        let (base, _) = admin_url
            .rsplit_once('/')
            .expect("database URL has a database name");
        Self {
            url: format!("{base}/{name}"),
            backend: Backend::Postgres,
            _dir: None,
        }
    }

    /// A fresh database of the given backend.
    pub async fn of(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::sqlite(),
            Backend::Postgres => Self::postgres().await,
        }
    }
}

/// Generates one `#[tokio::test]` per backend for an `async fn(Backend)` test body.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::store::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::store::Backend::Postgres).await
                }
            }
        )*
    };
}

/// Event `sequence` of aggregate `test`/`aggregate`, a `Happened` whose payload is `{"n": n}`.
pub fn numbered_event(
    aggregate: &str,
    sequence: usize,
    n: i64,
) -> cqrs_es::persist::SerializedEvent {
    cqrs_es::persist::SerializedEvent {
        aggregate_id: aggregate.to_string(),
        sequence,
        aggregate_type: "test".into(),
        event_type: "Happened".into(),
        event_version: "1.0".into(),
        payload: serde_json::json!({"n": n}),
        metadata: serde_json::json!({"actor": "system:test"}),
    }
}

/// Every event committed before the call, in global order. On Postgres, events of other tests'
/// transactions in flight can hide committed events for a moment; this waits them out.
pub async fn all_committed_events(store: &crate::EventStore) -> Vec<crate::StoredEvent> {
    let head = store.head().await.expect("head");
    let mut events: Vec<crate::StoredEvent> = Vec::new();
    let mut after = crate::LogPosition::START;
    while after < head {
        let page = store.read_after(after, 10_000).await.expect("read");
        match page.last() {
            Some(last) => after = last.position,
            None => tokio::time::sleep(std::time::Duration::from_millis(5)).await,
        }
        events.extend(page.into_iter().filter(|e| e.position <= head));
    }
    events
}

/// CPU time (user + system, all threads) this process used so far, from `/proc/self/stat`; the
/// benchmarks report it per event because it moves far less than wall time on a loaded machine.
pub fn process_cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; 100 ticks/s.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}
