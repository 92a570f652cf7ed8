-- Read models built by the projection runner. Rebuildable from the event log at any time.
CREATE TABLE IF NOT EXISTS projection_checkpoints (
    name        TEXT    PRIMARY KEY,
    commit_id   INTEGER NOT NULL,
    position    INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS workflows (
    id                 TEXT    PRIMARY KEY,
    name               TEXT    NOT NULL,
    description        TEXT    NOT NULL,
    environment        TEXT    NOT NULL,
    active             INTEGER NOT NULL,
    archived           INTEGER NOT NULL,
    version            INTEGER NOT NULL,
    node_count         INTEGER NOT NULL,
    parent_workflow_id TEXT,
    parent_version     INTEGER,
    created_at         TEXT    NOT NULL,
    created_by         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    updated_by         TEXT    NOT NULL,
    definition         TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS workflows_by_environment ON workflows (environment, archived, name);

CREATE TABLE IF NOT EXISTS workflow_versions (
    workflow_id     TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    event_type      TEXT    NOT NULL,
    summary         TEXT    NOT NULL,
    actor           TEXT    NOT NULL,
    recorded_at     TEXT    NOT NULL,
    PRIMARY KEY (workflow_id, version)
);

CREATE TABLE IF NOT EXISTS audit_log (
    global_position INTEGER PRIMARY KEY,
    aggregate_type  TEXT    NOT NULL,
    aggregate_id    TEXT    NOT NULL,
    sequence        INTEGER NOT NULL,
    event_type      TEXT    NOT NULL,
    actor           TEXT    NOT NULL,
    recorded_at     TEXT    NOT NULL,
    correlation_id  TEXT    NOT NULL,
    summary         TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_actor ON audit_log (actor, global_position);
CREATE INDEX IF NOT EXISTS audit_by_aggregate ON audit_log (aggregate_id, global_position);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit_log (recorded_at);
