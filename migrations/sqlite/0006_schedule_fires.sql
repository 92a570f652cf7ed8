-- One row per schedule due time that fired: the first process to insert it runs the execution,
-- so a due time fires once however many `weft serve` processes run. Old rows are pruned.
CREATE TABLE schedule_fires (
    workflow_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    fired_at BIGINT NOT NULL,
    PRIMARY KEY (workflow_id, node_id, due_at)
);
CREATE INDEX schedule_fires_due_at ON schedule_fires (due_at);
