//! Database access shared by the event store and the projections: one SQL dialect (Postgres-style
//! `$n` placeholders, translated for SQLite) over sqlx's `Any` driver.

use std::borrow::Cow;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor};

use crate::error::StoreError;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database engine holds the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file (the embedded default).
    Sqlite,
    /// A Postgres server (scale-out).
    Postgres,
}

/// A connection pool plus the knowledge of which backend it talks to.
#[derive(Clone, Debug)]
pub struct Db {
    backend: Backend,
    url: String,
    pool: AnyPool,
}

/// Per-connection settings for SQLite: WAL journal, durable commits, waiting instead of failing on
/// a busy database. The page cache is 4 MiB per connection: a process holds several connections
/// (writer, pool, readers), each cache fills up to its limit as the log grows, and the OS page
/// cache already keeps the file's hot pages.
pub(crate) const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA busy_timeout = 30000; PRAGMA cache_size = -4096; PRAGMA temp_store = MEMORY;";

impl Db {
    /// Connects to `sqlite://path` (the file is created when missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let url = match backend {
            Backend::Sqlite => sqlite_url(url)?,
            Backend::Postgres => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::Config(format!("invalid database URL: {e}")))?
            .disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(SQLITE_PRAGMAS).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self { backend, url, pool })
    }

    /// Opens a dedicated connection outside the pool (the single SQLite writer, Postgres LISTEN).
    pub async fn dedicated_connection(&self) -> Result<AnyConnection, StoreError> {
        let mut conn = AnyConnection::connect(&self.url).await?;
        if self.backend == Backend::Sqlite {
            conn.execute(SQLITE_PRAGMAS).await?;
        }
        Ok(conn)
    }

    /// Opens a rusqlite connection on this SQLite database for writing outside the pool (the
    /// event writer's thread, the read models' runner), with Weft's settings and a busy handler
    /// that polls for the write lock.
    pub fn sqlite_connection(
        &self,
        commits: super::Commits,
    ) -> Result<rusqlite::Connection, StoreError> {
        let path = self
            .sqlite_path()
            .ok_or_else(|| StoreError::Config("not a SQLite database".into()))?;
        super::sqlite_conn::open(&path, commits)
    }

    /// Applies the migrations of this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        let mut conn = self.pool.acquire().await?;
        migrator
            .run(&mut *conn)
            .await
            .map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// The file of a SQLite database.
    pub fn sqlite_path(&self) -> Option<String> {
        let rest = self.url.strip_prefix("sqlite://")?;
        Some(
            rest.split_once('?')
                .map_or(rest, |(path, _)| path)
                .to_string(),
        )
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection URL (for dedicated connections and child processes).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The shared pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Translates a statement written with Postgres `$n` placeholders for this backend.
    ///
    /// Placeholders must appear in ascending order, each once (`$1 … $2 … $3`): SQLite then gets
    /// anonymous `?` parameters, which bind in constant time (numbered ones cost a linear lookup
    /// per parameter in sqlx, quadratic for batched inserts).
    pub fn sql<'a>(&self, statement: &'a str) -> Cow<'a, str> {
        match self.backend {
            Backend::Postgres => Cow::Borrowed(statement),
            Backend::Sqlite => Cow::Owned(anonymous_placeholders(statement)),
        }
    }
}

/// Replaces `$1`, `$2`, … with `?`, checking that they are numbered in order.
fn anonymous_placeholders(statement: &str) -> String {
    let mut out = String::with_capacity(statement.len());
    let mut chars = statement.chars().peekable();
    let mut expected = 1;
    while let Some(c) = chars.next() {
        if c != '$' || !chars.peek().is_some_and(char::is_ascii_digit) {
            out.push(c);
            continue;
        }
        let mut number = 0usize;
        while let Some(digit) = chars.peek().and_then(|d| d.to_digit(10)) {
            number = number * 10 + digit as usize;
            chars.next();
        }
        assert_eq!(
            number, expected,
            "placeholders must be numbered in order: {statement}"
        );
        expected += 1;
        out.push('?');
    }
    out
}

fn backend_of(url: &str) -> Result<Backend, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::Config(format!(
            "unsupported database URL `{url}`: use sqlite://PATH or postgres://USER@HOST/DB"
        )))
    }
}

/// Normalises a SQLite URL and creates the parent directory of its file.
fn sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::Config(
            "an in-memory SQLite database cannot hold the event log".into(),
        ));
    }
    if let Some(parent) = Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| StoreError::Config(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("mode="))
        .collect();
    params.push("mode=rwc");
    Ok(format!("sqlite://{path}?{}", params.join("&")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_placeholders_become_anonymous_ones() {
        assert_eq!(
            anonymous_placeholders("SELECT $1, $2 WHERE x = $3"),
            "SELECT ?, ? WHERE x = ?"
        );
    }

    #[test]
    #[should_panic(expected = "numbered in order")]
    fn out_of_order_placeholders_are_a_bug() {
        anonymous_placeholders("SELECT $2, $1");
    }

    #[test]
    fn rejects_unknown_schemes_with_a_clear_message() {
        let err = backend_of("mysql://x").unwrap_err().to_string();
        assert!(
            err.contains("unsupported database URL `mysql://x`"),
            "{err}"
        );
    }

    #[test]
    fn sqlite_urls_create_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/weft.db");
        let url = sqlite_url(&format!("sqlite://{}", path.display())).unwrap();
        assert_eq!(url, format!("sqlite://{}?mode=rwc", path.display()));
        assert!(path.parent().unwrap().is_dir());
    }
}
