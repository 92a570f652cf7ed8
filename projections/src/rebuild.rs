//! Rebuilding read models from zero into scratch tables, verifying them against the live tables
//! by a stable hash, and swapping them in.

use std::time::Instant;

use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::{Connection, Executor, Row};
use weft_commands::{Backend, Db, EventStore, LogPosition};

use crate::error::ProjectionError;
use crate::runner::ProjectionRunner;
use crate::tables::{CHECKPOINTS, READ_MODELS, TableSet, TableSpec};

/// What a rebuild did.
#[derive(Debug, Clone)]
pub struct RebuildReport {
    /// Events replayed.
    pub events: usize,
    /// Position reached.
    pub position: LogPosition,
    /// Wall-clock seconds of the replay.
    pub seconds: f64,
    /// Per table: name, hash of the rebuilt rows, hash of the live rows (when verifying).
    pub tables: Vec<(String, String, Option<String>)>,
}

/// Rebuilds every read model from the first event. With `verify`, the live tables are first
/// brought to the same position and must hash identically to the rebuilt ones (they are left
/// unchanged); without it, the rebuilt rows replace the live ones.
pub async fn rebuild(store: &EventStore, verify: bool) -> Result<RebuildReport, ProjectionError> {
    let db = store.db();
    let scratch = TableSet::scratch();
    create_scratch_tables(db, &scratch).await?;
    let mut live = ProjectionRunner::new(store.clone(), TableSet::live()).await?;
    live.catch_up().await?;
    let head = live.checkpoint();
    let started = Instant::now();
    let mut rebuilt = ProjectionRunner::new(store.clone(), scratch.clone()).await?;
    let events = rebuilt.catch_up_to(head).await?;
    let seconds = started.elapsed().as_secs_f64();
    let mut tables = Vec::new();
    let mut differing = Vec::new();
    for spec in READ_MODELS {
        let rebuilt_hash = table_hash(db, &scratch.name(&spec), &spec).await?;
        let live_hash = if verify {
            Some(table_hash(db, spec.name, &spec).await?)
        } else {
            None
        };
        if live_hash.as_ref().is_some_and(|h| *h != rebuilt_hash) {
            differing.push(spec.name.to_string());
        }
        tables.push((spec.name.to_string(), rebuilt_hash, live_hash));
    }
    if !verify {
        swap_in(db, &scratch).await?;
    }
    drop_scratch_tables(db, &scratch).await?;
    if !differing.is_empty() {
        return Err(ProjectionError::VerifyFailed(differing.join(", ")));
    }
    Ok(RebuildReport {
        events,
        position: head,
        seconds,
        tables,
    })
}

fn all_tables() -> impl Iterator<Item = TableSpec> {
    READ_MODELS.into_iter().chain([CHECKPOINTS])
}

async fn create_scratch_tables(db: &Db, scratch: &TableSet) -> Result<(), ProjectionError> {
    drop_scratch_tables(db, scratch).await?;
    for spec in all_tables() {
        let target = scratch.name(&spec);
        let ddl = match db.backend() {
            Backend::Postgres => {
                format!("CREATE TABLE {target} (LIKE {} INCLUDING ALL)", spec.name)
            }
            Backend::Sqlite => {
                let row =
                    sqlx::query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
                        .bind(spec.name)
                        .fetch_one(db.pool())
                        .await?;
                let live: String = row.try_get(0)?;
                let body = live
                    .split_once('(')
                    .map(|(_, body)| body)
                    .unwrap_or_default();
                format!("CREATE TABLE {target} ({body}")
            }
        };
        db.pool().execute(ddl.as_str()).await?;
    }
    Ok(())
}

async fn drop_scratch_tables(db: &Db, scratch: &TableSet) -> Result<(), ProjectionError> {
    for spec in all_tables() {
        db.pool()
            .execute(format!("DROP TABLE IF EXISTS {}", scratch.name(&spec)).as_str())
            .await?;
    }
    Ok(())
}

/// Replaces the live rows and checkpoint with the rebuilt ones in one transaction.
///
/// On SQLite each rebuilt table takes the place of its live one (drop, rename) and gets the live
/// table's indexes built anew: sorting a million rows into an index at once is far cheaper than
/// deleting and re-inserting them row by row through every index. The scratch tables have no
/// secondary indexes, so the replay does not maintain them either.
async fn swap_in(db: &Db, scratch: &TableSet) -> Result<(), ProjectionError> {
    let mut conn = db.pool().acquire().await?;
    let mut tx = conn.begin().await?;
    let copied: Vec<TableSpec> = match db.backend() {
        Backend::Postgres => all_tables().collect(),
        Backend::Sqlite => {
            for spec in READ_MODELS {
                let indexes: Vec<String> = sqlx::query(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                )
                .bind(spec.name)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| row.try_get(0))
                .collect::<Result<_, _>>()?;
                tx.execute(format!("DROP TABLE {}", spec.name).as_str())
                    .await?;
                tx.execute(
                    format!(
                        "ALTER TABLE {} RENAME TO {}",
                        scratch.name(&spec),
                        spec.name
                    )
                    .as_str(),
                )
                .await?;
                for index in indexes {
                    tx.execute(index.as_str()).await?;
                }
            }
            vec![CHECKPOINTS]
        }
    };
    for spec in copied {
        let columns = spec.columns.join(",");
        tx.execute(format!("DELETE FROM {}", spec.name).as_str())
            .await?;
        tx.execute(
            format!(
                "INSERT INTO {} ({columns}) SELECT {columns} FROM {}",
                spec.name,
                scratch.name(&spec)
            )
            .as_str(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// SHA-256 over every row of a table in key order, each column as text (NULL marked apart).
pub async fn table_hash(db: &Db, table: &str, spec: &TableSpec) -> Result<String, ProjectionError> {
    let columns: Vec<String> = spec
        .columns
        .iter()
        .map(|c| format!("CAST({c} AS TEXT)"))
        .collect();
    let sql = format!(
        "SELECT {} FROM {table} ORDER BY {}",
        columns.join(","),
        spec.key.join(",")
    );
    let width = spec.columns.len();
    if let Some(path) = db.sqlite_path() {
        // Millions of rows: read them with rusqlite on a blocking thread, not one sqlx row
        // conversion at a time.
        return tokio::task::spawn_blocking(move || sqlite_table_hash(&path, &sql, width))
            .await
            .map_err(|e| {
                ProjectionError::Store(weft_commands::StoreError::Write(format!(
                    "hashing {table} failed: {e}"
                )))
            })?;
    }
    let mut rows = sqlx::query(&sql).fetch(db.pool());
    let mut hasher = Sha256::new();
    while let Some(row) = rows.try_next().await? {
        for index in 0..width {
            hash_value(
                &mut hasher,
                row.try_get::<Option<String>, _>(index)?
                    .as_deref()
                    .map(str::as_bytes),
            );
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

fn sqlite_table_hash(path: &str, sql: &str, width: usize) -> Result<String, ProjectionError> {
    use rusqlite::types::ValueRef;
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    let mut statement = conn.prepare(sql)?;
    let mut rows = statement.query([])?;
    let mut hasher = Sha256::new();
    while let Some(row) = rows.next()? {
        for index in 0..width {
            match row.get_ref(index)? {
                ValueRef::Null => hash_value(&mut hasher, None),
                ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
                    hash_value(&mut hasher, Some(bytes))
                }
                // Every column is cast to text, so a number here is a bug in the query.
                other => {
                    return Err(rusqlite::Error::InvalidColumnType(
                        index,
                        sql.to_string(),
                        other.data_type(),
                    )
                    .into());
                }
            }
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

/// One column of the stable hash: its length and bytes, or a marker for NULL.
fn hash_value(hasher: &mut Sha256, value: Option<&[u8]>) {
    match value {
        Some(bytes) => {
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
        None => hasher.update(u64::MAX.to_le_bytes()),
    }
}
