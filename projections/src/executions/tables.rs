//! The executions tables, their columns and keys.

use crate::tables::TableSpec;

/// One row per execution.
pub const EXECUTIONS: TableSpec = TableSpec {
    name: "executions",
    columns: &[
        "id",
        "workflow_id",
        "workflow_version",
        "status",
        "trigger_kind",
        "trigger_detail",
        "mode",
        "queued_at",
        "started_at",
        "finished_at",
        "error",
        "error_node_id",
        "last_sequence",
    ],
    key: &["id"],
};
