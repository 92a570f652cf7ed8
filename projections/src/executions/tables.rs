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

/// One row per node run, keyed by the sequence of its `NodeRunStarted` event (run order).
pub const EXECUTION_NODE_RUNS: TableSpec = TableSpec {
    name: "execution_node_runs",
    columns: &[
        "execution_id",
        "sequence",
        "node_id",
        "run_index",
        "status",
        "attempts",
        "inputs",
        "outputs",
        "error",
        "started_at",
        "finished_at",
        "duration_ms",
        "pinned",
    ],
    key: &["execution_id", "sequence"],
};
