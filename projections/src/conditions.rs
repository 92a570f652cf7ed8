//! `WHERE` clauses built from optional filters, with numbered placeholders and their binds.

use sqlx::any::AnyRow;
use weft_commands::Db;

use crate::error::ProjectionError;

/// A value bound to a placeholder.
pub(crate) enum Bind {
    /// Text.
    Text(String),
    /// Integer.
    Int(i64),
}

/// Collects `WHERE` conditions and their binds, numbering placeholders in order.
#[derive(Default)]
pub(crate) struct Conditions {
    sql: Vec<String>,
    binds: Vec<Bind>,
}

impl Conditions {
    /// Adds a condition whose `?` marks take `binds` in order.
    pub(crate) fn push(&mut self, template: &str, binds: Vec<Bind>) {
        let mut sql = template.to_string();
        for bind in binds {
            self.binds.push(bind);
            sql = sql.replacen('?', &format!("${}", self.binds.len()), 1);
        }
        self.sql.push(sql);
    }

    /// ` WHERE a AND b`, or nothing without conditions.
    pub(crate) fn clause(&self) -> String {
        if self.sql.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.sql.join(" AND "))
        }
    }

    /// Runs `sql` (which must use [`Conditions::clause`]) with the collected binds.
    pub(crate) async fn fetch(self, db: &Db, sql: &str) -> Result<Vec<AnyRow>, ProjectionError> {
        let sql = db.sql(sql);
        let mut query = sqlx::query(&sql);
        for bind in self.binds {
            query = match bind {
                Bind::Text(text) => query.bind(text),
                Bind::Int(int) => query.bind(int),
            };
        }
        Ok(query.fetch_all(db.pool()).await?)
    }
}
