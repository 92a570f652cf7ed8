//! The statements that write executions row changes in the runner's transaction.

use weft_commands::Db;

use super::model::{ExecutionChanges, ExecutionRow};
use super::tables::EXECUTIONS;
use crate::sink::insert_sql;
use crate::statements::Statement;
use crate::tables::TableSet;

/// Rows per multi-row insert (13 columns each stays under every placeholder limit). Only full
/// chunks are kept prepared: the text differs with the row count (see `crate::sink`).
const CHUNK: usize = 500;

fn int(value: u64) -> i64 {
    value as i64
}

/// Appends the statements that write the changes of one batch.
pub(crate) fn statements(
    db: &Db,
    tables: &TableSet,
    changes: &ExecutionChanges,
    out: &mut Vec<Statement>,
) {
    for chunk in changes.new_executions.chunks(CHUNK) {
        let sql = insert_sql(db, tables, &EXECUTIONS, chunk.len());
        let mut statement = Statement::new(sql, chunk.len() == CHUNK);
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
            } = row;
            statement
                .text(id.as_str())
                .text(workflow_id.as_str())
                .int(int(*workflow_version))
                .text(status.as_str())
                .text(trigger_kind.as_str())
                .text(trigger_detail.as_str())
                .text(mode.as_str())
                .text(queued_at.as_str())
                .opt_text(started_at.as_deref())
                .opt_text(finished_at.as_deref())
                .opt_text(error.as_deref())
                .opt_text(error_node_id.as_deref())
                .int(int(*last_sequence));
        }
        out.push(statement);
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
        let mut statement = Statement::new(update_execution.as_str(), true);
        statement
            .opt_text(update.status.as_deref())
            .opt_text(update.started_at.as_deref())
            .opt_text(update.finished_at.as_deref())
            .opt_text(update.error.as_deref())
            .opt_text(update.error_node_id.as_deref())
            .int(int(update.last_sequence))
            .text(update.id.as_str());
        out.push(statement);
    }
    let delete = db
        .sql(&format!(
            "DELETE FROM {} WHERE id = $1",
            tables.name(&EXECUTIONS)
        ))
        .into_owned();
    for id in &changes.deleted {
        let mut statement = Statement::new(delete.as_str(), true);
        statement.text(id.as_str());
        out.push(statement);
    }
}
