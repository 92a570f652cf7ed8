//! The statements that write access row changes in the runner's transaction.

use weft_commands::Db;

use super::model::{AccessChange, AccessChanges, Value, Write};
use crate::statements::Statement;
use crate::tables::TableSet;

/// The statement and its binds for one change.
fn statement(tables: &TableSet, change: &AccessChange) -> (String, Vec<Value>) {
    let table = tables.name(&change.table);
    let key = change.table.key[0];
    match &change.write {
        Write::Insert(values) => {
            let placeholders: Vec<String> = (1..=values.len()).map(|i| format!("${i}")).collect();
            (
                format!(
                    "INSERT INTO {table} ({}) VALUES ({})",
                    change.table.columns.join(","),
                    placeholders.join(",")
                ),
                values.clone(),
            )
        }
        Write::Update { key: id, set } => {
            let assignments: Vec<String> = set
                .iter()
                .enumerate()
                .map(|(i, (column, _))| format!("{column} = ${}", i + 1))
                .collect();
            let mut values: Vec<Value> = set.iter().map(|(_, v)| v.clone()).collect();
            values.push(Value::Text(id.clone()));
            (
                format!(
                    "UPDATE {table} SET {} WHERE {key} = ${}",
                    assignments.join(", "),
                    values.len()
                ),
                values,
            )
        }
        Write::Delete(id) => (
            format!("DELETE FROM {table} WHERE {key} = $1"),
            vec![Value::Text(id.clone())],
        ),
    }
}

/// Appends the statements that apply the changes in order.
pub(crate) fn statements(
    db: &Db,
    tables: &TableSet,
    changes: &AccessChanges,
    out: &mut Vec<Statement>,
) {
    for change in &changes.changes {
        let (sql, values) = statement(tables, change);
        out.push(Statement {
            sql: db.sql(&sql).into_owned(),
            values,
            keep_prepared: false,
        });
    }
}
