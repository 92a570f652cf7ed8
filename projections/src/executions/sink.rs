//! Writing executions row changes inside the runner's transaction.

use sqlx::AnyConnection;
use weft_commands::Db;

use super::model::{ExecutionChanges, ExecutionRow};
use super::tables::EXECUTIONS;
use crate::error::ProjectionError;
use crate::sink::insert_sql;
use crate::tables::TableSet;

/// Rows per multi-row insert (13 columns each stays under every placeholder limit). Only full
/// chunks are kept prepared: the text differs with the row count (see `crate::sink`).
const CHUNK: usize = 500;

fn int(value: u64) -> i64 {
    value as i64
}

/// Writes the changes of one batch on `conn` (the runner's open transaction).
pub(crate) async fn write(
    db: &Db,
    conn: &mut AnyConnection,
    tables: &TableSet,
    changes: &ExecutionChanges,
) -> Result<(), ProjectionError> {
    for chunk in changes.new_executions.chunks(CHUNK) {
        let sql = insert_sql(db, tables, &EXECUTIONS, chunk.len());
        let mut query = sqlx::query(&sql).persistent(chunk.len() == CHUNK);
        for row in chunk {
            let ExecutionRow {
                id,
                workflow_id,
                workflow_version,
                status,
                trigger_kind,
                trigger_detail,
                mode,
                queued_at,
                started_at,
                finished_at,
                error,
                error_node_id,
                last_sequence,
            } = row.clone();
            query = query
                .bind(id)
                .bind(workflow_id)
                .bind(int(workflow_version))
                .bind(status)
                .bind(trigger_kind)
                .bind(trigger_detail)
                .bind(mode)
                .bind(queued_at)
                .bind(started_at)
                .bind(finished_at)
                .bind(error)
                .bind(error_node_id)
                .bind(int(last_sequence));
        }
        query.execute(&mut *conn).await?;
    }
    let update_execution = db
        .sql(&format!(
            "UPDATE {} SET status = COALESCE($1, status), started_at = COALESCE($2, started_at), \
             finished_at = COALESCE($3, finished_at), error = COALESCE($4, error), \
             error_node_id = COALESCE($5, error_node_id), last_sequence = $6 WHERE id = $7",
            tables.name(&EXECUTIONS)
        ))
        .into_owned();
    for update in &changes.execution_updates {
        sqlx::query(&update_execution)
            .bind(update.status.clone())
            .bind(update.started_at.clone())
            .bind(update.finished_at.clone())
            .bind(update.error.clone())
            .bind(update.error_node_id.clone())
            .bind(int(update.last_sequence))
            .bind(update.id.clone())
            .execute(&mut *conn)
            .await?;
    }
    let delete = db
        .sql(&format!(
            "DELETE FROM {} WHERE id = $1",
            tables.name(&EXECUTIONS)
        ))
        .into_owned();
    for id in &changes.deleted {
        sqlx::query(&delete)
            .bind(id.clone())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
