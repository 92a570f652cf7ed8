//! Writing row changes and the checkpoint in one transaction.

use std::collections::HashMap;

use sqlx::Row;
use weft_commands::{Backend, Db, LogPosition};

use crate::error::ProjectionError;
use crate::model::{Changes, WorkflowRow, parse_definition};
use crate::statements::{SinkConnection, Statement};
use crate::tables::{AUDIT_LOG, TableSet, TableSpec, WORKFLOW_VERSIONS, WORKFLOWS};

// Multi-row statements are kept prepared (`persistent`) only when full: their text differs with
// the number of rows, so keeping every batch size would fill the connection's statement cache (up
// to 100 statements of up to thousands of parameters each: tens of MiB held by the runner's
// connection). A full chunk has one text per table, and a rebuild writes mostly full chunks, which
// then skip SQLite's parse of thousands of placeholders.

/// Name of the checkpoint row of the read models.
pub const CHECKPOINT: &str = "read_models";

/// Workflow rows per upsert.
const WORKFLOW_CHUNK: usize = 200;
/// History and audit rows per insert.
const ROW_CHUNK: usize = 1000;

/// `INSERT INTO table (columns) VALUES (…),(…)` with `rows` rows of placeholders, written in this
/// backend's dialect directly (formatting thousands of `$n` and translating them for SQLite cost
/// more than the insert itself).
pub(crate) fn insert_sql(db: &Db, tables: &TableSet, spec: &TableSpec, rows: usize) -> String {
    use std::fmt::Write as _;
    let columns = spec.columns.len();
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        tables.name(spec),
        spec.columns.join(",")
    );
    sql.reserve(rows * columns * 7);
    let mut number = 0;
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ",(" });
        for column in 0..columns {
            if column > 0 {
                sql.push(',');
            }
            number += 1;
            match db.backend() {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    let _ = write!(sql, "${number}");
                }
            }
        }
        sql.push(')');
    }
    sql
}

fn workflow_values(statement: &mut Statement, row: &WorkflowRow) {
    statement
        .text(row.id.as_str())
        .text(row.name.as_str())
        .text(row.description.as_str())
        .text(row.environment.as_str())
        .int(i64::from(row.active))
        .int(i64::from(row.archived))
        .int(row.version as i64)
        .int(row.definition.nodes.len() as i64)
        .opt_text(row.parent.as_ref().map(|p| p.0.as_str()))
        .opt_int(row.parent.as_ref().map(|p| p.1 as i64))
        .text(row.created_at.as_str())
        .text(row.created_by.as_str())
        .text(row.updated_at.as_str())
        .text(row.updated_by.as_str())
        .text(serde_json::to_string(&row.definition).unwrap_or_default());
}

/// Writes the changes and moves the checkpoint from `from` to `to`. Returns `false` (and writes
/// nothing) when another process moved the checkpoint first.
pub(crate) async fn write(
    db: &Db,
    conn: &mut SinkConnection,
    tables: &TableSet,
    cache: &HashMap<String, WorkflowRow>,
    changes: &Changes,
    from: LogPosition,
    to: LogPosition,
) -> Result<bool, ProjectionError> {
    let mut checkpoint = Statement::new(
        db.sql(&format!(
            "UPDATE {} SET commit_id = $1, position = $2 WHERE name = $3 AND commit_id = $4 AND position = $5",
            tables.name(&crate::tables::CHECKPOINTS)
        )),
        true,
    );
    checkpoint
        .int(to.commit)
        .int(to.position)
        .text(CHECKPOINT)
        .int(from.commit)
        .int(from.position);
    let mut statements = Vec::new();
    let rows: Vec<&WorkflowRow> = changes
        .workflows
        .iter()
        .filter_map(|id| cache.get(id))
        .collect();
    for chunk in rows.chunks(WORKFLOW_CHUNK) {
        let updates: Vec<String> = WORKFLOWS.columns[1..]
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let sql = format!(
            "{} ON CONFLICT (id) DO UPDATE SET {}",
            insert_sql(db, tables, &WORKFLOWS, chunk.len()),
            updates.join(", ")
        );
        let mut statement = Statement::new(sql, chunk.len() == WORKFLOW_CHUNK);
        for row in chunk {
            workflow_values(&mut statement, row);
        }
        statements.push(statement);
    }
    for chunk in changes.versions.chunks(ROW_CHUNK) {
        let sql = insert_sql(db, tables, &WORKFLOW_VERSIONS, chunk.len());
        let mut statement = Statement::new(sql, chunk.len() == ROW_CHUNK);
        for row in chunk {
            statement
                .text(row.workflow_id.as_str())
                .int(row.version as i64)
                .text(row.event_type.as_str())
                .text(row.summary.as_str())
                .text(row.actor.as_str())
                .text(row.recorded_at.as_str());
        }
        statements.push(statement);
    }
    for chunk in changes.audit.chunks(ROW_CHUNK) {
        let sql = insert_sql(db, tables, &AUDIT_LOG, chunk.len());
        let mut statement = Statement::new(sql, chunk.len() == ROW_CHUNK);
        for row in chunk {
            statement
                .int(row.global_position)
                .text(row.aggregate_type.as_str())
                .text(row.aggregate_id.as_str())
                .int(row.sequence as i64)
                .text(row.event_type.as_str())
                .text(row.actor.as_str())
                .text(row.recorded_at.as_str())
                .text(row.correlation_id.as_str())
                .text(row.summary.as_str());
        }
        statements.push(statement);
    }
    crate::executions::sink::statements(db, tables, &changes.executions, &mut statements);
    crate::access::sink::statements(db, tables, &changes.access, &mut statements);
    conn.run(checkpoint, statements).await
}

/// Ensures the checkpoint row exists and returns it.
pub async fn load_checkpoint(db: &Db, tables: &TableSet) -> Result<LogPosition, ProjectionError> {
    let table = tables.name(&crate::tables::CHECKPOINTS);
    sqlx::query(&db.sql(&format!(
        "INSERT INTO {table} (name, commit_id, position) VALUES ($1, 0, 0) ON CONFLICT (name) DO NOTHING"
    )))
    .bind(CHECKPOINT)
    .execute(db.pool())
    .await?;
    let row = sqlx::query(&db.sql(&format!(
        "SELECT commit_id, position FROM {table} WHERE name = $1"
    )))
    .bind(CHECKPOINT)
    .fetch_one(db.pool())
    .await?;
    Ok(LogPosition {
        commit: row.try_get(0)?,
        position: row.try_get(1)?,
    })
}

/// Loads the stored rows of these workflows into the cache (ids already cached are skipped).
pub async fn load_workflows(
    db: &Db,
    tables: &TableSet,
    cache: &mut HashMap<String, WorkflowRow>,
    ids: &[String],
) -> Result<(), ProjectionError> {
    let missing: Vec<&String> = ids.iter().filter(|id| !cache.contains_key(*id)).collect();
    for chunk in missing.chunks(500) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {} FROM {} WHERE id IN ({})",
            WORKFLOWS.columns.join(","),
            tables.name(&WORKFLOWS),
            placeholders.join(",")
        );
        let sql = db.sql(&sql);
        let mut query = sqlx::query(&sql).persistent(false);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        for row in query.fetch_all(db.pool()).await? {
            let parsed = row_to_workflow(&row)?;
            cache.insert(parsed.id.clone(), parsed);
        }
    }
    Ok(())
}

/// Reads a `workflows` row (columns in [`WORKFLOWS`] order).
pub fn row_to_workflow(row: &sqlx::any::AnyRow) -> Result<WorkflowRow, ProjectionError> {
    let environment: String = row.try_get(3)?;
    let parent_id: Option<String> = row.try_get(8)?;
    let parent_version: Option<i64> = row.try_get(9)?;
    let definition: String = row.try_get(14)?;
    Ok(WorkflowRow {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        description: row.try_get(2)?,
        environment: environment.parse().unwrap_or_default(),
        active: row.try_get::<i64, _>(4)? != 0,
        archived: row.try_get::<i64, _>(5)? != 0,
        version: row.try_get::<i64, _>(6)? as u64,
        parent: parent_id.zip(parent_version.map(|v| v as u64)),
        created_at: row.try_get(10)?,
        created_by: row.try_get(11)?,
        updated_at: row.try_get(12)?,
        updated_by: row.try_get(13)?,
        definition: parse_definition(&definition)?,
    })
}
