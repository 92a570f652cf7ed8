//! Writing access row changes inside the runner's transaction.

use sqlx::AnyConnection;
use weft_commands::Db;

use super::model::{AccessChange, AccessChanges, Value, Write};
use crate::error::ProjectionError;
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

/// Applies the changes in order on `conn` (the runner's open transaction).
pub(crate) async fn write(
    db: &Db,
    conn: &mut AnyConnection,
    tables: &TableSet,
    changes: &AccessChanges,
) -> Result<(), ProjectionError> {
    for change in &changes.changes {
        let (sql, values) = statement(tables, change);
        let sql = db.sql(&sql);
        let mut query = sqlx::query(&sql);
        for value in values {
            query = match value {
                Value::Text(text) => query.bind(text),
                Value::Int(int) => query.bind(int),
                Value::Null => query.bind(None::<String>),
            };
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
