//! A batch's writes as plain statements with their values, and the connection that runs them.
//!
//! The sinks only build [`Statement`]s; [`SinkConnection`] runs them with the checkpoint in one
//! transaction. On SQLite that happens synchronously on a blocking thread with a rusqlite
//! connection whose commits do not wait for the disk ([`Commits::Rebuildable`]): the batch holds
//! the database's single write lock only while SQLite works. Through sqlx every statement was a
//! round trip between the runtime and sqlx's worker thread with the lock held, and the event
//! writer waited behind it.

use std::sync::{Arc, Mutex};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{ToSql, TransactionBehavior};
use sqlx::{AnyConnection, Connection};
use weft_commands::{Backend, Commits, Db, StoreError};

use crate::error::ProjectionError;

/// Prepared statements a SQLite runner keeps (one full-chunk insert per table, the checkpoint
/// and the row updates).
const SQLITE_STATEMENT_CACHE: usize = 32;

/// A value bound to a statement's placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// Integer.
    Int(i64),
    /// SQL NULL (text column).
    Null,
    /// SQL NULL (integer column; Postgres types a bound NULL).
    NullInt,
}

/// One statement in the backend's dialect with its values in placeholder order.
#[derive(Debug)]
pub(crate) struct Statement {
    pub sql: String,
    pub values: Vec<Value>,
    /// Keep it prepared: its text recurs (see `crate::sink` on multi-row inserts).
    pub keep_prepared: bool,
}

impl Statement {
    /// A statement whose values are pushed next.
    pub fn new(sql: impl Into<String>, keep_prepared: bool) -> Self {
        Self {
            sql: sql.into(),
            values: Vec::new(),
            keep_prepared,
        }
    }

    /// Appends a text value.
    pub fn text(&mut self, value: impl Into<String>) -> &mut Self {
        self.values.push(Value::Text(value.into()));
        self
    }

    /// Appends an optional text value (NULL when absent).
    pub fn opt_text(&mut self, value: Option<impl Into<String>>) -> &mut Self {
        self.values
            .push(value.map_or(Value::Null, |v| Value::Text(v.into())));
        self
    }

    /// Appends an integer value.
    pub fn int(&mut self, value: i64) -> &mut Self {
        self.values.push(Value::Int(value));
        self
    }

    /// Appends an optional integer value (NULL when absent).
    pub fn opt_int(&mut self, value: Option<i64>) -> &mut Self {
        self.values.push(value.map_or(Value::NullInt, Value::Int));
        self
    }
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Text(text) => ValueRef::Text(text.as_bytes()),
            Value::Int(int) => ValueRef::Integer(*int),
            Value::Null | Value::NullInt => ValueRef::Null,
        }))
    }
}

/// The runner's own connection for writing read models.
pub(crate) enum SinkConnection {
    /// SQLite: used on a blocking thread, one batch at a time.
    Sqlite(Arc<Mutex<rusqlite::Connection>>),
    /// Postgres, through sqlx.
    Sqlx(AnyConnection),
}

impl SinkConnection {
    /// Opens the connection for `db`'s backend.
    pub async fn open(db: &Db) -> Result<Self, ProjectionError> {
        Ok(match db.backend() {
            Backend::Sqlite => {
                let conn = db.sqlite_connection(Commits::Rebuildable)?;
                conn.set_prepared_statement_cache_capacity(SQLITE_STATEMENT_CACHE);
                Self::Sqlite(Arc::new(Mutex::new(conn)))
            }
            Backend::Postgres => Self::Sqlx(db.dedicated_connection().await?),
        })
    }

    /// Runs `checkpoint` and, when it changed exactly one row, every statement after it, in one
    /// transaction. Returns `false` (and writes nothing) when the checkpoint changed no row.
    pub async fn run(
        &mut self,
        checkpoint: Statement,
        statements: Vec<Statement>,
    ) -> Result<bool, ProjectionError> {
        match self {
            Self::Sqlite(conn) => {
                let conn = conn.clone();
                tokio::task::spawn_blocking(move || {
                    let mut conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    run_sqlite(&mut conn, &checkpoint, &statements)
                })
                .await
                .map_err(|e| {
                    StoreError::Write(format!("the read-model write did not finish: {e}"))
                })?
            }
            Self::Sqlx(conn) => run_sqlx(conn, &checkpoint, &statements).await,
        }
    }
}

fn run_sqlite(
    conn: &mut rusqlite::Connection,
    checkpoint: &Statement,
    statements: &[Statement],
) -> Result<bool, ProjectionError> {
    // Dropping the transaction without committing rolls it back.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if execute_sqlite(&tx, checkpoint)? != 1 {
        return Ok(false);
    }
    for statement in statements {
        execute_sqlite(&tx, statement)?;
    }
    tx.commit()?;
    Ok(true)
}

fn execute_sqlite(
    conn: &rusqlite::Connection,
    statement: &Statement,
) -> Result<usize, ProjectionError> {
    let values = rusqlite::params_from_iter(statement.values.iter());
    Ok(if statement.keep_prepared {
        conn.prepare_cached(&statement.sql)?.execute(values)?
    } else {
        conn.prepare(&statement.sql)?.execute(values)?
    })
}

async fn run_sqlx(
    conn: &mut AnyConnection,
    checkpoint: &Statement,
    statements: &[Statement],
) -> Result<bool, ProjectionError> {
    let mut tx = conn.begin().await?;
    if execute_sqlx(&mut tx, checkpoint).await? != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    for statement in statements {
        execute_sqlx(&mut tx, statement).await?;
    }
    tx.commit().await?;
    Ok(true)
}

async fn execute_sqlx(
    conn: &mut AnyConnection,
    statement: &Statement,
) -> Result<u64, ProjectionError> {
    let mut query = sqlx::query(&statement.sql).persistent(statement.keep_prepared);
    for value in &statement.values {
        query = match value {
            Value::Text(text) => query.bind(text.as_str()),
            Value::Int(int) => query.bind(*int),
            Value::Null => query.bind(None::<String>),
            Value::NullInt => query.bind(None::<i64>),
        };
    }
    Ok(query.execute(conn).await?.rows_affected())
}
