//! The read-model tables, their columns and keys. Projections write to a set of tables named with a
//! prefix so a rebuild can fill scratch copies while the live tables keep serving.

/// One read-model table.
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    /// Live table name.
    pub name: &'static str,
    /// Columns in a fixed order.
    pub columns: &'static [&'static str],
    /// Columns of the primary key, for a stable row order.
    pub key: &'static [&'static str],
}

/// Workflow list and current definition.
pub const WORKFLOWS: TableSpec = TableSpec {
    name: "workflows",
    columns: &[
        "id",
        "name",
        "description",
        "environment",
        "active",
        "archived",
        "version",
        "node_count",
        "parent_workflow_id",
        "parent_version",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "definition",
    ],
    key: &["id"],
};

/// Version history.
pub const WORKFLOW_VERSIONS: TableSpec = TableSpec {
    name: "workflow_versions",
    columns: &[
        "workflow_id",
        "version",
        "event_type",
        "summary",
        "actor",
        "recorded_at",
    ],
    key: &["workflow_id", "version"],
};

/// Audit log of every event.
pub const AUDIT_LOG: TableSpec = TableSpec {
    name: "audit_log",
    columns: &[
        "global_position",
        "aggregate_type",
        "aggregate_id",
        "sequence",
        "event_type",
        "actor",
        "recorded_at",
        "correlation_id",
        "summary",
    ],
    key: &["global_position"],
};

/// Every read model the runner maintains.
pub const READ_MODELS: [TableSpec; 7] = [
    WORKFLOWS,
    WORKFLOW_VERSIONS,
    AUDIT_LOG,
    crate::executions::tables::EXECUTIONS,
    crate::access::tables::USERS,
    crate::access::tables::API_KEYS,
    crate::access::tables::CREDENTIALS,
];

/// Table names used by one run of the projections (live, or scratch for a rebuild).
#[derive(Debug, Clone)]
pub struct TableSet {
    prefix: String,
}

impl TableSet {
    /// The live tables.
    pub fn live() -> Self {
        Self {
            prefix: String::new(),
        }
    }

    /// Scratch tables for a rebuild.
    pub fn scratch() -> Self {
        Self {
            prefix: "rebuild_".to_string(),
        }
    }

    /// The name of `table` in this set.
    pub fn name(&self, table: &TableSpec) -> String {
        format!("{}{}", self.prefix, table.name)
    }
}

/// Checkpoints of the projection runner (written with the rows, in one transaction).
pub const CHECKPOINTS: TableSpec = TableSpec {
    name: "projection_checkpoints",
    columns: &["name", "commit_id", "position"],
    key: &["name"],
};
