-- Executions read models (projected from `execution` streams; rebuildable from the log).
CREATE TABLE IF NOT EXISTS executions (
    id               TEXT    PRIMARY KEY,
    workflow_id      TEXT    NOT NULL,
    workflow_version BIGINT  NOT NULL,
    status           TEXT    NOT NULL,
    trigger_kind     TEXT    NOT NULL,
    trigger_detail   TEXT    NOT NULL,
    mode             TEXT    NOT NULL,
    queued_at        TEXT    NOT NULL,
    started_at       TEXT,
    finished_at      TEXT,
    error            TEXT,
    error_node_id    TEXT,
    last_sequence    BIGINT  NOT NULL
);
CREATE INDEX IF NOT EXISTS executions_by_time ON executions (queued_at, id);
CREATE INDEX IF NOT EXISTS executions_by_workflow ON executions (workflow_id, queued_at, id);
CREATE INDEX IF NOT EXISTS executions_by_status ON executions (status, queued_at, id);

CREATE TABLE IF NOT EXISTS execution_node_runs (
    execution_id  TEXT    NOT NULL,
    sequence      BIGINT  NOT NULL,
    node_id       TEXT    NOT NULL,
    run_index     BIGINT  NOT NULL,
    status        TEXT    NOT NULL,
    attempts      BIGINT  NOT NULL,
    inputs        TEXT    NOT NULL,
    outputs       TEXT,
    error         TEXT,
    started_at    TEXT    NOT NULL,
    finished_at   TEXT,
    duration_ms   BIGINT ,
    pinned        BIGINT  NOT NULL,
    PRIMARY KEY (execution_id, sequence)
);
CREATE UNIQUE INDEX IF NOT EXISTS execution_node_runs_by_run
    ON execution_node_runs (execution_id, node_id, run_index);
